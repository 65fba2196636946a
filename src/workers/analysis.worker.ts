/// <reference lib="webworker" />
// Browser Web Worker entry: the renderer reaches it through Comlink.
import { expose } from 'comlink';
import { createAnalysisApi } from './analysis';

expose(createAnalysisApi());
