import type { ActivationFunctions, OutputActivation } from '../model/activations';

/**
 * φ⁻¹(y) that never returns NaN: observations outside φ's range (noise can
 * push a tanh pixel past ±1) are first clamped just inside it, so the
 * inverted value is large but finite.
 */
export function clampedInverse(act: OutputActivation, phi: ActivationFunctions): (y: number) => number {
  const margin = 1e-12;
  switch (act.kind) {
    case 'tanh':
      return (y) => phi.inverse(Math.min(Math.max(y, -1 + margin), 1 - margin));
    case 'sigmoid':
      return (y) => phi.inverse(Math.min(Math.max(y, margin), 1 - margin));
    default:
      return (y) => phi.inverse(y);
  }
}
