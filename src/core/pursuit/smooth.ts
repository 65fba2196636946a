import { gemm } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';
import type { ActivationFunctions } from '../model/activations';
import type { Measurement } from './context';
import type { SmoothTerm } from './fista';
import { phiResidual, preResidual, rowPreActivation, type Saturation } from './saturation';

/**
 * f = ½ Σ_known (φ(p) − y)² with p = W x + b: the last layer of
 * Latent-Pursuit, which keeps φ instead of inverting it (Alg. 5). A saturated
 * pixel contributes its distance to its interval instead (saturation.ts),
 * zero once φ(p) is inside it, so the iterations do not chase an edge that φ
 * only reaches at infinity. ∇f = Wᵀ [known ⊙ φ′(p) ⊙ residual].
 */
export function outputMisfit(
  phi: ActivationFunctions,
  y: Matrix,
  known: Uint8Array | undefined,
  sat: Saturation,
): SmoothTerm {
  const count = y.cols;
  return {
    evaluate(pre, cols, f, grad) {
      const ka = cols.length;
      f.fill(0);
      for (let i = 0; i < pre.rows; i++) {
        for (let k = 0; k < ka; k++) {
          const j = cols[k];
          const p = i * ka + k;
          const o = i * count + j;
          if (known !== undefined && !known[o]) {
            if (grad) grad.data[p] = 0;
            continue;
          }
          const z = pre.data[p];
          const r = phiResidual(sat, phi.forward(z), y.data[o], sat.side[o]);
          f[k] += 0.5 * r * r;
          if (grad) grad.data[p] = phi.derivative(z) * r;
        }
      }
    },
  };
}

/**
 * f = ½‖y − A φ(p)‖² with p = W x + b (n × count pre-activations, y m × count):
 * the last layer of Latent-Pursuit under a measurement matrix (and the output
 * of gradient descent's misfit). ∇f = Wᵀ [φ′(p) ⊙ Aᵀ(A φ(p) − y)]; no
 * saturation reading, since no entry of y belongs to one pixel (saturation.ts).
 */
export function measuredOutput(measure: Measurement, phi: ActivationFunctions, y: Matrix): SmoothTerm {
  const { A, At } = measure;
  const count = y.cols;
  return {
    evaluate(pre, cols, f, grad) {
      const ka = cols.length;
      const g = matrix(pre.rows, ka);
      for (let p = 0; p < pre.data.length; p++) g.data[p] = phi.forward(pre.data[p]);
      const r = gemm(A, g, matrix(A.rows, ka));
      f.fill(0);
      for (let i = 0; i < A.rows; i++)
        for (let k = 0; k < ka; k++) {
          const v = (r.data[i * ka + k] -= y.data[i * count + cols[k]]);
          f[k] += 0.5 * v * v;
        }
      if (grad === undefined) return;
      gemm(At, r, grad);
      for (let p = 0; p < pre.data.length; p++) grad.data[p] *= phi.derivative(pre.data[p]);
    },
  };
}

/**
 * f = ½ Σ_rows (p − c)² over the rows where `rowMask` is 1 (all rows when
 * undefined), p = W x + b: the layer-wise least-squares terms of Layered
 * Basis-Pursuit (c = φ⁻¹(y) at the output; c = x̂_{i+1} on its support inside).
 * With `saturation` (the output layer), a saturated row contributes its
 * distance past θ⁺ or θ⁻ instead; `saturation.side` is indexed like `target`.
 */
export function maskedLeastSquares(
  target: Matrix,
  rowMask: Uint8Array | undefined,
  saturation?: { readonly sat: Saturation; readonly side: Int8Array },
): SmoothTerm {
  const count = target.cols;
  return {
    evaluate(pre, cols, f, grad) {
      const ka = cols.length;
      f.fill(0);
      for (let i = 0; i < pre.rows; i++) {
        for (let k = 0; k < ka; k++) {
          const j = cols[k];
          const p = i * ka + k;
          const o = i * count + j;
          if (rowMask !== undefined && !rowMask[o]) {
            if (grad) grad.data[p] = 0;
            continue;
          }
          const r =
            saturation === undefined
              ? pre.data[p] - target.data[o]
              : preResidual(saturation.sat, pre.data[p], target.data[o], saturation.side[o]);
          f[k] += 0.5 * r * r;
          if (grad) grad.data[p] = r;
        }
      }
    },
  };
}

/**
 * A smooth term's value at one signal's iterate x (signal j of the term's
 * batch): the data term of a closed-form phase's solution, for its one-point
 * history.
 */
export function smoothAt(
  term: SmoothTerm,
  layer: { readonly W: Matrix; readonly b: Float64Array },
  x: Float64Array,
  j: number,
): number {
  const pre = matrix(layer.W.rows, 1);
  for (let r = 0; r < layer.W.rows; r++) pre.data[r] = rowPreActivation(layer, x, r);
  const f = new Float64Array(1);
  term.evaluate(pre, Int32Array.of(j), f, undefined);
  return f[0];
}

/** ‖x‖₁, the ℓ₁ penalty's norm. */
export const l1Norm = (x: Float64Array): number => x.reduce((s, v) => s + Math.abs(v), 0);
