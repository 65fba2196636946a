// The report renderer measures text with DejaVu Sans's own widths, so ECharts
// lays out legends and titles for the font resvg draws them in.
import { existsSync, readFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { readFontMetrics, renderSvg, textWidth } from '../../../src/main/services/reports/render';

const DEJAVU = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/** The ink width resvg draws `text` with at `size` px in DejaVu Sans. */
function drawnWidth(text: string, size: number) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="200"><text x="10" y="150" style="font-size:${size}px;font-family:DejaVu Sans">${text}</text></svg>`;
  const r = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: [DEJAVU], defaultFontFamily: 'DejaVu Sans' } });
  return r.getBBox()!.width;
}

describe.skipIf(!existsSync(DEJAVU))('figure text measured with DejaVu Sans', () => {
  const regular = existsSync(DEJAVU) ? readFontMetrics(readFileSync(DEJAVU)) : undefined;

  it('reads advance widths from the font file, for ASCII and the figures’ subscripts and hats', () => {
    // DejaVu Sans: 2048 units per em, 'm' advances 1995 and every digit 1303.
    expect(regular!.advance('m'.codePointAt(0)!)).toBeCloseTo(1995 / 2048, 6);
    expect(regular!.advance('0'.codePointAt(0)!)).toBeCloseTo(1303 / 2048, 6);
    for (const ch of '₀₁ẑσ‖−') expect(regular!.advance(ch.codePointAt(0)!), ch).toBeGreaterThan(0.3);
    expect(regular!.advance(0xe000)).toBeUndefined();
  });

  it('agrees with what resvg draws, within the glyphs’ side bearings', () => {
    for (const text of ['oracle-e2e: 100%', 'Theorem 4 bound (Oracle)', 'SNR of ẑ (dB) n₀ σ']) {
      const measured = textWidth(text, '100px DejaVu Sans, sans-serif', regular!).width;
      const drawn = drawnWidth(text, 100);
      expect(Math.abs(measured - drawn) / drawn, text).toBeLessThan(0.04);
    }
    expect(textWidth('ab', 'bold 15px DejaVu Sans', regular!).width).toBeCloseTo(
      15 * (regular!.advance(97)! + regular!.advance(98)!),
      6,
    );
  });

  it('lays legend entries out with room for their text: no entry starts inside the previous one', () => {
    const names = ['oracle-e2e: 100%', 'lbp: 37.5%', 'Theorem 4 bound (Oracle)'];
    const svg = renderSvg({
      legend: { data: names, textStyle: { fontFamily: 'DejaVu Sans', fontSize: 13 } },
      xAxis: { type: 'value' },
      yAxis: { type: 'value' },
      series: names.map((name) => ({ name, type: 'line', data: [[0, 1]] })),
    });
    const xs = names.map((n) =>
      Number(
        new RegExp(`transform="translate\\(([\\d.]+) [\\d.]+\\)"[^>]*>${n.replace(/[()]/g, '\\$&')}<`).exec(svg)![1],
      ),
    );
    for (let i = 1; i < names.length; i++) {
      // Each entry: a 25 px icon, a 5 px gap, then the text as resvg draws it.
      const end = xs[i - 1] + 30 + drawnWidth(names[i - 1], 13);
      expect(xs[i], names[i]).toBeGreaterThan(end);
    }
  });
});
