import { describe, expect, it } from 'vitest';
import { isHostMethod, validateRequest } from '../../../src/shared/validate';

describe('request validation', () => {
  it('accepts well-formed requests', () => {
    expect(validateRequest('listModels', undefined)).toEqual({ ok: true, value: undefined });
    const bytes = new Uint8Array([1]);
    expect(validateRequest('importModel', { fileName: 'a.json', bytes })).toEqual({
      ok: true,
      value: { fileName: 'a.json', bytes },
    });
    expect(validateRequest('importModel', { fileName: 'a.onnx', bytes, imageShape: [12, 7] })).toEqual({
      ok: true,
      value: { fileName: 'a.onnx', bytes, imageShape: [12, 7] },
    });
    expect(validateRequest('getModelData', { id: 'bundled:x.json' }).ok).toBe(true);
    expect(validateRequest('deleteModel', { id: '0123456789abcdef', extra: 1 })).toEqual({
      ok: true,
      value: { id: '0123456789abcdef' },
    });
  });

  it.each([
    ['listModels', { extra: 1 }, 'takes no argument'],
    ['importModel', null, 'needs { fileName, bytes }'],
    ['importModel', { fileName: '', bytes: new Uint8Array() }, 'fileName must be'],
    ['importModel', { fileName: 'a', bytes: [1, 2] }, 'bytes must be a Uint8Array'],
    [
      'importModel',
      { fileName: 'a', bytes: new Uint8Array(1), imageShape: [12] },
      'imageShape must be [height, width]',
    ],
    ['importModel', { fileName: 'a', bytes: new Uint8Array(1), imageShape: [12, 0] }, 'two positive integers'],
    ['importModel', { fileName: 'a', bytes: new Uint8Array(1), imageShape: '12x7' }, 'two positive integers'],
    ['getModelData', { id: '../../etc/passwd' }, 'needs { id }'],
    ['getModelData', {}, 'needs { id }'],
    ['deleteModel', { id: '../models' }, 'deleteModel needs { id }'],
    ['deleteModel', { id: 7 }, 'deleteModel needs { id }'],
    ['deleteModel', undefined, 'deleteModel needs { id }'],
  ] as const)('%s refuses %j', (method, payload, message) => {
    const r = validateRequest(method, payload);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('bad-request');
      expect(r.error.message).toContain(message);
    }
  });

  it('knows the contract methods', () => {
    expect(isHostMethod('listModels')).toBe(true);
    expect(isHostMethod('deleteModel')).toBe(true);
    expect(isHostMethod('constructor')).toBe(false);
  });
});
