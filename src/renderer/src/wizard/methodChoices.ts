import type { MethodId } from '../../../core/pursuit/types';

/**
 * The methods the wizard offers, with the words its checkboxes show, in one list for the
 * inversion test and the projection of a given signal. (Core's METHOD_LABELS names them in
 * tables; the renderer may import only types from core.)
 */
const CHOICES: readonly { readonly id: MethodId; readonly label: string }[] = [
  { id: 'lp', label: 'Latent-Pursuit' },
  { id: 'lbp', label: 'Layered Basis-Pursuit' },
  { id: 'oracle', label: 'Oracle (knows the supports)' },
  { id: 'gd', label: 'Gradient descent' },
  { id: 'adam', label: 'Adam' },
  { id: 'oracle-e2e', label: 'Oracle (end-to-end)' },
  { id: 'lei', label: 'Lei et al. (2019) LP' },
  { id: 'gd-clip', label: 'GD + stochastic clipping (Lipton & Tripathi 2017)' },
  { id: 'hybrid', label: 'Hybrid pursuit (LP, then GD where it does not settle)' },
];

/** Every method, for the inversion test (the signals are drawn, so the oracles know the truth). */
export const INVERT_CHOICES = CHOICES;

/** The methods that need no truth, for a given signal (the oracles read the true supports). */
export const PROJECT_CHOICES = CHOICES.filter((c) => c.id !== 'oracle' && c.id !== 'oracle-e2e');
