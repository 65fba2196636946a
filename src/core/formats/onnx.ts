import { matrix, type Matrix } from '../linalg/matrix';
import type { OutputActivation } from '../model/activations';
import type { Generator } from '../model/generator';
import { checkBudget, checkCount, MAX_ENTRIES, type ReadLimits } from './budget';
import { guardReader, ModelFormatError } from './errors';
import { float16ToNumber } from './float16';
import { foldModules, type NetModule } from './fold';
import type { ModelFormat } from './format';
import { onnx } from './onnx-proto';
import { onnxCensus } from './onnxCensus';

const FORMAT_ID = 'onnx';
/** Files past 1 GiB are refused before decoding: no fully connected generator is that large. */
export const MAX_ONNX_BYTES = 1024 * 1024 * 1024;
/** Elements of one tensor at most (2^28 float64 = 2 GiB). */
const MAX_TENSOR_ELEMENTS = 2 ** 28;
/**
 * Most nodes an elementwise activation may span. PyTorch exports the PLU as
 * 6 to 8 nodes; a region is evaluated on a grid of about 1,200 points, so a
 * chain of 10⁵ arithmetic nodes would cost 10⁸ steps to recognise nothing.
 */
const MAX_REGION_NODES = 64;

function fail(message: string): never {
  throw new ModelFormatError(FORMAT_ID, `Cannot use this ONNX model: ${message}`);
}

interface Tensor {
  readonly dims: number[];
  readonly data: Float64Array;
}

/*
 * The parts of the decoded protobuf this reader uses. The generated classes
 * type every field as optional; decoded messages carry the proto defaults on
 * their prototypes ([] for repeated fields, 0 / "" for scalars, null for
 * absent messages), which these interfaces state.
 */
