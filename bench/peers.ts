/**
 * `npm run bench -- peers [--count N] [--seed S] [--model FILE]`: our solvers
 * against PyTorch peers (bench/peers/*.py, Debian's /usr/bin/python3 with
 * python3-torch, float64, all cores) on the same generator, the same z and
 * the same success criterion ‖ẑ − z‖/‖z‖ < 1e-3.
 *
 * Ours run in this process through `invertExperiment` on one thread (the
 * workbench's per-worker speed); the peers run with torch's threads = cores.
 * The exchange is a temp folder of .npy files: the folded W_i, b_i (BatchNorm
 * already inside, exactly the generator our solvers see), z and y = G(z);
 * each peer writes ẑ back as .npy and prints one JSON line with its time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invertExperiment, type InvertReport } from '../src/core/experiments/invert';
import { readNpy } from '../src/core/formats/npz';
import { openModel } from '../src/core/formats/index';
import { matrix, type Matrix } from '../src/core/linalg/matrix';
import { createRng } from '../src/core/linalg/rng';
import { relativeError } from '../src/core/metrics';
import { forward } from '../src/core/model/forward';
import type { Generator as Net } from '../src/core/model/generator';
import type { GradientDescentOptions } from '../src/core/pursuit/gradientDescent';
import type { MethodId } from '../src/core/pursuit/types';
import { npyBytes } from './npy';

/** Debian's interpreter, which has python3-torch; PURSUIT_PEERS_PYTHON names another (e.g. to see the skip). */
export const PYTHON = process.env.PURSUIT_PEERS_PYTHON ?? '/usr/bin/python3';
const PEERS_DIR = fileURLToPath(new URL('./peers/', import.meta.url));

/** Why the peers cannot run here (with how to fix it), or undefined when /usr/bin/python3 imports torch. */
export function peersUnavailableReason(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (r.status === 0) return undefined;
  return (
    `${PYTHON} cannot import torch and numpy (${(r.error?.message ?? r.stderr.trim().split('\n').pop()) || 'no output'}). ` +
    'Install them with: apt-get install -y python3-torch python3-numpy'
  );
}

function transpose(m: Matrix): Matrix {
  const t = matrix(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) t.data[j * m.rows + i] = m.data[i * m.cols + j];
  return t;
}

/** The latents invertExperiment draws for `seed` (n₀ × count), so ours and the peers see the same z. */
export function drawLatents(gen: Net, count: number, seed: number): Matrix {
  return matrix(gen.inputDim, count, createRng(seed).fillGaussian(new Float64Array(gen.inputDim * count)));
}

/**
 * Writes the problem folder the peer scripts read (bench/peers/common.py):
 * model.json, W_i.npy / b_i.npy, z.npy and y.npy with signals as rows.
 */
export function writeProblem(folder: string, gen: Net, z: Matrix): Matrix {
  gen.layers.forEach((l, i) => {
    writeFileSync(join(folder, `W${i}.npy`), npyBytes([l.W.rows, l.W.cols], l.W.data));
    writeFileSync(join(folder, `b${i}.npy`), npyBytes([l.b.length], l.b));
  });
  const y = forward(gen, z).output;
  writeFileSync(join(folder, 'z.npy'), npyBytes([z.cols, z.rows], transpose(z).data));
  writeFileSync(join(folder, 'y.npy'), npyBytes([y.cols, y.rows], transpose(y).data));
  writeFileSync(
    join(folder, 'model.json'),
    JSON.stringify({ name: gen.name, layers: gen.layers.length, output: gen.output }),
  );
  return y;
}

