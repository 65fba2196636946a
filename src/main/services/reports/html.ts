import type { CheckReport } from '../../../core/experiments/check';
import type { InvertReport } from '../../../core/experiments/invert';
import { reportMethods, type NoiseResult, type SweepResult, type TrainedResult } from '../../../shared/figures';
import type { ProjectResult } from '../../../core/experiments/project';
import type { SensingResult } from '../../../core/experiments/sensing';
import type { RunSpec, RunStatus } from '../jobs/runs';
import { checkVerdict, hasCheckVerdictData } from '../../../shared/checkVerdict';

export interface ReportFigure {
  readonly name: string;
  readonly caption: string;
  readonly svg: string;
}

export interface ReportInput {
  readonly spec: RunSpec;
  readonly status?: RunStatus;
  readonly result:
    InvertReport | CheckReport | SweepResult | TrainedResult | NoiseResult | ProjectResult | SensingResult;
  readonly figures: readonly ReportFigure[];
  /** Who wrote the report (app version), and when. */
  readonly generated: { readonly version: string; readonly at: string };
}

export const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Several SVGs inline in one page share one id space: ECharts' clip paths and
 * gradients of two figures may carry the same id, and the second figure would
 * then clip with the first's. Prefixing every id (and its references) keeps
 * them apart.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`)
    .replace(/(xlink:href|href)="#([^"]+)"/g, (_m, attr: string, id: string) => `${attr}="#${prefix}-${id}"`);
}

/** The check's verdict card: the shared plain-words verdict (a run from before it carried its data: the core's sentence). */
export function checkVerdictHtml(r: CheckReport): string {
  if (!hasCheckVerdictData(r)) return `<p class="verdict"><strong>Verdict.</strong> ${escapeHtml(r.verdict)}</p>`;
  const v = checkVerdict(r);
  const list = (title: string, items: string[]) =>
    items.length
      ? `<p><strong>${title}</strong></p><ul>${items.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`
      : '';
  return (
    `<div class="verdict verdict-${v.tone}"><p><strong>Verdict.</strong> ${escapeHtml(v.headline)}</p>` +
    list('What the theorems certify', v.certifies) +
    list('Where it fails', v.failures) +
    list('What to try next', v.next) +
    '</div>'
  );
}

const fmt = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits);
const pct = (f: number) => (Number.isNaN(f) ? '–' : `${(100 * f).toFixed(1)}%`);

function table(header: readonly string[], rows: readonly (string | number)[][], numeric: readonly boolean[] = []) {
  const th = header.map((h, i) => `<th${numeric[i] ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const tr = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="num"' : ''}>${escapeHtml(String(c))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

/** Signals of a project run listed in the page; the CSV and result.json have them all. */
const HTML_SIGNALS = 50;

/**
 * The spec as the page shows it: a project job's signals and hidden pixels
 * (up to millions of numbers, all in spec.json) summarised by their size.
 */
function displayedJob(job: RunSpec['job']): unknown {
  const j = job as { kind: string; signals?: unknown[][]; hidden?: unknown[] };
  if (j.kind !== 'project' || !Array.isArray(j.signals)) return job;
  return {
    ...j,
    signals: `${j.signals.length} signal(s) × ${j.signals[0]?.length ?? 0} values (in spec.json)`,
    ...(Array.isArray(j.hidden) ? { hidden: `${j.hidden.length} hidden pixel(s) (in spec.json)` } : {}),
  };
}

function summary(kind: string, result: ReportInput['result']): string {
  if (kind === 'invert') {
    const r = result as InvertReport;
    return table(
      ['method', 'success', 'median SNR(z) dB', '10% SNR(z) dB', '90% SNR(z) dB', 'median SNR(image) dB', 'seconds'],
      reportMethods(r).map((m) => {
        const o = r.methods[m]!;
        return [
          m,
          pct(o.summary.successRate),
          fmt(o.summary.medianSnrZ),
          fmt(o.summary.p10SnrZ),
          fmt(o.summary.p90SnrZ),
          fmt(o.summary.medianSnrImage),
          fmt(o.seconds, 2),
        ];
      }),
      [false, true, true, true, true, true, true],
    );
  }
  if (kind === 'project') {
    const r = result as ProjectResult;
    const sci = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : v.toPrecision(2));
    const shown = r.signals.slice(0, HTML_SIGNALS);
    const more = r.signals.length - shown.length;
    const rows = table(
      ['signal', 'method', 'relative residual', 'on range', 'certificate', 'stop', 'verdict'],
      shown.flatMap((s) =>
        Object.entries(s.methods).map(([m, f]) => [
          s.index,
          m === s.best ? `${m} (best)` : m,
          sci(f?.relativeResidual),
          f?.onRange ? 'yes' : 'no',
          f?.certificate === undefined ? '–' : f.certificate.certified ? 'Theorem 1' : 'not certified',
          f?.stopReason ?? '–',
          f?.verdict ?? '–',
        ]),
      ),
      [true, false, true, false, false, false, false],
    );
    return more > 0 ? `${rows}\n<p>… ${more} more signal(s): see figures/project.csv and result.json.</p>` : rows;
  }
  if (kind === 'check') {
    const r = result as CheckReport;
    return (
      checkVerdictHtml(r) +
      table(
        ['layer', 'nᵢ', 'median sᵢ', 'sᵢ 10–90%', 'μ', 'Thm 1', 'Thm 2', 'Thm 3'],
        r.layers.map((l) => [
          `x${l.index}`,
          l.n,
          l.sparsity.median,
          `${l.sparsity.p10}–${l.sparsity.p90}`,
          fmt(l.coherence, 3),
          pct(l.theorem1.passFraction),
          pct(l.theorem2.passFraction),
          pct(l.theorem3.passFraction),
        ]),
        [false, true, true, true, true, true, true, true],
      )
    );
  }
  if (kind === 'trained') {
    const r = result as TrainedResult;
    return table(
      ['setting', 'method', 'success', 'median SNR(z) dB', '10% SNR(z) dB', '90% SNR(z) dB', 'median SNR(image) dB'],
      r.settings.flatMap((s) =>
        reportMethods(s.report).map((m) => {
          const o = s.report.methods[m]!.summary;
          return [
            s.name,
            m,
            pct(o.successRate),
            fmt(o.medianSnrZ),
            fmt(o.p10SnrZ),
            fmt(o.p90SnrZ),
            fmt(o.medianSnrImage),
          ];
        }),
      ),
      [false, false, true, true, true, true, true],
    );
  }
  if (kind === 'sensing') {
    const r = result as SensingResult;
    return table(
      [
        'm',
        'method',
        'success',
        'certified (Thm 1, A)',
        'median SNR(z) dB',
        'SNR(z) 10–90% dB',
        'median SNR(image) dB',
        'seconds',
      ],
      r.points.flatMap((p) =>
        r.settings.methods.flatMap((m) => {
          const o = p.methods[m];
          if (o === undefined) return [];
          return [
            [
              p.m,
              m,
              pct(o.successRate),
              pct(o.certifiedRate),
              fmt(o.snrZ.p50),
              `${fmt(o.snrZ.p10)} – ${fmt(o.snrZ.p90)}`,
              fmt(o.snrImage.p50),
              fmt(o.seconds, 2),
            ],
          ];
        }),
      ),
      [true, false, true, true, true, true, true, true],
    );
  }
  if (kind === 'noise') {
    const r = result as NoiseResult;
    return table(
      [
        'σ',
        'method',
        'success',
        'median SNR(z) dB',
        'SNR(z) 10–90% dB',
        'median SNR(image) dB',
        'Thm 4 SNR(z) dB (Oracle)',
      ],
      r.points.flatMap((p) =>
        r.settings.methods.flatMap((m, i) => {
          const o = p.methods[m];
          if (o === undefined) return [];
          return [
            [
              String(Number(p.sigma.toPrecision(3))),
              m,
              pct(o.successRate),
              fmt(o.snrZ.p50),
              `${fmt(o.snrZ.p10)} – ${fmt(o.snrZ.p90)}`,
              fmt(o.snrImage.p50),
              // The band is the Oracle's, one per σ: on its first row only.
              i === 0 ? `${fmt(p.theorem4.snrZ.low)} – ${fmt(p.theorem4.snrZ.high)}` : '',
            ],
          ];
        }),
      ),
      [true, false, true, true, true, true, true],
    );
  }
  const r = result as SweepResult;
  // The hybrid's winning paths per point (e.g. `lp 8`, `gd-random 8`), where it ran.
  const paths = r.settings.methods.includes('hybrid');
  return table(
    [
      'n₀',
      'n₁',
      'median s₁',
      'Thm 2',
      ...r.settings.methods.map((m) => `${m} success`),
      ...(paths ? ['hybrid paths'] : []),
    ],
    r.points.map((p) => [
      p.n0,
      p.n1,
      p.medianS1,
      pct(p.theorem2.passFraction),
      ...r.settings.methods.map((m) => pct(p.methods[m]?.successRate ?? Number.NaN)),
      ...(paths
        ? [
            Object.entries(p.methods.hybrid?.paths ?? {})
              .map(([path, n]) => `${path} ${n}`)
              .join(', ') || '–',
          ]
        : []),
    ]),
    [true, true, true, true, ...r.settings.methods.map(() => true), ...(paths ? [false] : [])],
  );
}

/**
 * The run as one self-contained HTML page: figures inline as SVG (no scripts,
 * no external files, so it opens offline and archives as one file), the
 * summary or verdict, and everything needed to reproduce it — the spec, the
 * model's SHA-256, versions, seeds, kernel and timings. Print CSS keeps
 * figures whole on a page.
 */
export function reportHtml(input: ReportInput): string {
  const { spec, status, result } = input;
  const kind = spec.job.kind as string;
  const computeSeconds = status?.chunkSeconds
    ? Object.values(status.chunkSeconds).reduce((a, b) => a + b, 0)
    : undefined;
  const wall =
    status?.started && status.finished ? (Date.parse(status.finished) - Date.parse(status.started)) / 1000 : undefined;
  const kernel = (result as InvertReport).settings?.kernel ?? spec.kernel;
  const facts: [string, string][] = [
    ['run', spec.id],
    ['kind', kind],
    ['model', spec.model.source + (spec.model.path ? ` (${spec.model.path})` : '')],
    ['model SHA-256', spec.model.sha256],
    ['layer widths [n₀, …, n]', `[${spec.model.dims.join(', ')}], output ${spec.model.output}`],
    ['seed', String((spec.job as { seed?: number }).seed ?? '–')],
    ['kernel', kernel],
    ['Pursuit Lab', spec.app.version],
    ['Node', spec.app.node],
    ['created', spec.created],
    ['started – finished', `${status?.started ?? '–'} – ${status?.finished ?? '–'}`],
    ['wall time', wall === undefined ? '–' : `${wall.toFixed(1)} s`],
    ['compute time (all chunks)', computeSeconds === undefined ? '–' : `${computeSeconds.toFixed(2)} s`],
    ['chunks', `${spec.chunks}${status?.workers ? `, ${status.workers} workers` : ''}`],
    ['state', status?.state ?? '–'],
  ];
  const figures = input.figures
    .map(
      (f, i) =>
        `<figure id="fig-${escapeHtml(f.name)}">${scopeSvgIds(f.svg, `f${i}`)}<figcaption><strong>Figure ${i + 1}.</strong> ${escapeHtml(f.caption)}</figcaption></figure>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Pursuit Lab ${escapeHtml(input.generated.version)}">
<title>Pursuit Lab report: ${escapeHtml(spec.id)}</title>
<style>
  body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; max-width: 1000px; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
  h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
  .sub { color: #555; margin-top: 0; }
  table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
  th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
  th { background: #f3f4f6; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  table.facts td:first-child { color: #555; white-space: nowrap; } table.facts td { word-break: break-all; }
  figure { margin: 1.5rem 0; } figure svg { width: 100%; height: auto; display: block; }
  figcaption { font-size: 0.9rem; color: #333; margin-top: 0.3rem; }
  pre { background: #f6f8fa; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
  .verdict { background: #f6f8fa; border-left: 4px solid #3d6fb6; padding: 0.6rem 0.8rem; }
  @page { size: A4; margin: 15mm; }
  @media print {
    body { margin: 0; max-width: none; font-size: 10.5pt; }
    figure, table, .verdict { break-inside: avoid; page-break-inside: avoid; }
    h2 { break-after: avoid; page-break-after: avoid; }
    pre { white-space: pre-wrap; word-break: break-all; }
  }
</style>
</head>
<body>
<h1>Pursuit Lab: ${escapeHtml(kind)} run ${escapeHtml(spec.id)}</h1>
<p class="sub">${escapeHtml(spec.model.name)} · ${escapeHtml(spec.model.source)} · report written ${escapeHtml(input.generated.at)}</p>
<h2>${kind === 'check' ? 'Verdict' : 'Summary'}</h2>
${summary(kind, result)}
<h2>Figures</h2>
${figures}
<h2>Reproducibility</h2>
${table(['', ''], facts)
  .replace('<table>', '<table class="facts">')
  .replace(/<thead>.*?<\/thead>/s, '')}
<h2>Spec</h2>
<pre>${escapeHtml(JSON.stringify(displayedJob(spec.job), null, 2))}</pre>
</body>
</html>
`;
}
