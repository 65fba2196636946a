/**
 * Saving a chart as the user sees it: SVG (ECharts' own SVG renderer), PNG
 * (that SVG drawn on a canvas at twice the size, for print), and its data
 * as tidy CSV (one row per data point of every series) or as the whole
 * option in JSON (callbacks dropped).
 */
import type { ECharts } from 'echarts/core';

/** Offers a file for download (browser mode) or saving (Electron's download prompt). */
export function download(name: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** PNG of the chart's SVG (svgOf) at `scale` × its size, on white (figures go into papers). */
export async function chartPng(chart: ECharts, svg: string, scale = 2): Promise<Blob> {
  const width = chart.getWidth() * scale;
  const height = chart.getHeight() * scale;
  const image = new Image();
  image.src = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(image, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas gave no PNG'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(image.src);
  }
}

/** A canvas as PNG. */
export const canvasPng = (canvas: HTMLCanvasElement): Promise<Blob> =>
  new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas gave no PNG'))), 'image/png'),
  );

const cell = (v: unknown): string => {
  const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * The option's data, tidy: `series,index,v0,v1,…` with one row per data point
 * of every named series (an [x, y, …] point spreads over v0, v1, …; an
 * {value} point too). A figure that carries its data as a tidy table of its
 * own — `dataset.source`, header row first, as the convergence figure does —
 * gets that table instead, with its named columns.
 */
export function optionCsv(option: Record<string, unknown>): string {
  const table = (option.dataset as { source?: unknown } | undefined)?.source;
  if (Array.isArray(table) && table.every(Array.isArray))
    return (table as unknown[][]).map((r) => r.map(cell).join(',')).join('\n') + '\n';
  const series = (Array.isArray(option.series) ? option.series : [option.series]).filter(Boolean) as {
    name?: string;
    data?: unknown[];
  }[];
  const rows: unknown[][] = [];
  let width = 1;
  for (const [s, item] of series.entries()) {
    for (const [i, point] of (item.data ?? []).entries()) {
      const raw = typeof point === 'object' && point !== null && 'value' in point ? point.value : point;
      const values = Array.isArray(raw) ? raw : [raw];
      width = Math.max(width, values.length);
      rows.push([item.name ?? `series ${s}`, i, ...values]);
    }
  }
  const header = ['series', 'index', ...Array.from({ length: width }, (_, k) => `v${k}`)];
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/** The option as JSON: data and layout, callbacks (formatters, custom renderers) dropped. */
export const optionJson = (option: Record<string, unknown>): string => JSON.stringify(option, null, 2) + '\n';
