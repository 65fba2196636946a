import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { modelFormats, openModel, type OpenOptions } from '../../core/formats/index';
import { writeJsonModel } from '../../core/formats/json';
import { summarizeGenerator } from '../../core/model/summary';
import type { ModelData, ModelInfo } from '../../shared/contract';
import { writeFileAtomic } from './atomic';

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
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const knownExtensions = new Set(modelFormats.flatMap((f) => f.extensions));

/**
 * Bundled and imported models. Imports are parsed before anything is written
 * (a bad file leaves no trace), then stored as
 * `models/<id>/{source<ext>, model.json, summary.json}`, each written atomically.
 *
 * @throws ModelFormatError from `import` when the file cannot be read as a model.
 */
export class ModelStore {
  private readonly bundled = new Map<string, { info: ModelInfo; path: string }>();
  private bundledScanned = false;

  constructor(private readonly options: ModelStoreOptions) {}

  get workspace(): string {
    return this.options.workspace;
  }

  private modelsDir(): string {
    return join(this.options.workspace, 'models');
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
      const { generator, format } = openModel(bytes, fileName);
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
          summary: summarizeGenerator(generator),
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
    const { generator, format } = openModel(bytes, fileName, options);
    const hash = sha256(bytes);
    const id = hash.slice(0, 16);
    const dir = join(this.modelsDir(), id);
    try {
      const existing = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as StoredSummary;
      const { importedAt: _ignored, ...info } = existing;
      return { info, created: false };
    } catch {
      // not imported yet
    }
    const info: ModelInfo = {
      id,
      fileName,
      format: format.id,
      source: 'workspace',
      sha256: hash,
      fileBytes: bytes.length,
      summary: summarizeGenerator(generator),
    };
    const ext =
      extname(fileName)
        .toLowerCase()
        .replace(/[^.\w]/g, '') || '.bin';
    await writeFileAtomic(join(dir, `source${ext}`), bytes);
    await writeFileAtomic(join(dir, 'model.json'), writeJsonModel(generator));
    // summary.json last: its presence marks a complete entry.
    const stored: StoredSummary = { ...info, importedAt: new Date().toISOString() };
    await writeFileAtomic(join(dir, 'summary.json'), JSON.stringify(stored, null, 2));
    return { info, created: true };
  }

  /** A model's weights as Pursuit Lab JSON bytes; undefined when the id is unknown. */
  async getData(id: string): Promise<ModelData | undefined> {
    await this.scanBundled();
    const bundled = this.bundled.get(id);
    if (bundled !== undefined) {
      const bytes = await readFile(bundled.path);
      if (bundled.info.format === 'json') return { info: bundled.info, bytes: new Uint8Array(bytes) };
      const { generator } = openModel(bytes, bundled.info.fileName);
      return { info: bundled.info, bytes: new TextEncoder().encode(writeJsonModel(generator)) };
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
