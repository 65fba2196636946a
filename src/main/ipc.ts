import { BrowserWindow, ipcMain, type WebFrameMain } from 'electron';
import { HOST_METHODS, type HostApi } from '../shared/contract';
import { err } from '../shared/result';
import { validateRequest } from '../shared/validate';
import type { EventHub } from './services/events';

/** Channel names: `api:<method>` for requests, `event:<name>` for events. */
export const requestChannel = (method: string) => `api:${method}`;
export const eventChannel = (event: string) => `event:${event}`;

/**
 * The only place that touches ipcMain: registers every contract method,
 * checking the sender frame (`isTrusted`: our own page's top frame, not a
 * subframe or a page navigated elsewhere) and validating each payload before
 * the service sees it, and forwards host events to every window. Stack
 * traces go to `log`, never back over IPC. Returns a function that undoes both.
 */
export function registerIpc(
  api: HostApi,
  events: EventHub,
  isTrusted: (frame: WebFrameMain | null) => boolean,
  log: (text: string) => void = (text) => console.error(text),
): () => void {
  for (const method of HOST_METHODS) {
    ipcMain.handle(requestChannel(method), async (event, payload: unknown) => {
      if (!isTrusted(event.senderFrame)) {
        log(`IPC ${method} refused from an untrusted frame (${event.senderFrame?.url ?? 'gone'})`);
        return err('forbidden', 'this page may not call the host');
      }
      const valid = validateRequest(method, payload);
      if (!valid.ok) return valid;
      const call = api[method] as (arg: unknown) => Promise<unknown>;
      try {
        return await call.call(api, valid.value);
      } catch (e) {
        log(`IPC ${method} failed: ${(e as Error)?.stack ?? String(e)}`);
        return err('internal', `Unexpected error: ${String((e as Error)?.message ?? e).split('\n')[0]}`);
      }
    });
  }
  const unsubscribe = events.subscribe((event, payload) => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send(eventChannel(event), payload);
  });
  return () => {
    unsubscribe();
    for (const method of HOST_METHODS) ipcMain.removeHandler(requestChannel(method));
  };
}
