import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { modelFormats, type OpenOptions } from '../../core/formats/index';
import type { ModelData, ModelInfo } from '../../shared/contract';
import { isOtherLiveProcess, removeStaleTemps, syncDir, tempName, tempOwner, writeFileSynced } from './atomic';
import { defaultModelParser, type ModelParser } from './modelParser';

/** The bundled model the app opens first: the paper's trained MNIST generator. */
export const DEFAULT_MODEL = 'mnist-fc-gan.onnx';

/** What summary.json holds for a workspace model. */
interface StoredSummary extends ModelInfo {
  readonly importedAt: string;
}

export interface ModelStoreOptions {
  /** Workspace root; models live in `<workspace>/models/<id>/`. */
  readonly workspace: string;
  /** Folder of models bundled with the app (read-only). */
  readonly bundledDir: string;
  /** File name of the bundled model listed first (the app's default). */
  readonly defaultModel?: string;
  /** Parses model bytes off the main thread, within limits. @default defaultModelParser() */
  readonly parser?: ModelParser;
  /** Where recovery reports what it removed. @default console.error */
  readonly log?: (text: string) => void;
}

/** What start-up recovery removed from the workspace. */
export interface RecoveryReport {
  /** Temporary files and staging folders of killed writes. */
  readonly temps: string[];
  /** Model folders without their summary.json (an import killed half-way by an older version). */
  readonly incompleteModels: string[];
}

/** A workspace model folder's name: the first 16 hex digits of the file's SHA-256. */
const MODEL_ID = /^[0-9a-f]{16}$/;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const knownExtensions = new Set(modelFormats.flatMap((f) => f.extensions));

/**
 * Bundled and imported models. Imports are parsed (in a worker, within
 * limits) before anything is written, so a bad file leaves no trace; then
 * stored as `models/<id>/{source<ext>, model.json, summary.json}`: written
 * and fsynced in a staging folder, renamed into place whole, the models
 * folder fsynced. A `models/<id>` folder is therefore always complete.
 *
 * @throws ModelFormatError from `import` when the file cannot be read as a model,
 *   ParseLimitError when parsing it went over a limit.
 */
export class ModelStore {
  private readonly bundled = new Map<string, { info: ModelInfo; path: string }>();
  private bundledScanned = false;
  private readonly parse: ModelParser;
  private recovered: Promise<RecoveryReport> | undefined;

  constructor(private readonly options: ModelStoreOptions) {
    this.parse = options.parser ?? defaultModelParser();
  }

  get workspace(): string {
    return this.options.workspace;
  }

  private modelsDir(): string {
    return join(this.options.workspace, 'models');
  }

  /**
   * Start-up recovery (once per store; the other methods wait for it):
   * removes what killed writes left behind — temporary files and staging
   * folders whose writer is gone, and model folders without summary.json.
   * A live writer's (another process on the same workspace) are kept.
   */
  recover(): Promise<RecoveryReport> {
    this.recovered ??= this.removeLeftovers();
    return this.recovered;
  }

  private async removeLeftovers(): Promise<RecoveryReport> {
    const temps = await removeStaleTemps(this.options.workspace);
    const incompleteModels: string[] = [];
    const models = this.modelsDir();
    const entries = await readdir(models, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(models, entry.name);
      const owner = tempOwner(entry.name);
      if (owner !== undefined) {
        if (isOtherLiveProcess(owner)) continue;
        await rm(path, { recursive: true, force: true });
        temps.push(`models/${entry.name}`);
        continue;
      }
      if (!entry.isDirectory() || !MODEL_ID.test(entry.name)) continue;
      temps.push(...(await removeStaleTemps(path)).map((n) => `models/${entry.name}/${n}`));
      const complete = await stat(join(path, 'summary.json')).then(
        (s) => s.isFile(),
        () => false,
      );
      // A folder with temp files of a live writer is that writer's business.
      const busy = (await readdir(path).catch(() => [] as string[])).some((n) => {
        const pid = tempOwner(n);
        return pid !== undefined && isOtherLiveProcess(pid);
      });
      if (!complete && !busy) {
        await rm(path, { recursive: true, force: true });
        incompleteModels.push(entry.name);
      }
    }
    if (temps.length > 0 || incompleteModels.length > 0) {
      (this.options.log ?? ((t: string) => console.error(t)))(
        `workspace recovery: removed ${[...temps, ...incompleteModels.map((id) => `models/${id} (incomplete)`)].join(', ')}`,
      );
    }
    return { temps, incompleteModels };
  }

  private async scanBundled(): Promise<void> {
    if (this.bundledScanned) return;
    // A missing bundled-models folder just means nothing bundled to list.
    const first = this.options.defaultModel;
    const names = (await readdir(this.options.bundledDir).catch(() => [] as string[])).sort((a, b) =>
      a === first ? -1 : b === first ? 1 : a < b ? -1 : a > b ? 1 : 0,
    );
    for (const fileName of names) {
      if (!knownExtensions.has(extname(fileName).toLowerCase())) continue;
      const path = join(this.options.bundledDir, fileName);
      const bytes = await readFile(path);
      const { summary, format } = await this.parse(bytes, fileName);
      const id = `bundled:${fileName}`;
      this.bundled.set(id, {
        path,
        info: {
          id,
          fileName,
          format: format.id,
          source: 'bundled',
          sha256: sha256(bytes),
          fileBytes: bytes.length,
          summary,
        },
      });
    }
    this.bundledScanned = true;
  }

