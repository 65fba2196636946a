import type { NoiseResult } from '../../core/experiments/noise';
import { medianLine, ribbon, spreadRibbon } from './custom';
import { capMarkLine, SNR_CAP } from './invert';
import { methodColor, withAlpha } from './palette';
import { FONT_FAMILY, textStyle } from './text';

type Option = Record<string, unknown>;

// result.json of a `noise` job: one definition, in core where the job makes it.
export type { NoiseResult, NoisePoint, Spread } from '../../core/experiments/noise';

export type NoiseQuantity = 'z' | 'image';

/** The legend entry of Theorem 4's band: the bound is on the Oracle's error. */
export const THEOREM4_LABEL = 'Theorem 4 bound (Oracle)';
const BAND_COLOR = '#7f7f7f';

const QUANTITY_TEXT: Record<NoiseQuantity, { title: string; axis: string; key: 'snrZ' | 'snrImage' }> = {
  z: { title: 'the latent ẑ', axis: 'SNR of ẑ (dB)', key: 'snrZ' },
  image: { title: 'the image G(ẑ)', axis: 'SNR of G(ẑ) (dB)', key: 'snrImage' },
};

const titleBlock = (text: string, subtext: string) => ({
  text,
  subtext,
  left: 'center',
  textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
  subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
});

/** σ on a log axis from the first to the last noise level: σ spans decades. */
function sigmaAxis(result: NoiseResult) {
  const sigmas = result.points.map((p) => p.sigma);
  return {
    type: 'log',
    name: 'noise σ (standard deviation per known pixel)',
    nameLocation: 'middle',
    nameGap: 32,
    min: sigmas.length ? Math.min(...sigmas) : undefined,
    max: sigmas.length ? Math.max(...sigmas) : undefined,
    splitLine: { show: false },
    axisLine: { onZero: false },
    axisLabel: { fontFamily: FONT_FAMILY },
  };
}

/**
 * Theorem 4's band on SNR(z), [low, high] dB per σ, where both ends are finite
 * (a singular supported matrix makes an end infinite: no band drawn there).
 */
export function theorem4Band(result: NoiseResult): { sigma: number; low: number; high: number }[] {
  return result.points
    .map((p) => ({ sigma: p.sigma, low: p.theorem4.snrZ.low, high: p.theorem4.snrZ.high }))
    .filter((b) => Number.isFinite(b.low) && Number.isFinite(b.high));
}

/**
 * The noise job's figure for one quantity: x = σ (log), per method the median
 * SNR of ẑ (or of G(ẑ)) over the signals with its 10–90% ribbon, as Fig. 2
 * draws them. On the SNR(z) panel, Theorem 4's bounds on the Oracle's
 * E‖ẑ − z‖² as a grey band between dashed edges (a reference: the theorem is
 * for identity φ and known supports). A ribbon shares its method's series
 * name, so a legend click toggles the line and its ribbon together.
 */
export function noiseSnrOption(result: NoiseResult, quantity: NoiseQuantity, animation = false): Option {
  const text = QUANTITY_TEXT[quantity];
  const points = [...result.points].sort((a, b) => a.sigma - b.sigma);
  const methods = result.settings.methods;
  const series: Record<string, unknown>[] = [];
  const legend: string[] = [...methods];
  if (quantity === 'z') {
    const band = theorem4Band({ ...result, points });
    if (band.length > 0) {
      legend.push(THEOREM4_LABEL);
      series.push({
        name: THEOREM4_LABEL,
        type: 'custom',
        color: BAND_COLOR,
        z: 1,
        encode: { x: [0, 3], y: [1, 2, 4, 5] },
        renderItem: ribbon(withAlpha(BAND_COLOR, 0.18)),
        tooltip: { show: false },
        data: band.slice(1).map((b, i) => [band[i].sigma, band[i].low, band[i].high, b.sigma, b.low, b.high]),
      });
      for (const end of ['low', 'high'] as const)
        series.push({
          name: THEOREM4_LABEL,
          type: 'line',
          color: BAND_COLOR,
          symbol: 'none',
          lineStyle: { type: 'dashed', width: 1.2 },
          z: 3,
          data: band.map((b) => [b.sigma, b[end]]),
        });
    }
  }
  for (const m of methods) {
    const rows = points.flatMap((p) => {
      const q = p.methods[m]?.[text.key];
      return q === undefined ? [] : [{ sigma: p.sigma, q }];
    });
    const color = methodColor(m);
    series.push(
      medianLine(
        m,
        color,
        rows.map((r) => [r.sigma, r.q.p50]),
      ),
    );
    series.push(
      spreadRibbon(
        m,
        color,
        0.15,
        rows.map((r) => ({ x: r.sigma, lo: r.q.p10, hi: r.q.p90 })),
      ),
    );
  }
  // A quantile at the cap means signals recovered exactly to float64 (tiny σ): say so on the plot.
  const capped = points.some((p) => methods.some((m) => (p.methods[m]?.[text.key].p90 ?? 0) >= SNR_CAP));
  const firstLine = series.find((x) => x.type === 'line' && x.name !== THEOREM4_LABEL);
  if (capped && firstLine !== undefined) firstLine.markLine = capMarkLine();
  return {
    animation,
    textStyle,
    title: titleBlock(
      `Recovery of ${text.title} under Gaussian noise`,
      `${result.settings.count} signals per σ · line: median · band: 10–90%` +
        (quantity === 'z' ? ' · grey: Theorem 4 bounds on the Oracle' : ''),
    ),
    // Above the plot area, so it never covers a curve.
    legend: { top: 66, data: legend, textStyle, itemGap: 20 },
    grid: { left: 72, right: 32, top: 108, bottom: 60 },
    tooltip: { trigger: 'axis' },
    xAxis: sigmaAxis(result),
    yAxis: {
      type: 'value',
      name: text.axis,
      nameLocation: 'middle',
      nameGap: 48,
      scale: true,
      splitLine: { lineStyle: { color: '#e4e4e4' } },
    },
    series,
  };
}

/** Success rate (‖ẑ − z‖/‖z‖ below the threshold) against σ, per method, in %. */
export function noiseSuccessOption(result: NoiseResult, animation = false): Option {
  const points = [...result.points].sort((a, b) => a.sigma - b.sigma);
  const methods = result.settings.methods;
  return {
    animation,
    textStyle,
    title: titleBlock(
      'Recovery success under Gaussian noise',
      `success: ‖ẑ − z‖ / ‖z‖ < ${result.settings.successThreshold} · ${result.settings.count} signals per σ`,
    ),
    legend: { top: 66, data: methods, textStyle, itemGap: 20 },
    grid: { left: 72, right: 32, top: 108, bottom: 60 },
    tooltip: { trigger: 'axis' },
    xAxis: sigmaAxis(result),
    yAxis: {
      type: 'value',
      name: 'success rate (%)',
      nameLocation: 'middle',
      nameGap: 48,
      min: 0,
      max: 100,
      splitLine: { lineStyle: { color: '#e4e4e4' } },
    },
    series: methods.map((m) => ({
      name: m,
      type: 'line',
      color: methodColor(m),
      symbol: 'circle',
      symbolSize: 6,
      lineStyle: { width: 2 },
      data: points.flatMap((p) => {
        const r = p.methods[m];
        return r === undefined ? [] : [[p.sigma, 100 * r.successRate]];
      }),
    })),
  };
}
