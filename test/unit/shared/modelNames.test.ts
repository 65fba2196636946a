import { describe, expect, it } from 'vitest';
import { modelLabels } from '../../../src/shared/modelNames';

const model = (id: string, name: string, fileName: string, sha256: string) => ({
  id,
  fileName,
  sha256,
  summary: { name } as never,
});

describe('modelLabels', () => {
  it('keeps unique names as they are', () => {
    const labels = modelLabels([model('a', 'MNIST GAN', 'a.onnx', 'aa'), model('b', 'Gaussian', 'b.json', 'bb')]);
    expect(labels.get('a')).toEqual({ name: 'MNIST GAN' });
    expect(labels.get('b')).toEqual({ name: 'Gaussian' });
  });

  it('tells same-named models apart by file name', () => {
    const labels = modelLabels([
      model('a', 'torch_jit', 'leaky.opset13.onnx', '1'.repeat(64)),
      model('b', 'torch_jit', 'bn_plu.opset13.onnx', '2'.repeat(64)),
      model('c', 'other', 'x.onnx', '3'.repeat(64)),
    ]);
    expect(labels.get('a')).toEqual({ name: 'torch_jit', distinct: 'leaky.opset13.onnx' });
    expect(labels.get('b')).toEqual({ name: 'torch_jit', distinct: 'bn_plu.opset13.onnx' });
    expect(labels.get('c')).toEqual({ name: 'other' });
  });

  it('falls back to a short SHA-256, long enough to differ, when the file names are the same', () => {
    const labels = modelLabels([
      model('a', 'G', 'model.onnx', `abcdef0123${'0'.repeat(54)}`),
      model('b', 'G', 'model.onnx', `abcdef0199${'0'.repeat(54)}`),
    ]);
    expect(labels.get('a')).toEqual({ name: 'G', distinct: 'sha256 abcdef012300' });
    expect(labels.get('b')).toEqual({ name: 'G', distinct: 'sha256 abcdef019900' });
  });
});
