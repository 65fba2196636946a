import { matrix } from '../linalg/matrix';
import { checkActivation, OUTPUT_ACTIVATION_KINDS, type OutputActivation } from '../model/activations';
import { checkGenerator, type Generator, type ImageShape, type Layer } from '../model/generator';
import { checkBudget, checkCount, MAX_LAYERS, type ReadLimits } from './budget';
import { guardReader, ModelFormatError } from './errors';
import type { ModelFormat } from './format';
import { parseJsonText } from './jsonText';

/** The `format` tag every Pursuit Lab JSON model carries. */
export const JSON_FORMAT_TAG = 'pursuit-lab/generator';
export const JSON_FORMAT_VERSION = 1;

/**
 * Largest JSON model accepted. A 2 GiB string is beyond what a JS engine can
 * hold; 512 MiB of text is far larger than any fully connected generator we
 * expect and still parses in bounded memory.
 */
export const MAX_JSON_MODEL_BYTES = 512 * 1024 * 1024;

const FORMAT_ID = 'json';

function fail(message: string): never {
  throw new ModelFormatError(FORMAT_ID, `Not a valid Pursuit Lab JSON model: ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  // Never stringify a whole array or object: it may hold millions of numbers.
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `an array of ${v.length} entries`;
  if (isObject(v)) return 'an object';
  const text = typeof v === 'string' && v.length > 40 ? JSON.stringify(v.slice(0, 40)) : JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function readNumberArray(v: unknown, field: string, length: number, out: Float64Array, offset: number): void {
  if (!Array.isArray(v)) fail(`${field} must be an array of numbers, got ${describe(v)}`);
  if (v.length !== length) fail(`${field} has ${v.length} entries, expected ${length}`);
  for (let j = 0; j < length; j++) {
    const x: unknown = v[j];
    if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${field}[${j}] is ${describe(x)}, not a finite number`);
    out[offset + j] = x;
  }
}

function readOutput(v: unknown): OutputActivation {
  const known = OUTPUT_ACTIVATION_KINDS.join(', ');
  const spec = typeof v === 'string' ? { kind: v } : v;
  if (!isObject(spec) || typeof spec.kind !== 'string') {
    fail(`output must be an activation name (${known}) or an object with "kind", got ${describe(v)}`);
  }
  let act: OutputActivation;
  switch (spec.kind) {
    case 'identity':
    case 'tanh':
    case 'sigmoid':
      act = { kind: spec.kind };
      break;
    case 'leaky_relu':
      if (typeof spec.slope !== 'number')
        fail(`output.slope (leaky_relu) must be a number, got ${describe(spec.slope)}`);
      act = { kind: 'leaky_relu', slope: spec.slope };
      break;
    case 'custom':
      if (typeof spec.expression !== 'string' || spec.expression.trim() === '') {
        fail(`output.expression (custom) must be an expression in x, got ${describe(spec.expression)}`);
      }
      act = { kind: 'custom', expression: spec.expression };
      break;
    case 'plu':
      if (typeof spec.alpha !== 'number') fail(`output.alpha (plu) must be a number, got ${describe(spec.alpha)}`);
      if (typeof spec.c !== 'number') fail(`output.c (plu) must be a number, got ${describe(spec.c)}`);
      act = { kind: 'plu', alpha: spec.alpha, c: spec.c };
      break;
    default:
      fail(`output "${spec.kind}" is not a known activation (known: ${known})`);
  }
  const problem = checkActivation(act);
  if (problem !== undefined) fail(`output: ${problem}`);
  return act;
}

function readLayer(v: unknown, index: number, inDim: number): Layer {
  const field = `layers[${index}]`;
  if (!isObject(v)) fail(`${field} must be an object with "W" and "b", got ${describe(v)}`);
  const rowsIn: unknown = v.W;
  if (!Array.isArray(rowsIn) || rowsIn.length === 0) {
    fail(`${field}.W must be a non-empty array of rows (shape [out, in]), got ${describe(rowsIn)}`);
  }
  const rows = rowsIn.length;
  const data = new Float64Array(rows * inDim);
  for (let r = 0; r < rows; r++) {
    const row: unknown = rowsIn[r];
    if (Array.isArray(row) && row.length !== inDim) {
      fail(`${field}.W[${r}] has ${row.length} entries but the layer's input has ${inDim} (W is [out, in])`);
    }
    readNumberArray(row, `${field}.W[${r}]`, inDim, data, r * inDim);
  }
  const b = new Float64Array(rows);
  if (Array.isArray(v.b) && v.b.length !== rows) {
    fail(`${field}.b has ${v.b.length} entries but ${field}.W has ${rows} rows`);
  }
  readNumberArray(v.b, `${field}.b`, rows, b, 0);
  return { W: matrix(rows, inDim, data), b };
}

/** Rows of a layer's W, checked as readLayer checks it (used to size the model before allocating). */
function rowCount(v: unknown, index: number): number {
  const field = `layers[${index}]`;
  if (!isObject(v)) fail(`${field} must be an object with "W" and "b", got ${describe(v)}`);
  if (!Array.isArray(v.W) || v.W.length === 0) {
    fail(`${field}.W must be a non-empty array of rows (shape [out, in]), got ${describe(v.W)}`);
  }
  return (v.W as unknown[]).length;
}

/**
 * Parses a Pursuit Lab JSON model (format described in the README).
 * @throws ModelFormatError naming the offending field, or the limit a hostile file exceeds.
 */
