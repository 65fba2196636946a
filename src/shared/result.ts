/**
 * Expected failures cross every boundary (IPC, HTTP bridge, Comlink) as data,
 * because those channels drop an error's class and often its fields. Callers
 * branch on `code`; exceptions are kept for bugs.
 */
export type ErrorCode =
  /** The request itself is malformed (wrong type, missing field, out of range). */
  | 'bad-request'
  /** A model file could not be read; the message names the problem. */
  | 'model-format'
  /** A weights-only model file needs its output activation chosen (or an architecture sidecar). */
  | 'needs-output-activation'
  /** No model with that id. */
  | 'not-found'
  /** The operation is not available on this host (e.g. a native dialog in browser mode). */
  | 'unsupported'
  /** Refused by the host: missing token, foreign origin. */
  | 'forbidden'
  /** The user cancelled. */
  | 'cancelled'
  /** Reading or writing the workspace failed. */
  | 'io'
  /** Over a stated limit (parse time or memory, request size); the message names the limit. */
  | 'limit'
  /** The operation does not fit the current state (resume a finished run, cancel a done one). */
  | 'conflict'
  /** Anything unexpected: a bug; the message is still shown to the user. */
  | 'internal';

export interface AppError {
  readonly code: ErrorCode;
  /** One line a user can read. */
  readonly message: string;
  /** More detail (a path, a hint) for a "details" disclosure; never a stack trace (hosts log those). */
  readonly detail?: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err<T = never>(code: ErrorCode, message: string, detail?: string): Result<T> {
  return detail === undefined
    ? { ok: false, error: { code, message } }
    : { ok: false, error: { code, message, detail } };
}
