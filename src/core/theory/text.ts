/** Math typography for the conditions and verdicts core writes: s₁, n₀, W₁^{S₂} as a paper sets them, not s_1. */
const SUB = '₀₁₂₃₄₅₆₇₈₉';

/** `sub(12)` → `₁₂`. */
export const sub = (i: number): string => String(i).replace(/\d/g, (d) => SUB[Number(d)]);
