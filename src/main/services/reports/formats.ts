/**
 * What `writeReport` can write. Its own module so that the CLI's usage text names them
 * without loading the renderers (ECharts, resvg).
 */
export const REPORT_FORMATS = ['html', 'pdf', 'svg', 'png', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
