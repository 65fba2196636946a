import type { MethodId } from '../../core/pursuit/types';

/**
 * One colour per method, the same in every figure, app and report (STYLE.md §9).
 * The known methods get hand-picked, colour-blind-safe colours (Okabe–Ito), so
 * no two collide; any other name is hashed into the same palette, so a new
 * method still gets a colour that is stable across runs and reloads.
 */
const KNOWN: Record<MethodId, string> = {
  lp: '#0072B2',
  lbp: '#D55E00',
  oracle: '#009E73',
  'oracle-e2e': '#CC79A7',
  gd: '#E69F00',
  adam: '#56B4E9',
  lei: '#000000',
  'gd-clip': '#F0E442',
  hybrid: '#882255',
};
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

export function methodColor(name: string): string {
  const known = (KNOWN as Record<string, string>)[name];
  if (known !== undefined) return known;
  // FNV-1a: cheap, deterministic, and spreads similar names apart.
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/**
 * Pixels a mask hides, in image grids: a saturated pink no gray level and no
 * method colour is near, so a hidden pixel never reads as a dark or bright one.
 */
export const HIDDEN_PIXEL_COLOR = '#E0218A';

/** `rgba(…)` of a `#rrggbb` colour, for ribbons drawn under the line of the same colour. */
export function withAlpha(hex: string, alpha: number): string {
  const v = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(v >> 16) & 255}, ${(v >> 8) & 255}, ${v & 255}, ${alpha})`;
}
