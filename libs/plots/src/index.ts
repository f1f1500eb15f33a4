export { renderSpec, svgToPng, DEFAULT_FONT_DIRS, DEFAULT_FONT_FAMILY, type PngOptions } from './render.ts';
export { saveFigure, type SavedFigure, type SaveOptions } from './save.ts';
export {
  lineChart,
  scatterChart,
  barChart,
  heatmap,
  type Datum,
  type ScaleType,
  type FieldType,
  type HLine,
  type ChartBase,
  type LineChartOptions,
  type ScatterChartOptions,
  type BarChartOptions,
  type HeatmapOptions,
} from './charts.ts';
export type { TopLevelSpec } from 'vega-lite';
export {
  saveImagePanels,
  panelPng,
  type Panel,
  type PanelImage,
  type RawImage,
  type EncodedImage,
  type PanelRow,
  type ImagePanelOptions,
} from './image-panels.ts';
export {
  forestPlot,
  forestRows,
  forestRowLabel,
  normalisedMargin,
  marginScale,
  clipMargin,
  DEFAULT_CLIP,
  type ForestCheck,
  type ForestPlotOptions,
  type ForestKind,
  type ForestPoint,
  type ForestInterval,
  type ForestRows,
} from './forest.ts';