/** Runs one peer script; its JSON line and the array it wrote (signals as columns, like ours). */
export function runPeer(
  folder: string,
  script: string,
  args: readonly string[],
  output: string,
): { info: Record<string, unknown>; result: Matrix } {
  const r = spawnSync(PYTHON, [join(PEERS_DIR, script), folder, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr}`);
  const info = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  const t = readNpy(new Uint8Array(readFileSync(join(folder, output))), output);
  return { info, result: transpose(matrix(t.shape[0], t.shape[1], t.data)) };
}

function successRate(zHat: Matrix, z: Matrix, threshold = 1e-3): number {
  let ok = 0;
  for (let j = 0; j < z.cols; j++) {
    const e = new Float64Array(z.rows);
    const t = new Float64Array(z.rows);
    for (let i = 0; i < z.rows; i++) {
      e[i] = zHat.data[i * z.cols + j];
      t[i] = z.data[i * z.cols + j];
    }
    if (relativeError(e, t) < threshold) ok++;
  }
  return ok / z.cols;
}

interface Row {
  method: string;
  ours: string;
  peer: string;
  oursSeconds: number;
  oursSuccess: number;
  peerSeconds: number;
  peerSuccess: number;
}

function parse(argv: readonly string[]) {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    count: Number(get('--count') ?? 512),
    seed: Number(get('--seed') ?? 0),
    model: get('--model') ?? fileURLToPath(new URL('../resources/models/mnist-fc-gan.onnx', import.meta.url)),
    iterations: Number(get('--iterations') ?? 10000),
  };
}

export function benchPeers(argv: readonly string[], resultsDir: string, machine: Record<string, unknown>): void {
  const why = peersUnavailableReason();
  if (why !== undefined) {
    console.log(`peers skipped: ${why}\n`);
    return;
  }
  const { count, seed, model, iterations } = parse(argv);
  const name = model.split(/[\\/]/).pop()!;
  const { generator: gen } = openModel(new Uint8Array(readFileSync(model)), name);
  const folder = mkdtempSync(join(tmpdir(), 'pursuit-peers-'));
  try {
    const z = drawLatents(gen, count, seed);
    writeProblem(folder, gen, z);
    const gd: GradientDescentOptions = { maxIterations: iterations };
    const methods: MethodId[] = ['gd', 'adam', 'lp'];
    console.log(`ours: ${methods.join(', ')} on ${count} signals of ${name} (one thread) …`);
    const steps = invertExperiment(
      gen,
      { methods, count, seed, mask: { kind: 'none' }, noise: { kind: 'none' }, options: { gd, adam: gd } },
      () => performance.now(),
    );
    let next = steps.next();
    while (!next.done) next = steps.next();
    const ours: InvertReport = next.value;
    const it = String(iterations);
    const peers: { method: MethodId; script: string; args: string[]; output: string; what: string }[] = [
      {
        method: 'gd',
        script: 'gd.py',
        args: ['--optimizer', 'sgd', '--iterations', it],
        output: 'zhat_sgd.npy',
        what: 'torch.optim.SGD momentum 0.9, lr 0.1 → 1e-3 (ExponentialLR)',
      },
      {
        method: 'adam',
        script: 'gd.py',
        args: ['--optimizer', 'adam', '--iterations', it],
        output: 'zhat_adam.npy',
        what: 'torch.optim.Adam, lr 0.01 halved every 2,500 (StepLR)',
      },
      {
        method: 'lp',
        script: 'latent_pursuit.py',
        args: [],
        output: 'zhat_lp.npy',
        what: 'plain FISTA + linearized ADMM (ρ 1e-2, λ 0) + Eq. 10 + Gauss–Newton debiasing',
      },
    ];
    const rows: Row[] = [];
    const peerInfo: Record<string, unknown> = {};
    for (const p of peers) {
      console.log(`peer: ${p.script} ${p.args.join(' ')} …`);
      const { info, result } = runPeer(folder, p.script, p.args, p.output);
      peerInfo[p.method] = { ...info, what: p.what };
      const o = ours.methods[p.method]!;
      rows.push({
        method: p.method,
        ours: `ours (${p.method})`,
        peer: p.what,
        oursSeconds: o.seconds,
        oursSuccess: o.summary.successRate,
        peerSeconds: info.seconds as number,
        peerSuccess: successRate(result, z),
      });
    }
    const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
    console.log(
      `\n${name}, ${count} clean signals (seed ${seed}); ours one thread, peers torch with ${cpus().length} threads:`,
    );
    const header = ['method', 'ours s', 'ours success', 'peer s', 'peer success', 'peer/ours time'];
    const cells = rows.map((r) => [
      r.method,
      r.oursSeconds.toFixed(2),
      pct(r.oursSuccess),
      r.peerSeconds.toFixed(2),
      pct(r.peerSuccess),
      (r.peerSeconds / r.oursSeconds).toFixed(2),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c: string[]) => c.map((s, i) => s.padEnd(widths[i])).join('  ');
    console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n'));
    for (const p of peers) console.log(`  peer ${p.method}: ${p.what}`);
    console.log();
    writeFileSync(
      join(resultsDir, 'peers.json'),
      JSON.stringify(
        {
          ...machine,
          model: name,
          count,
          seed,
          iterations,
          successThreshold: 1e-3,
          oursThreads: 1,
          peerThreads: cpus().length,
          rows,
          peers: peerInfo,
          oursGdOptions: gd,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
