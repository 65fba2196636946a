import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckReport } from '../../../core/experiments/check';
import type { InvertReport } from '../../../core/experiments/invert';
import {
  checkSparsityOption,
  fig2Option,
  invertSnrOption,
  invertSuccessOption,
  type SweepLayer,
  type SweepResult,
} from '../../../shared/figures';
import { APP_VERSION } from '../../version';
import type { RunSpec, RunStatus } from '../jobs/runs';
import { checkCsv, invertCsv, sweepCsv } from './csv';
import { reportHtml } from './html';
import { findChromium, htmlToPdf, NO_CHROMIUM } from './pdf';
import { renderSvg, svgToPng } from './render';
import { REPORT_FORMATS, type ReportFormat } from './formats';

export { findChromium, NO_CHROMIUM } from './pdf';
export { figureFontFound } from './render';

export { REPORT_FORMATS, type ReportFormat } from './formats';

/** A figure of a run: its file name, its caption, and the option the renderer would draw. */
export interface RunFigure {
  readonly name: string;
  readonly caption: string;
  readonly option: Record<string, unknown>;
}

export interface RunData {
  readonly spec: RunSpec;
  readonly status?: RunStatus;
  readonly result: InvertReport | CheckReport | SweepResult;
}

/** Reads a finished run folder; throws with a plain message when it has no result yet. */
export async function readRun(dir: string): Promise<RunData> {
  const read = async <T>(name: string) => JSON.parse(await readFile(join(dir, name), 'utf8')) as T;
  if (!existsSync(join(dir, 'spec.json'))) throw new Error(`${dir} is not a run folder (no spec.json)`);
  if (!existsSync(join(dir, 'result.json')))
    throw new Error(`run ${dir} has no result.json yet: finish it first (pursuit-lab experiment --resume ID)`);
  const spec = await read<RunSpec>('spec.json');
  const status = existsSync(join(dir, 'status.json')) ? await read<RunStatus>('status.json') : undefined;
  return { spec, status, result: await read<RunData['result']>('result.json') };
}

/** The figures of a run, by kind: the same builders the app's charts use. */
export function runFigures(run: RunData): RunFigure[] {
  const kind = run.spec.job.kind as string;
  if (kind === 'invert') {
    const r = run.result as InvertReport;
    return [
      {
        name: 'invert-snr',
        caption: 'SNR of every layer of the recovered signal, per method (Fig. 3 of the paper).',
        option: invertSnrOption(r),
      },
      { name: 'invert-success', caption: 'Fraction of signals recovered, per method.', option: invertSuccessOption(r) },
    ];
  }
  if (kind === 'check') {
    return [
      {
        name: 'check-sparsity',
        caption: 'Per hidden layer: width nᵢ, median sᵢ with its 10–90% range, and the bounds of Theorem 2.',
        option: checkSparsityOption(run.result as CheckReport, run.spec.model.dims),
      },
    ];
  }
  if (kind === 'sweep') {
    const r = run.result as SweepResult;
    const layers: SweepLayer[] = ['z', 'x1', 'image'];
    return r.settings.n0.flatMap((n0) =>
      layers.map((layer) => ({
        name: `fig2-n0-${n0}-${layer}`,
        caption: `Fig. 2, n₀ = ${n0}: SNR of ${layer === 'image' ? 'G(ẑ)' : layer === 'x1' ? 'x̂₁' : 'ẑ'} against n₁.`,
        option: fig2Option(r, n0, layer),
      })),
    );
  }
  throw new Error(`no report for a "${kind}" run`);
}

function runCsv(run: RunData): string {
  const kind = run.spec.job.kind as string;
  if (kind === 'invert') return invertCsv(run.result as InvertReport);
  if (kind === 'check') return checkCsv(run.result as CheckReport);
  return sweepCsv(run.result as SweepResult);
}

export interface ReportOptions {
  /** Where figures/ and report.html go: the run folder unless given. */
  readonly out?: string;
  readonly formats?: readonly ReportFormat[];
  /** Chromium for the PDF (default: findChromium()). */
  readonly chromium?: string;
}

export interface ReportOutcome {
  /** Every file written, absolute. */
  readonly files: string[];
  /** Things not done, each one line (e.g. no Chromium for the PDF). */
  readonly notes: string[];
}

/**
 * Writes a run's report: figures/<name>.svg|.png|.json (the option, data
 * included, as the figure was drawn from it), figures/<kind>.csv, report.html
 * and report.pdf.
 */
export async function writeReport(dir: string, options: ReportOptions = {}): Promise<ReportOutcome> {
  const formats = new Set(options.formats ?? REPORT_FORMATS);
  const out = options.out ?? dir;
  const figDir = join(out, 'figures');
  await mkdir(figDir, { recursive: true });
  const run = await readRun(dir);
  const files: string[] = [];
  const notes: string[] = [];
  const write = async (path: string, data: string | Buffer) => {
    await writeFile(path, data);
    files.push(path);
  };
  const figures = runFigures(run).map((f) => ({ ...f, svg: renderSvg(f.option) }));
  for (const f of figures) {
    if (formats.has('svg')) await write(join(figDir, `${f.name}.svg`), f.svg);
    if (formats.has('png')) await write(join(figDir, `${f.name}.png`), svgToPng(f.svg));
    // JSON drops the option's callbacks (formatters, custom renderers) and keeps the data and layout.
    if (formats.has('json')) await write(join(figDir, `${f.name}.json`), JSON.stringify(f.option, null, 2) + '\n');
  }
  if (formats.has('csv')) await write(join(figDir, `${run.spec.job.kind as string}.csv`), runCsv(run));
  const htmlPath = join(out, 'report.html');
  if (formats.has('html') || formats.has('pdf'))
    await write(
      htmlPath,
      reportHtml({ ...run, figures, generated: { version: APP_VERSION, at: new Date().toISOString() } }),
    );
  if (formats.has('pdf')) {
    const chromium = options.chromium ?? findChromium();
    if (chromium === undefined) notes.push(NO_CHROMIUM);
    else {
      const pdf = join(out, 'report.pdf');
      await htmlToPdf(chromium, htmlPath, pdf);
      files.push(pdf);
    }
  }
  return { files, notes };
}
