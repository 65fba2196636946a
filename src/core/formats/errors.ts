import { CustomActivationsNotLoadedError } from '../model/customActivationLoader';

/** Longest message a reader gives: names from a file (tensors, nodes) are quoted in messages and may be any length. */
const MAX_MESSAGE_LENGTH = 400;

/**
 * A model file that cannot be read. The message is written as a headline for
 * the user ("… : layers[1].b has 299 entries but W has 300 rows"); `format`
 * names the reader that refused it. It is always one line (newlines are
 * folded into spaces) of at most 400 characters, and never carries a stack.
 */
export class ModelFormatError extends Error {
  override readonly name = 'ModelFormatError';
  constructor(
    readonly format: string,
    message: string,
    /** Set when the file is fine but needs more from the user (the output activation of a weights-only file). */
    readonly needs?: 'output-activation',
  ) {
    super(oneLine(message));
  }
}

function oneLine(message: string): string {
  const line = message.replace(/\s*[\r\n]+\s*/g, ' ');
  return line.length > MAX_MESSAGE_LENGTH ? `${line.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : line;
}

/**
 * Runs a reader and turns anything it throws into a ModelFormatError: a
 * hostile file must end in a one-line refusal, never in a RangeError, a
 * protobuf decode error or a stack overflow escaping to the host.
 * @param headline starts the message of an unexpected error, e.g. `Cannot use this ONNX model`.
 */
export function guardReader<T>(format: string, headline: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    // Not the file's fault: the host has to load the custom-activation compiler and open it again.
    if (e instanceof ModelFormatError || e instanceof CustomActivationsNotLoadedError) throw e;
    throw new ModelFormatError(format, `${headline}: ${describeUnexpected(e)}`);
  }
}

/** A short reason for an unexpected error, without its stack. */
function describeUnexpected(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof RangeError && /call stack/i.test(message)) return 'the file is nested too deeply to read';
  if (e instanceof RangeError && /(array|buffer) length|allocation/i.test(message)) {
    return `it declares a size that cannot be allocated (${message.split('\n')[0]})`;
  }
  const name = e instanceof Error ? e.name : 'error';
  return `the reader stopped on malformed data (${name}: ${message.split('\n')[0]})`;
}
