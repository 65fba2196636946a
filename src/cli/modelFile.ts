import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ModelFormatError, openModel } from '../core/formats/index';
import type { Generator } from '../core/model/generator';
import { parseRandomSpec, randomGaussianGenerator } from '../core/model/random';
import { InputError } from './io';

/** Reads and opens a model file; every failure becomes an InputError naming the file and the problem. */
export async function loadModelFile(path: string) {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message;
    throw new InputError(`cannot read ${path}: ${why}`);
  }
  try {
    return { ...openModel(bytes, basename(path)), bytes };
  } catch (e) {
    if (e instanceof ModelFormatError) throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
}

/** A model file, or a `random:…` spec (the paper's Fig. 2 family), with a label for output. */
export async function loadModelOrRandom(source: string): Promise<{ generator: Generator; label: string }> {
  if (source.startsWith('random:')) {
    try {
      const { dims, output, seed } = parseRandomSpec(source);
      return { generator: randomGaussianGenerator(dims, output, seed), label: source };
    } catch (e) {
      throw new InputError((e as Error).message);
    }
  }
  return { generator: (await loadModelFile(source)).generator, label: source };
}
