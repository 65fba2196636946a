import { writeFile } from 'node:fs/promises';
import { writeJsonModel } from '../../core/formats/json';
import { parseArgs } from '../args';
import { InputError, UsageError, type CliIo } from '../io';
import { loadModelOrRandom, MODEL_FLAGS } from '../modelFile';
import { checkWritable } from '../output';
import { convertUsage } from '../usage';

export async function convert(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { valued: ['to', ...MODEL_FLAGS] });
  if (args.positionals.length !== 2)
    throw new UsageError(`convert takes a model and an output file\n\n${convertUsage}`);
  const to = args.flags.get('to') ?? 'json';
  if (to !== 'json') throw new UsageError(`--to ${String(to)}: only json is written`);
  const [source, target] = args.positionals;
  await checkWritable(target, 'output file');
  const { generator } = await loadModelOrRandom(source, args);
  try {
    await writeFile(target, writeJsonModel(generator));
  } catch (e) {
    throw new InputError(`cannot write ${target}: ${(e as Error).message}`);
  }
  io.err(`wrote ${target}\n`);
  return 0;
}
