/**
 * Which figures a run has, by job kind: one list for the report service
 * (src/main/services/reports/) and the app's run page, so a figure looks the
 * same in both. Pure data, like every builder here.
 */
import type { CheckReport } from '../../core/experiments/check';
import type { InvertReport } from '../../core/experiments/invert';
import type { ImageExamples } from '../../core/experiments/examples';
import type { ProjectResult } from '../../core/experiments/project';
import { checkCoherenceOption, checkHistogramOption, checkPassOption, checkSparsityOption } from './check';
import { sub } from './text';
import { convergenceOption, hasConvergence } from './convergence';
import { examplesShape, imageGridOption, imageGridSize } from './images';
import { invertSnrOption, invertSuccessOption } from './invert';
import { noiseSnrOption, noiseSuccessOption, type NoiseResult } from './noise';
import { sensingOption, type SensingResult } from './sensing';
import { fig2Option, type SweepLayer, type SweepResult } from './sweep';
import { trainedCaption, trainedSnrOption, type TrainedResult } from './trained';

/** A figure of a run: its file name, its caption, and the option the renderer would draw. */
export interface RunFigure {
  readonly name: string;
  readonly caption: string;
  readonly option: Record<string, unknown>;
  /** Size to draw it at, in pixels, when not the default 960 × 540 (an image grid's depends on its cells). */
  readonly width?: number;
  readonly height?: number;
  /** An image grid's pixels and title, which the app draws on a canvas (the same picture as `option`). */
  readonly images?: { readonly examples: ImageExamples; readonly title: string };
}

/** A run's result.json, by job kind (trained and noise runs also carry the model's summary, unused here). */
export type RunResult =
  InvertReport | CheckReport | SweepResult | TrainedResult | NoiseResult | ProjectResult | SensingResult;

/** An image grid of a report's example signals, when they are images (a recorded shape, or square). */
function examplesFigure(name: string, report: InvertReport, what: string): RunFigure[] {
  const examples = report.examples;
  if (examples === undefined || examplesShape(examples) === undefined) return [];
  const title = `Recovered images${what === 'Examples' ? '' : ` (${what})`}`;
  return [
    {
      name,
      caption: `${what}: the true image G(z), what the methods observed (hidden pixels in pink) and each method's G(ẑ), for the first ${examples.signals.length} signal(s) of the first chunk.`,
      option: imageGridOption(examples, title),
      ...imageGridSize(examples),
      images: { examples, title },
    },
  ];
}

/**
 * The figures of a finished run, by job kind: what the report writes and
 * the app's run page draws, from the same builders. `model.dims` is the
 * generator's layer widths (the check figure marks them).
 */
