/**
 * Signals a user gives to the `project` job: bytes in, float64 signals of
 * the generator's output length out, with a record of every step taken
 * (decode, grayscale, resize, value range) so the spec reproduces them.
 *
 * - PNG (fast-png) and JPEG (jpeg-js): one signal, made grayscale with the
 *   ITU-R BT.601 luma Y = 0.299 R + 0.587 G + 0.114 B; alpha is composited on
 *   black (Y·α, the way the paper's MNIST digits sit on a black ground);
 *   resized to the model's square side by area averaging (downscale) or
 *   bilinear interpolation (upscale); [0, maxval] mapped linearly onto
 *   [lo, hi] (default [−1, 1], or [0, 1] for a sigmoid output).
 * - .npy of shape [n] or [count, n] (float16/32/64, int64; npz.ts's reader).
 * - JSON: a list of n numbers, or a list of such lists.
 *
 * Pure (no Node, no DOM): the CLI reads the file and hashes it.
 */
import { decode as decodeJpeg } from 'jpeg-js';
import { convertIndexedToRgb, decode as decodePng, encode as encodePng, type DecodedPng } from 'fast-png';
import type { OutputActivation } from '../model/activations';
import { formatBytes } from './budget';
import { ModelFormatError } from './errors';
import { readNpy } from './npz';

/** A signal file that cannot be used; the message is a one-line headline naming the file and the problem. */
export class SignalInputError extends Error {
  override readonly name = 'SignalInputError';
}

export type SignalFormat = 'png' | 'jpeg' | 'npy' | 'json';

/**
 * Most pixels of an image read: 64 megapixels (512 MiB as float64 gray). A
 * generator's image has thousands of pixels; a larger file is a mistake or a
 * decompression bomb (a PNG of zeros compresses about 1000:1).
 */
export const MAX_IMAGE_PIXELS = 64 * 1024 * 1024;

/**
 * Most numbers of all signals together: 2²² (4 M). The spec carries the
 * signals as JSON (about 20 bytes a number, so ≤ ~80 MB), and every method
 * inverts each of them.
 */
export const MAX_SIGNAL_VALUES = 4 * 1024 * 1024;

/** A grayscale image, row-major, values in [0, 1] (sample / maxval). */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float64Array;
}

/** How an image file became the signal. */
export interface ImageRecord {
  readonly width: number;
  readonly height: number;
  /** `gray`, `gray+alpha`, `rgb`, `rgba`, `palette` (PNG colour types) or `ycc` (JPEG). */
  readonly color: string;
  /** Bits per sample in the file (8 for a JPEG). */
  readonly bitDepth: number;
  /** The grayscale rule applied. */
  readonly grayscale: string;
  readonly resize: {
    readonly from: readonly [number, number];
    readonly to: readonly [number, number];
    readonly method: 'none' | 'area-average' | 'bilinear';
  };
}

/** The value range image pixels were mapped onto, and why that one. */
export interface ValueRange {
  readonly lo: number;
  readonly hi: number;
  readonly reason: string;
}

/** What a signal file gave: `count` signals of length n, and how they were read. */
export interface SignalInput {
  readonly format: SignalFormat;
  /** count × n, signal after signal. */
  readonly signals: number[][];
  /** The shape in the file (npy, JSON). */
  readonly shape?: readonly number[];
  readonly image?: ImageRecord;
  readonly range?: ValueRange;
}

/** The format of a signal file, by its first bytes: PNG, JPEG or npy magic, or `[` (a JSON list). */
export function signalFormat(bytes: Uint8Array): SignalFormat | undefined {
  if (bytes.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => bytes[i] === b))
    return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 6 && [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59].every((b, i) => bytes[i] === b)) return 'npy';
  let i = 0;
  // A UTF-8 BOM, then whitespace, then '[' : a JSON list.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return bytes[i] === 0x5b ? 'json' : undefined;
}

const fail = (where: string, message: string): never => {
  throw new SignalInputError(`${where}: ${message}`);
};

