import type { MaskSpec } from '../../core/model/observation';
import type { TrainedResult, TrainedSettingName } from '../../core/experiments/trained';
import { invertLayers, layerBoxes, layerSnrOption, reachesCap, reportMethods, SNR_CAP } from './invert';
import { percent } from './text';

type Option = Record<string, unknown>;

export type { TrainedResult, TrainedSettingName } from '../../core/experiments/trained';

/** The paper's panel letters: 3(a) clean, 3(b) random mask, 3(c) rows hidden. */
const PANEL: Record<TrainedSettingName, string> = { clean: 'a', random: 'b', rows: 'c' };

/** What a setting hides, in words, from its mask. */
export function maskText(mask: MaskSpec): string {
  if (mask.kind === 'none') return 'every pixel known';
  if (mask.kind === 'random') return `${+(100 * mask.fraction).toFixed(1)}% of the pixels hidden at random`;
  const rows = mask.to - mask.from + 1;
  return mask.from === 0 ? `the top ${rows} rows hidden` : `rows ${mask.from}–${mask.to} hidden`;
}

/**
 * One y range for the three panels, so the settings compare at a glance:
 * from every plotted quantile's minimum to its maximum, widened to whole
 * ticks (at most 10 of them) and never past the 400 dB cap.
 */
export function trainedYRange(result: TrainedResult): { min: number; max: number; interval: number } {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of result.settings)
    for (const box of Object.values(layerBoxes(s.report)))
      for (const v of box!.flat())
        if (Number.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
  if (!Number.isFinite(lo)) return { min: 0, max: SNR_CAP, interval: 50 };
  // 400 is a multiple of every step, so the cap always falls on a tick.
  const interval = [5, 10, 20, 25, 50, 100].find((step) => hi - lo <= 9 * step) ?? 100;
  const min = Math.floor(lo / interval) * interval;
  return { min, max: Math.min(SNR_CAP, Math.max(min + interval, Math.ceil(hi / interval) * interval)), interval };
}

/**
 * The paper's Fig. 3 for one setting of a `trained` run (clean, 45% hidden at
 * random, the top rows hidden): per method the distribution of every layer's
 * SNR (z, x₁ … x_{L−1}, the image) as boxes, with each method's success rate in
 * the legend. The three panels share one y range.
 */
export function trainedSnrOption(result: TrainedResult, setting: TrainedSettingName, animation = false): Option {
  const s = result.settings.find((x) => x.name === setting);
  if (s === undefined) throw new RangeError(`the trained result has no "${setting}" setting`);
  const count = s.report.settings.count;
  return layerSnrOption(
    s.report,
    {
      title: `Fig. 3(${PANEL[setting]}): recovery with ${maskText(s.mask)}`,
      subtext: `${count} signals · box: 25–75% · line: median · whiskers: 10–90% · legend: % recovered (‖ẑ − z‖/‖z‖ < ${s.report.settings.successThreshold})`,
    },
    { animation, yRange: trainedYRange(result) },
  );
}

/** A figure caption for one setting: what is hidden, and every method's success rate in words. */
export function trainedCaption(result: TrainedResult, setting: TrainedSettingName): string {
  const s = result.settings.find((x) => x.name === setting)!;
  const rates = reportMethods(s.report)
    .map((m) => `${m} ${percent(s.report.methods[m]!.summary.successRate)}`)
    .join(', ');
  const layers = invertLayers(s.report)
    .map((l) => l.label)
    .join(', ');
  const cap = reachesCap(s.report)
    ? ` The dashed line is the ${SNR_CAP} dB cap: a signal on it was recovered exactly to float64.`
    : '';
  return `Fig. 3(${PANEL[setting]}), ${maskText(s.mask)}: SNR (dB) of ${layers} per method over ${s.report.settings.count} signals (boxes 25–75%, whiskers 10–90%). Recovered: ${rates}.${cap}`;
}