  private async workspaceModels(): Promise<StoredSummary[]> {
    let ids: string[];
    try {
      ids = await readdir(this.modelsDir());
    } catch {
      return [];
    }
    const out: StoredSummary[] = [];
    for (const id of ids) {
      try {
        out.push(JSON.parse(await readFile(join(this.modelsDir(), id, 'summary.json'), 'utf8')) as StoredSummary);
      } catch {
        // An unfinished or damaged entry is skipped, never fatal: the other models stay usable.
      }
    }
    return out.sort((a, b) => a.importedAt.localeCompare(b.importedAt));
  }

  /** Bundled models first, then imported ones, oldest first. */
  async list(): Promise<ModelInfo[]> {
    await this.recover();
    await this.scanBundled();
    const imported = (await this.workspaceModels()).map(({ importedAt: _ignored, ...info }) => info);
    return [...[...this.bundled.values()].map((b) => b.info), ...imported];
  }

  /**
   * Imports a model file. Importing the same bytes again returns the
   * existing entry (`created: false`).
   */
  async import(
    fileName: string,
    bytes: Uint8Array,
    options?: OpenOptions,
  ): Promise<{ info: ModelInfo; created: boolean }> {
    await this.recover();
    const { format, summary, json } = await this.parse(bytes, fileName, options, { json: true });
    const hash = sha256(bytes);
    const id = hash.slice(0, 16);
    const dir = join(this.modelsDir(), id);
    const existing = await this.readStored(dir);
    if (existing !== undefined) return { info: existing, created: false };
    const info: ModelInfo = {
      id,
      fileName,
      format: format.id,
      source: 'workspace',
      sha256: hash,
      fileBytes: bytes.length,
      summary,
    };
    const ext =
      extname(fileName)
        .toLowerCase()
        .replace(/[^.\w]/g, '') || '.bin';
    const stored: StoredSummary = { ...info, importedAt: new Date().toISOString() };
    // Everything is written and fsynced in a staging folder, then renamed into place whole:
    // a killed import leaves a staging folder (removed at the next start), never a torn model.
    const staging = tempName(dir);
    await mkdir(staging, { recursive: true });
    try {
      await writeFileSynced(join(staging, `source${ext}`), bytes);
      await writeFileSynced(join(staging, 'model.json'), json!);
      await writeFileSynced(join(staging, 'summary.json'), JSON.stringify(stored, null, 2));
      await syncDir(staging);
      await rename(staging, dir);
    } catch (e) {
      await rm(staging, { recursive: true, force: true });
      // Another process imported the same file meanwhile: theirs is as good as ours.
      const raced = await this.readStored(dir);
      if (raced !== undefined) return { info: raced, created: false };
      throw e;
    }
    await syncDir(this.modelsDir());
    return { info, created: true };
  }

  private async readStored(dir: string): Promise<ModelInfo | undefined> {
    try {
      const stored = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as StoredSummary;
      const { importedAt: _ignored, ...info } = stored;
      return info;
    } catch {
      return undefined; // not imported (yet)
    }
  }

  /**
   * Removes an imported model: its folder is renamed aside first (one atomic
   * step, so the list never shows a half-removed model), then deleted.
   * Bundled models are read-only.
   */
  async remove(id: string): Promise<'removed' | 'bundled' | 'not-found'> {
    await this.recover();
    await this.scanBundled();
    if (this.bundled.has(id) || id.startsWith('bundled:')) return this.bundled.has(id) ? 'bundled' : 'not-found';
    if (!MODEL_ID.test(id)) return 'not-found';
    const dir = join(this.modelsDir(), id);
    if ((await this.readStored(dir)) === undefined) return 'not-found';
    const trash = tempName(dir);
    try {
      await rename(dir, trash);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'not-found'; // removed meanwhile
      throw e;
    }
    await syncDir(this.modelsDir());
    await rm(trash, { recursive: true, force: true });
    return 'removed';
  }

  /** A model's weights as Pursuit Lab JSON bytes; undefined when the id is unknown. */
  /** A model's record, without reading or parsing its weights; undefined where there is no such model. */
  async info(id: string): Promise<ModelInfo | undefined> {
    await this.recover();
    await this.scanBundled();
    const bundled = this.bundled.get(id);
    if (bundled !== undefined) return bundled.info;
    return MODEL_ID.test(id) ? this.readStored(join(this.modelsDir(), id)) : undefined;
  }

  async getData(id: string): Promise<ModelData | undefined> {
    await this.recover();
    await this.scanBundled();
    const bundled = this.bundled.get(id);
    if (bundled !== undefined) {
      const bytes = await readFile(bundled.path);
      if (bundled.info.format === 'json') return { info: bundled.info, bytes: new Uint8Array(bytes) };
      const { json } = await this.parse(bytes, bundled.info.fileName, undefined, { json: true });
      return { info: bundled.info, bytes: json! };
    }
    if (!/^[0-9a-f]{16}$/.test(id)) return undefined;
    const dir = join(this.modelsDir(), id);
    try {
      await stat(join(dir, 'summary.json'));
    } catch {
      return undefined;
    }
    const stored = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as StoredSummary;
    const { importedAt: _ignored, ...info } = stored;
    return { info, bytes: new Uint8Array(await readFile(join(dir, 'model.json'))) };
  }
}