function checkPixels(where: string, width: number, height: number): void {
  if (!(width >= 1 && height >= 1)) fail(where, `the image is ${width}×${height}: it has no pixels`);
  if (width * height > MAX_IMAGE_PIXELS)
    fail(
      where,
      `the image is ${width}×${height} (${((width * height) / 1e6).toFixed(0)} megapixels), over the limit of ${MAX_IMAGE_PIXELS / 1024 / 1024}M pixels (${formatBytes(8 * MAX_IMAGE_PIXELS)} as float64); a generator's image is far smaller: resize it first`,
    );
}

const BT601 = 'ITU-R BT.601 luma 0.299 R + 0.587 G + 0.114 B, alpha composited on black';

/** PNG IHDR width and height, read before the decoder allocates anything. */
function pngSize(bytes: Uint8Array): [number, number] {
  if (bytes.length < 24) return [0, 0];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

function grayFromPng(png: DecodedPng, where: string): { gray: Float64Array; color: string } {
  const { width, height, depth } = png;
  const size = width * height;
  const gray = new Float64Array(size);
  if (png.palette !== undefined) {
    const rgb = convertIndexedToRgb(png);
    const c = png.palette[0]?.length ?? 3;
    for (let p = 0; p < size; p++) {
      const a = c === 4 ? rgb[p * 4 + 3] / 255 : 1;
      gray[p] = ((0.299 * rgb[p * c] + 0.587 * rgb[p * c + 1] + 0.114 * rgb[p * c + 2]) / 255) * a;
    }
    return { gray, color: 'palette' };
  }
  const channels = png.channels;
  const max = 2 ** depth - 1;
  const data = png.data;
  // Depths 1, 2 and 4 (grayscale only, by the PNG spec) stay packed, each row padded to a byte.
  const sample =
    depth >= 8
      ? (p: number, ch: number) => data[p * channels + ch]
      : (p: number) => {
          const row = Math.floor(p / width);
          const bit = (p % width) * depth;
          const byte = data[row * Math.ceil((width * depth) / 8) + (bit >> 3)];
          return (byte >> (8 - depth - (bit & 7))) & max;
        };
  for (let p = 0; p < size; p++) {
    if (channels === 1) gray[p] = sample(p, 0) / max;
    else if (channels === 2) gray[p] = (sample(p, 0) / max) * (sample(p, 1) / max);
    else if (channels === 3 || channels === 4) {
      const y = (0.299 * sample(p, 0) + 0.587 * sample(p, 1) + 0.114 * sample(p, 2)) / max;
      gray[p] = channels === 4 ? (y * sample(p, 3)) / max : y;
    } else fail(where, `a PNG with ${channels} channels`);
  }
  return { gray, color: ['gray', 'gray+alpha', 'rgb', 'rgba'][channels - 1] };
}

/**
 * Decodes a PNG or JPEG to grayscale in [0, 1] (BT.601 luma, alpha over black).
 * @throws SignalInputError for an unreadable or oversized image.
 */
export function decodeGrayImage(
  bytes: Uint8Array,
  where: string,
): { image: GrayImage; color: string; bitDepth: number; format: 'png' | 'jpeg' } {
  const format = signalFormat(bytes);
  if (format === 'png') {
    const [w, h] = pngSize(bytes);
    checkPixels(where, w, h);
    let png: DecodedPng;
    try {
      png = decodePng(bytes);
    } catch (e) {
      return fail(where, `not a readable PNG (${(e as Error).message})`);
    }
    checkPixels(where, png.width, png.height);
    const { gray, color } = grayFromPng(png, where);
    for (const v of gray) if (!Number.isFinite(v)) fail(where, 'the PNG decodes to pixel values that are not numbers');
    return { image: { width: png.width, height: png.height, data: gray }, color, bitDepth: png.depth, format };
  }
  if (format === 'jpeg') {
    let jpg;
    try {
      // The limits make jpeg-js refuse a bomb before it allocates: 64 MP, 1 GiB.
      jpg = decodeJpeg(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
        maxMemoryUsageInMB: 1024,
      });
    } catch (e) {
      return fail(where, `not a readable JPEG (${(e as Error).message})`);
    }
    checkPixels(where, jpg.width, jpg.height);
    const size = jpg.width * jpg.height;
    const gray = new Float64Array(size);
    const d = jpg.data;
    for (let p = 0; p < size; p++) gray[p] = (0.299 * d[4 * p] + 0.587 * d[4 * p + 1] + 0.114 * d[4 * p + 2]) / 255;
    return { image: { width: jpg.width, height: jpg.height, data: gray }, color: 'ycc', bitDepth: 8, format };
  }
  return fail(where, 'not a PNG or JPEG image');
}

