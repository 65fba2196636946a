/**
 * Every figure of Pursuit Lab, as a pure function from result data to an
 * ECharts option (STYLE.md §6): the renderer draws these options, and the
 * report service (src/main/services/reports/) renders the very same options
 * to SVG and PNG in Node. No Vue, no DOM, no ECharts import: plain data (and
 * a few callbacks), so both hosts can use them.
 */
export { methodColor, HIDDEN_PIXEL_COLOR } from './palette';
export { sub, FONT_FAMILY } from './text';
export { sparsityChartOption, thresholdMarks, type ThresholdMark } from './sparsity';
export {
  invertSnrOption,
  invertSuccessOption,
  invertLayers,
  layerSnrOption,
  reportMethods,
  SNR_CAP,
  type InvertLayer,
} from './invert';
export { checkSparsityOption } from './check';
export { fig2Option, type SweepResult, type Quantiles, type SweepLayer } from './sweep';
export {
  trainedSnrOption,
  trainedCaption,
  trainedYRange,
  type TrainedResult,
  type TrainedSettingName,
} from './trained';
export {
  noiseSnrOption,
  noiseSuccessOption,
  theorem4Band,
  THEOREM4_LABEL,
  type NoiseResult,
  type NoiseQuantity,
} from './noise';
export { figuresOfRun, type RunFigure, type RunResult } from './run';
export { imageGridOption, imageGridSize, imageColumns, imageSide, type ImageColumn } from './images';
export { layerWidthOption, layerWidthLabels } from './architecture';
