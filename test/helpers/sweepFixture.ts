import type { SweepResult } from '../../src/shared/figures';

/**
 * A synthetic sweep result of the shape the `sweep` job writes: SNR rises
 * with n₁ past 2n₀ (a logistic step), wider quantiles near the transition.
 */
export function syntheticSweep(n0s = [10, 20], n1s = [10, 20, 30, 40, 60, 80]): SweepResult {
  const methods = ['lp', 'lbp'] as const;
  const q = (center: number, spread: number) => ({
    p10: center - 2 * spread,
    p25: center - spread,
    p50: center,
    p75: center + spread,
    p90: center + 2 * spread,
  });
  return {
    kind: 'sweep',
    settings: {
      n0: n0s,
      n1: n1s,
      n: 200,
      count: 16,
      seed: 0,
      methods: [...methods],
      successThreshold: 1e-3,
      chunkSize: 16,
    },
    points: n0s.flatMap((n0) =>
      n1s.map((n1) => {
        const t = 1 / (1 + Math.exp(-(n1 - 2 * n0) / 4));
        return {
          n0,
          n1,
          medianS1: Math.round(n1 / 2),
          theorem2: { passFraction: t },
          methods: Object.fromEntries(
            methods.map((m, k) => [
              m,
              {
                successRate: t,
                seconds: 0.1,
                layers: {
                  z: q(10 + 280 * t - 20 * k, 30 * t * (1 - t) + 2),
                  x1: q(15 + 270 * t - 20 * k, 25 * t * (1 - t) + 2),
                  image: q(20 + 260 * t - 20 * k, 20 * t * (1 - t) + 2),
                },
              },
            ]),
          ),
        };
      }),
    ),
  };
}