/**
 * Resizes a grayscale image to side × side: area averaging when shrinking
 * (each target pixel the mean of the source area it covers, fractional
 * pixels weighted by their overlap; a box filter, no aliasing), bilinear
 * interpolation when enlarging (pixel centres aligned, edges clamped), as is
 * when the size already matches. An axis that shrinks while the other grows
 * is area-averaged along both (the method recorded is the one for the larger
 * scale change).
 */
export function resizeGray(
  image: GrayImage,
  side: number,
): { data: Float64Array; method: ImageRecord['resize']['method'] } {
  const { width: w, height: h, data } = image;
  if (w === side && h === side) return { data: Float64Array.from(data), method: 'none' };
  const out = new Float64Array(side * side);
  if (w >= side && h >= side) {
    const sx = w / side;
    const sy = h / side;
    for (let r = 0; r < side; r++) {
      const y0 = r * sy;
      const y1 = y0 + sy;
      for (let c = 0; c < side; c++) {
        const x0 = c * sx;
        const x1 = x0 + sx;
        let sum = 0;
        for (let y = Math.floor(y0); y < Math.min(h, Math.ceil(y1)); y++) {
          const wy = Math.min(y + 1, y1) - Math.max(y, y0);
          for (let x = Math.floor(x0); x < Math.min(w, Math.ceil(x1)); x++) {
            const wx = Math.min(x + 1, x1) - Math.max(x, x0);
            sum += wx * wy * data[y * w + x];
          }
        }
        out[r * side + c] = sum / (sx * sy);
      }
    }
    return { data: out, method: 'area-average' };
  }
  if (w <= side && h <= side) {
    for (let r = 0; r < side; r++) {
      const fy = Math.min(Math.max(((r + 0.5) * h) / side - 0.5, 0), h - 1);
      const y0 = Math.floor(fy);
      const y1 = Math.min(y0 + 1, h - 1);
      const ty = fy - y0;
      for (let c = 0; c < side; c++) {
        const fx = Math.min(Math.max(((c + 0.5) * w) / side - 0.5, 0), w - 1);
        const x0 = Math.floor(fx);
        const x1 = Math.min(x0 + 1, w - 1);
        const tx = fx - x0;
        const top = data[y0 * w + x0] * (1 - tx) + data[y0 * w + x1] * tx;
        const bottom = data[y1 * w + x0] * (1 - tx) + data[y1 * w + x1] * tx;
        out[r * side + c] = top * (1 - ty) + bottom * ty;
      }
    }
    return { data: out, method: 'bilinear' };
  }
  // Mixed (e.g. 10×40 to 20×20): enlarge the short axis by repetition first, then area-average.
  const k = Math.ceil(side / Math.min(w, h));
  const big = new Float64Array(w * k * h * k);
  for (let y = 0; y < h * k; y++)
    for (let x = 0; x < w * k; x++) big[y * w * k + x] = data[Math.floor(y / k) * w + Math.floor(x / k)];
  return { data: resizeGray({ width: w * k, height: h * k, data: big }, side).data, method: 'area-average' };
}

/** The side of a square image of n pixels, or undefined when n is not a square. */
export function squareSide(n: number): number | undefined {
  const side = Math.round(Math.sqrt(n));
  return side * side === n ? side : undefined;
}

/**
 * The value range image pixels map onto: `given` when the user chose one,
 * else [0, 1] for a sigmoid output (the only values it can produce) and
 * [−1, 1] otherwise (tanh's range, and the usual normalisation of a GAN's
 * training images for an identity output).
 */
