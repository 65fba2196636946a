// `pursuit-lab report` on a trained run (the paper's Fig. 3) and a noise run
// (SNR against σ with Theorem 4's band), each a tiny job made here through
// the real engine: every figure as SVG and PNG, the tidy CSV with exactly its
// rows, and the HTML with every figure and the spec.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NoiseResult } from '../../src/core/experiments/noise';
import type { TrainedResult } from '../../src/core/experiments/trained';
import { escapeHtml } from '../../src/main/services/reports/html';
import type { MethodId } from '../../src/core/pursuit/types';
import { methodColor, THEOREM4_LABEL } from '../../src/shared/figures';
import { percent } from '../../src/shared/figures/text';
import { runCliProcess } from '../helpers/cli';
import { expectWellFormedSvg, pngSize } from '../helpers/svg';

const root = mkdtempSync(join(tmpdir(), 'pl-report-kinds-'));
const workspace = join(root, 'ws');

/** Runs a job from a spec and returns its run id and folder. */
function experiment(name: string, job: Record<string, unknown>) {
  const spec = join(root, `${name}.json`);
  writeFileSync(spec, JSON.stringify(job));
  const r = runCliProcess(['experiment', spec, '--workers', '2', '--workspace', workspace]);
  expect(r.status, r.stderr).toBe(0);
  const m = /^run (\S+) done: (.+)$/m.exec(r.stdout)!;
  return { id: m[1], dir: m[2] };
}