export function parseJsonModel(text: string, fallbackName: string, limits: ReadLimits = {}): Generator {
  const doc = parseJsonText(text, FORMAT_ID, fail, 'the file', limits);
  if (!isObject(doc)) fail(`the top level must be an object, got ${describe(doc)}`);
  if (doc.format !== JSON_FORMAT_TAG) fail(`"format" must be "${JSON_FORMAT_TAG}", got ${describe(doc.format)}`);
  if (doc.version !== JSON_FORMAT_VERSION) {
    fail(`"version" ${describe(doc.version)} is not supported (this build reads version ${JSON_FORMAT_VERSION})`);
  }
  if (doc.name !== undefined && typeof doc.name !== 'string') fail(`name must be a string, got ${describe(doc.name)}`);
  const inputDim = doc.inputDim;
  if (typeof inputDim !== 'number' || !Number.isInteger(inputDim) || inputDim < 1) {
    fail(`inputDim must be a positive integer, got ${describe(inputDim)}`);
  }
  if (doc.hidden !== undefined && doc.hidden !== 'relu') {
    fail(`hidden must be "relu" (the theory needs ReLU hidden layers), got ${describe(doc.hidden)}`);
  }
  const output = readOutput(doc.output);
  if (!Array.isArray(doc.layers) || doc.layers.length < 2) {
    fail(`layers must be an array of at least 2 layers (one hidden, one output), got ${describe(doc.layers)}`);
  }
  checkCount(FORMAT_ID, doc.layers.length, MAX_LAYERS, 'layers');
  // Sized from the declared shapes before anything is allocated: `inputDim` 1e15 is refused here, not by a RangeError.
  let numbers = 0;
  let width = inputDim;
  for (let i = 0; i < doc.layers.length; i++) {
    const rows = rowCount(doc.layers[i], i);
    numbers += rows * width + rows;
    width = rows;
  }
  checkBudget(FORMAT_ID, 'its layers', 8 * numbers, limits);
  const layers: Layer[] = [];
  let inDim = inputDim;
  for (let i = 0; i < doc.layers.length; i++) {
    const layer = readLayer(doc.layers[i], i, inDim);
    layers.push(layer);
    inDim = layer.W.rows;
  }
  const gen: Generator = {
    name: typeof doc.name === 'string' && doc.name.trim() !== '' ? doc.name : fallbackName,
    inputDim,
    hidden: 'relu',
    output,
    layers,
    // Checked against the output's n by checkGenerator below.
    ...(doc.imageShape !== undefined ? { imageShape: doc.imageShape as ImageShape } : {}),
  };
  const problem = checkGenerator(gen);
  if (problem !== undefined) fail(problem);
  return gen;
}

export interface JsonWriteOptions {
  /**
   * Significant digits per number; omit for exact round trip (shortest
   * representation that reads back to the same float64).
   * @default undefined
   */
  readonly significantDigits?: number;
  /** Free-text description stored with the model. @default undefined */
  readonly description?: string;
}

/** Serialises a generator to Pursuit Lab JSON (one line per matrix row). */
export function writeJsonModel(gen: Generator, options: JsonWriteOptions = {}): string {
  const digits = options.significantDigits;
  // String(-0) is "0": keep the sign so the round trip is exact to the bit.
  const exact = (x: number) => (Object.is(x, -0) ? '-0' : String(x));
  const num = digits === undefined ? exact : (x: number) => exact(Number(x.toPrecision(digits)));
  const list = (a: ArrayLike<number>, from: number, to: number): string => {
    const parts: string[] = [];
    for (let j = from; j < to; j++) parts.push(num(a[j]));
    return `[${parts.join(',')}]`;
  };
  const head: Record<string, unknown> = {
    format: JSON_FORMAT_TAG,
    version: JSON_FORMAT_VERSION,
    name: gen.name,
  };
  if (options.description !== undefined) head.description = options.description;
  head.inputDim = gen.inputDim;
  head.hidden = gen.hidden;
  head.output = gen.output;
  if (gen.imageShape !== undefined) head.imageShape = gen.imageShape;
  const lines = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const layerTexts = gen.layers.map((l) => {
    const rows: string[] = [];
    for (let r = 0; r < l.W.rows; r++) rows.push(`      ${list(l.W.data, r * l.W.cols, (r + 1) * l.W.cols)}`);
    return `    {\n     "W": [\n${rows.join(',\n')}\n     ],\n     "b": ${list(l.b, 0, l.b.length)}\n    }`;
  });
  return `{\n${lines.join('\n')}\n  "layers": [\n${layerTexts.join(',\n')}\n  ]\n}\n`;
}

export const jsonFormat: ModelFormat = {
  id: FORMAT_ID,
  label: 'Pursuit Lab JSON',
  extensions: ['.json'],
  match(bytes) {
    // First non-blank byte (after an optional UTF-8 BOM) opens an object.
    let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
    return bytes[i] === 0x7b;
  },
  open(bytes, fallbackName, options) {
    return guardReader(FORMAT_ID, 'Not a valid Pursuit Lab JSON model', () => {
      if (bytes.length > MAX_JSON_MODEL_BYTES) {
        fail(`the file is ${bytes.length} bytes, over the ${MAX_JSON_MODEL_BYTES}-byte limit for JSON models`);
      }
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
      } catch {
        fail('the file is not UTF-8 text');
      }
      return parseJsonModel(text!, fallbackName, options);
    });
  },
};
