/**
 * The execArgv of a built worker thread. Threads do not inherit `process.setSourceMapsEnabled`
 * (the built CLI's bin turns it on), only the command line's flags: so where source maps are on
 * but not from the command line, the worker gets `--enable-source-maps` too, and its stack traces
 * name src/ files. Undefined otherwise: the worker inherits the process's flags, as by default.
 */
export function sourceMapArgv(): string[] | undefined {
  if (!process.sourceMapsEnabled || process.execArgv.includes('--enable-source-maps')) return undefined;
  return [...process.execArgv, '--enable-source-maps'];
}
