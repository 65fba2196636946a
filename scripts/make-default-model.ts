/**
 * Regenerates resources/models/gaussian-100-300-625-tanh.json, the bundled
 * default model: the paper's Fig. 2 shape with i.i.d. Gaussian weights.
 *
 *   npx tsx scripts/make-default-model.ts [out.json]
 *
 * Deterministic: seed 0, weights rounded to 6 significant digits (keeps the
 * file near 2 MB; the rounded numbers are the model). A test regenerates it
 * and compares it with the committed file byte for byte.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultModelText } from './default-model';

const target =
  process.argv[2] ?? fileURLToPath(new URL('../resources/models/gaussian-100-300-625-tanh.json', import.meta.url));
writeFileSync(target, defaultModelText());
console.log(`wrote ${target}`);
