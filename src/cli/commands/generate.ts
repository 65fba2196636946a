import { readFile } from 'node:fs/promises';
import { readNpy } from '../../core/formats/npz';
import { ModelFormatError } from '../../core/formats/errors';
import { matrix } from '../../core/linalg/matrix';
import { forward } from '../../core/model/forward';
import { parseArgs } from '../args';
import { InputError, UsageError, type CliIo } from '../io';
import { loadModelOrRandom, MODEL_FLAGS } from '../modelFile';
import { checkWritable, writeJsonOutput } from '../output';
import { generateUsage } from '../usage';

/** Reads latent vectors (one per row) from JSON or .npy. */
async function readLatents(path: string, n0: number): Promise<number[][]> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new InputError(
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  let rows: number[][];
  if (bytes[0] === 0x93) {
    try {
      const t = readNpy(bytes, path);
      if (t.shape.length !== 2)
        throw new InputError(`${path}: the array has shape [${t.shape.join(', ')}], expected [count, ${n0}]`);
      rows = Array.from({ length: t.shape[0] }, (_, i) =>
        Array.from(t.data.subarray(i * t.shape[1], (i + 1) * t.shape[1])),
      );
    } catch (e) {
      if (e instanceof ModelFormatError)
        throw new InputError(e.message.replace('Not a valid npz file: ', `${path}: not a valid .npy file: `));
      throw e;
    }
  } else {
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new InputError(`${path}: not JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(doc) || !doc.every((r) => Array.isArray(r)))
      throw new InputError(`${path}: expected a JSON array of arrays of numbers`);
    rows = doc as number[][];
  }
  if (rows.length === 0) throw new InputError(`${path}: no latent vectors`);
  rows.forEach((r, i) => {
    if (r.length !== n0)
      throw new InputError(`${path}: latent vector ${i} has ${r.length} entries, the model takes n0 = ${n0}`);
    r.forEach((v, k) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new InputError(`${path}: latent vector ${i}, entry ${k} is ${JSON.stringify(v)}, not a finite number`);
    });
  });
  return rows;
}

export async function generate(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { valued: ['z', 'json', ...MODEL_FLAGS] });
  if (args.positionals.length !== 1) throw new UsageError(`generate takes one model\n\n${generateUsage}`);
  const zPath = args.flags.get('z');
  if (typeof zPath !== 'string') throw new UsageError(`generate needs --z FILE\n\n${generateUsage}`);
  await checkWritable(args.flags.get('json'), '--json');
  const { generator } = await loadModelOrRandom(args.positionals[0], args);
  const rows = await readLatents(zPath, generator.inputDim);
  const count = rows.length;
  const z = matrix(generator.inputDim, count);
  rows.forEach((r, j) => r.forEach((v, i) => (z.data[i * count + j] = v)));
  const pass = forward(generator, z);
  const columns = (m: { rows: number; cols: number; data: Float64Array }) =>
    Array.from({ length: m.cols }, (_, j) => Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]));
  await writeJsonOutput({ output: columns(pass.output), hidden: pass.hidden.map(columns) }, args.flags.get('json'), io);
  return 0;
}