export function pixelRange(output: OutputActivation, given?: readonly [number, number]): ValueRange {
  if (given !== undefined) {
    const [lo, hi] = given;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo !== hi))
      throw new SignalInputError(`--range needs two different finite numbers LO,HI, got ${lo},${hi}`);
    return { lo, hi, reason: 'given (--range)' };
  }
  if (output.kind === 'sigmoid')
    return { lo: 0, hi: 1, reason: 'default for a sigmoid output, whose values lie in (0, 1)' };
  if (output.kind === 'tanh') return { lo: -1, hi: 1, reason: 'default: the range of a tanh output' };
  return {
    lo: -1,
    hi: 1,
    reason: `default [−1, 1] for a ${output.kind} output (give --range LO,HI if it was trained otherwise)`,
  };
}

function checkSignals(where: string, signals: number[][], n: number): void {
  if (signals.length === 0) fail(where, 'it holds no signal');
  signals.forEach((s, j) => {
    if (s.length !== n)
      fail(
        where,
        `signal ${j} has ${s.length} values, but the model's output has n = ${n}${signals.length === 1 ? '' : ' (each signal must have n values)'}`,
      );
    for (let i = 0; i < s.length; i++)
      if (!Number.isFinite(s[i]))
        fail(where, `signal ${j}, value ${i} is ${String(s[i])}: every value must be a finite number`);
  });
}

function checkTotal(where: string, count: number, n: number): void {
  if (count * n > MAX_SIGNAL_VALUES)
    fail(where, `${count} signals × ${n} values is over the limit of ${MAX_SIGNAL_VALUES} values in one job: split it`);
}

export interface SignalReadOptions {
  /** The model's output length. */
  readonly n: number;
  /** The model's output activation (picks the default pixel range). */
  readonly output: OutputActivation;
  /** Map image pixels onto [lo, hi] instead of the default. Images only. */
  readonly range?: readonly [number, number];
}

/**
 * Reads a signal file into float64 signals of length n, with a record of how.
 * @param where the file's name, for messages.
 * @throws SignalInputError naming the file and the problem (wrong length,
 *   a non-square output for an image, NaN, an unreadable or oversized file).
 */
export function readSignalInput(bytes: Uint8Array, where: string, options: SignalReadOptions): SignalInput {
  const { n } = options;
  const format = signalFormat(bytes);
  if (format === undefined)
    return fail(where, 'not a PNG, JPEG, .npy or JSON list of numbers (read by its first bytes, whatever its name)');
  if (format !== 'png' && format !== 'jpeg' && options.range !== undefined)
    fail(
      where,
      `--range maps image pixels; a${format === 'npy' ? 'n .npy' : ' JSON'} file gives the values themselves`,
    );
  if (format === 'png' || format === 'jpeg') {
    const side = squareSide(n);
    if (side === undefined)
      fail(where, `an image needs a model whose output is a square image, but its output has n = ${n} values`);
    const range = pixelRange(options.output, options.range);
    const decoded = decodeGrayImage(bytes, where);
    const { data, method } = resizeGray(decoded.image, side!);
    const signal = Array.from(data, (v) => range.lo + (range.hi - range.lo) * v);
    return {
      format,
      signals: [signal],
      image: {
        width: decoded.image.width,
        height: decoded.image.height,
        color: decoded.color,
        bitDepth: decoded.bitDepth,
        grayscale: decoded.color === 'gray' ? 'as stored' : BT601,
        resize: { from: [decoded.image.width, decoded.image.height], to: [side!, side!], method },
      },
      range,
    };
  }
  if (format === 'npy') {
    let tensor;
    try {
      tensor = readNpy(bytes, where);
    } catch (e) {
      if (e instanceof ModelFormatError)
        return fail(where, e.message.replace(/^Not a valid npz file: /, 'not a valid .npy file: '));
      throw e;
    }
    const { shape, data } = tensor;
    if (!(shape.length === 1 || shape.length === 2))
      fail(where, `the array has shape [${shape.join(', ')}]; a signal file holds [n] or [count, n]`);
    const [count, len] = shape.length === 1 ? [1, shape[0]] : [shape[0], shape[1]];
    if (len !== n)
      fail(
        where,
        `the array has shape [${shape.join(', ')}], but the model's output has n = ${n} (want [${n}] or [count, ${n}])`,
      );
    checkTotal(where, count, n);
    const signals = Array.from({ length: count }, (_, j) => Array.from(data.subarray(j * n, (j + 1) * n)));
    checkSignals(where, signals, n);
    return { format, signals, shape };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8').decode(bytes));
  } catch (e) {
    return fail(where, `not valid JSON (${(e as Error).message})`);
  }
  const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
  let signals: number[][];
  if (isNumbers(raw)) signals = [raw];
  else if (Array.isArray(raw) && raw.every(isNumbers)) signals = raw;
  else return fail(where, 'JSON signals are a list of n numbers, or a list of such lists');
  checkTotal(where, signals.length, n);
  checkSignals(where, signals, n);
  return { format, signals, shape: isNumbers(raw) ? [signals[0].length] : [signals.length, n] };
}

