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
  /** The output's image shape [height, width], recorded with the model (height × width must equal its n). */
  readonly imageShape?: readonly [number, number];
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
  /**
   * Removes an imported model from the workspace (its folder). Bundled models
   * are part of the app and refused (`forbidden`), and so is a model a queued
   * or running run uses (`conflict`); finished runs keep the model's summary
   * and SHA-256 in their spec and stay readable.
   */
  deleteModel(request: { id: string }): Promise<Result<{ id: string }>>;
  /**
   * Queues a run of a job spec, the same JSON as `pursuit-lab experiment`;
   * its `model` is a workspace model id (listModels) or a `random:` spec.
   * Runs go one at a time, in order; each uses the configured workers.
   */
  startRun(request: { spec: Record<string, unknown> }): Promise<Result<RunInfo>>;
  /** Every run of the workspace, oldest first, with live progress for the running one. */
  listRuns(): Promise<Result<RunInfo[]>>;
  getRun(request: { id: string }): Promise<Result<RunDetail>>;
  /** Stops a queued or running run; its finished chunks are kept (resumeRun finishes it). */
  cancelRun(request: { id: string }): Promise<Result<RunInfo>>;
  /** Queues an interrupted, cancelled or failed run again; only its missing chunks are computed. */
  resumeRun(request: { id: string }): Promise<Result<RunInfo>>;
  /**
   * A run's result so far, while it runs: for a sweep the grid points whose
   * signals are all done, for a noise job the σ's done (each exactly as the
   * finished run will have it); null for the other kinds.
   */
  getRunPartial(request: { id: string }): Promise<Result<{ id: string; result: unknown }>>;
  /**
   * A file of a finished run's folder — `report.html`, `report.pdf` or
   * `figures/<name>` — for the renderer to offer as a download (browser mode).
   */
  readRunFile(request: { id: string; name: string }): Promise<Result<{ name: string; bytes: Uint8Array }>>;
  /** Shows a run's folder in the system's file manager (the desktop app); `unsupported` in browser mode. */
  revealRun(request: { id: string }): Promise<Result<null>>;
  /** Deletes a run folder (not a queued or running one: cancel it first). */
  deleteRun(request: { id: string }): Promise<Result<{ id: string }>>;
  /**
   * Writes a finished run's report into its folder: figures (SVG, PNG, the
   * options as JSON), tidy CSV, report.html and, where it can, report.pdf
   * (the Electron app prints with its own Chromium; browser mode with the
   * system's). Formats default to all of them.
   */
  exportRunReport(request: { id: string; formats?: ReportFormat[] }): Promise<Result<ReportFiles>>;
  getJobSettings(): Promise<Result<JobSettings>>;
  /**
   * Starts the worker threads for a model ahead of its first run (the wizard
   * calls it once a model is chosen and a step that runs is open): the host
   * keeps them, so that run starts on loaded threads. Does nothing while a run
   * runs (its pool is kept after it). Answers the thread count.
   */
  prepareRuns(request: { model: string }): Promise<Result<{ workers: number }>>;
  /** Saves the worker count for later runs; null goes back to the default. */
  setJobWorkers(request: { count: number | null }): Promise<Result<JobSettings>>;
}

export type HostMethod = keyof HostApi;

/** Where a run stands (status.json's state; `interrupted`: its process died mid-run). */
/**
 * A run's state. `partial`: a shard (`--shard K/N`) finished its share of the
 * chunks, but the folder does not hold them all yet; `experiment --merge` (or
 * the last shard of a shared folder) completes it.
 */
export type RunState = 'queued' | 'running' | 'interrupted' | 'cancelled' | 'failed' | 'done' | 'partial';

/** A run of the workspace, as listRuns and getRun show it. */
export interface RunInfo {
  readonly id: string;
  /** The run folder on the host, `<workspace>/runs/<id>`. */
  readonly dir: string;
  /** Job kind (invert, check, sweep, trained, noise, project); absent for an unreadable folder. */
  readonly kind?: string;
  /** The spec's model: a workspace model id or a random: spec. */
  readonly model?: string;
  readonly state: RunState | 'unreadable';
  readonly chunksDone: number;
  readonly chunksTotal: number;
  /** Signals finished, for jobs cut into blocks of signals (invert, check). */
  readonly signalsDone?: number;
  /** Seconds left at the pace of this session's chunks; null before the first chunk or when not running. */
  readonly etaSeconds?: number | null;
  readonly created?: string;
  /** Why it failed, one line. */
  readonly error?: string;
}

/** getRun's answer: the run, and its result.json (parsed) once done. */
export interface RunDetail extends RunInfo {
  readonly result?: unknown;
}

export const REPORT_FORMATS = ['html', 'pdf', 'svg', 'png', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What exportRunReport wrote. */
export interface ReportFiles {
  /** Absolute paths on the host, in the run folder. */
  readonly files: string[];
  /** What was not done, one line each (e.g. no Chromium for the PDF in browser mode). */
  readonly notes: string[];
}

/** The job settings an app keeps in `<workspace>/settings.json`. */
export interface JobSettings {
  /** Worker threads a run uses. */
  readonly workers: number;
  /** True when `workers` is the default, os.availableParallelism(), not a saved choice. */
  readonly isDefault: boolean;
}

/** Events from host to every renderer. */
export interface HostEvents {
  /** The model list changed (a model was imported, possibly by another window). */
  'models-changed': { models: ModelInfo[] };
  /**
   * A run's progress: at most ten a second per run, and always on a change of
   * state (queued, running, and the final one).
   */
  'run-progress': RunProgressEvent;
}

export interface RunProgressEvent {
  readonly id: string;
  readonly state: RunState;
  readonly chunksDone: number;
  readonly chunksTotal: number;
  readonly signalsDone?: number;
  readonly etaSeconds: number | null;
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
  'deleteModel',
  'startRun',
  'listRuns',
  'getRun',
  'cancelRun',
  'resumeRun',
  'getRunPartial',
  'readRunFile',
  'revealRun',
  'deleteRun',
  'exportRunReport',
  'getJobSettings',
  'prepareRuns',
  'setJobWorkers',
] as const satisfies readonly HostMethod[];

export const HOST_EVENTS = ['models-changed', 'run-progress'] as const satisfies readonly HostEventName[];

/** The single argument of a method (undefined for methods without one). */
export type HostRequest<M extends HostMethod> = Parameters<HostApi[M]> extends [infer A] ? A : undefined;
