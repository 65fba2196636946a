import type { InvertReport, SignalOutcome } from '../../src/core/experiments/invert';
import { SNR_CAP_DB } from '../../src/core/experiments/invert';
import type { NoiseResult } from '../../src/core/experiments/noise';
import type { TrainedResult } from '../../src/core/experiments/trained';

// Synthetic results of the shapes the `trained` and `noise` jobs write, with
// known quantiles: for figure tests, and to look at the figures' edge cases
// (the 400 dB cap, failures, out-of-order σ) without running a job.

const signal = (snr: number, ok = true): SignalOutcome => ({
  relErrZ: ok ? 1e-9 : 0.5,
  snrZ: snr,
  snrLayers: [Math.min(snr + 1, SNR_CAP_DB), Math.min(snr + 2, SNR_CAP_DB)],
  snrImage: Math.min(snr + 3, SNR_CAP_DB),
  iterations: 3,
  stopReason: 'converged' as SignalOutcome['stopReason'],
  saturated: 0,
});

function report(lp: SignalOutcome[], gd: SignalOutcome[]): InvertReport {
  const outcome = (signals: SignalOutcome[]) => ({
    seconds: 1,
    summary: {
      successRate: signals.filter((s) => s.relErrZ < 1e-3).length / signals.length,
      medianSnrZ: 0,
      p10SnrZ: 0,
      p90SnrZ: 0,
      medianSnrImage: 0,
      stopReasons: {},
    },
    signals,
  });
  return {
    settings: {
      count: lp.length,
      seed: 0,
      mask: { kind: 'none' },
      noise: { kind: 'none' },
      successThreshold: 1e-3,
      kernel: 'js',
    },
    methods: { lp: outcome(lp), gd: outcome(gd) },
  } as unknown as InvertReport;
}

// clean: LP exact to float64 (at the cap), GD half fails; random: all lower; rows: GD fails everywhere.
export const trained: TrainedResult = {
  kind: 'trained',
  settings: [
    {
      name: 'clean',
      mask: { kind: 'none' },
      report: report(
        [400, 400, 400, 400].map((v) => signal(v)),
        [200, 210, 5, 8].map((v, i) => signal(v, i < 2)),
      ),
    },
    {
      name: 'random',
      mask: { kind: 'random', fraction: 0.45 },
      report: report(
        [300, 310, 320, 330].map((v) => signal(v)),
        [100, 150, 200, 250].map((v) => signal(v)),
      ),
    },
    {
      name: 'rows',
      mask: { kind: 'rows', from: 0, to: 12 },
      report: report(
        [300, 310, 320, 330].map((v) => signal(v)),
        [-20, -10, 0, 10].map((v) => signal(v, false)),
      ),
    },
  ],
};

const spread = (c: number) => ({ p10: c - 3, p50: c, p90: c + 2 });
export const noise: NoiseResult = {
  kind: 'noise',
  settings: {
    sigmas: [0.1, 0.001, 0.01],
    methods: ['oracle-e2e', 'lp'],
    count: 8,
    seed: 0,
    successThreshold: 1e-3,
    boundSignals: 4,
  },
  // Out of order on purpose: the figure sorts by σ.
  points: [0.1, 0.001, 0.01].map((sigma) => {
    const c = -20 * Math.log10(sigma);
    return {
      sigma,
      methods: {
        'oracle-e2e': { successRate: sigma < 0.01 ? 1 : 0, seconds: 0.1, snrZ: spread(c), snrImage: spread(c + 1) },
        lp: { successRate: sigma < 0.01 ? 0.5 : 0, seconds: 0.1, snrZ: spread(c - 1), snrImage: spread(c) },
      },
      theorem4: { snrZ: { low: c - 6, high: c + 5 } },
    };
  }),
};
