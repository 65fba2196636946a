import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckReport } from '../../../core/experiments/check';
import type { InvertReport } from '../../../core/experiments/invert';
import type { ProjectResult } from '../../../core/experiments/project';
import type { SensingResult } from '../../../core/experiments/sensing';
import type { NoiseResult, SweepResult, TrainedResult } from '../../../shared/figures';
import { figuresOfRun, type RunFigure, type RunResult } from '../../../shared/figures/run';
import { APP_VERSION } from '../../version';
import type { RunSpec, RunStatus } from '../jobs/runs';
import { checkCsv, invertCsv, noiseCsv, projectCsv, sweepCsv, sensingCsv, trainedCsv } from './csv';
import { reportHtml } from './html';
import { findChromium, htmlToPdf, NO_CHROMIUM } from './pdf';
import { renderSvg, svgToPng } from './render';
import { REPORT_FORMATS, type ReportFormat } from './formats';

export { findChromium, NO_CHROMIUM } from './pdf';
export { figureFontFound } from './render';

export { REPORT_FORMATS, type ReportFormat } from './formats';

export type { RunFigure, RunResult } from '../../../shared/figures/run';

export interface RunData {
  readonly spec: RunSpec;
  readonly status?: RunStatus;
  readonly result: RunResult;
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

/** The figures of a run folder, from the builders the app's charts use (shared/figures/run.ts). */
export const runFigures = (run: RunData): RunFigure[] =>
  figuresOfRun(run.spec.job.kind as string, run.result, { dims: run.spec.model.dims });

function runCsv(run: RunData): string {
  const kind = run.spec.job.kind as string;
  if (kind === 'invert') return invertCsv(run.result as InvertReport);
  if (kind === 'check') return checkCsv(run.result as CheckReport);
  if (kind === 'project') return projectCsv(run.result as ProjectResult);
  if (kind === 'trained') return trainedCsv(run.result as TrainedResult);
  if (kind === 'noise') return noiseCsv(run.result as NoiseResult);
  if (kind === 'sweep') return sweepCsv(run.result as SweepResult);
  if (kind === 'sensing') return sensingCsv(run.result as SensingResult);
  throw new Error(`no CSV for a "${kind}" run`);
}

export interface ReportOptions {
  /** Where figures/ and report.html go: the run folder unless given. */
  readonly out?: string;
  readonly formats?: readonly ReportFormat[];
  /** Chromium for the PDF (default: findChromium()). */
  readonly chromium?: string;
  /**
   * Prints report.html to report.pdf another way: the Electron app passes
   * its own Chromium's printToPDF (src/main/index.ts), so an app user
   * needs no browser installed. When given, `chromium` is not used.
   */
  readonly printPdf?: PdfPrinter;
}

/** Prints an HTML file to a PDF file. */
export type PdfPrinter = (htmlPath: string, pdfPath: string) => Promise<void>;

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
  const figures = runFigures(run).map((f) => ({ ...f, svg: renderSvg(f.option, f.width, f.height) }));
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
    const pdf = join(out, 'report.pdf');
    if (options.printPdf !== undefined) {
      await options.printPdf(htmlPath, pdf);
      files.push(pdf);
    } else {
      const chromium = options.chromium ?? findChromium();
      if (chromium === undefined) notes.push(NO_CHROMIUM);
      else {
        await htmlToPdf(chromium, htmlPath, pdf);
        files.push(pdf);
      }
    }
  }
  return { files, notes };
}
