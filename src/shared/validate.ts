import { err, ok, type Result } from './result';
import {
  HOST_METHODS,
  OUTPUT_ACTIVATION_CHOICES,
  REPORT_FORMATS,
  type HostMethod,
  type HostRequest,
  type ReportFormat,
} from './contract';

/** Largest model file a renderer may send (bytes). Matches the JSON reader's cap. */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

type Validator<M extends HostMethod> = (payload: unknown) => Result<HostRequest<M>>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const none = (method: string) => (payload: unknown) =>
  payload === undefined || payload === null ? ok(undefined) : err('bad-request', `${method} takes no argument`);

/** Run ids are folder names the host made: nothing that could step outside runs/. */
const runId = (method: string) => (payload: unknown) =>
  isObject(payload) &&
  typeof payload.id === 'string' &&
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(payload.id) &&
  !payload.id.includes('..')
    ? ok({ id: payload.id })
    : err('bad-request', `${method} needs { id } with a run id`);

const validators: { [M in HostMethod]: Validator<M> } = {
  hostInfo: none('hostInfo'),
  listModels: none('listModels'),
  openModelDialog: none('openModelDialog'),
  importModel(payload) {
    if (!isObject(payload)) return err('bad-request', 'importModel needs { fileName, bytes }');
    const { fileName, bytes, architecture, output, imageShape } = payload;
    if (typeof fileName !== 'string' || fileName.length === 0 || fileName.length > 255) {
      return err('bad-request', 'importModel: fileName must be a non-empty string of at most 255 characters');
    }
    if (!(bytes instanceof Uint8Array)) return err('bad-request', 'importModel: bytes must be a Uint8Array');
    if (bytes.length > MAX_IMPORT_BYTES) {
      return err(
        'bad-request',
        `importModel: the file is ${bytes.length} bytes, over the ${MAX_IMPORT_BYTES}-byte limit`,
      );
    }
    if (architecture !== undefined && !(architecture instanceof Uint8Array && architecture.length <= 1024 * 1024)) {
      return err('bad-request', 'importModel: architecture must be a Uint8Array of at most 1 MiB');
    }
    if (
      output !== undefined &&
      !(typeof output === 'string' && (OUTPUT_ACTIVATION_CHOICES as readonly string[]).includes(output))
    ) {
      return err('bad-request', `importModel: output must be one of ${OUTPUT_ACTIVATION_CHOICES.join(', ')}`);
    }
    // Its product against the model's n is checked when the file is parsed (the message names both).
    if (
      imageShape !== undefined &&
      !(
        Array.isArray(imageShape) &&
        imageShape.length === 2 &&
        imageShape.every((v) => Number.isSafeInteger(v) && (v as number) >= 1)
      )
    ) {
      return err('bad-request', 'importModel: imageShape must be [height, width], two positive integers');
    }
    return ok({
      fileName,
      bytes,
      ...(architecture !== undefined ? { architecture } : {}),
      ...(output !== undefined ? { output } : {}),
      ...(imageShape !== undefined ? { imageShape: [imageShape[0] as number, imageShape[1] as number] as const } : {}),
    });
  },
  startRun(payload) {
    if (!isObject(payload) || !isObject(payload.spec))
      return err('bad-request', 'startRun needs { spec } with a job spec object (as for pursuit-lab experiment)');
    return ok({ spec: payload.spec });
  },
  listRuns: none('listRuns'),
  getRun: runId('getRun'),
  cancelRun: runId('cancelRun'),
  resumeRun: runId('resumeRun'),
  getRunPartial: runId('getRunPartial'),
  readRunFile(payload) {
    const name = isObject(payload) ? payload.name : undefined;
    if (
      !isObject(payload) ||
      typeof payload.id !== 'string' ||
      typeof name !== 'string' ||
      !/^(report\.(html|pdf)|figures\/[\w.-]{1,200})$/.test(name) ||
      name.includes('..')
    )
      return err('bad-request', 'readRunFile needs { id, name } with name report.html, report.pdf or figures/<file>');
    return ok({ id: payload.id, name });
  },
  revealRun: runId('revealRun'),
  deleteRun: runId('deleteRun'),
  exportRunReport(payload) {
    const formats = isObject(payload) ? payload.formats : undefined;
    if (
      !isObject(payload) ||
      typeof payload.id !== 'string' ||
      !(
        formats === undefined ||
        (Array.isArray(formats) &&
          formats.length > 0 &&
          formats.every((f) => (REPORT_FORMATS as readonly unknown[]).includes(f)))
      )
    )
      return err(
        'bad-request',
        `exportRunReport needs { id } with a run id, and optionally formats from ${REPORT_FORMATS.join(', ')}`,
      );
    return ok({ id: payload.id, ...(formats !== undefined ? { formats: formats as ReportFormat[] } : {}) });
  },
  getJobSettings: none('getJobSettings'),
  prepareRuns(payload) {
    const model = isObject(payload) ? payload.model : undefined;
    if (typeof model !== 'string' || model.length === 0 || model.length > 10_000)
      return err('bad-request', 'prepareRuns needs { model } with a model id or a random: spec');
    return ok({ model });
  },
  setJobWorkers(payload) {
    const count = isObject(payload) ? payload.count : undefined;
    if (!(count === null || (Number.isInteger(count) && (count as number) >= 1 && (count as number) <= 1024)))
      return err(
        'bad-request',
        'setJobWorkers needs { count } with an integer from 1 to 1024, or null for the default',
      );
    return ok({ count: count as number | null });
  },
  deleteModel(payload) {
    if (!isObject(payload) || typeof payload.id !== 'string' || !/^[\w:.-]{1,200}$/.test(payload.id)) {
      return err('bad-request', 'deleteModel needs { id } with a model id');
    }
    return ok({ id: payload.id });
  },
  getModelData(payload) {
    if (!isObject(payload) || typeof payload.id !== 'string' || !/^[\w:.-]{1,200}$/.test(payload.id)) {
      return err('bad-request', 'getModelData needs { id } with a model id');
    }
    return ok({ id: payload.id });
  },
};

export function isHostMethod(name: string): name is HostMethod {
  return (HOST_METHODS as readonly string[]).includes(name);
}

/** Checks a request payload against the contract before a host acts on it. */
export function validateRequest<M extends HostMethod>(method: M, payload: unknown): Result<HostRequest<M>> {
  return (validators[method] as Validator<M>)(payload);
}
