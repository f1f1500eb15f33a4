import type { TopLevelSpec } from 'vega-lite';

/** One row of tidy data, e.g. { epoch: 3, condition: 'random labels', seed: 1, acc: 0.42 }. */
export type Datum = Record<string, unknown>;
export type ScaleType = 'linear' | 'log';
export type FieldType = 'quantitative' | 'ordinal' | 'nominal';

/** A horizontal reference line (chance level, a paper's value, ...). */
export interface HLine {
  y: number;
  label: string;
}

export interface ChartBase {
  data: Datum[];
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  /** Size of the plot area (of each facet panel), in pixels. */
  width?: number;
  height?: number;
}

interface YOptions {
  yScale?: ScaleType;
  yDomain?: [number, number];
  hlines?: HLine[];
}

export interface LineChartOptions extends ChartBase, YOptions {
  x: string;
  y: string;
  xType?: FieldType;
  xScale?: ScaleType;
  xDomain?: [number, number];
  /** One line (and colour) per value of this field. */
  color?: string;
  colorTitle?: string;
  /** Dash pattern per value of this field. */
  strokeDash?: string;
  /** One unlabelled line per value of this field (e.g. a seed), within each colour. */
  detail?: string;
  /** One panel per value of this field, side by side. */
  column?: string;
  columnTitle?: string;
  /** Shaded band between two fields, e.g. mean ± std over seeds. */
  band?: { lower: string; upper: string };
  /** Draw a point at every datum. */
  points?: boolean;
}

export interface ScatterChartOptions extends ChartBase, YOptions {
  x: string;
  y: string;
  xType?: FieldType;
  xScale?: ScaleType;
  xDomain?: [number, number];
  color?: string;
  colorTitle?: string;
  shape?: string;
  shapeTitle?: string;
  column?: string;
  columnTitle?: string;
  size?: number;
  opacity?: number;
}

export interface BarChartOptions extends ChartBase, YOptions {
  /** Category on the x axis. */
  x: string;
  y: string;
  /** Colour by this field; if it differs from `x`, bars are grouped side by side within each x. */
  color?: string;
  colorTitle?: string;
  /** Error bar from `lower` to `upper` (field names). */
  error?: { lower: string; upper: string };
}

export interface HeatmapOptions extends ChartBase {
  x: string;
  y: string;
  value: string;
  valueTitle?: string;
  /** Vega colour scheme (default 'blues'). */
  scheme?: string;
  /** Colour scale domain (default: the data's extent). */
  domain?: [number, number];
  /** Print each cell's value in it. */
  text?: boolean;
  /** d3-format string for printed values and the legend (default '.2f'). */
  format?: string;
  /** Size of one cell when width/height are not given (default 40 with text, 24 without). */
  cellSize?: number;
}

type Obj = Record<string, unknown>;

const DEFAULT_WIDTH = 360;
const DEFAULT_HEIGHT = 240;
const REF_COLOR = '#555';
const CONFIG = {
  title: { anchor: 'start', fontSize: 14 },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 300 },
};

/** Field names for vega-lite, where '.' and brackets would mean nested access. */
const f = (name: string): string => name.replace(/[.[\]\\]/g, '\\$&');

/** Distinct values of a field in order of first appearance (vega-lite would sort them). */
function order(data: Datum[], field: string): unknown[] {
  return [...new Set(data.map((d) => d[field]))];
}

function requireFields(kind: string, o: ChartBase, fields: (string | undefined)[]): void {
  if (!o.title || !o.xTitle || !o.yTitle) throw new Error(`${kind}: title, xTitle and yTitle are required`);
  if (!Array.isArray(o.data) || o.data.length === 0) throw new Error(`${kind} "${o.title}": no data`);
  const present = new Set(o.data.flatMap((d) => Object.keys(d)));
  for (const field of fields) {
    if (field !== undefined && !present.has(field)) {
      throw new Error(`${kind} "${o.title}": field "${field}" is not in the data (fields: ${[...present].join(', ')})`);
    }
  }
}

function titleOf(o: ChartBase): string | Obj {
  return o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title;
}

function scale(type: ScaleType | undefined, domain: [number, number] | undefined, zero: boolean): Obj {
  const s: Obj = { type: type ?? 'linear' };
  if (domain) s.domain = domain;
  // A "nice" log domain jumps to the next power of ten; zero is meaningless there.
  if (type === 'log') s.nice = false;
  else s.zero = zero;
  return s;
}

