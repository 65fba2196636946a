/**
 * The check's verdict in plain words, from its report alone: which theorem
 * certifies what fraction of the samples under which assumption, where a
 * condition fails with its numbers, and what to try next. Pure, so the
 * wizard's verdict card and the HTML report say the same thing.
 */
import type { CheckLayer, CheckReport } from '../core/experiments/check';
import { percent, sub } from './figures/text';

export interface CheckVerdict {
  /** One sentence: is z recoverable, and how sure is that. */
  readonly headline: string;
  /** `pass`: proven for every sample (Theorem 1); `partial`: for some, or only under an assumption; `fail`: for none. */
  readonly tone: 'pass' | 'partial' | 'fail';
  /** Per theorem: what it certifies, for which fraction of samples, under which assumption. */
  readonly certifies: string[];
  /** Each failing condition, with its numbers (medians over the samples). */
  readonly failures: string[];
  /** What to try next. */
  readonly next: string[];
}

/** A median as read: an integer plainly, a half-way median with one decimal. */
const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
/** A small bound (1/(3μ), spark/2) to three significant digits. */
const sig3 = (x: number) => String(Number(x.toPrecision(3)));
const share = (f: number) => (f === 0 ? 'none' : f === 1 ? 'all' : percent(f));
/** "for 40% of samples", "for every sample", "for no sample". */
const ofSamples = (f: number) =>
  f === 1 ? 'for every sample' : f === 0 ? 'for no sample' : `for ${percent(f)} of samples`;
const failsFor = (passFraction: number) => ofSamples(1 - passFraction);

/** The pixels with equations of the last layer: n less the saturated ones (median). */
function lastRowsText(report: CheckReport, rows: number): string {
  return rows < report.n
    ? `the ${num(rows)} pixels that carry an equation (of n = ${report.n}; the others are saturated at the edge of φ’s range)`
    : `n = ${report.n}`;
}

/** Failures and next steps of one layer, in the order a reader should fix them. */
function layerFindings(report: CheckReport, l: CheckLayer, failures: string[], next: string[]): void {
  const i = l.index;
  const L = report.layers.length;
  const s = `s${sub(i)}`;
  const si = num(l.sparsity.median);
  const c = l.conditions;
  if (i === 1 && c.lower !== undefined && c.lower < 1) {
    failures.push(
      l.sparsity.median < report.n0
        ? `The first layer is too sparse: s₁ = ${si} < n₀ = ${report.n0} (median; s₁ ≥ n₀ fails ${failsFor(c.lower)}) — no method can recover z there: fewer active units than unknowns leave z undetermined.`
        : `The first layer is sometimes too sparse: s₁ < n₀ = ${report.n0} ${failsFor(c.lower).replace('for ', 'in ')} (median s₁ = ${si}, 10% quantile ${num(l.sparsity.p10)}) — for those, no method can recover z.`,
    );
    next.push(
      `A wider first layer: about half of its units are active, so n₁ ≥ 2n₀ = ${2 * report.n0} keeps s₁ above n₀ (or a smaller latent space n₀).`,
    );
  } else if (i === 1 && c.rank !== undefined && c.rank < 1) {
    failures.push(
      `W₀ restricted to the active rows S₁ has rank below n₀ = ${report.n0} ${failsFor(c.rank).replace('for ', 'in ')}: x₁ does not determine z there.`,
    );
    next.push('A first layer whose rows are less redundant (they span fewer than n₀ directions on the active set).');
  }
  if (c.upper < 1) {
    if (i < L) {
      const next_ = report.layers[i];
      failures.push(
        `Layer ${i} is denser than layer ${i + 1}: ${s} = ${si} ≥ s${sub(i + 1)} = ${num(next_.sparsity.median)} (median; ${s} < s${sub(i + 1)} fails ${failsFor(c.upper)}): fewer equations than unknowns between them.`,
      );
      next.push(`A wider layer ${i + 1} (more active units there than the ${si} of layer ${i}).`);
    } else {
      failures.push(
        `The last hidden layer has more active units than equations: ${s} = ${si} ≥ ${lastRowsText(report, l.rows)} (median; fails ${failsFor(c.upper)}).`,
      );
      next.push(
        l.rows < report.n
          ? 'Fewer saturated pixels: an output φ that does not saturate (PLU or identity), or a smaller saturation tolerance τ.'
          : `Fewer hidden pixels (at least ${si} known ones are needed), or a narrower last hidden layer.`,
      );
    }
  }
  if (c.spark < 1 && c.upper === 1 && !(i === 1 && (c.lower ?? 1) < 1)) {
    const rows = i === L ? `W${sub(i)}` : `W${sub(i)}^{S${sub(i + 1)}}`;
    failures.push(
      l.sparkLowerBound === null
        ? `Theorem 1 cannot prove layer ${i} ${failsFor(c.spark).replace('for ', 'in ')}: ${s} is not below spark(${rows})/2 there.`
        : `Theorem 1 cannot prove layer ${i}: ${s} = ${si} is not below spark(${rows})/2 ≥ ${sig3(l.sparkLowerBound / 2)} (a certified lower bound — the true spark may be larger; fails ${failsFor(c.spark)}).`,
    );
  }
  if (c.coherence < 1) {
    const mu = l.coherence;
    failures.push(
      `Theorem 3 at layer ${i} needs ${s} < 1/(3μ) = ${sig3(l.theorem3.threshold)} (μ = ${sig3(mu)}), but ${s} = ${si} (median; fails ${failsFor(c.coherence)}).`,
    );
  }
}

