/** Where the CLI writes; the real process in use, a buffer in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal: progress then redraws one line instead of printing a line a second. */
  readonly errIsTerminal?: boolean;
}

/** A problem with the command line itself (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A problem with the input (unreadable file, bad model): exit code 1. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
