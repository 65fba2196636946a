// comlink ships its Node adapter as plain ESM; its .d.ts sits beside it under
// a name TypeScript does not pair with the .mjs path, so declare it here.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  import type { MessagePort, Worker } from 'node:worker_threads';
  export default function nodeEndpoint(nep: MessagePort | Worker): Endpoint;
}
