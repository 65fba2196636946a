import type { SweepResult } from '../../core/experiments/sweep';
import { medianLine, spreadRibbon } from './custom';
import { methodColor } from './palette';
import { FONT_FAMILY, textStyle } from './text';

type Option = Record<string, unknown>;

export type SweepLayer = 'z' | 'x1' | 'image';

// result.json of a `sweep` job (the paper's Fig. 2): one definition, in core where the job makes it.
export type { Quantiles, SweepResult } from '../../core/experiments/sweep';

const LAYER_TEXT: Record<SweepLayer, { title: string; axis: string }> = {
  z: { title: 'latent z', axis: 'SNR of ẑ (dB)' },
  x1: { title: 'first hidden layer x₁', axis: 'SNR of x̂₁ (dB)' },
  image: { title: 'image G(z)', axis: 'SNR of G(ẑ) (dB)' },
};

/**
 * The paper's Fig. 2 for one n₀: x = n₁, per method the median SNR of `layer`
 * over the signals with its 25–75% (darker) and 10–90% (lighter) ribbons, and
 * a dashed line at n₁ = 2n₀ (where n₁/2 = n₀: Theorem 2's s₁ ≥ n₀ starts to hold
 * with s₁ ≈ n₁/2). A ribbon shares its method's series name, so the legend
 * shows one entry per method and toggles its line and ribbons together.
 */
export function fig2Option(result: SweepResult, n0: number, layer: SweepLayer = 'z', animation = false): Option {
  const points = result.points.filter((p) => p.n0 === n0).sort((a, b) => a.n1 - b.n1);
  const methods = result.settings.methods;
  const series: Record<string, unknown>[] = [];
  for (const m of methods) {
    const rows = points.flatMap((p) => {
      const q = p.methods[m]?.layers[layer];
      return q === undefined ? [] : [{ n1: p.n1, q }];
    });
    const color = methodColor(m);
    series.push(
      medianLine(
        m,
        color,
        rows.map((r) => [r.n1, r.q.p50]),
      ),
    );
    for (const [lo, hi, alpha] of [
      ['p10', 'p90', 0.12],
      ['p25', 'p75', 0.28],
    ] as const) {
      series.push(
        spreadRibbon(
          m,
          color,
          alpha,
          rows.map((r) => ({ x: r.n1, lo: r.q[lo], hi: r.q[hi] })),
        ),
      );
    }
  }
  // The dashed n₁/2 = n₀ line rides on the first method's line, so it is drawn once.
  if (series.length > 0)
    series[0].markLine = {
      silent: true,
      symbol: 'none',
      lineStyle: { type: 'dashed', color: '#444', width: 1.2 },
      label: { formatter: 'n₁/2 = n₀', position: 'insideEndTop', fontFamily: FONT_FAMILY, color: '#444' },
      data: [{ xAxis: 2 * n0 }],
    };
  const n1s = points.map((p) => p.n1);
  return {
    animation,
    textStyle,
    title: {
      text: `Fig. 2: recovery of the ${LAYER_TEXT[layer].title}, n₀ = ${n0}`,
      subtext: `n = ${result.settings.n} · ${result.settings.count} signals per point · line: median · bands: 25–75%, 10–90%`,
      left: 'center',
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
    },
    // Above the plot area, so it never covers a ribbon.
    legend: { top: 66, data: methods, textStyle },
    grid: { left: 72, right: 32, top: 108, bottom: 60 },
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'value',
      name: 'n₁ (width of the first hidden layer, units)',
      nameLocation: 'middle',
      nameGap: 32,
      min: n1s.length ? Math.min(...n1s, 2 * n0) : undefined,
      max: n1s.length ? Math.max(...n1s, 2 * n0) : undefined,
      splitLine: { show: false },
      // At the foot of the plot, not across it at 0 dB: SNRs go negative.
      axisLine: { onZero: false },
    },
    yAxis: {
      type: 'value',
      name: LAYER_TEXT[layer].axis,
      nameLocation: 'middle',
      nameGap: 48,
      splitLine: { lineStyle: { color: '#e4e4e4' } },
    },
    series,
  };
}
