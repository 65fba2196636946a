// The built CLI (scripts/build-cli.mjs → out/cli/) end to end, through bin/pursuit-lab.mjs:
// it answers --help without loading the heavy packages, and inspect, experiment (the model
// parser's and the job engine's worker threads) and report run from built files only, with the
// same output as the source. Which files ran is recorded by a module hook in every thread
// (test/helpers/recordModules.mjs), not inferred from timings.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli';
import { fixturePath, repoPath } from '../helpers/fixtures';

const root = mkdtempSync(join(tmpdir(), 'pl-cli-built-'));
const repoUrl = pathToFileURL(repoPath('.')).href;
const outUrl = `${repoUrl}out/cli/`;
const recorder = repoPath('test/helpers/recordModules.mjs');
let calls = 0;

/** Runs the bin in `mode` and returns what it printed and every module URL it resolved, in every thread. */
function run(args: string[], mode: 'source' | 'built', env: Record<string, string> = {}) {
  const log = join(root, `loaded-${++calls}.txt`);
  writeFileSync(log, '');
  const r = runCliProcess(args, {
    mode,
    cwd: root,
    nodeArgs: ['--import', recorder],
    env: { PURSUIT_LAB_TEST_LOADED: log, ...env },
  });
  const loaded = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
  return { ...r, loaded };
}

/** Anything of the source path: tsx, a TypeScript file, the tsx worker bootstrap. */
const fromSource = (loaded: string[]) =>
  loaded.filter((u) => u.includes('/node_modules/tsx/') || u.endsWith('.ts') || u.endsWith('/bin/ts-worker.mjs'));

/** Checks that only built files of ours ran, among them out/cli/index.js and `entries`. */
function expectBuiltOnly(loaded: string[], entries: string[] = []) {
  expect(fromSource(loaded)).toEqual([]);
  const ours = loaded.filter((u) => u.startsWith(repoUrl) && !u.includes('/node_modules/'));
  for (const entry of ['index.js', ...entries]) expect(ours).toContain(`${outUrl}${entry}`);
  expect(ours.filter((u) => !u.startsWith(outUrl) && !u.endsWith('/bin/pursuit-lab.mjs'))).toEqual([]);
}