type LongLike = number | { low: number; high: number };
interface OnnxTensor {
  name: string;
  dims: LongLike[];
  data_type: number;
  raw_data: Uint8Array;
  float_data: number[];
  double_data: number[];
  int32_data: number[];
  int64_data: LongLike[];
}
interface OnnxAttribute {
  name: string;
  f: number;
  i: LongLike;
  t: OnnxTensor | null;
  floats: number[];
  ints: LongLike[];
}
interface Node {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}
interface OnnxValueInfo {
  name: string;
  type: { tensor_type: { shape: { dim: { dim_value: LongLike | null }[] } | null } | null } | null;
}
interface OnnxGraph {
  name: string;
  node: Node[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
}

const nodeLabel = (node: Node, index: number) => `node "${node.name || `#${index}`}" (${node.op_type})`;

/** int64 fields arrive as numbers, or as {low, high} words when large (no Long library is loaded). */
function toNumber(v: LongLike): number {
  return typeof v === 'number' ? v : v.high * 2 ** 32 + (v.low >>> 0);
}

/** Whether this machine stores numbers little-endian, as raw_data does (then typed arrays read it in place). */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * raw_data as float32 or float64 values, viewed in place where its bytes start on an element
 * boundary, else in a copy. (A DataView read per element was most of opening a model, and it
 * runs once, before the code is optimised.)
 */
function rawFloats(raw: Uint8Array, bytesPer: 4 | 8): Float32Array | Float64Array {
  const src = raw.byteOffset % bytesPer === 0 ? raw : raw.slice();
  const n = src.byteLength / bytesPer;
  return bytesPer === 4
    ? new Float32Array(src.buffer, src.byteOffset, n)
    : new Float64Array(src.buffer, src.byteOffset, n);
}

/** Decodes an initializer or Constant value into float64 (float32, float64, float16, int32, int64). */
function decodeTensor(t: OnnxTensor, where: string): Tensor {
  const dims = t.dims.map(toNumber);
  if (dims.some((d) => !(Number.isInteger(d) && d >= 0))) fail(`${where} has invalid dimensions [${dims.join(', ')}]`);
  const size = dims.reduce((a, b) => a * b, 1);
  if (size > MAX_TENSOR_ELEMENTS) fail(`${where} has ${size} elements, over the limit of ${MAX_TENSOR_ELEMENTS}`);
  const raw = t.raw_data.length > 0 ? t.raw_data : undefined;
  const out = new Float64Array(size);
  // raw_data is little-endian and need not be aligned: read it through a DataView.
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const need = (bytesPer: number, listLength: number) => {
    const have = view ? view.byteLength / bytesPer : listLength;
    if (have !== size) fail(`${where} declares ${size} elements (dims [${dims.join(', ')}]) but holds ${have}`);
  };
  switch (t.data_type) {
    case onnx.TensorProto.DataType.FLOAT:
      need(4, t.float_data.length);
      if (raw !== undefined && LITTLE_ENDIAN) out.set(rawFloats(raw, 4));
      else for (let i = 0; i < size; i++) out[i] = view ? view.getFloat32(4 * i, true) : t.float_data[i];
      break;
    case onnx.TensorProto.DataType.DOUBLE:
      need(8, t.double_data.length);
      if (raw !== undefined && LITTLE_ENDIAN) out.set(rawFloats(raw, 8));
      else for (let i = 0; i < size; i++) out[i] = view ? view.getFloat64(8 * i, true) : t.double_data[i];
      break;
    case onnx.TensorProto.DataType.FLOAT16:
      need(2, t.int32_data.length);
      for (let i = 0; i < size; i++) out[i] = float16ToNumber(view ? view.getUint16(2 * i, true) : t.int32_data[i]);
      break;
    case onnx.TensorProto.DataType.INT64:
      need(8, t.int64_data.length);
      for (let i = 0; i < size; i++) out[i] = view ? Number(view.getBigInt64(8 * i, true)) : toNumber(t.int64_data[i]);
      break;
    case onnx.TensorProto.DataType.INT32:
      need(4, t.int32_data.length);
      for (let i = 0; i < size; i++) out[i] = view ? view.getInt32(4 * i, true) : t.int32_data[i];
      break;
    default:
      fail(`${where} has data type ${t.data_type}, which is not supported (float32, float64, float16)`);
  }
  return { dims, data: out };
}

/**
 * W = α·B (transB) or α·Bᵀ, out × inn. Its own small function with plain loops (a copy where α = 1):
 * inline in the parser, a test per entry made it most of a model's opening.
 */
function gemmWeights(b: Float64Array, out: number, inn: number, transB: boolean, alpha: number): Matrix {
  const w = new Float64Array(out * inn);
  if (transB && alpha === 1) w.set(b);
  else if (transB) for (let i = 0; i < w.length; i++) w[i] = alpha * b[i];
  else
    for (let r = 0; r < out; r++) {
      const row = r * inn;
      for (let c = 0; c < inn; c++) w[row + c] = alpha * b[c * out + r];
    }
  return matrix(out, inn, w);
}

function attribute(node: Node, name: string): OnnxAttribute | undefined {
  return node.attribute.find((a) => a.name === name);
}
/** Float attributes are float32 in ONNX: 0.2 arrives as 0.200000003; read them back at float32's 7 digits. */
function attrFloat(node: Node, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a === undefined ? fallback : round(a.f);
}
function attrInt(node: Node, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a === undefined ? fallback : toNumber(a.i);
}

/** Elementwise ops the activation recogniser evaluates (PLU, leaky ReLU written as arithmetic). */
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Neg', 'Identity']);
/** Ops that only reshape a vector batch: passed through. */
const PASS_THROUGH = new Set(['Identity', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Dropout', 'Cast']);
/** Cast targets that keep the values: float32, float16, float64 (an integer cast would truncate them). */
const FLOAT_TYPES = new Set([1, 10, 11]);

/**
 * Reads an ONNX graph exported from a fully connected PyTorch generator into
 * the paper's model: Gemm / MatMul(+Add) → Linear, BatchNormalization (folded,
 * with its epsilon), Relu, Tanh, Sigmoid, LeakyRelu, the PLU as PyTorch exports
 * it (any Add/Sub/Mul/Div/Max/Min arithmetic on scalars, recognised by
 * evaluating it), Identity/Flatten/Reshape/Squeeze/Unsqueeze/Dropout passed
 * through, Constant nodes as values. The graph is walked from its single input
 * to its single output; anything else is refused naming the node.
 */
export function parseOnnxModel(bytes: Uint8Array, fallbackName: string, limits: ReadLimits = {}): Generator {
  // Counted before protobufjs builds an object per node: a file of a million empty nodes is refused here.
  let census: ReturnType<typeof onnxCensus>;
  try {
    census = onnxCensus(bytes);
  } catch (e) {
    fail(`the file is not a valid ONNX protobuf (${(e as Error).message})`);
  }
  checkCount(FORMAT_ID, census!.nodes, MAX_ENTRIES, 'graph nodes');
  checkCount(FORMAT_ID, census!.initializers, MAX_ENTRIES, 'initializers');
  if (census!.subgraphNode !== undefined)
    fail(`node #${census!.subgraphNode} has a subgraph (If, Loop or Scan); a fully connected generator has none`);
  // Every tensor decoded to float64, a weight transposed into W, and W copied once more when folded.
  checkBudget(FORMAT_ID, 'its initializers (decoded, transposed and folded)', 24 * census!.elements, limits);
  let graph: OnnxGraph | null;
  try {
    graph = (onnx.ModelProto.decode(bytes) as unknown as { graph: OnnxGraph | null }).graph;
  } catch (e) {
    fail(`the file is not a valid ONNX protobuf (${(e as Error).message})`);
  }
  if (graph === null) fail('the file has no graph');
  const nodes = graph!.node;

  const constants = new Map<string, Tensor>();
  for (const init of graph!.initializer) constants.set(init.name, decodeTensor(init, `initializer "${init.name}"`));
  nodes.forEach((node, i) => {
    if (node.op_type !== 'Constant') return;
    const value = attribute(node, 'value');
    let tensor: Tensor | undefined;
    if (value?.t) tensor = decodeTensor(value.t, nodeLabel(node, i));
    else if (attribute(node, 'value_float'))
      tensor = { dims: [], data: Float64Array.of(attrFloat(node, 'value_float', 0)) };
    else if (attribute(node, 'value_int')) tensor = { dims: [], data: Float64Array.of(attrInt(node, 'value_int', 0)) };
    else if (attribute(node, 'value_floats'))
      tensor = {
        dims: [attribute(node, 'value_floats')!.floats.length],
        data: Float64Array.from(attribute(node, 'value_floats')!.floats),
      };
    else if (attribute(node, 'value_ints')) {
      const ints = attribute(node, 'value_ints')!.ints.map(toNumber);
      tensor = { dims: [ints.length], data: Float64Array.from(ints) };
    }
    if (tensor === undefined) fail(`${nodeLabel(node, i)} has no value this reader understands`);
    for (const out of node.output) constants.set(out, tensor!);
  });

  const inputs = graph!.input.filter((v) => !constants.has(v.name));
  if (inputs.length !== 1) {
    fail(
      `the graph has ${inputs.length} inputs (${inputs.map((v) => v.name).join(', ') || 'none'}); a generator takes exactly one, the latent vector`,
    );
  }
  if (graph!.output.length !== 1) fail(`the graph has ${graph!.output.length} outputs; a generator has exactly one`);
  const outputName = graph!.output[0].name;
  const consumers = new Map<string, number[]>();
  nodes.forEach((node, i) => {
    if (node.op_type === 'Constant') return;
    for (const input of node.input)
      if (input !== '' && !constants.has(input)) {
        const list = consumers.get(input);
        if (list === undefined) consumers.set(input, [i]);
        else list.push(i);
      }
  });

  const modules: NetModule[] = [];
  const done = new Set<number>();
  let current = inputs[0].name;
  let inputDim: number | undefined;
  const dim = inputs[0].type?.tensor_type?.shape?.dim;
  if (dim && dim.length >= 1) {
    const last = dim[dim.length - 1];
    if (last.dim_value !== null && toNumber(last.dim_value) > 0) inputDim = toNumber(last.dim_value);
  }
  const constantOf = (name: string, where: string): Tensor => {
    const t = constants.get(name);
    if (t === undefined)
      fail(`${where} needs "${name}" to be a constant (an initializer or a Constant node), but it is computed`);
    return t!;
  };

  for (let steps = 0; current !== outputName; steps++) {
    if (steps > nodes.length + 1) fail('the graph has a cycle');
    const next = (consumers.get(current) ?? []).filter((i) => !done.has(i));
    if (next.length === 0) fail(`nothing consumes "${current}" and it is not the graph's output`);
    const i = next[0];
    const node = nodes[i];
    const where = nodeLabel(node, i);
    if (
      // A lone Identity passes the data on; walking it here keeps a chain of them linear.
      (next.length === 1 && (!ELEMENTWISE.has(node.op_type) || node.op_type === 'Identity')) ||
      (next.length === 1 && node.op_type === 'Add' && isBiasAdd(node, current, modules, constants))
    ) {
      done.add(i);
      const dataIndex = node.input.indexOf(current);
      switch (node.op_type) {
        case 'Gemm': {
          if (dataIndex !== 0)
            fail(`${where} takes the data as its B input; only x·Bᵀ + C (data as A) is a linear layer`);
          if (attrInt(node, 'transA', 0) !== 0) fail(`${where} transposes the data (transA = 1)`);
          const B = constantOf(node.input[1], where);
          if (B.dims.length !== 2) fail(`${where}: B has ${B.dims.length} dimensions, expected 2`);
          const transB = attrInt(node, 'transB', 0) === 1;
          const alpha = attrFloat(node, 'alpha', 1);
          const beta = attrFloat(node, 'beta', 1);
          const [out, inn] = transB ? B.dims : [B.dims[1], B.dims[0]];
          const W = gemmWeights(B.data, out, inn, transB, alpha);
          const b = new Float64Array(out);
          if (node.input.length > 2 && node.input[2] !== '') {
            const C = constantOf(node.input[2], where);
            if (C.data.length !== out && C.data.length !== 1)
              fail(`${where}: C has ${C.data.length} entries, expected ${out}`);
            for (let r = 0; r < out; r++) b[r] = beta * C.data[C.data.length === 1 ? 0 : r];
          }
          modules.push({ type: 'linear', where, W, b });
          break;
        }
        case 'MatMul': {
          if (dataIndex !== 0)
            fail(`${where} multiplies a constant by the data; only x·B (data first) is a linear layer`);
          const B = constantOf(node.input[1], where);
          if (B.dims.length !== 2) fail(`${where}: the weight has ${B.dims.length} dimensions, expected 2`);
          const [inn, out] = B.dims;
          const W = matrix(out, inn);
          for (let r = 0; r < out; r++) for (let c = 0; c < inn; c++) W.data[r * inn + c] = B.data[c * out + r];
          modules.push({ type: 'linear', where, W, b: new Float64Array(out) });
          break;
        }
        case 'Add': {
          // The bias of the MatMul just before (isBiasAdd checked the shapes).
          const prev = modules[modules.length - 1] as Extract<NetModule, { type: 'linear' }>;
          const bias = constantOf(node.input[1 - dataIndex], where);
          for (let r = 0; r < prev.b.length; r++) prev.b[r] += bias.data[bias.data.length === 1 ? 0 : r];
          break;
        }
        case 'BatchNormalization': {
          if (dataIndex !== 0) fail(`${where} does not take the data as its first input`);
          if (attrInt(node, 'training_mode', 0) !== 0)
            fail(`${where} is in training mode; export the model in eval mode`);
          const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((k) => constantOf(node.input[k], where).data);
          modules.push({
            type: 'batchnorm',
            where,
            gamma,
            beta,
            mean,
            variance,
            eps: attrFloat(node, 'epsilon', 1e-5),
          });
          break;
        }
        case 'Relu':
          modules.push({ type: 'relu', where });
          break;
        case 'Tanh':
          modules.push({ type: 'activation', where, activation: { kind: 'tanh' } });
          break;
        case 'Sigmoid':
          modules.push({ type: 'activation', where, activation: { kind: 'sigmoid' } });
          break;
        case 'LeakyRelu':
          modules.push({
            type: 'activation',
            where,
            activation: { kind: 'leaky_relu', slope: attrFloat(node, 'alpha', 0.01) },
          });
          break;
        case 'Cast':
          if (!FLOAT_TYPES.has(attrInt(node, 'to', 0)))
            fail(`${where} casts the data to a non-float type (${attrInt(node, 'to', 0)}), which would truncate it`);
          break;
        default:
          if (!PASS_THROUGH.has(node.op_type)) {
            fail(
              `${where} is not supported: Pursuit Lab reads fully connected ReLU generators (Gemm/MatMul, BatchNormalization, Relu and an invertible output activation)`,
            );
          }
      }
      current = node.output[0];
      continue;
    }
    // An elementwise subgraph (several consumers, or arithmetic): evaluate it and recognise the activation.
    const region = elementwiseRegion(nodes, current, consumers, constants, done);
    if (typeof region === 'string')
      fail(`${where} is not supported here (the data feeds ${next.length} node(s) that ${region})`);
    const { order, output } = region as { order: number[]; output: string };
    const f = (x: number) => evaluateRegion(nodes, order, current, output, constants, x);
    const activation = recogniseActivation(f);
    const label = `nodes ${order.map((k) => `"${nodes[k].name || `#${k}`}"`).join(', ')} (${[...new Set(order.map((k) => nodes[k].op_type))].join('/')})`;
    if (activation === undefined)
      fail(`${label} compute an elementwise function that is not a supported activation (PLU, leaky ReLU, identity)`);
    order.forEach((k) => done.add(k));
    if (activation!.kind !== 'identity') modules.push({ type: 'activation', where: label, activation: activation! });
    current = output;
  }
  const graphName = graph!.name;
  return foldModules(
    FORMAT_ID,
    'Cannot use this ONNX model: ',
    modules,
    graphName && graphName !== 'main_graph' && graphName !== 'torch_jit' ? graphName : fallbackName,
    inputDim,
  );
}

/** An Add whose other input is a constant vector the size of the preceding MatMul's output: its bias. */
function isBiasAdd(node: Node, data: string, modules: NetModule[], constants: Map<string, Tensor>): boolean {
  const prev = modules[modules.length - 1];
  if (prev === undefined || prev.type !== 'linear') return false;
  const other = node.input[1 - node.input.indexOf(data)];
  const c = constants.get(other);
  return c !== undefined && (c.data.length === prev.b.length || c.data.length === 1) && prev.where.includes('(MatMul)');
}

/**
 * The elementwise region starting at `start`: every node reachable from it
 * through elementwise ops on scalar constants, in topological order, and the
 * one tensor it hands on. A string saying why when it is not such a region.
 * Linear in the region's edges: each node keeps a count of the inputs it
 * still waits for, and is taken when that count reaches zero (Kahn's order).
 */
function elementwiseRegion(
  nodes: readonly Node[],
  start: string,
  consumers: Map<string, number[]>,
  constants: Map<string, Tensor>,
  done: Set<number>,
): { order: number[]; output: string } | string {
  const inRegion = new Set<number>();
  const order: number[] = [];
  const waiting = new Map<number, number>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    for (const k of consumers.get(queue[q]) ?? []) {
      if (done.has(k) || inRegion.has(k) || !ELEMENTWISE.has(nodes[k].op_type)) continue;
      // Inputs still to come: those neither produced in the region nor scalar constants (counted once, on first sight).
      let left = waiting.get(k);
      if (left === undefined) left = nodes[k].input.filter((inp) => constants.get(inp)?.data.length !== 1).length;
      left--; // this tensor: `consumers` lists k once per input slot it fills
      waiting.set(k, left);
      if (left > 0) continue;
      if (order.length === MAX_REGION_NODES)
        return `span more than ${MAX_REGION_NODES} elementwise nodes, more than any activation`;
      inRegion.add(k);
      order.push(k);
      for (const o of nodes[k].output) queue.push(o);
    }
  }
  if (order.length === 0) return 'are not one elementwise activation';
  const internal = new Set<string>();
  for (const k of order) for (const i of nodes[k].input) internal.add(i);
  const outputs = order.flatMap((k) => nodes[k].output).filter((o) => !internal.has(o));
  const outputSet = new Set(outputs);
  // Every other consumer of the region's tensors must be inside it.
  for (const k of order)
    for (const o of nodes[k].output)
      for (const c of consumers.get(o) ?? [])
        if (!inRegion.has(c) && !outputSet.has(o)) return 'are not one elementwise activation';
  for (const c of consumers.get(start) ?? [])
    if (!inRegion.has(c) && !done.has(c)) return 'are not one elementwise activation';
  return outputs.length === 1 ? { order, output: outputs[0] } : 'are not one elementwise activation';
}

function evaluateRegion(
  nodes: readonly Node[],
  order: number[],
  start: string,
  output: string,
  constants: Map<string, Tensor>,
  x: number,
): number {
  const values = new Map<string, number>([[start, x]]);
  const value = (name: string) => values.get(name) ?? constants.get(name)!.data[0];
  for (const k of order) {
    const node = nodes[k];
    const [a, b] = node.input.map(value);
    let r: number;
    switch (node.op_type) {
      case 'Add':
        r = a + b;
        break;
      case 'Sub':
        r = a - b;
        break;
      case 'Mul':
        r = a * b;
        break;
      case 'Div':
        r = a / b;
        break;
      case 'Max':
        r = node.input.map(value).reduce((p, q) => Math.max(p, q));
        break;
      case 'Min':
        r = node.input.map(value).reduce((p, q) => Math.min(p, q));
        break;
      case 'Neg':
        r = -a;
        break;
      default:
        r = a;
    }
    values.set(node.output[0], r);
  }
  return values.get(output)!;
}

/** Identifies f as identity, leaky ReLU or PLU by its values (within 1e-6 relative on a grid), else undefined. */
function recogniseActivation(f: (x: number) => number): OutputActivation | undefined {
  const grid = Array.from({ length: 401 }, (_, k) => -20 + k / 10);
  const close = (g: (x: number) => number) => grid.every((x) => Math.abs(f(x) - g(x)) <= 1e-6 * (1 + Math.abs(x)));
  if (close((x) => x)) return { kind: 'identity' };
  const alpha = f(20) - f(19);
  const slopeNeg = f(-19) - f(-20);
  if (
    Math.abs(f(1e-3) - 1e-3) < 1e-9 &&
    Math.abs(slopeNeg - 1) > 1e-9 &&
    close((x) => (x >= 0 ? x : slopeNeg * x)) &&
    slopeNeg > 0
  ) {
    return { kind: 'leaky_relu', slope: round(slopeNeg) };
  }
  if (alpha > 0 && Math.abs(alpha - 1) > 1e-9) {
    const c = (f(20) - alpha * 20) / (1 - alpha);
    const plu = (x: number) => Math.max(alpha * (x + c) - c, Math.min(alpha * (x - c) + c, x));
    if (c >= 0 && close(plu)) return { kind: 'plu', alpha: round(alpha), c: round(c) };
  }
  return undefined;
}

/** Float32 constants read back as float64 carry noise past the 7th digit: 0.1 arrives as 0.10000000149. */
function round(v: number): number {
  return Number(v.toPrecision(7));
}

export const onnxFormat: ModelFormat = {
  id: FORMAT_ID,
  label: 'ONNX',
  extensions: ['.onnx'],
  match(bytes) {
    // A ModelProto starts with ir_version (field 1, varint): tag 0x08 and a small version.
    return bytes.length > 8 && bytes[0] === 0x08 && bytes[1] > 0 && bytes[1] < 64;
  },
  open(bytes, fallbackName, options) {
    return guardReader(FORMAT_ID, 'Cannot use this ONNX model', () => {
      if (bytes.length > MAX_ONNX_BYTES)
        fail(`the file is ${bytes.length} bytes, over the ${MAX_ONNX_BYTES}-byte limit`);
      return parseOnnxModel(bytes, fallbackName, options);
    });
  },
};
