/**
 * What an ONNX file holds, counted from the protobuf wire format without
 * decoding it: protobufjs builds an object for every node and attribute, so
 * a 26 MB file of a million empty nodes costs gigabytes before the reader
 * sees it. The census lets the reader refuse such a file first.
 */
export interface OnnxCensus {
  /** Nodes of the main graph and of local functions. */
  readonly nodes: number;
  /** Initializers of the main graph. */
  readonly initializers: number;
  /** Elements the initializers and Constant tensors declare (dims multiplied): what decoding them allocates. */
  readonly elements: number;
  /** Index of the first node with a subgraph attribute (If, Loop, Scan), if any. */
  readonly subgraphNode?: number;
}

// Field numbers from onnx.proto.
const MODEL_GRAPH = 7;
const MODEL_FUNCTIONS = 25;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const FUNCTION_NODE = 7;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_T = 5;
const ATTRIBUTE_G = 6;
const ATTRIBUTE_TENSORS = 10;
const ATTRIBUTE_GRAPHS = 11;
const TENSOR_DIMS = 1;

type Visit = (field: number, wire: number, start: number, end: number, value: number) => void;

/**
 * Counts nodes, initializers and declared elements.
 * @throws Error (caught by the reader's guard) when the bytes are not a protobuf message.
 */
export function onnxCensus(bytes: Uint8Array): OnnxCensus {
  let nodes = 0;
  let initializers = 0;
  let elements = 0;
  let subgraphNode: number | undefined;

  const tensorElements = (start: number, end: number) => {
    let product = 1;
    scan(bytes, start, end, (field, wire, s, e, value) => {
      if (field !== TENSOR_DIMS) return;
      if (wire === 0) product *= value;
      else if (wire === 2) {
        // Packed dims: varints back to back.
        for (let at = s; at < e;) {
          const [dim, next] = readVarint(bytes, at);
          product *= dim;
          at = next;
        }
      }
    });
    return product;
  };
  const node = (start: number, end: number) => {
    const index = nodes++;
    scan(bytes, start, end, (field, wire, s, e) => {
      if (field !== NODE_ATTRIBUTE || wire !== 2) return;
      scan(bytes, s, e, (f, w, ts, te) => {
        if (w !== 2) return;
        if (f === ATTRIBUTE_T || f === ATTRIBUTE_TENSORS) elements += tensorElements(ts, te);
        else if ((f === ATTRIBUTE_G || f === ATTRIBUTE_GRAPHS) && subgraphNode === undefined) subgraphNode = index;
      });
    });
  };
  scan(bytes, 0, bytes.length, (field, wire, start, end) => {
    if (wire !== 2) return;
    if (field === MODEL_GRAPH) {
      scan(bytes, start, end, (f, w, s, e) => {
        if (w !== 2) return;
        if (f === GRAPH_NODE) node(s, e);
        else if (f === GRAPH_INITIALIZER) {
          initializers++;
          elements += tensorElements(s, e);
        }
      });
    } else if (field === MODEL_FUNCTIONS) {
      scan(bytes, start, end, (f, w, s, e) => {
        if (f === FUNCTION_NODE && w === 2) node(s, e);
      });
    }
  });
  return { nodes, initializers, elements, subgraphNode };
}

/** Calls `visit` for each field of the message in bytes[start, end); length-delimited fields get their extent. */
function scan(bytes: Uint8Array, start: number, end: number, visit: Visit): void {
  let at = start;
  while (at < end) {
    const [key, afterKey] = readVarint(bytes, at);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    at = afterKey;
    switch (wire) {
      case 0: {
        const [value, next] = readVarint(bytes, at);
        visit(field, wire, at, next, value);
        at = next;
        break;
      }
      case 1:
        at += 8;
        break;
      case 2: {
        const [length, next] = readVarint(bytes, at);
        if (next + length > end) throw new Error(`field ${field} runs past the end of its message`);
        visit(field, wire, next, next + length, length);
        at = next + length;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new Error(`invalid wire type ${wire} at offset ${at}`);
    }
    if (at > end) throw new Error('a field runs past the end of its message');
  }
}

/** A base-128 varint at `at`: its value (exact up to 2^53) and the offset after it. */
function readVarint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < at + 10; i++) {
    if (i >= bytes.length) throw new Error('a varint runs past the end of the file');
    const b = bytes[i];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return [value, i + 1];
  }
  throw new Error(`a varint at offset ${at} is longer than 10 bytes`);
}
