import { inspect, inspectUsage } from './commands/inspect';
import { check, checkUsage } from './commands/check';
import { convert, convertUsage } from './commands/convert';
import { generate, generateUsage } from './commands/generate';
import { invert, invertUsage } from './commands/invert';
import { experiment, experimentUsage } from './commands/experiment';
import { project, projectUsage } from './commands/project';
import { runs, runsUsage } from './commands/runs';
import { report, reportUsage } from './commands/report';
import { InputError, UsageError, type CliIo } from './io';

const usage = `Usage: pursuit-lab <command> [options]

Commands:
  inspect <model> [--json] [--out file.json]   architecture summary of a generator
  invert <model|random:…> [--method lp,…]      invert generated signals and measure the recovery
  check <model|random:…> [--samples N]         is it invertible? Theorems 1–3 per sample, and a verdict
  generate <model> --z FILE [--json out.json]  G(z) and every hidden layer for given latent vectors
  convert <model> --to json <out.json>         write any readable model as Pursuit Lab JSON
  experiment <spec.json | fig2 | fig3 | noise>  run a job (invert, check, sweep, trained, noise, project) on every core, kept in a run folder
  project <model> <input.png|.npy|.json>       invert given signals (an image, an array): ẑ, G(ẑ), residual, certificate
  runs [--workspace DIR]                       list the runs of a workspace with their state and progress
  report <run> [--format html,pdf,…]           a run's figures (SVG, PNG), tidy CSV, HTML and PDF report

Models: Pursuit Lab JSON, ONNX (exported from PyTorch), safetensors and npz
(nn.Sequential state dicts; --arch FILE or --output ACT), or random:n0,…,n[:act][@seed].

Run \`pursuit-lab help <command>\` for a command's options.
Exit codes: 0 success, 1 bad input (file, model), 2 bad command line.`;

const commands: Record<string, { run: (argv: readonly string[], io: CliIo) => Promise<number>; usage: string }> = {
  inspect: { run: inspect, usage: inspectUsage },
  invert: { run: (argv, io) => invert(argv, io), usage: invertUsage },
  generate: { run: generate, usage: generateUsage },
  check: { run: (argv, io) => check(argv, io), usage: checkUsage },
  convert: { run: convert, usage: convertUsage },
  experiment: { run: experiment, usage: experimentUsage },
  project: { run: project, usage: projectUsage },
  runs: { run: runs, usage: runsUsage },
  report: { run: report, usage: reportUsage },
};

/** Runs the CLI; returns the exit code. Never throws for bad input: it reports and returns 1 or 2. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? commands[rest[0] ?? ''] : undefined;
    io.out(`${topic?.usage ?? usage}\n`);
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    io.err(`pursuit-lab: unknown command "${name}"\n\n${usage}\n`);
    return 2;
  }
  // `pursuit-lab invert --help` is what people type first: the command's usage, exit 0.
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`pursuit-lab ${name}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof InputError) {
      io.err(`pursuit-lab ${name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
