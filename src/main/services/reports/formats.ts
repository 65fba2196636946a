/**
 * What `writeReport` can write: the contract's list (the app asks for these
 * too), re-exported in its own module so that the CLI's usage text names them
 * without loading the renderers (ECharts, resvg).
 */
export { REPORT_FORMATS, type ReportFormat } from '../../../shared/contract';
