import type { CheckReport } from '../../../core/experiments/check';
import type { SensingResult } from '../../../core/experiments/sensing';
import type { Spread } from '../../../core/experiments/noise';
import type { MethodId } from '../../../core/pursuit/types';
import type { InvertReport } from '../../../core/experiments/invert';
import {
  invertLayers,
  reportMethods,
  type NoiseResult,
  type SweepResult,
  type TrainedResult,
} from '../../../shared/figures';
import type { ProjectResult } from '../../../core/experiments/project';

/**
 * Tidy CSV (one observation per row, one variable per column), so pandas,
 * R or a spreadsheet reads it with no reshaping: `pd.read_csv(f)` then
 * `groupby(["method", "layer"])`.
 */
type Cell = string | number | null | undefined;

function field(v: Cell): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly Cell[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}

/** One row per method × signal × layer (z, x1 … xL, image). */
export function invertCsv(report: InvertReport): string {
  const layers = invertLayers(report);
  const rows: Cell[][] = [];
  for (const m of reportMethods(report))
    report.methods[m]!.signals.forEach((s, i) => {
      for (const l of layers) rows.push([m, i, l.key, l.snr(s), s.relErrZ, s.stopReason, s.iterations, s.path?.path]);
    });
  // hybrid_path: the hybrid pursuit's winning path (lp, gd-from-lp, gd-random); empty for other methods.
  return toCsv(['method', 'signal', 'layer', 'snr_db', 'rel_err_z', 'stop_reason', 'iterations', 'hybrid_path'], rows);
}

/** One row per hidden layer: the sample aggregates the check reports. */
export function checkCsv(report: CheckReport): string {
  return toCsv(
    [
      'layer',
      'n',
      's_median',
      's_p10',
      's_p90',
      'coherence',
      'coherence_full',
      'spark_lower_bound',
      'theorem1_pass',
      'theorem2_pass',
      'theorem3_pass',
      'theorem3_threshold',
      'error_bound',
      'samples',
    ],
    report.layers.map((l) => [
      `x${l.index}`,
      l.n,
      l.sparsity.median,
      l.sparsity.p10,
      l.sparsity.p90,
      l.coherence,
      l.coherenceFull,
      l.sparkLowerBound,
      l.theorem1.passFraction,
      l.theorem2.passFraction,
      l.theorem3.passFraction,
      l.theorem3.threshold,
      l.errorBound,
      report.samples,
    ]),
  );
}

/** One row per grid point × method × layer, with the layer's SNR quantiles (dB). */
export function sweepCsv(result: SweepResult): string {
  const rows: Cell[][] = [];
  for (const p of result.points)
    for (const m of result.settings.methods) {
      const r = p.methods[m];
      if (r === undefined) continue;
      for (const layer of ['z', 'x1', 'image'] as const) {
        const q = r.layers[layer];
        rows.push([
          p.n0,
          p.n1,
          m,
          layer,
          q.p10,
          q.p25,
          q.p50,
          q.p75,
          q.p90,
          r.successRate,
          p.medianS1,
          p.theorem2.passFraction,
          r.seconds,
        ]);
      }
    }
  return toCsv(
    [
      'n0',
      'n1',
      'method',
      'layer',
      'snr_p10',
      'snr_p25',
      'snr_p50',
      'snr_p75',
      'snr_p90',
      'success_rate',
      'median_s1',
      'theorem2_pass',
      'seconds',
    ],
    rows,
  );
}

/**
 * One row per setting × method × signal × layer (z, x1 … x(L−1), image);
 * `success` is 1 when the signal was recovered (‖ẑ − z‖/‖z‖ below the
 * threshold), else 0, so its mean per group is the success rate.
 */
export function trainedCsv(result: TrainedResult): string {
  const rows: Cell[][] = [];
  for (const setting of result.settings) {
    const report = setting.report;
    const layers = invertLayers(report);
    const threshold = report.settings.successThreshold;
    for (const m of reportMethods(report))
      report.methods[m]!.signals.forEach((s, i) => {
        const success = s.relErrZ < threshold ? 1 : 0;
        for (const l of layers) rows.push([setting.name, m, i, l.key, l.snr(s), success]);
      });
  }
  return toCsv(['setting', 'method', 'signal', 'layer', 'snr_db', 'success'], rows);
}

/**
 * One row per σ × method × quantity (`z`, `image`) with the SNR's 10/50/90%
 * quantiles (dB) and the method's success rate at that σ; then one row per σ
 * with method `theorem4` and quantity `z`: Theorem 4's band on the Oracle's
 * SNR(z) in `low` and `high` (dB), which the method rows leave empty (a band
 * is not a quantile, so it gets its own columns).
 */
export function noiseCsv(result: NoiseResult): string {
  const rows = spreadRows(result.points, result.settings.methods, (p, r) => [p.sigma, r.successRate, null, null]);
  for (const p of result.points)
    rows.push([p.sigma, 'theorem4', 'z', null, null, null, null, p.theorem4.snrZ.low, p.theorem4.snrZ.high]);
  return toCsv(['sigma', 'method', 'quantity', 'p10', 'p50', 'p90', 'success_rate', 'low', 'high'], rows);
}

type SpreadMethod = { readonly snrZ: Spread; readonly snrImage: Spread };
type SpreadPoint = { readonly methods: Partial<Record<MethodId, SpreadMethod>> };

/**
 * Rows [x, method, quantity, p10, p50, p90, …rest] per point × method ×
 * quantity (z, image) of a job whose points carry SNR spreads per method;
 * `cells(p, r)` gives x first, then the rest.
 */
function spreadRows<P extends SpreadPoint>(
  points: readonly P[],
  methods: readonly MethodId[],
  cells: (p: P, r: NonNullable<P['methods'][MethodId]>) => Cell[],
): Cell[][] {
  const rows: Cell[][] = [];
  for (const p of points)
    for (const m of methods) {
      const r = p.methods[m] as NonNullable<P['methods'][MethodId]> | undefined;
      if (r === undefined) continue;
      const [x, ...rest] = cells(p, r);
      for (const [quantity, q] of [
        ['z', r.snrZ],
        ['image', r.snrImage],
      ] as const)
        rows.push([x, m, quantity, q.p10, q.p50, q.p90, ...rest]);
    }
  return rows;
}

/** One row per m × method × quantity: the SNR spread, the success and certificate rates. */
export function sensingCsv(result: SensingResult): string {
  const rows = spreadRows(result.points, result.settings.methods, (p, r) => [
    p.m,
    r.successRate,
    r.certifiedRate,
    r.seconds,
  ]);
  return toCsv(['m', 'method', 'quantity', 'p10', 'p50', 'p90', 'success_rate', 'certified_rate', 'seconds'], rows);
}

/** One row per signal × method: the fit's residuals, range verdict and certificate (ẑ and G(ẑ) are in result.json). */
export function projectCsv(result: ProjectResult): string {
  const rows: Cell[][] = [];
  for (const s of result.signals)
    for (const [m, f] of Object.entries(s.methods)) {
      if (f === undefined) continue;
      rows.push([
        s.index,
        m,
        f.residual,
        f.relativeResidual,
        String(f.onRange),
        f.certificate === undefined ? undefined : String(f.certificate.certified),
        f.hiddenRelativeError,
        f.saturated,
        f.stopReason,
        f.iterations,
        String(m === s.best),
      ]);
    }
  return toCsv(
    [
      'signal',
      'method',
      'residual',
      'relative_residual',
      'on_range',
      'certified',
      'hidden_rel_error',
      'saturated',
      'stop_reason',
      'iterations',
      'best',
    ],
    rows,
  );
}