/** The sources and packages that went into the built files that ran, from esbuild's metafile. */
function inputsOf(loaded: string[]): string[] {
  const meta = JSON.parse(readFileSync(repoPath('out/cli/meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  return loaded
    .filter((u) => u.startsWith(outUrl))
    .flatMap((u) => Object.keys(meta.outputs[u.slice(repoUrl.length)]?.inputs ?? {}));
}
const isMathjs = (f: string) => f.includes('node_modules/mathjs/');

/** The inputs of built files (names matched by `entry`) and of every file they import statically: what a thread that starts them loads. */
function staticInputsOf(entry: RegExp): string[] {
  const meta = JSON.parse(readFileSync(repoPath('out/cli/meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown>; imports: { path: string; kind: string }[] }>;
  };
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || meta.outputs[file] === undefined) return;
    seen.add(file);
    for (const i of meta.outputs[file].imports) if (i.kind !== 'dynamic-import') visit(i.path);
  };
  for (const file of Object.keys(meta.outputs)) if (entry.test(file) && !file.endsWith('.map')) visit(file);
  return [...seen].flatMap((file) => Object.keys(meta.outputs[file].inputs));
}

/** result.json without its timings ("seconds"). */
const comparable = (dir: string) =>
  JSON.stringify(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')), (k, v: unknown) =>
    k === 'seconds' ? undefined : v,
  );
const runDirOf = (stdout: string) => /^run \S+ done: (.+)$/m.exec(stdout)?.[1] ?? '';

beforeAll(() => {
  // What `npm install` (prepare) and `npm run build` do; the tests then check this build.
  const r = spawnSync(process.execPath, [repoPath('scripts/build-cli.mjs')], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
}, 120_000);

describe('the built CLI', () => {
  it('the recorder sees the source path when the bin runs the source (a control for the checks below)', () => {
    const r = run(['--version'], 'source');
    expect(r.status, r.stderr).toBe(0);
    expect(r.loaded.some((u) => u.includes('/node_modules/tsx/'))).toBe(true);
    expect(r.loaded).toContain(`${repoUrl}src/cli/index.ts`);
  });

  it('answers --help and --version from out/cli without tsx, mathjs, ECharts, protobufjs or the readers', () => {
    const version = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')).version;
    const v = run(['--version'], 'built');
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toBe(`pursuit-lab ${version}\n`);
    const h = run(['--help'], 'built');
    expect(h.status, h.stderr).toBe(0);
    expect(h.stdout).toContain('Usage: pursuit-lab <command> [options]');
    expect(h.stdout).toContain('experiment <spec.json | fig2 | fig3 | noise>');
    expect(h.stderr).toBe('');
    for (const r of [v, h]) {
      expectBuiltOnly(r.loaded);
      const inputs = inputsOf(r.loaded);
      expect(inputs).toContain('src/cli/main.ts');
      const heavy = /node_modules\/(mathjs|echarts|zrender|protobufjs|@resvg|fflate)\/|^src\/core\/formats\//;
      expect(inputs.filter((f) => heavy.test(f))).toEqual([]);
    }
  });

  it('a command usage (`invert --help`) loads no command code either', () => {
    const r = run(['invert', '--help'], 'built');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('pursuit-lab invert <model');
    expect(r.loaded.filter((u) => /\/chunks\/invert-/.test(u))).toEqual([]);
  });

  it('inspects a model in the model parser worker started from out/cli/model-parser.js, as the source does', () => {
    const model = fixturePath('pytorch/bn_plu.opset13.onnx');
    const built = run(['inspect', model, '--json'], 'built');
    expect(built.status, built.stderr).toBe(0);
    expect(JSON.parse(built.stdout)).toMatchObject({ dims: [4, 12, 20, 30], output: 'plu', parameters: 950 });
    expectBuiltOnly(built.loaded, ['model-parser.js']);
    const source = run(['inspect', model, '--json'], 'source');
    expect(source.status, source.stderr).toBe(0);
    expect(built.stdout).toBe(source.stdout);
  });

  it('runs an experiment on 2 job workers started from out/cli/job-worker.js, with the source’s result', () => {
    // fig3 reads the bundled model (found from a chunk of out/cli), so both kinds of worker run.
    const args = ['experiment', 'fig3', '--quick', '--count', '2', '--methods', 'oracle', '--workers', '2'];
    const built = run([...args, '--workspace', join(root, 'ws-built')], 'built');
    expect(built.status, built.stderr).toBe(0);
    expectBuiltOnly(built.loaded, ['model-parser.js', 'job-worker.js']);
    const dir = runDirOf(built.stdout);
    const status = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'));
    expect(status).toMatchObject({ state: 'done', workers: 2 });
    expect(status.chunksDone).toBeGreaterThanOrEqual(2);
    const source = run([...args, '--workspace', join(root, 'ws-source')], 'source');
    expect(source.status, source.stderr).toBe(0);
    expect(comparable(dir)).toBe(comparable(runDirOf(source.stdout)));
  });

  it('loads mathjs only for a model with a custom activation, and a job worker no readers', () => {
    // The bundled model (tanh): the command, its model parser and both job workers run without mathjs.
    const mnist = repoPath('resources/models/mnist-fc-gan.onnx');
    const plain = run(['invert', mnist, '--method', 'oracle', '--count', '4', '--workers', '2'], 'built');
    expect(plain.status, plain.stderr).toBe(0);
    expectBuiltOnly(plain.loaded, ['model-parser.js', 'job-worker.js']);
    const plainInputs = inputsOf(plain.loaded);
    expect(plainInputs).toContain('src/core/pursuit/oracle.ts');
    expect(plainInputs.filter(isMathjs)).toEqual([]);
    expect(plainInputs).not.toContain('src/core/model/customActivation.ts');
    // A job worker starts with the job methods alone: no model readers, image decoders or mathjs.
    const worker = staticInputsOf(/^out\/cli\/job-worker\.js$/);
    expect(worker).toContain('src/core/experiments/jobs.ts');
    const unused =
      /node_modules\/(mathjs|protobufjs|jpeg-js|fast-png|fflate)\/|^src\/core\/formats\/(index|onnx|npz|signalInput)\.ts$/;
    expect(worker.filter((f) => unused.test(f))).toEqual([]);
    // Nor does the command's own thread: its model is read in the parser's worker.
    const command = staticInputsOf(/^out\/cli\/(index\.js|chunks\/invert-[^/]+\.js)$/);
    expect(command).toContain('src/cli/commands/invert.ts');
    expect(command.filter((f) => unused.test(f))).toEqual([]);
    // A custom activation: loaded on demand, and the inversion runs as from the source.
    const args = ['invert', fixturePath('json-models/tiny-custom.json'), '--method', 'oracle', '--count', '3'];
    const custom = run([...args, '--workers', '2'], 'built');
    expect(custom.status, custom.stderr).toBe(0);
    expect(inputsOf(custom.loaded)).toContain('src/core/model/customActivation.ts');
    expect(inputsOf(custom.loaded).filter(isMathjs).length).toBeGreaterThan(0);
    expect(custom.stdout).toContain('output custom(x + 0.5 * tanh(x))');
    const source = run([...args, '--workers', '2'], 'source');
    expect(source.status, source.stderr).toBe(0);
    // The Oracle's row without its seconds: the same SNRs and stop reasons.
    const row = (out: string) => /^oracle .*$/m.exec(out)?.[0].replace(/ {2}\d+\.\d\d {4}/, ' ');
    expect(row(custom.stdout)).toContain('exact 2, failed 1');
    expect(row(custom.stdout)).toBe(row(source.stdout));
  });

  it('writes a report (ECharts bundled, resvg native) with the same figures and CSV as the source', () => {
    const spec = join(root, 'invert.json');
    writeFileSync(
      spec,
      JSON.stringify({
        kind: 'invert',
        model: 'random:10,40,80:tanh',
        methods: ['oracle', 'lbp'],
        count: 8,
        chunkSize: 4,
      }),
    );
    const workspace = join(root, 'ws-report');
    const job = run(['experiment', spec, '--workers', '2', '--workspace', workspace], 'built');
    expect(job.status, job.stderr).toBe(0);
    const id = readdirSync(join(workspace, 'runs'))[0];
    const report = (mode: 'source' | 'built') =>
      run(
        ['report', id, '--workspace', workspace, '--format', 'svg,png,csv', '--out', join(root, `report-${mode}`)],
        mode,
      );
    const built = report('built');
    expect(built.status, built.stderr).toBe(0);
    expectBuiltOnly(built.loaded);
    expect(built.loaded.some((u) => u.includes('/node_modules/@resvg/resvg-js/'))).toBe(true);
    const source = report('source');
    expect(source.status, source.stderr).toBe(0);
    const files = readdirSync(join(root, 'report-built', 'figures')).sort();
    expect(files).toEqual(expect.arrayContaining(['invert-snr.svg', 'invert-snr.png', 'invert.csv']));
    expect(readdirSync(join(root, 'report-source', 'figures')).sort()).toEqual(files);
    for (const f of files)
      expect(
        readFileSync(join(root, 'report-built', 'figures', f)).equals(
          readFileSync(join(root, 'report-source', 'figures', f)),
        ),
        f,
      ).toBe(true);
  });

  it('maps a built worker thread’s stack trace to src/ (source maps reach the workers too)', () => {
    const spec = join(root, 'throws.json');
    writeFileSync(
      spec,
      JSON.stringify({ kind: 'invert', model: 'random:10,40,80:tanh', methods: ['oracle'], count: 4 }),
    );
    const r = run(['experiment', spec, '--workers', '1', '--workspace', join(root, 'ws-throws')], 'built', {
      PURSUIT_LAB_TEST_THROW_CHUNKS: '0',
    });
    expectBuiltOnly(r.loaded, ['job-worker.js']);
    expect(r.stderr).toMatch(
      /job worker, chunk 0: Error: injected fault[^\n]*\n\s+at \S+ \(\S*src\/workers\/jobs\.ts:\d+:\d+\)/,
    );
  });

  it('keeps only mappings in its source maps, not the sources’ text (Node parses each map as its chunk loads)', () => {
    const maps = readdirSync(repoPath('out/cli/chunks')).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const f of maps) {
      const map = JSON.parse(readFileSync(repoPath(`out/cli/chunks/${f}`), 'utf8')) as { sourcesContent?: unknown };
      expect(map.sourcesContent, f).toBeUndefined();
    }
  });

  it('falls back to the source when a file of the build changed since, and PURSUIT_LAB_CLI=built refuses it', () => {
    const stampPath = repoPath('out/cli/stamp.json');
    const original = readFileSync(stampPath, 'utf8');
    const stamp = JSON.parse(original) as { inputs: Record<string, number> };
    expect(Object.keys(stamp.inputs)).toEqual(expect.arrayContaining(['src/cli/main.ts', 'src/workers/jobs.ts']));
    try {
      // As if src/cli/main.ts had been saved after the build.
      writeFileSync(stampPath, JSON.stringify({ ...stamp, inputs: { ...stamp.inputs, 'src/cli/main.ts': 1 } }));
      const auto = spawnSync(process.execPath, [repoPath('bin/pursuit-lab.mjs'), '--version'], {
        encoding: 'utf8',
        env: { ...process.env, PURSUIT_LAB_CLI: '', PURSUIT_LAB_SHOW_MODE: '1' },
      });
      expect(auto.status, auto.stderr).toBe(0);
      expect(auto.stderr).toBe('pursuit-lab: mode source (src/cli/main.ts changed since the build)\n');
      expect(auto.stdout).toBe('pursuit-lab dev\n');
      const forced = run(['--version'], 'built');
      expect(forced.status).toBe(2);
      expect(forced.stderr).toContain('run `npm run build:cli`');
    } finally {
      writeFileSync(stampPath, original);
    }
    const again = spawnSync(process.execPath, [repoPath('bin/pursuit-lab.mjs'), '--version'], {
      encoding: 'utf8',
      env: { ...process.env, PURSUIT_LAB_CLI: '', PURSUIT_LAB_SHOW_MODE: '1' },
    });
    expect(again.stderr).toBe('pursuit-lab: mode built (out/cli/index.js)\n');
  });
});
