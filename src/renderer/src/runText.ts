/** Words for runs, shared by every page that lists or shows one. */
import type { RunInfo } from '../../shared/contract';

export const STATE_LABELS: Record<RunInfo['state'], string> = {
  queued: 'queued',
  running: 'running',
  interrupted: 'interrupted',
  cancelled: 'cancelled',
  failed: 'failed',
  done: 'done',
  partial: 'partial (shard)',
  unreadable: 'unreadable',
};

const KIND_LABELS: Record<string, string> = {
  check: 'Invertibility check',
  invert: 'Inversion test',
  sweep: 'Fig. 2 sweep',
  trained: 'Fig. 3 (trained model)',
  noise: 'Noise sweep',
  project: 'Projection of given signals',
  sensing: 'Compressed sensing (m sweep)',
};

/** "Inversion test · mnist-fc-gan.onnx". */
export function runTitle(run: Pick<RunInfo, 'kind' | 'model'>): string {
  const kind = run.kind === undefined ? 'Unreadable run' : (KIND_LABELS[run.kind] ?? run.kind);
  const model = run.model?.replace(/^bundled:/, '');
  return model !== undefined && run.kind !== 'sweep' ? `${kind} · ${model}` : kind;
}

/** 75 → "1 min 15 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds - 60 * m)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
