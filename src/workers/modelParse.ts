/**
 * Model parsing as a worker job, free of any environment: the host runs it
 * in a Node worker_thread (modelParse.node-worker.ts) under memory and time
 * limits, so a hostile or enormous file costs a worker, never the host's
 * main thread. The answer carries its typed arrays as transferables.
 */
import { transfer } from 'comlink';
import { ModelFormatError, openModel, type OpenOptions } from '../core/formats/index';
import { writeJsonModel } from '../core/formats/json';
import { withCustomActivations } from '../core/model/customActivationLoader';
import type { Generator } from '../core/model/generator';
import { summarizeGenerator, type GeneratorSummary } from '../core/model/summary';

export interface ParseRequest {
  readonly bytes: Uint8Array;
  /** Used for messages and as a fallback model name. */
  readonly fileName: string;
  readonly options?: OpenOptions;
  /** Also write the model as Pursuit Lab JSON (what the workspace stores). @default false */
  readonly wantJson?: boolean;
}

export interface ParsedModel {
  readonly generator: Generator;
  readonly format: { readonly id: string; readonly label: string };
  readonly summary: GeneratorSummary;
  /** UTF-8 Pursuit Lab JSON, when asked for. */
  readonly json?: Uint8Array;
}

/**
 * Why a parse failed. `format`: the file was refused by a reader (one line
 * for the user). `unexpected`: anything else a reader threw (a bug, or an
 * engine limit such as a stack overflow); its stack is for the host's log only.
 */
export type ParseFailure =
  | { readonly kind: 'format'; readonly format: string; readonly message: string; readonly needs?: 'output-activation' }
  | { readonly kind: 'unexpected'; readonly message: string; readonly stack?: string };

export type ParseOutcome =
  { readonly ok: true; readonly value: ParsedModel } | { readonly ok: false; readonly error: ParseFailure };

/**
 * Parses model bytes; never throws (every failure comes back as data). A file
 * with a custom output activation is opened a second time, once the thread has
 * loaded the expression compiler (mathjs: most threads never need it).
 */
export async function parseModel(request: ParseRequest): Promise<ParseOutcome> {
  try {
    const { generator, format } = await withCustomActivations(() =>
      openModel(request.bytes, request.fileName, request.options),
    );
    const json = request.wantJson === true ? new TextEncoder().encode(writeJsonModel(generator)) : undefined;
    return {
      ok: true,
      value: {
        generator,
        format: { id: format.id, label: format.label },
        summary: summarizeGenerator(generator),
        ...(json !== undefined ? { json } : {}),
      },
    };
  } catch (e) {
    if (e instanceof ModelFormatError) {
      return {
        ok: false,
        error: { kind: 'format', format: e.format, message: e.message, ...(e.needs ? { needs: e.needs } : {}) },
      };
    }
    const error = e as Error;
    const message = String(error?.message ?? e).split('\n')[0];
    return { ok: false, error: { kind: 'unexpected', message, ...(error?.stack ? { stack: error.stack } : {}) } };
  }
}

/** Every buffer of a parsed model, to hand over without a copy. */
export function modelBuffers(model: ParsedModel): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const layer of model.generator.layers) {
    buffers.add(layer.W.data.buffer as ArrayBuffer);
    buffers.add(layer.b.buffer as ArrayBuffer);
  }
  if (model.json !== undefined) buffers.add(model.json.buffer as ArrayBuffer);
  return [...buffers];
}

export function createModelParseApi() {
  return {
    /** Answers once the thread has loaded its readers: the host measures a parse's memory from then. */
    ready(): true {
      return true;
    },
    /** Parses and answers with the weights transferred (moved), not cloned. */
    async parse(request: ParseRequest): Promise<ParseOutcome> {
      const outcome = await parseModel(request);
      return outcome.ok ? transfer(outcome, modelBuffers(outcome.value)) : outcome;
    },
  };
}

export type ModelParseApi = ReturnType<typeof createModelParseApi>;
