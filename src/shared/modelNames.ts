import type { ModelInfo } from './contract';

/** How a model is told apart in the library when another one has the same name. */
export interface ModelLabel {
  readonly name: string;
  /** What tells it apart from same-named models (file name, else a short SHA-256); undefined when its name is unique. */
  readonly distinct?: string;
}

/** Hex digits of the SHA-256 shown when file names do not tell models apart. */
const SHORT_SHA = 8;

/**
 * Labels for a model list: a model whose name is unique keeps it; models
 * sharing a name get their file name when that differs within the group,
 * else a short SHA-256 (lengthened until the group's prefixes differ).
 * Keyed by model id.
 */
export function modelLabels(models: readonly Pick<ModelInfo, 'id' | 'fileName' | 'sha256' | 'summary'>[]) {
  const groups = new Map<string, (typeof models)[number][]>();
  for (const m of models) groups.set(m.summary.name, [...(groups.get(m.summary.name) ?? []), m]);
  const labels = new Map<string, ModelLabel>();
  for (const [name, group] of groups) {
    if (group.length === 1) {
      labels.set(group[0].id, { name });
      continue;
    }
    const count = (key: string) => group.filter((g) => g.fileName === key).length;
    let length = SHORT_SHA;
    while (length < 64 && new Set(group.map((g) => g.sha256.slice(0, length))).size < group.length) length += 4;
    for (const m of group) {
      const distinct = count(m.fileName) === 1 ? m.fileName : `sha256 ${m.sha256.slice(0, length)}`;
      labels.set(m.id, { name, distinct });
    }
  }
  return labels;
}
