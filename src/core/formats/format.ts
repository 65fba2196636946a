import type { OutputActivation } from '../model/activations';
import type { Generator, ImageShape } from '../model/generator';
import type { ReadLimits } from './budget';

/** What a weights-only file (safetensors, npz) cannot tell by itself, and the limits every reader checks. */
export interface OpenOptions extends ReadLimits {
  /** An architecture sidecar (`pursuit-lab/architecture` JSON bytes). */
  readonly architecture?: Uint8Array;
  /** The output activation, when there is no sidecar. */
  readonly output?: OutputActivation;
  /**
   * The output's image shape [height, width], recorded with the model at
   * import (any format); height × width must equal the output's n. It
   * replaces one the file or its sidecar records.
   */
  readonly imageShape?: ImageShape;
}

/** A model reader: a cheap content check, then a full parse of the bytes. */
export interface ModelFormat {
  /** Stable identifier, e.g. `json`. */
  readonly id: string;
  /** Display name, e.g. `Pursuit Lab JSON`. */
  readonly label: string;
  /** File name endings this format usually has (for file pickers only). */
  readonly extensions: readonly string[];
  /** True when the bytes look like this format (magic bytes; never a full parse). */
  match(bytes: Uint8Array): boolean;
  /**
   * Parses the bytes into a generator.
   * @param fallbackName used as the model's name when the file carries none.
   * @throws ModelFormatError naming the problem.
   */
  open(bytes: Uint8Array, fallbackName: string, options?: OpenOptions): Generator;
}
