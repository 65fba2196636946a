// `pursuit-lab report` end to end: a tiny invert job made here, then its
// figures (SVG, PNG), tidy CSV, HTML and PDF checked as files a reader opens.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli';
import { expectWellFormedSvg, pngSize } from '../helpers/svg';

const root = mkdtempSync(join(tmpdir(), 'pl-report-'));
const workspace = join(root, 'ws');
const specPath = join(root, 'invert.json');
writeFileSync(
  specPath,
  JSON.stringify({
    kind: 'invert',
    model: 'random:10,40,80:tanh',
    methods: ['oracle', 'lbp', 'hybrid'],
    count: 8,
    seed: 11,
    chunkSize: 4,
  }),
);

let dir: string;
let id: string;

beforeAll(() => {
  const r = runCliProcess(['experiment', specPath, '--workers', '2', '--workspace', workspace]);
  expect(r.status, r.stderr).toBe(0);
  const m = /^run (\S+) done: (.+)$/m.exec(r.stdout)!;
  [id, dir] = [m[1], m[2]];
});

describe('pursuit-lab report', () => {
  it('writes SVG and PNG figures, tidy CSV and a self-contained HTML report into the run folder', () => {
    const r = runCliProcess(['report', id, '--workspace', workspace, '--format', 'html,svg,png,csv,json']);
    expect(r.status, r.stderr).toBe(0);
    const figures = ['invert-snr', 'invert-success', 'invert-convergence'];
    for (const f of figures) {
      const svg = readFileSync(join(dir, 'figures', `${f}.svg`), 'utf8');
      expectWellFormedSvg(svg);
      expect(svg).not.toMatch(/@keyframes/);
      const { width, height } = pngSize(readFileSync(join(dir, 'figures', `${f}.png`)));
      // 960 × 540 at 2×.
      expect([width, height]).toEqual([1920, 1080]);
      expect(r.stdout).toContain(join(dir, 'figures', `${f}.png`));
    }
    expect(readFileSync(join(dir, 'figures', 'invert-snr.svg'), 'utf8')).toContain('SNR (dB)');

    // 8 signals × 3 methods × 3 layers (z, x1, image) + the header.
    const csv = readFileSync(join(dir, 'figures', 'invert.csv'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(csv[0]).toBe('method,signal,layer,snr_db,rel_err_z,stop_reason,iterations,hybrid_path');
    expect(csv).toHaveLength(8 * 3 * 3 + 1);
    // The hybrid's rows name its winning path; the other methods' leave it empty.
    const paths = csv.slice(1).map((l) => [l.split(',')[0], l.split(',')[7]]);
    for (const [method, path] of paths)
      if (method === 'hybrid') expect(['lp', 'gd-from-lp', 'gd-random']).toContain(path);
      else expect(path).toBe('');
    expect(new Set(csv.slice(1).map((l) => l.split(',')[2]))).toEqual(new Set(['z', 'x1', 'image']));

    const spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8'));
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<figure /g)).toHaveLength(figures.length);
    expect(html.match(/<svg /g)).toHaveLength(figures.length);
    expect(html).toContain(spec.model.sha256);
    expect(html).toMatch(/<td>seed<\/td><td>11<\/td>/);
    expect(html).toContain(spec.kernel);
    // Self-contained: no script, stylesheet or image fetched from elsewhere.
    expect(html).not.toMatch(/<script|<link |src="http/);
    expect(existsSync(join(dir, 'report.pdf'))).toBe(false);
  });

  it('takes a run folder and --out', () => {
    const out = join(root, 'out');
    const r = runCliProcess(['report', dir, '--out', out, '--format', 'csv']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'figures', 'invert.csv'), 'utf8').split('\n')[0]).toMatch(/^method,/);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
  });

  it('refuses an unknown run and an unknown format', () => {
    expect(runCliProcess(['report', 'no-such-run', '--workspace', workspace]).status).toBe(1);
    const bad = runCliProcess(['report', id, '--workspace', workspace, '--format', 'gif']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--format/);
  });

  it('draws image grids (truth, observation with the mask, each G(ẑ)) for a trained run on a square image', () => {
    const trained = join(root, 'trained.json');
    writeFileSync(
      trained,
      JSON.stringify({ kind: 'trained', model: 'random:4,30,64', methods: ['oracle', 'lbp'], count: 3, chunkSize: 2 }),
    );
    const run = runCliProcess(['experiment', trained, '--workers', '2', '--workspace', workspace]);
    expect(run.status, run.stderr).toBe(0);
    const runDir = /^run \S+ done: (.+)$/m.exec(run.stdout)![1];
    const r = runCliProcess(['report', runDir, '--format', 'svg,csv,html']);
    expect(r.status, r.stderr).toBe(0);
    for (const setting of ['clean', 'random', 'rows']) {
      const svg = readFileSync(join(runDir, 'figures', `fig3-${setting}-images.svg`), 'utf8');
      expectWellFormedSvg(svg);
      for (const text of ['G(z)', 'observed', 'oracle: G(ẑ)', 'lbp: G(ẑ)', 'signal 1']) expect(svg).toContain(text);
      // Only the masked settings show hidden pixels, in the mask colour.
      expect(svg.includes('hidden pixel')).toBe(setting !== 'clean');
      expect(existsSync(join(runDir, 'figures', `fig3-${setting}.svg`))).toBe(true);
    }
    expect(readFileSync(join(runDir, 'figures', 'trained.csv'), 'utf8').split('\n')[0]).toBe(
      'setting,method,signal,layer,snr_db,success',
    );
    // The invert run above has an 80-pixel output, not a square image: no grid.
    expect(existsSync(join(dir, 'figures', 'invert-images.svg'))).toBe(false);
  });

  const chromium = '/usr/bin/chromium';
  it.skipIf(!existsSync(chromium))('prints the HTML to PDF with the system Chromium', () => {
    const out = join(root, 'pdf');
    const r = runCliProcess(['report', dir, '--out', out, '--format', 'pdf']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'report.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
  if (!existsSync(chromium)) console.log(`PDF test skipped: ${chromium} not found (apt-get install -y chromium)`);
});
