import type { SensingResult } from '../../core/experiments/sensing';
import { medianLine, spreadRibbon } from './custom';
import { capMarkLine, SNR_CAP } from './invert';
import { methodColor } from './palette';
import { FONT_FAMILY, textStyle } from './text';

type Option = Record<string, unknown>;

// result.json of a `sensing` job: one definition, in core where the job makes it.
export type { SensingResult, SensingPoint } from '../../core/experiments/sensing';

export type SensingQuantity = 'success' | 'z' | 'image';

const TEXT: Record<SensingQuantity, { title: string; axis: string }> = {
  success: { title: 'Compressed sensing: recovery success', axis: 'success rate (%)' },
  z: { title: 'Compressed sensing: recovery of the latent ẑ', axis: 'SNR of ẑ (dB)' },
  image: { title: 'Compressed sensing: recovery of the image G(ẑ)', axis: 'SNR of G(ẑ) (dB)' },
};

/**
 * The sensing job's figure: x = m (number of Gaussian measurements, log
 * axis), per method either the success rate (solid) and the rate of
 * Theorem 1 certificates restated for A (dashed, same colour), or the median
 * SNR of ẑ or G(ẑ) with its 10–90% ribbon, as Fig. 2 draws them. Dashed
 * vertical lines at m = n₀ (fewer measurements than unknowns: no method can
 * identify z) and at the median s_L (the last layer's unknowns).
 */
export function sensingOption(result: SensingResult, quantity: SensingQuantity, animation = false): Option {
  const points = [...result.points].sort((a, b) => a.m - b.m);
  const { methods, n0, n, medianSL, count, successThreshold } = result.settings;
  const series: Record<string, unknown>[] = [];
  const legend: string[] = [...methods];
  for (const method of methods) {
    const color = methodColor(method);
    if (quantity === 'success') {
      const rate = (key: 'successRate' | 'certifiedRate') =>
        points.flatMap((p): [number, number][] => {
          const r = p.methods[method];
          return r === undefined ? [] : [[p.m, 100 * r[key]]];
        });
      series.push(medianLine(method, color, rate('successRate')));
      series.push({
        name: method,
        type: 'line',
        color,
        symbol: 'none',
        lineStyle: { type: 'dashed', width: 1.5 },
        data: rate('certifiedRate'),
      });
      continue;
    }
    const key = quantity === 'z' ? 'snrZ' : 'snrImage';
    const rows = points.flatMap((p) => {
      const q = p.methods[method]?.[key];
      return q === undefined ? [] : [{ m: p.m, q }];
    });
    series.push(
      medianLine(
        method,
        color,
        rows.map((r) => [r.m, r.q.p50]),
      ),
    );
    series.push(
      spreadRibbon(
        method,
        color,
        0.15,
        rows.map((r) => ({ x: r.m, lo: r.q.p10, hi: r.q.p90 })),
      ),
    );
  }
  const marks = {
    silent: true,
    symbol: 'none',
    lineStyle: { type: 'dashed', color: '#444', width: 1.2 },
    label: { position: 'insideEndTop', fontFamily: FONT_FAMILY, color: '#444', formatter: '{b}' },
    data: [
      { name: 'm = n₀', xAxis: n0 },
      { name: 'm = median s_L', xAxis: medianSL },
    ],
  };
  if (series.length > 0) series[0].markLine = marks;
  const capped =
    quantity !== 'success' &&
    points.some((p) =>
      methods.some((m) => (p.methods[m]?.[quantity === 'z' ? 'snrZ' : 'snrImage'].p90 ?? 0) >= SNR_CAP),
    );
  const second = series.find((s, i) => i > 0 && s.type === 'line');
  if (capped && second !== undefined) second.markLine = capMarkLine();
  const ms = points.map((p) => p.m);
  return {
    animation,
    textStyle,
    title: {
      text: TEXT[quantity].title,
      subtext:
        `y = A·G(z), A m × ${n} Gaussian · n₀ = ${n0}, median s_L = ${medianSL} · ${count} signals per m · ` +
        (quantity === 'success'
          ? `solid: ‖ẑ − z‖/‖z‖ < ${successThreshold}, dashed: Theorem 1 certified (restated for A)`
          : 'line: median · band: 10–90%'),
      left: 'center',
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
    },
    legend: { top: 66, data: legend, textStyle, itemGap: 20 },
    grid: { left: 72, right: 32, top: 108, bottom: 60 },
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'log',
      name: 'm (Gaussian measurements)',
      nameLocation: 'middle',
      nameGap: 32,
      min: ms.length ? Math.min(...ms, n0) : undefined,
      max: ms.length ? Math.max(...ms) : undefined,
      splitLine: { show: false },
      axisLine: { onZero: false },
      axisLabel: { fontFamily: FONT_FAMILY },
    },
    yAxis: {
      type: 'value',
      name: TEXT[quantity].axis,
      nameLocation: 'middle',
      nameGap: 48,
      ...(quantity === 'success' ? { min: 0, max: 100 } : { scale: true }),
      splitLine: { lineStyle: { color: '#e4e4e4' } },
    },
    series,
  };
}
