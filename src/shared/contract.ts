import type { GeneratorSummary } from '../core/model/summary';
import type { Result } from './result';

/** A model the host knows: bundled with the app or imported into the workspace. */
export interface ModelInfo {
  /** Stable id: `bundled:<file>` or the first 16 hex digits of the file's SHA-256. */
  readonly id: string;
  readonly fileName: string;
  /** Reader that opened it, e.g. `json`. */
  readonly format: string;
  readonly source: 'bundled' | 'workspace';
  /** SHA-256 of the original file, hex. */
  readonly sha256: string;
  /** Size of the original file in bytes. */
  readonly fileBytes: number;
  readonly summary: GeneratorSummary;
}

/** A file chosen in a native dialog. */
export interface PickedFile {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  readonly architecture?: Uint8Array;
}

export interface ImportRequest {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  /** `pursuit-lab/architecture` JSON for a weights-only file. */
  readonly architecture?: Uint8Array;
  /** Output activation name for a weights-only file without a sidecar. */
  readonly output?: string;
}

/** Output activations a user can choose for a weights-only file. */
export const OUTPUT_ACTIVATION_CHOICES = ['identity', 'tanh', 'sigmoid', 'leaky_relu', 'plu'] as const;

/** A model's weights, as Pursuit Lab JSON bytes, for a worker to parse. */
export interface ModelData {
  readonly info: ModelInfo;
  readonly bytes: Uint8Array;
}

export interface HostInfo {
  readonly host: 'electron' | 'browser';
  readonly version: string;
  /** Folder where imported models and runs are kept. */
  readonly workspace: string;
  /** True where the host can show a native open-file dialog (Electron). */
  readonly nativeDialogs: boolean;
}

/**
 * Requests from renderer to host. Every method takes at most one argument and
 * resolves to a Result; both hosts (Electron IPC and the HTTP bridge)
 * implement exactly this interface.
 */
export interface HostApi {
  hostInfo(): Promise<Result<HostInfo>>;
  /** Bundled models first, then the workspace's, oldest first. */
  listModels(): Promise<Result<ModelInfo[]>>;
  /**
   * Parses, validates and stores a model file the user picked or dropped.
   * Weights-only files (safetensors, npz) also take an architecture sidecar,
   * or the output activation by name (`tanh`, `plu`, …) when they have none;
   * without either they fail with `needs-output-activation`.
   */
  importModel(request: ImportRequest): Promise<Result<ModelInfo>>;
  /**
   * Shows the host's native open dialog and returns the chosen file's bytes
   * (with NAME.arch.json from beside it, when present) for `importModel`;
   * null when the user cancels.
   */
  openModelDialog(): Promise<Result<PickedFile | null>>;
  /** A model's weights for analysis in a worker. */
  getModelData(request: { id: string }): Promise<Result<ModelData>>;
}

export type HostMethod = keyof HostApi;

/** Events from host to every renderer. */
export interface HostEvents {
  /** The model list changed (a model was imported, possibly by another window). */
  'models-changed': { models: ModelInfo[] };
}

export type HostEventName = keyof HostEvents;

/** What the renderer talks to: the requests plus event subscriptions. */
export interface HostClient extends HostApi {
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends HostEventName>(event: K, listener: (payload: HostEvents[K]) => void): () => void;
}

/** Every method, for hosts that register them one by one. */
export const HOST_METHODS = [
  'hostInfo',
  'listModels',
  'importModel',
  'openModelDialog',
  'getModelData',
] as const satisfies readonly HostMethod[];

export const HOST_EVENTS = ['models-changed'] as const satisfies readonly HostEventName[];

/** The single argument of a method (undefined for methods without one). */
export type HostRequest<M extends HostMethod> = Parameters<HostApi[M]> extends [infer A] ? A : undefined;