function colorEnc(data: Datum[], field: string | undefined, title: string | undefined): Obj | undefined {
  return field === undefined ? undefined : { field: f(field), type: 'nominal', title: title ?? field, sort: order(data, field) };
}

/** Dashed rules with right-aligned labels, sharing the chart's y scale and title. */
function hlineLayers(hlines: HLine[] | undefined, y: Obj): Obj[] {
  if (!hlines?.length) return [];
  const data = { values: hlines.map((h) => ({ y: h.y, label: h.label })) };
  const yEnc = { ...y, field: 'y', type: 'quantitative' };
  return [
    { data, mark: { type: 'rule', color: REF_COLOR, strokeDash: [5, 4] }, encoding: { y: yEnc } },
    {
      data,
      mark: { type: 'text', color: REF_COLOR, align: 'right', baseline: 'bottom', dx: -3, dy: -2, fontSize: 11 },
      encoding: { x: { value: 'width' }, y: yEnc, text: { field: 'label' } },
    },
  ];
}

/** Top-level spec: plain layers, or layers repeated per value of `column`. */
function assemble(o: ChartBase, layer: Obj[], column?: string, columnTitle?: string): TopLevelSpec {
  const size = { width: o.width ?? DEFAULT_WIDTH, height: o.height ?? DEFAULT_HEIGHT };
  const top = { title: titleOf(o), data: { values: o.data }, config: CONFIG };
  const spec = column
    ? {
        ...top,
        facet: { column: { field: f(column), type: 'nominal', title: columnTitle ?? column, sort: order(o.data, column) } },
        spec: { ...size, layer },
      }
    : { ...top, ...size, layer };
  return spec as unknown as TopLevelSpec;
}

