/**
 * The only bridge between the sandboxed renderer and the main process:
 * `window.api` implements the contract with one function per operation.
 * Never exposes ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { HOST_EVENTS, type HostClient, type HostEventName } from '../shared/contract';

const invoke = (method: string, payload?: unknown) => ipcRenderer.invoke(`api:${method}`, payload);

const api: HostClient = {
  hostInfo: () => invoke('hostInfo'),
  listModels: () => invoke('listModels'),
  importModel: (request) => invoke('importModel', request),
  openModelDialog: () => invoke('openModelDialog'),
  getModelData: (request) => invoke('getModelData', request),
  deleteModel: (request) => invoke('deleteModel', request),
  startRun: (request) => invoke('startRun', request),
  listRuns: () => invoke('listRuns'),
  getRun: (request) => invoke('getRun', request),
  cancelRun: (request) => invoke('cancelRun', request),
  resumeRun: (request) => invoke('resumeRun', request),
  getRunPartial: (request) => invoke('getRunPartial', request),
  readRunFile: (request) => invoke('readRunFile', request),
  revealRun: (request) => invoke('revealRun', request),
  deleteRun: (request) => invoke('deleteRun', request),
  exportRunReport: (request) => invoke('exportRunReport', request),
  getJobSettings: () => invoke('getJobSettings'),
  prepareRuns: (request) => invoke('prepareRuns', request),
  setJobWorkers: (request) => invoke('setJobWorkers', request),
  on(event, listener) {
    if (!(HOST_EVENTS as readonly HostEventName[]).includes(event)) throw new Error(`unknown event "${event}"`);
    const channel = `event:${event}`;
    const handler = (_e: IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
};

contextBridge.exposeInMainWorld('api', api);
