import { BrowserWindow, ipcMain } from 'electron';
import { HOST_METHODS, type HostApi } from '../shared/contract';
import { err } from '../shared/result';
import { validateRequest } from '../shared/validate';
import type { EventHub } from './services/events';

/** Channel names: `api:<method>` for requests, `event:<name>` for events. */
export const requestChannel = (method: string) => `api:${method}`;
export const eventChannel = (event: string) => `event:${event}`;

/**
 * The only place that touches ipcMain: registers every contract method,
 * validating each payload before the service sees it, and forwards host
 * events to every window. Returns a function that undoes both.
 */
export function registerIpc(api: HostApi, events: EventHub): () => void {
  for (const method of HOST_METHODS) {
    ipcMain.handle(requestChannel(method), async (_event, payload: unknown) => {
      const valid = validateRequest(method, payload);
      if (!valid.ok) return valid;
      const call = api[method] as (arg: unknown) => Promise<unknown>;
      try {
        return await call.call(api, valid.value);
      } catch (e) {
        return err('internal', `Unexpected error: ${(e as Error).message}`, (e as Error).stack);
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
