/// <reference types="vite/client" />
import type { HostClient } from '../../shared/contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    readonly api?: HostClient;
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
