// `pursuit-lab project` end to end through the real CLI and worker threads:
// the MNIST fixture's own G(z) through a mask image, a 16-bit PNG of a G(z),
// an .npy with a signal off the range, the refusals, and the report's image grid.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProjectResult, ProjectSpec } from '../../src/core/experiments/project';
import { readSignalInput } from '../../src/core/formats/signalInput';
import { matrix } from '../../src/core/linalg/matrix';
import { createRng } from '../../src/core/linalg/rng';
import { forward } from '../../src/core/model/forward';
import { randomGaussianGenerator } from '../../src/core/model/random';
import { runCliProcess } from '../helpers/cli';
import { fixturePath } from '../helpers/fixtures';

const root = mkdtempSync(join(tmpdir(), 'pl-project-'));
const workspace = join(root, 'ws');
const runDirOf = (stdout: string) => /^run \S+ done: (.+)$/m.exec(stdout)?.[1];
const read = <T>(dir: string, name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;

const mnist = fixturePath('pytorch/mnist-tanh-gan.onnx');
const reference = JSON.parse(readFileSync(fixturePath('pytorch/mnist-tanh-gan.reference.json'), 'utf8')) as {
  output: number[][];
};

/** A .npy (version 1) of a little-endian float64 array. */
function npy(shape: number[], values: number[]): Uint8Array {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const bytes = new Uint8Array(10 + header.length + 8 * values.length);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  bytes.set(new TextEncoder().encode(header), 10);
  const view = new DataView(bytes.buffer, 10 + header.length);
  values.forEach((v, i) => view.setFloat64(8 * i, v, true));
  return bytes;
}

const gen = randomGaussianGenerator([10, 40, 64], { kind: 'tanh' }, 3);
/** G(z) of the random:10,40,64:tanh@3 model for latents drawn from `seed`. */
const onRange = (seed: number) =>
  Array.from(forward(gen, matrix(10, 1, createRng(seed).fillGaussian(new Float64Array(10)))).output.data);

describe('pursuit-lab project', () => {
  let maskedRun: string;
  const maskPng = join(root, 'mask.png');

  beforeAll(() => {
    // Rows 0–5 of a 28 × 28 image hidden (black).
    writeFileSync(
      maskPng,
      encodePng({
        width: 28,
        height: 28,
        channels: 1,
        depth: 8,
        data: Uint8Array.from({ length: 784 }, (_, i) => (i < 6 * 28 ? 0 : 255)),
      }),
    );
  });

  it('projects the MNIST fixture’s own G(z) through a mask image: a run folder, a table, a spec that reproduces it', () => {
    const json = join(root, 'digit.json');
    writeFileSync(json, JSON.stringify([reference.output[0]]));
    const r = runCliProcess([
      'project',
      mnist,
      json,
      '--mask',
      maskPng,
      '--method',
      'lp,lbp',
      '--workers',
      '1',
      '--workspace',
      workspace,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^signal\s+method\s+rel\. residual\s+on range\s+certificate\s+hidden rel\. err/m);
    expect(r.stdout).toMatch(/^signal 0: on the range/m);
    maskedRun = runDirOf(r.stdout)!;
    const spec = read<{ job: ProjectSpec & { kind: string } }>(maskedRun, 'spec.json').job;
    expect(spec.kind).toBe('project');
    expect(spec.signals).toEqual([reference.output[0]]);
    expect(spec.hidden).toEqual(Array.from({ length: 168 }, (_, i) => i));
    expect(spec.input).toMatchObject({
      file: json,
      sha256: createHash('sha256').update(readFileSync(json)).digest('hex'),
      format: 'json',
      shape: [1, 784],
    });
    expect(spec.mask).toMatchObject({ file: maskPng, hidden: 168, resize: { method: 'none' } });
    const result = read<ProjectResult>(maskedRun, 'result.json');
    expect(result.kind).toBe('project');
    const fit = result.signals[0].methods.lp!;
    expect(fit.onRange).toBe(true);
    expect(fit.relativeResidual).toBeLessThan(1e-8);
    expect(fit.certificate).toBeDefined();
    // The hidden rows come back from the generator: the file's own values there.
    expect(fit.hiddenRelativeError).toBeLessThan(1e-6);
    expect(fit.output).toHaveLength(784);
    expect(fit.z).toHaveLength(20);
    expect(result.examples?.signals[0].observed.filter((v) => v === null)).toHaveLength(168);
  });

  it('projects a 16-bit PNG of a G(z), recording the decode, and certifies the fit', () => {
    const png = join(root, 'g.png');
    const y = onRange(4);
    writeFileSync(
      png,
      encodePng({
        width: 8,
        height: 8,
        channels: 1,
        depth: 16,
        data: Uint16Array.from(y, (v) => Math.round(((v + 1) / 2) * 65535)),
      }),
    );
    const r = runCliProcess(['project', 'random:10,40,64:tanh@3', png, '--method', 'lp', '--workspace', workspace]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/g\.png: pixels mapped onto \[-1, 1\] \(default: the range of a tanh output\)/);
    expect(r.stdout).toMatch(/^signal 0: on the range .*certified unique \(Theorem 1\)$/m);
    const spec = read<{ job: ProjectSpec }>(runDirOf(r.stdout)!, 'spec.json').job;
    expect(spec.input).toMatchObject({
      format: 'png',
      image: { width: 8, height: 8, bitDepth: 16, color: 'gray', resize: { method: 'none' } },
      range: { lo: -1, hi: 1 },
    });
    // Within the 16-bit quantisation of the file.
    spec.signals[0].forEach((v, i) => expect(Math.abs(v - y[i])).toBeLessThan(2e-5));
  });

  it('fits an .npy of signals, one off the range: best fit, how far off, no certificate', () => {
    const on = onRange(4);
    const rng = createRng(5);
    const off = Array.from({ length: 64 }, () => 1.6 * rng.uniform() - 0.8);
    const file = join(root, 'y.npy');
    writeFileSync(file, npy([2, 64], [...on, ...off]));
    const json = join(root, 'out.json');
    const r = runCliProcess([
      'project',
      'random:10,40,64:tanh@3',
      file,
      '--method',
      'lp,lbp',
      '--workers',
      '2',
      '--workspace',
      workspace,
      '--json',
      json,
      '--out',
      join(root, 'pngs'),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^signal 0: on the range .*certified unique \(Theorem 1\)$/m);
    expect(r.stdout).toMatch(/^signal 1: off the generator's range by [\d.e-]+ .*no certificate claimed$/m);
    const result = JSON.parse(readFileSync(json, 'utf8')) as ProjectResult & { run: { id: string } };
    expect(result.run.id).toMatch(/project/);
    expect(result.settings.input).toMatchObject({ format: 'npy', shape: [2, 64] });
    expect(result.signals[1].methods.lp!.certificate).toBeUndefined();
    expect(result.signals[1].onRange).toBe(false);
    // --out: each method's G(ẑ) as a 16-bit PNG on the tanh range, reading back as itself.
    for (const k of [0, 1])
      for (const m of ['lp', 'lbp'] as const) {
        const back = readSignalInput(readFileSync(join(root, 'pngs', `signal-${k}-${m}.png`)), 'x.png', {
          n: 64,
          output: { kind: 'tanh' },
        });
        back.signals[0].forEach((v, i) =>
          expect(Math.abs(v - result.signals[k].methods[m]!.output[i])).toBeLessThanOrEqual(1 / 65535),
        );
      }
  });

  it('refuses what it cannot use, naming the file and the problem, before creating a run', () => {
    const json = join(root, 'short.json');
    writeFileSync(json, '[0.1, 0.2, 0.3]');
    let r = runCliProcess(['project', 'random:10,40,64', json, '--workspace', workspace]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/short\.json: signal 0 has 3 values, but the model's output has n = 64/);
    const small = join(root, 'small-mask.png');
    writeFileSync(small, encodePng({ width: 5, height: 5, channels: 1, depth: 8, data: new Uint8Array(25) }));
    const png = join(root, 'digit.png');
    writeFileSync(png, encodePng({ width: 28, height: 28, channels: 1, depth: 8, data: new Uint8Array(784) }));
    r = runCliProcess(['project', 'random:10,40,784', png, '--mask', small, '--workspace', workspace]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/small-mask\.png: the mask is 5×5, but it must be 28×28/);
    r = runCliProcess(['project', 'random:10,40,784', png, '--range', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--range must be LO,HI/);
    r = runCliProcess(['help', 'project']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/pursuit-lab project <model\|random:…> <input\.png\|\.jpg\|\.npy\|\.json>/);
  });

  it('reports a project run with an image grid: input, observation with the mask, each method’s G(ẑ)', () => {
    const id = maskedRun.split(/[\\/]/).pop()!;
    const r = runCliProcess(['report', id, '--workspace', workspace, '--format', 'svg,csv,html']);
    expect(r.status, r.stderr).toBe(0);
    const svg = readFileSync(join(maskedRun, 'figures', 'project-images.svg'), 'utf8');
    expect(svg.trimStart().startsWith('<svg')).toBe(true);
    for (const text of ['input y', 'observed', 'lp: G(ẑ)', 'lbp: G(ẑ)', 'signal 0', 'hidden pixel'])
      expect(svg).toContain(text);
    // Hidden pixels in the mask colour; the rest in grays.
    expect(svg).toMatch(/fill="#E0218A"|fill="rgb\(224,33,138\)"/i);
    expect(svg).toMatch(/fill="#([0-9a-f]{2})\1\1"/i);
    const csv = readFileSync(join(maskedRun, 'figures', 'project.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe(
      'signal,method,residual,relative_residual,on_range,certified,hidden_rel_error,saturated,stop_reason,iterations,best',
    );
    expect(csv[1]).toMatch(/^0,lp,/);
    expect(existsSync(join(maskedRun, 'report.html'))).toBe(true);
    const html = readFileSync(join(maskedRun, 'report.html'), 'utf8');
    expect(html).toContain('relative residual');
    // The spec's 784 signal values and 168 hidden indices are summarised, not printed.
    expect(html).toContain('1 signal(s) × 784 values (in spec.json)');
    expect(html).toContain('168 hidden pixel(s) (in spec.json)');
  });
});
