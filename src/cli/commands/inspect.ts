import { createHash } from 'node:crypto';
import { summarizeGenerator } from '../../core/model/summary';
import { parseArgs } from '../args';
import { UsageError, type CliIo } from '../io';
import { loadModelFile, MODEL_FLAGS } from '../modelFile';
import { checkWritable, formatTable, writeJsonOutput } from '../output';
import { inspectUsage } from '../usage';

export async function inspect(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { valued: ['out', ...MODEL_FLAGS], boolean: ['json'] });
  if (args.positionals.length !== 1) throw new UsageError(`inspect takes one model file\n\n${inspectUsage}`);
  const path = args.positionals[0];
  await checkWritable(args.flags.get('out'), '--out');
  const { generator, format, bytes } = await loadModelFile(path, args);
  const summary = summarizeGenerator(generator);
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  if (args.flags.has('json') || args.flags.has('out')) {
    const { dims, output, parameters, ...rest } = summary;
    const doc = { dims, output, parameters, ...rest, format: format.id, file: path, fileBytes: bytes.length, sha256 };
    await writeJsonOutput(doc, args.flags.get('out'), io);
    return 0;
  }

  const fmt = (n: number) => n.toLocaleString('en-US');
  const last = summary.layers.length - 1;
  io.out(`${summary.name}  (${format.label}, ${fmt(bytes.length)} bytes, sha256 ${sha256.slice(0, 12)}…)\n`);
  io.out(`dims: ${summary.dims.join(' → ')}   hidden: ${summary.hidden}   output: ${summary.outputLabel}\n\n`);
  const rows = summary.layers.map((l) => [
    String(l.index),
    `${l.index === 0 ? 'z' : `x${l.index}`} → ${l.index === last ? 'G(z)' : `x${l.index + 1}`}`,
    `${l.outputs} × ${l.inputs}`,
    l.activation,
    fmt(l.parameters),
  ]);
  io.out(
    formatTable(['layer', 'map', 'W (out × in)', 'activation', 'parameters'], rows, [false, false, false, false, true]),
  );
  io.out(`\ntotal parameters: ${fmt(summary.parameters)}\n`);
  return 0;
}
