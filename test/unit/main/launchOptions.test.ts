import { describe, expect, it } from 'vitest';
import { parseLaunchOptions } from '../../../src/main/launchOptions';

describe('launch options', () => {
  it('reads --port, --no-open and --workspace, flags over environment', () => {
    expect(parseLaunchOptions(['--port', '8123', '--no-open'], { PURSUIT_LAB_PORT: '9000' })).toMatchObject({
      port: 8123,
      open: false,
    });
    expect(parseLaunchOptions([], { PURSUIT_LAB_PORT: '9000' })).toMatchObject({
      port: 9000,
      open: true,
      workspace: undefined,
    });
    expect(parseLaunchOptions(['--workspace=/tmp/ws'], {}).workspace).toBe('/tmp/ws');
    expect(parseLaunchOptions([], {}).port).toBe(0);
  });

  it('names the bad option', () => {
    expect(() => parseLaunchOptions(['--port', 'abc'], {})).toThrow(
      '--port must be a port number from 0 to 65535, got "abc"',
    );
    expect(() => parseLaunchOptions([], { PURSUIT_LAB_PORT: '70000' })).toThrow(
      'PURSUIT_LAB_PORT must be a port number',
    );
    expect(() => parseLaunchOptions(['--port'], {})).toThrow('--port needs a value');
    expect(() => parseLaunchOptions(['--prot', '1'], {})).toThrow('unknown option --prot');
  });

  it('passes over foreign switches for Electron', () => {
    expect(parseLaunchOptions(['--enable-logging', '--no-open'], {}, true).open).toBe(false);
  });
});