export function figuresOfRun(kind: string, result: unknown, model: { dims: readonly number[] }): RunFigure[] {
  if (kind === 'invert') {
    const r = result as InvertReport;
    return [
      {
        name: 'invert-snr',
        caption: 'SNR of every layer of the recovered signal, per method (Fig. 3 of the paper).',
        option: invertSnrOption(r),
      },
      { name: 'invert-success', caption: 'Fraction of signals recovered, per method.', option: invertSuccessOption(r) },
      ...(hasConvergence(r)
        ? [
            {
              name: 'invert-convergence',
              caption:
                "Convergence: each method's objective (left) and misfit — each phase's data term, the objective without its penalty (right) — on log scales, per point of its recorded history: thinned to ≤ 100 evenly spaced points, the phases' histories concatenated, so x is not an iteration count and a jump marks a new phase; line: median over the signals, band: 10–90%.",
              option: convergenceOption(r),
            },
          ]
        : []),
      ...examplesFigure('invert-images', r, 'Examples'),
    ];
  }
  if (kind === 'project') {
    const r = result as ProjectResult;
    if (examplesShape(r.examples) === undefined) return [];
    return [
      {
        name: 'project-images',
        caption: `The given signals (${r.examples!.truthLabel}), what the methods observed (hidden pixels in pink), and each method's reconstruction G(ẑ); first ${r.examples!.signals.length} of ${r.settings.count} signal(s).`,
        option: imageGridOption(r.examples!, 'Given signals and their projections G(ẑ)'),
        ...imageGridSize(r.examples!),
        images: { examples: r.examples!, title: 'Given signals and their projections G(ẑ)' },
      },
    ];
  }
  if (kind === 'check') {
    const r = result as CheckReport;
    const sparsity: RunFigure = {
      name: 'check-sparsity',
      caption: 'Per hidden layer: width nᵢ, median sᵢ with its 10–90% range, and the bounds of Theorem 2.',
      option: checkSparsityOption(r, [...model.dims]),
    };
    // A run from before the report carried histograms and Babel functions has only the sparsity figure.
    if (r.layers.some((l) => l.histogram === undefined || l.babel === undefined)) return [sparsity];
    return [
      ...r.layers.map((l, c) => ({
        name: `check-histogram-${l.index}`,
        caption: `Distribution of s${sub(l.index)} (active units of hidden layer ${l.index}) over the samples, with the thresholds of Theorems 1–3 (medians over the samples): Theorem 2 solid, Theorem 1’s spark/2 dashed (its certified lower bound), Theorem 3’s 1/(3μ) dotted.`,
        option: checkHistogramOption(r, c),
      })),
      {
        name: 'check-coherence',
        caption:
          'Coherence: μ per hidden layer (of Wᵢ^{Sᵢ₊₁}, median over samples, and of the whole Wᵢ); the Babel function μ₁(k) against k (its first k with μ₁(k) ≥ 1 certifies spark ≥ k + 1, marked ◆); Theorem 3’s bound 1/(3μ) against the measured median sᵢ (log scale).',
        option: checkCoherenceOption(r),
      },
      {
        name: 'check-theorems',
        caption: 'Fraction of samples for which each theorem’s conditions hold, per hidden layer and over all layers.',
        option: checkPassOption(r),
      },
      sparsity,
    ];
  }
  if (kind === 'sweep') {
    const r = result as SweepResult;
    const layers: SweepLayer[] = ['z', 'x1', 'image'];
    return r.settings.n0.flatMap((n0) =>
      layers.map((layer) => ({
        name: `fig2-n0-${n0}-${layer}`,
        caption: `Fig. 2, n₀ = ${n0}: SNR of ${layer === 'image' ? 'G(ẑ)' : layer === 'x1' ? 'x̂₁' : 'ẑ'} against n₁.`,
        option: fig2Option(r, n0, layer),
      })),
    );
  }
  if (kind === 'trained') {
    const r = result as TrainedResult;
    const what = { clean: 'every pixel known', random: '45% hidden at random', rows: 'top rows hidden' };
    return [
      ...r.settings.map((s) => ({
        name: `fig3-${s.name}`,
        caption: trainedCaption(r, s.name),
        option: trainedSnrOption(r, s.name),
      })),
      ...r.settings.flatMap((s) => examplesFigure(`fig3-${s.name}-images`, s.report, what[s.name])),
    ];
  }
  if (kind === 'noise') {
    const r = result as NoiseResult;
    return [
      {
        name: 'noise-snr-z',
        caption:
          'SNR of ẑ against the noise σ: per method the median over the signals with its 10–90% band; grey, between dashed lines, the SNR that Theorem 4’s bounds on the Oracle’s E‖ẑ − z‖² give (for identity φ and known supports; a reference band otherwise).',
        option: noiseSnrOption(r, 'z'),
      },
      {
        name: 'noise-snr-image',
        caption: 'SNR of the image G(ẑ) against the noise σ: per method the median with its 10–90% band.',
        option: noiseSnrOption(r, 'image'),
      },
      {
        name: 'noise-success',
        caption: `Fraction of signals recovered (‖ẑ − z‖/‖z‖ < ${r.settings.successThreshold}) against the noise σ, per method.`,
        option: noiseSuccessOption(r),
      },
    ];
  }
  if (kind === 'sensing') {
    const r = result as SensingResult;
    return [
      {
        name: 'sensing-success',
        caption: `Compressed sensing, y = A·G(z) with A an m × ${r.settings.n} Gaussian matrix: per method the fraction of signals recovered (‖ẑ − z‖/‖z‖ < ${r.settings.successThreshold}, solid) and certified unique by Theorem 1 restated for A (dashed), against m; dashed verticals at m = n₀ and at the median s_L.`,
        option: sensingOption(r, 'success'),
      },
      {
        name: 'sensing-snr-z',
        caption: 'Compressed sensing: SNR of ẑ against m, per method the median over the signals with its 10–90% band.',
        option: sensingOption(r, 'z'),
      },
      {
        name: 'sensing-snr-image',
        caption: 'Compressed sensing: SNR of G(ẑ) against m, per method the median with its 10–90% band.',
        option: sensingOption(r, 'image'),
      },
    ];
  }
  throw new Error(`no report for a "${kind}" run`);
}