/** How a mask image was read. */
export interface MaskRecord extends ImageRecord {
  /** The rule: a pixel is hidden when its gray value < 0.5 (black = hidden). */
  readonly rule: string;
  readonly hidden: number;
}

/**
 * Reads a mask image (black = hidden): decoded like a signal image, resized
 * to the model's side, a pixel hidden when its gray value (in [0, 1]) is
 * below 0.5. Its size must be the model's side × side or, for an image
 * signal, the signal image's own size.
 * @returns the hidden pixels' indices (row-major, increasing) and how they were read.
 */
export function readMaskImage(
  bytes: Uint8Array,
  where: string,
  n: number,
  imageSize?: readonly [number, number],
): { hidden: number[]; record: MaskRecord } {
  const side = squareSide(n);
  if (side === undefined) return fail(where, `a mask image needs a square model output, but it has n = ${n} values`);
  const decoded = decodeGrayImage(bytes, where);
  const { width, height } = decoded.image;
  const fits =
    (width === side && height === side) ||
    (imageSize !== undefined && width === imageSize[0] && height === imageSize[1]);
  if (!fits)
    fail(
      where,
      `the mask is ${width}×${height}, but it must be ${side}×${side} (the model's image)${imageSize !== undefined ? ` or ${imageSize[0]}×${imageSize[1]} (the input image)` : ''}`,
    );
  const { data, method } = resizeGray(decoded.image, side);
  const hidden: number[] = [];
  for (let i = 0; i < data.length; i++) if (data[i] < 0.5) hidden.push(i);
  if (hidden.length === n) fail(where, 'the mask hides every pixel: nothing is left to invert');
  return {
    hidden,
    record: {
      width,
      height,
      color: decoded.color,
      bitDepth: decoded.bitDepth,
      grayscale: decoded.color === 'gray' ? 'as stored' : BT601,
      resize: { from: [width, height], to: [side, side], method },
      rule: 'hidden where the gray value (0 black … 1 white) is below 0.5',
      hidden: hidden.length,
    },
  };
}

/**
 * A square signal as a 16-bit grayscale PNG, [lo, hi] mapped linearly onto
 * 0 … 65535 (values outside clamped): the inverse of reading an image with
 * that range, to 1/65535 of it, so a written G(ẑ) reads back as itself.
 * @throws RangeError when the signal is not a square image.
 */
export function encodeGrayPng(values: readonly number[], range: { lo: number; hi: number }): Uint8Array {
  const side = squareSide(values.length);
  if (side === undefined)
    throw new RangeError(`a PNG needs a square image, but the signal has ${values.length} values`);
  const data = Uint16Array.from(values, (v) =>
    Math.round(65535 * Math.min(1, Math.max(0, (v - range.lo) / (range.hi - range.lo)))),
  );
  return encodePng({ width: side, height: side, channels: 1, depth: 16, data });
}