/** Whether a report carries what the verdict reads (runs from before it was added do not: show their `verdict` string). */
export function hasCheckVerdictData(report: CheckReport): boolean {
  return typeof report.n0 === 'number' && report.layers.every((l) => l.conditions !== undefined);
}

/**
 * The verdict of a check report, in plain words (see {@link CheckVerdict}).
 * Numbers are medians over the samples; fractions are of the samples.
 */
export function checkVerdict(report: CheckReport): CheckVerdict {
  const t1 = report.theorems.theorem1.passFraction;
  const t2 = report.theorems.theorem2.passFraction;
  const t3 = report.theorems.theorem3.passFraction;
  const certifies = [
    `Theorem 1 (any weights) proves that z is the unique latent vector behind G(z) ${ofSamples(t1)}.`,
    `Theorem 2 (if the weights were i.i.d. Gaussian — trained weights are not, so this is a guide, not a proof) gives uniqueness ${ofSamples(t2)}.`,
    `Theorem 3 (a worst-case bound through the coherence μ of each layer) guarantees that Layered Basis-Pursuit finds z ${ofSamples(t3)}${t3 > 0 ? ' — exactly without noise' : ''}.`,
  ];
  const failures: string[] = [];
  const next: string[] = [];
  for (const l of report.layers) layerFindings(report, l, failures, next);

  const firstLower = report.layers[0]?.conditions.lower ?? 1;
  let headline: string;
  let tone: CheckVerdict['tone'];
  if (t1 === 1) {
    headline = 'Invertible: z is provably the unique preimage of G(z) for every sample (Theorem 1).';
    tone = 'pass';
  } else if (firstLower === 0) {
    headline = `Not invertible: the first layer has fewer active units than z has entries (n₀ = ${report.n0}), for every sample.`;
    tone = 'fail';
  } else if (t1 === 0 && t2 === 0) {
    headline = 'Not shown invertible: neither Theorem 1 nor Theorem 2 holds for any sample.';
    tone = 'fail';
  } else if (t2 === 1) {
    headline = `Likely invertible: unique for every sample if the weights were i.i.d. Gaussian (Theorem 2); proven for ${share(t1)} of them (Theorem 1).`;
    tone = 'partial';
  } else {
    headline = `Invertible for some samples: proven for ${share(t1)} (Theorem 1), ${share(t2)} under Gaussian weights (Theorem 2).`;
    tone = 'partial';
  }

  if (t3 < 1 && (t1 > 0 || t2 > 0))
    next.push(
      'Theorem 3 is a worst-case guarantee, far too pessimistic for most networks: test inversion in step 3 — Latent-Pursuit often recovers z beyond it. The Oracle’s error bound (Theorem 4) holds only if the supports of the layers are known.',
    );
  if (t1 === 1 && t3 === 1) next.push('Go on to step 3: test inversion on signals of this model.');
  if (report.saturation.fraction > 0 && !next.some((x) => x.startsWith('Fewer saturated')))
    failures.push(
      `${percent(report.saturation.fraction)} of the output pixels are saturated: they only bound their pre-activation, so they carry no equation and are left out of the last layer’s conditions.`,
    );
  return { headline, tone, certifies, failures, next };
}

/** The verdict as one paragraph of text (CLI, plain reports). */
export function checkVerdictText(v: CheckVerdict): string {
  return [v.headline, ...v.certifies, ...v.failures, ...v.next.map((x) => `Next: ${x}`)].join(' ');
}
