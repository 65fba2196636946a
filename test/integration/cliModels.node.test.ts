import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli';
import { fixturePath } from '../helpers/fixtures';

const tmp = () => mkdtempSync(join(tmpdir(), 'pl-models-'));

describe('pursuit-lab inspect on every format', () => {
  it.each([
    ['bn_plu.opset13.onnx', 'ONNX'],
    ['bn_plu.safetensors', 'safetensors'],
    ['bn_plu.npz', 'NumPy npz'],
  ])('%s: lists the folded layers', (file, label) => {
    const r = runCliProcess(['inspect', fixturePath(`pytorch/${file}`)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`(${label},`);
    expect(r.stdout).toContain('dims: 4 → 12 → 20 → 30');
    expect(r.stdout).toContain('plu(α=0.1, c=1)');
  });

  it('a weights-only file with no sidecar asks for --output, and --output opens it', () => {
    const dir = tmp();
    const file = join(dir, 'weights.safetensors');
    writeFileSync(file, readFileSync(fixturePath('pytorch/tanh_plain.safetensors')));
    const asked = runCliProcess(['inspect', file]);
    expect(asked.status).toBe(1);
    expect(asked.stderr).toContain('cannot tell the output activation');
    expect(asked.stderr).toContain('pass --output ACT or --arch FILE');
    const opened = runCliProcess(['inspect', file, '--output', 'tanh', '--json']);
    expect(opened.status).toBe(0);
    expect(JSON.parse(opened.stdout)).toMatchObject({ dims: [3, 10, 16], output: 'tanh', format: 'safetensors' });
  });

  it('names the node of an ONNX graph it cannot invert', () => {
    const r = runCliProcess(['inspect', fixturePath('pytorch/bad_conv.onnx')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/node ".*" \(Conv\) is not supported/);
  });
});

describe('pursuit-lab generate', () => {
  it('computes G(z) and every hidden layer as PyTorch did, from JSON and from .npy latents', () => {
    const ref = JSON.parse(readFileSync(fixturePath('pytorch/bn_plu.reference.json'), 'utf8'));
    const dir = tmp();
    const zJson = join(dir, 'z.json');
    writeFileSync(zJson, JSON.stringify(ref.z));
    const out = join(dir, 'out.json');
    const r = runCliProcess(['generate', fixturePath('pytorch/bn_plu.opset17.onnx'), '--z', zJson, '--json', out]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.output).toHaveLength(ref.z.length);
    expect(doc.hidden).toHaveLength(2);
    doc.output.forEach((o: number[], j: number) => o.forEach((v, i) => expect(v).toBeCloseTo(ref.output[j][i], 9)));
    doc.hidden[1].forEach((h: number[], j: number) =>
      h.forEach((v, i) => expect(v).toBeCloseTo(ref.hidden[1][j][i], 9)),
    );

    // The same latents as a float64 .npy of shape [count, n0].
    const count = ref.z.length;
    const n0 = ref.z[0].length;
    const header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${count}, ${n0}), }`.padEnd(118) + '\n';
    const npy = Buffer.alloc(10 + header.length + 8 * count * n0);
    npy.write('\x93NUMPY', 0, 'latin1');
    npy[6] = 1;
    npy.writeUInt16LE(header.length, 8);
    npy.write(header, 10, 'latin1');
    ref.z.flat().forEach((v: number, k: number) => npy.writeDoubleLE(v, 10 + header.length + 8 * k));
    writeFileSync(join(dir, 'z.npy'), npy);
    const fromNpy = runCliProcess(['generate', fixturePath('pytorch/bn_plu.opset17.onnx'), '--z', join(dir, 'z.npy')]);
    expect(fromNpy.status).toBe(0);
    expect(JSON.parse(fromNpy.stdout).output).toEqual(doc.output);
  });

  it('refuses latents of the wrong length, naming which', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'z.json'), '[[1, 2, 3, 4], [1, 2]]');
    const r = runCliProcess(['generate', fixturePath('pytorch/bn_plu.opset13.onnx'), '--z', join(dir, 'z.json')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('latent vector 1 has 2 entries, the model takes n0 = 4');
    expect(runCliProcess(['generate', fixturePath('pytorch/bn_plu.opset13.onnx')]).stderr).toContain('needs --z FILE');
  });
});

describe('pursuit-lab convert', () => {
  it('writes an ONNX model as Pursuit Lab JSON that computes the same G(z)', () => {
    const dir = tmp();
    const json = join(dir, 'model.json');
    expect(
      runCliProcess(['convert', fixturePath('pytorch/sigmoid_bn.opset13.onnx'), '--to', 'json', json]).status,
    ).toBe(0);
    const zFile = join(dir, 'z.json');
    const ref = JSON.parse(readFileSync(fixturePath('pytorch/sigmoid_bn.reference.json'), 'utf8'));
    writeFileSync(zFile, JSON.stringify(ref.z));
    const a = JSON.parse(runCliProcess(['generate', json, '--z', zFile]).stdout);
    const b = JSON.parse(
      runCliProcess(['generate', fixturePath('pytorch/sigmoid_bn.opset13.onnx'), '--z', zFile]).stdout,
    );
    expect(a.output).toEqual(b.output);
    expect(runCliProcess(['convert', json, '--to', 'onnx', join(dir, 'x.onnx')]).stderr).toContain(
      'only json is written',
    );
  });

  it('records --image-shape HxW in the JSON it writes, and refuses one whose H·W is not n', () => {
    const dir = tmp();
    const json = join(dir, 'image.json');
    // tanh_plain: 3 → 10 → 16.
    const onnx = fixturePath('pytorch/tanh_plain.opset17.onnx');
    const r = runCliProcess(['convert', onnx, '--image-shape', '2x8', '--to', 'json', json]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8')).imageShape).toEqual([2, 8]);
    const wrong = runCliProcess(['convert', onnx, '--image-shape', '3x5', '--to', 'json', join(dir, 'x.json')]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain("imageShape [3, 5] is 3 × 5 = 15 pixels, but the model's output has n = 16 values");
    const random = runCliProcess(['convert', 'random:5,30,84', '--image-shape', '12x8', '--to', 'json', json]);
    expect(random.status).toBe(1);
    expect(random.stderr).toContain('imageShape [12, 8] is 12 × 8 = 96 pixels');
    expect(runCliProcess(['convert', onnx, '--image-shape', '2 by 8', '--to', 'json', json]).status).toBe(2);
  });
});
