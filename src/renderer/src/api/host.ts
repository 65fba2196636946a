import { inject, type App, type InjectionKey } from 'vue';
import type { HostClient } from '../../../shared/contract';
import { createBridgeClient } from './bridgeClient';

/** Why no host could be reached, shown instead of the app. */
export class NoHostError extends Error {}

const HOST_KEY: InjectionKey<HostClient> = Symbol('host');

/**
 * Picks the host client once, at start: Electron's preload API when present,
 * else the HTTP bridge with the token from the page address.
 */
export function createHostClient(): HostClient {
  if (window.api !== undefined) return window.api;
  const token = new URLSearchParams(window.location.search).get('token');
  if (token === null || token === '') {
    throw new NoHostError(
      'This page needs the access token. Open the exact address that `npm start` (or `npm run web`) printed: it ends in ?token=…',
    );
  }
  return createBridgeClient(token);
}

let client: HostClient | undefined;
let clientError: NoHostError | undefined;

export function provideHostClient(app: App): void {
  try {
    client = createHostClient();
    app.provide(HOST_KEY, client);
  } catch (e) {
    if (!(e instanceof NoHostError)) throw e;
    clientError = e;
  }
}

/** The host client, or the reason there is none. */
export function hostClientState(): { client?: HostClient; error?: string } {
  return { client, error: clientError?.message };
}

/** For stores: the host client (throws if called where none exists, a bug). */
export function useHostClient(): HostClient {
  const c = inject(HOST_KEY, client);
  if (c === undefined) throw new Error('no host client');
  return c;
}
