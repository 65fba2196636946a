import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_FILE, defaultModelText } from '../../scripts/default-model';
import { repoPath } from '../helpers/fixtures';

describe('bundled default model', () => {
  it('is exactly what scripts/make-default-model.ts produces', () => {
    const committed = readFileSync(repoPath(`resources/models/${DEFAULT_MODEL_FILE}`), 'utf8');
    // Compare lengths first: a mismatch message of 2 MB helps nobody.
    const regenerated = defaultModelText();
    expect(regenerated.length).toBe(committed.length);
    expect(regenerated === committed).toBe(true);
  });
});