/** The text of every <text> element, and the stroke colours of every <path>: what a reader sees drawn. */
function svgContent(svg: string) {
  const texts = [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  const strokes = new Set([...svg.matchAll(/<path\b[^>]*\bstroke="([^"]+)"/g)].map((m) => m[1].toUpperCase()));
  return { texts, strokes };
}

/** Checks one figure's SVG and PNG, and that every method is drawn in its colour with a legend entry. */
function expectFigure(dir: string, name: string, legend: readonly string[], methods: readonly string[]) {
  const svg = readFileSync(join(dir, 'figures', `${name}.svg`), 'utf8');
  expectWellFormedSvg(svg);
  expect(svg).not.toMatch(/@keyframes/);
  const { texts, strokes } = svgContent(svg);
  for (const entry of legend) expect(texts, `${name}: legend ${entry}`).toContain(entry);
  for (const m of methods) expect(strokes.has(methodColor(m).toUpperCase()), `${name}: ${m} drawn`).toBe(true);
  // 960 × 540 at 2×.
  const { width, height } = pngSize(readFileSync(join(dir, 'figures', `${name}.png`)));
  expect([width, height]).toEqual([1920, 1080]);
  return texts;
}

const csvLines = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n');

describe('pursuit-lab report on trained and noise runs', () => {
  const methods = ['lbp', 'oracle'];
  let trained: { id: string; dir: string };
  let noise: { id: string; dir: string };

  beforeAll(() => {
    // 8×8 images (a square output, as the rows setting needs), one hidden layer: z, x1, image.
    trained = experiment('trained', { kind: 'trained', model: 'random:6,60,64:tanh', methods, count: 4, chunkSize: 2 });
    noise = experiment('noise', {
      kind: 'noise',
      model: 'random:5,50,80:identity',
      sigmas: [1e-3, 1e-2, 1e-1],
      methods: ['oracle-e2e', 'lbp'],
      count: 4,
      boundSignals: 2,
    });
  });

  it('trained: Fig. 3 per setting as SVG and PNG, one CSV row per setting × method × signal × layer, the HTML', () => {
    const r = runCliProcess(['report', trained.id, '--workspace', workspace, '--format', 'html,svg,png,csv']);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(trained.dir, 'result.json'), 'utf8')) as TrainedResult;
    const figures = ['fig3-clean', 'fig3-random', 'fig3-rows'];
    result.settings.forEach((s, i) => {
      // Each method's success rate rides on its legend entry.
      const legend = methods.map((m) => `${m}: ${percent(s.report.methods[m as MethodId]!.summary.successRate)}`);
      const texts = expectFigure(trained.dir, figures[i], legend, methods);
      expect(texts).toEqual(expect.arrayContaining(['SNR (dB)', 'z', 'x₁', 'image G(z)']));
      expect(texts.find((t) => t.startsWith('Fig. 3('))).toMatch(/^Fig\. 3\([abc]\): recovery with /);
    });

    const csv = csvLines(join(trained.dir, 'figures', 'trained.csv'));
    expect(csv[0]).toBe('setting,method,signal,layer,snr_db,success');
    // 3 settings × 2 methods × 4 signals × 3 layers (z, x1, image) + the header.
    expect(csv).toHaveLength(3 * 2 * 4 * 3 + 1);
    const rows = csv.slice(1).map((l) => l.split(','));
    expect(new Set(rows.map((c) => c[0]))).toEqual(new Set(['clean', 'random', 'rows']));
    expect(new Set(rows.map((c) => c[3]))).toEqual(new Set(['z', 'x1', 'image']));
    // The rows carry the result's numbers: the first is clean, the first method, signal 0, z.
    const first = result.settings[0].report.methods.lbp!.signals[0];
    expect(rows[0].slice(0, 4)).toEqual(['clean', 'lbp', '0', 'z']);
    expect(Number(rows[0][4])).toBe(first.snrZ);
    expect(rows[0][5]).toBe(first.relErrZ < 1e-3 ? '1' : '0');
    // The clean Oracle is exact on every signal: success 1 on all its rows.
    expect(rows.filter((c) => c[0] === 'clean' && c[1] === 'oracle').every((c) => c[5] === '1')).toBe(true);

    const html = readFileSync(join(trained.dir, 'report.html'), 'utf8');
    // Fig. 3's three panels, and each setting's image grid (8×8 images are square).
    const all = [...figures, ...figures.map((f) => `${f}-images`)];
    expect(html.match(/<figure /g)).toHaveLength(all.length);
    for (const f of all) expect(html).toContain(`<figure id="fig-${f}">`);
    expect(html.match(/<svg /g)).toHaveLength(all.length);
    expect(html).toMatch(/<figcaption><strong>Figure 1\.<\/strong> Fig\. 3\(a\), every pixel known: /);
    const spec = JSON.parse(readFileSync(join(trained.dir, 'spec.json'), 'utf8'));
    expect(html).toContain(escapeHtml(JSON.stringify(spec.job, null, 2)));
    expect(html).toContain(spec.model.sha256);
    // The summary: a row per setting and method.
    expect(html).toMatch(/<tr><td>rows<\/td><td>oracle<\/td>/);
  });

  it('noise: SNR(z) with Theorem 4’s band, SNR(image) and success against σ; CSV rows per σ × method × quantity', () => {
    const r = runCliProcess(['report', noise.id, '--workspace', workspace, '--format', 'html,svg,png,csv']);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(noise.dir, 'result.json'), 'utf8')) as NoiseResult;
    const noiseMethods = ['oracle-e2e', 'lbp'];
    const z = expectFigure(noise.dir, 'noise-snr-z', [...noiseMethods, THEOREM4_LABEL], noiseMethods);
    expect(z).toContain('SNR of ẑ (dB)');
    expect(z.some((t) => t.startsWith('noise σ'))).toBe(true);
    // The band's dashed edges, in the band's grey.
    const dashedGrey = readFileSync(join(noise.dir, 'figures', 'noise-snr-z.svg'), 'utf8').match(
      /<path\b[^>]*stroke="#7f7f7f"[^>]*stroke-dasharray/g,
    );
    expect(dashedGrey).toHaveLength(2);
    const image = expectFigure(noise.dir, 'noise-snr-image', noiseMethods, noiseMethods);
    expect(image).toContain('SNR of G(ẑ) (dB)');
    expect(image).not.toContain(THEOREM4_LABEL);
    expectFigure(noise.dir, 'noise-success', noiseMethods, noiseMethods);

    const csv = csvLines(join(noise.dir, 'figures', 'noise.csv'));
    expect(csv[0]).toBe('sigma,method,quantity,p10,p50,p90,success_rate,low,high');
    // 3 σ × 2 methods × 2 quantities (z, image), then a Theorem 4 row per σ, + the header.
    expect(csv).toHaveLength(3 * 2 * 2 + 3 + 1);
    const rows = csv.slice(1).map((l) => l.split(','));
    const bands = rows.filter((c) => c[1] === 'theorem4');
    expect(bands.map((c) => [Number(c[0]), Number(c[7]), Number(c[8])])).toEqual(
      result.points.map((p) => [p.sigma, p.theorem4.snrZ.low, p.theorem4.snrZ.high]),
    );
    const lbpZ = rows.find((c) => c[1] === 'lbp' && c[2] === 'z' && Number(c[0]) === 1e-2)!;
    const q = result.points[1].methods.lbp!;
    expect(lbpZ.slice(3, 7).map(Number)).toEqual([q.snrZ.p10, q.snrZ.p50, q.snrZ.p90, q.successRate]);

    const html = readFileSync(join(noise.dir, 'report.html'), 'utf8');
    const figures = ['noise-snr-z', 'noise-snr-image', 'noise-success'];
    expect(html.match(/<figure /g)).toHaveLength(figures.length);
    for (const f of figures) expect(html).toContain(`<figure id="fig-${f}">`);
    expect(html).toContain('Theorem 4');
    const spec = JSON.parse(readFileSync(join(noise.dir, 'spec.json'), 'utf8'));
    expect(html).toContain(escapeHtml(JSON.stringify(spec.job, null, 2)));
    expect(html).toMatch(/<tr><td class="num">0\.01<\/td><td>lbp<\/td>/);
    const band = result.points[1].theorem4.snrZ;
    expect(html).toContain(`<td class="num">${band.low.toFixed(1)} – ${band.high.toFixed(1)}</td>`);
  });
});
