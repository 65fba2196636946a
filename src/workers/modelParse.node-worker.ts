// Node worker_threads entry of the model parser: the host starts one per
// parse, under resourceLimits and a time limit (src/main/services/modelParser.ts).
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createModelParseApi } from './modelParse';

if (parentPort === null) throw new Error('modelParse.node-worker must run as a worker thread');
expose(createModelParseApi(), nodeEndpoint(parentPort));
