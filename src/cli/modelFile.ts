import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ModelFormatError, openModel } from '../core/formats/index';
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
