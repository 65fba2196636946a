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
export {
  checkSparsityOption,
  checkHistogramOption,
  checkCoherenceOption,
  checkPassOption,
  histogramThresholds,
  histogramBins,
  THEOREM_COLORS,
  type HistogramThreshold,
} from './check';
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
export { sensingOption, type SensingResult, type SensingQuantity } from './sensing';
export { figuresOfRun, type RunFigure, type RunResult } from './run';
export {
  grayScaleText,
  HIDDEN_PIXEL_LEGEND,
  IMAGE_GRID_LAYOUT,
  imageGridLevels,
  imageGridOption,
  imageGridSize,
  imageColumns,
  examplesShape,
  imageInCell,
  imageShapeOf,
  type ImageColumn,
} from './images';
export { squareSide, grayColor } from './images';
export {
  convergenceOption,
  convergenceBand,
  convergenceTable,
  hasConvergence,
  hasMisfit,
  CONVERGENCE_X_LABEL,
  CONVERGENCE_Y_LABELS,
  type ConvergenceBand,
  type ConvergenceQuantity,
} from './convergence';
export {
  reconstructionGridOption,
  reconstructionGridSize,
  reconstructionLinesOption,
  absError,
  observedSnr,
  snrText,
  ERROR_COLOR,
  type ReconstructionPage,
  type ReconstructionRow,
} from './reconstruct';
export { layerWidthOption, layerWidthLabels } from './architecture';
