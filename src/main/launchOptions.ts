import { resolve } from 'node:path';

/** Options common to both hosts, from the command line and the environment. */
export interface LaunchOptions {
  /** Port for browser mode; 0 picks a free one. */
  readonly port: number;
  /** Open the system browser on the app's address (browser mode). */
  readonly open: boolean;
  /** Workspace folder; undefined means the host's default. */
  readonly workspace: string | undefined;
}

export class LaunchOptionsError extends Error {
  override readonly name = 'LaunchOptionsError';
}

/**
 * Reads `--port N` (or PURSUIT_LAB_PORT), `--no-open` and `--workspace DIR`
 * (or PURSUIT_LAB_WORKSPACE). Unknown flags are refused so a typo is not ignored;
 * Electron's and Chromium's own switches (`--inspect`, `--enable-logging` …)
 * are passed over only when `allowForeign` is set.
 *
 * @throws LaunchOptionsError naming the bad option.
 */
export function parseLaunchOptions(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  allowForeign = false,
): LaunchOptions {
  let portText = env.PURSUIT_LAB_PORT;
  let portSource = 'PURSUIT_LAB_PORT';
  let open = true;
  let workspace = env.PURSUIT_LAB_WORKSPACE;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new LaunchOptionsError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--port') {
      portText = value();
      portSource = '--port';
    } else if (flag === '--no-open') open = false;
    else if (flag === '--workspace') workspace = value();
    else if (!allowForeign)
      throw new LaunchOptionsError(`unknown option ${arg} (known: --port N, --no-open, --workspace DIR)`);
  }
  let port = 0;
  if (portText !== undefined && portText !== '') {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new LaunchOptionsError(`${portSource} must be a port number from 0 to 65535, got "${portText}"`);
    }
  }
  return { port, open, workspace: workspace === undefined || workspace === '' ? undefined : resolve(workspace) };
}