function strip(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Curves of y against x, e.g. learning curves per condition, with an optional ± band. */
export function lineChart(o: LineChartOptions): TopLevelSpec {
  requireFields('lineChart', o, [o.x, o.y, o.color, o.strokeDash, o.detail, o.column, o.band?.lower, o.band?.upper]);
  const xType = o.xType ?? 'quantitative';
  const x = strip({
    field: f(o.x),
    type: xType,
    title: o.xTitle,
    scale: xType === 'quantitative' ? scale(o.xScale, o.xDomain, false) : undefined,
    sort: xType === 'quantitative' ? undefined : order(o.data, o.x),
  });
  const y = { title: o.yTitle, scale: scale(o.yScale, o.yDomain, false) };
  // Legend symbols are the lines' strokes, not the translucent band's fill.
  const lineLegend = { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2 };
  const color = o.color === undefined ? undefined : { ...colorEnc(o.data, o.color, o.colorTitle), legend: lineLegend };
  const clip = o.xDomain !== undefined || o.yDomain !== undefined;
  const layers: Obj[] = [];
  if (o.band) {
    layers.push({
      mark: { type: 'area', opacity: 0.2, clip },
      encoding: strip({
        x,
        y: { ...y, field: f(o.band.lower), type: 'quantitative' },
        y2: { field: f(o.band.upper) },
        color,
        detail: o.detail ? { field: f(o.detail) } : undefined,
      }),
    });
  }
  layers.push({
    mark: { type: 'line', clip, point: o.points ?? false },
    encoding: strip({
      x,
      y: { ...y, field: f(o.y), type: 'quantitative' },
      color,
      strokeDash: o.strokeDash ? { field: f(o.strokeDash), type: 'nominal', sort: order(o.data, o.strokeDash) } : undefined,
      detail: o.detail ? { field: f(o.detail) } : undefined,
    }),
  });
  return assemble(o, [...layers, ...hlineLayers(o.hlines, y)], o.column, o.columnTitle);
}

/** Points at (x, y), optionally coloured and shaped by fields. */
export function scatterChart(o: ScatterChartOptions): TopLevelSpec {
  requireFields('scatterChart', o, [o.x, o.y, o.color, o.shape, o.column]);
  const xType = o.xType ?? 'quantitative';
  const y = { title: o.yTitle, scale: scale(o.yScale, o.yDomain, false) };
  const layer = {
    mark: {
      type: 'point',
      filled: true,
      clip: o.xDomain !== undefined || o.yDomain !== undefined,
      size: o.size ?? 40,
      opacity: o.opacity ?? 0.8,
    },
    encoding: strip({
      x: strip({
        field: f(o.x),
        type: xType,
        title: o.xTitle,
        scale: xType === 'quantitative' ? scale(o.xScale, o.xDomain, false) : undefined,
      }),
      y: { ...y, field: f(o.y), type: 'quantitative' },
      color: colorEnc(o.data, o.color, o.colorTitle),
      shape: o.shape ? { field: f(o.shape), type: 'nominal', title: o.shapeTitle ?? o.shape, sort: order(o.data, o.shape) } : undefined,
    }),
  };
  return assemble(o, [layer, ...hlineLayers(o.hlines, y)], o.column, o.columnTitle);
}

/** Bars per category of x; grouped side by side by `color`; optional error bars. */
export function barChart(o: BarChartOptions): TopLevelSpec {
  requireFields('barChart', o, [o.x, o.y, o.color, o.error?.lower, o.error?.upper]);
  const x = { field: f(o.x), type: 'nominal', title: o.xTitle, sort: order(o.data, o.x), axis: { labelAngle: 0 } };
  const y = { title: o.yTitle, scale: scale(o.yScale, o.yDomain, o.yScale !== 'log') };
  const grouped = o.color !== undefined && o.color !== o.x;
  const xOffset = grouped ? { field: f(o.color!), type: 'nominal', sort: order(o.data, o.color!) } : undefined;
  const layers: Obj[] = [
    {
      mark: { type: 'bar', clip: o.yDomain !== undefined },
      encoding: strip({
        x,
        xOffset,
        y: { ...y, field: f(o.y), type: 'quantitative', stack: null },
        color: colorEnc(o.data, o.color, o.colorTitle),
      }),
    },
  ];
  if (o.error) {
    layers.push({
      mark: { type: 'rule', color: 'black', strokeWidth: 1.5, clip: o.yDomain !== undefined },
      encoding: strip({ x, xOffset, y: { ...y, field: f(o.error.lower), type: 'quantitative' }, y2: { field: f(o.error.upper) } }),
    });
  }
  return assemble(o, [...layers, ...hlineLayers(o.hlines, y)]);
}

/** Colour schemes that are dark at their low end (text there must be white). */
const DARK_LOW = /^(viridis|magma|inferno|plasma|cividis|dark)/i;

/** A grid of coloured cells (x by y categories), e.g. a transfer table; optionally with values printed. */
export function heatmap(o: HeatmapOptions): TopLevelSpec {
  requireFields('heatmap', o, [o.x, o.y, o.value]);
  const values = o.data.map((d) => Number(d[o.value])).filter(Number.isFinite);
  const [lo, hi] = o.domain ?? [Math.min(...values), Math.max(...values)];
  const format = o.format ?? '.2f';
  const scheme = o.scheme ?? 'blues';
  const cell = o.cellSize ?? (o.text ? 40 : 24);
  const enc = {
    x: { field: f(o.x), type: 'ordinal', title: o.xTitle, sort: order(o.data, o.x), axis: { labelAngle: 0 } },
    y: { field: f(o.y), type: 'ordinal', title: o.yTitle, sort: order(o.data, o.y) },
  };
  const layers: Obj[] = [
    {
      mark: { type: 'rect' },
      encoding: {
        ...enc,
        color: {
          field: f(o.value),
          type: 'quantitative',
          title: o.valueTitle ?? o.value,
          scale: strip({ scheme, domain: o.domain }),
          legend: { format },
        },
      },
    },
  ];
  if (o.text) {
    const mid = (lo + hi) / 2;
    const datum = `datum[${JSON.stringify(o.value)}]`;
    const darkCells = DARK_LOW.test(scheme) ? `${datum} < ${mid}` : `${datum} > ${mid}`;
    layers.push({
      mark: { type: 'text', fontSize: 11 },
      encoding: {
        ...enc,
        text: { field: f(o.value), type: 'quantitative', format },
        color: { condition: { test: darkCells, value: 'white' }, value: 'black' },
      },
    });
  }
  const spec = assemble(o, layers) as unknown as Obj;
  spec.width = o.width ?? { step: cell };
  spec.height = o.height ?? { step: cell };
  return spec as unknown as TopLevelSpec;
}
