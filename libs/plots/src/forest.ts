import type { Bound } from '@claimlab/core';
import type { TopLevelSpec } from 'vega-lite';

/**
 * One check of a claim over the seeds of a run, as the forest plot needs it (plain data: a
 * CheckOutcome from @claimlab/core fits, with `interval` taken from its stats).
 */
export interface ForestCheck {
  id: string;
  /** 'core' or 'supporting'; shown beside the id. */
  role: string;
  /** One per seed: a number compared with `bound`, a boolean, or null when missing. */
  values: (number | boolean | null)[];
  /** Whether each seed passed (default: derived from the value and the bound). */
  passes?: boolean[];
  seeds?: number[];
  /** The numeric threshold; without one a numeric value is shown as pass/fail only. */
  bound?: Bound;
  /** Mean of the numeric values with its (bootstrap) interval. */
  interval?: { mean: number; low: number; high: number };
}

export interface ForestPlotOptions {
  checks: ForestCheck[];
  title: string;
  subtitle?: string;
  /** Width of the plot area in pixels (default 520). */
  width?: number;
  /** Height of one check's row in pixels (default: room for every seed's dot, at least 30). */
  rowHeight?: number;
  /** Margins are clipped to [-clip, clip] (default 2). */
  clip?: number;
}

/** How a seed's value is placed: by its normalised margin, as pass/fail at ±1, or missing (at -clip). */
export type ForestKind = 'numeric' | 'pass/fail' | 'missing';

/** One seed's dot. */
export interface ForestPoint {
  row: string;
  seed: number;
  kind: ForestKind;
  /** Normalised and clipped margin. */
  margin: number;
  /** Whether the margin was clipped. */
  clipped: boolean;
  result: 'pass' | 'fail';
}

/** One check's mean and interval, as clipped margins. */
export interface ForestInterval {
  row: string;
  mean: number;
  low: number;
  high: number;
}

export interface ForestRows {
  /** Row labels ('<id> (<role>)'), top to bottom, in the checks' order. */
  rows: string[];
  points: ForestPoint[];
  intervals: ForestInterval[];
}

export const DEFAULT_CLIP = 2;

/**
 * The scale s of a check's margins: |t| for a bound t ≠ 0, else the largest |value| of the
 * check (at least 1e-12), so that margins of different checks share one unitless axis.
 */
export function marginScale(bound: Bound, values: readonly number[]): number {
  if (bound.value !== 0) return Math.abs(bound.value);
  return Math.max(1e-12, ...values.filter(Number.isFinite).map(Math.abs));
}

/**
 * The normalised margin of `value` to its bound: (value − t) / s for '>=' and '>', (t − value) / s
 * for '<=' and '<', so a passing value has margin ≥ 0 (> 0 for strict bounds). `scale` defaults
 * to marginScale(bound, [value]).
 */
export function normalisedMargin(value: number, bound: Bound, scale = marginScale(bound, [value])): number {
  if (!(scale > 0)) throw new Error(`normalisedMargin: scale must be positive, got ${scale}`);
  const d = bound.op === '>=' || bound.op === '>' ? value - bound.value : bound.value - value;
  return d / scale;
}

/** `m` clipped to [-limit, limit]. */
export function clipMargin(m: number, limit = DEFAULT_CLIP): number {
  return Math.min(limit, Math.max(-limit, m));
}

/** Whether a margin passes its bound: ≥ 0, or > 0 for a strict bound. */
const marginPasses = (m: number, bound: Bound): boolean => (bound.op === '>' || bound.op === '<' ? m > 0 : m >= 0);

/** The label of a check's row. */
export const forestRowLabel = (c: Pick<ForestCheck, 'id' | 'role'>): string => `${c.id} (${c.role})`;

/** The plotted data of a forest plot: one dot per seed and check, one interval per numeric check. */
export function forestRows(checks: readonly ForestCheck[], clip = DEFAULT_CLIP): ForestRows {
  if (!(clip > 0)) throw new Error(`forestRows: clip must be positive, got ${clip}`);
  const rows = checks.map(forestRowLabel);
  const dup = rows.find((r, i) => rows.indexOf(r) !== i);
  if (dup !== undefined) throw new Error(`forestRows: two checks share the row label '${dup}'`);
  const points: ForestPoint[] = [];
  const intervals: ForestInterval[] = [];
  checks.forEach((c, i) => {
    const row = rows[i];
    if (c.passes && c.passes.length !== c.values.length) {
      throw new Error(`forestRows: check '${c.id}' has ${c.values.length} values but ${c.passes.length} passes`);
    }
    const numbers = c.values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const s = c.bound ? marginScale(c.bound, numbers) : 1;
    c.values.forEach((v, j) => {
      const seed = c.seeds?.[j] ?? j;
      const given = c.passes?.[j];
      if (typeof v === 'number' && Number.isFinite(v) && c.bound) {
        const m = normalisedMargin(v, c.bound, s);
        const pass = given ?? marginPasses(m, c.bound);
        points.push({
          row,
          seed,
          kind: 'numeric',
          margin: clipMargin(m, clip),
          clipped: Math.abs(m) > clip,
          result: pass ? 'pass' : 'fail',
        });
      } else if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) {
        // A boolean statistic, or a number without a bound: only pass/fail can be placed.
        const pass = given ?? v === true;
        points.push({ row, seed, kind: 'pass/fail', margin: pass ? 1 : -1, clipped: false, result: pass ? 'pass' : 'fail' });
      } else {
        points.push({ row, seed, kind: 'missing', margin: -clip, clipped: false, result: given ? 'pass' : 'fail' });
      }
    });
    if (c.interval && c.bound && [c.interval.mean, c.interval.low, c.interval.high].every(Number.isFinite)) {
      const a = normalisedMargin(c.interval.low, c.bound, s);
      const b = normalisedMargin(c.interval.high, c.bound, s);
      intervals.push({
        row,
        mean: clipMargin(normalisedMargin(c.interval.mean, c.bound, s), clip),
        low: clipMargin(Math.min(a, b), clip),
        high: clipMargin(Math.max(a, b), clip),
      });
    }
  });
  return { rows, points, intervals };
}

const PASS_COLOR = '#1b7837';
const FAIL_COLOR = '#b2182b';

/** The marker of a dot: its kind, with clipped numeric values as triangles pointing off the axis. */
type Marker = 'numeric' | 'above' | 'below' | 'pass/fail' | 'missing';
const MARKERS: Marker[] = ['numeric', 'above', 'below', 'pass/fail', 'missing'];
const MARKER_SHAPES: Record<Marker, string> = {
  numeric: 'circle',
  above: 'triangle-right',
  below: 'triangle-left',
  'pass/fail': 'square',
  missing: 'cross',
};
const markerOf = (p: ForestPoint): Marker => (p.kind !== 'numeric' ? p.kind : !p.clipped ? 'numeric' : p.margin > 0 ? 'above' : 'below');

/**
 * A forest plot of a claim's checks: one row per check on one shared axis of normalised margins
 * (see normalisedMargin; 0, the dashed line, is the threshold and the passing side is right),
 * each seed's value as a dot (colour: pass/fail; shape: numeric, pass/fail only, missing), the
 * mean as a black tick with its interval as a bar. Margins are clipped to [-clip, clip].
 */
export function forestPlot(o: ForestPlotOptions): TopLevelSpec {
  if (!o.title) throw new Error('forestPlot: a title is required');
  if (o.checks.length === 0) throw new Error(`forestPlot "${o.title}": no checks`);
  const clip = o.clip ?? DEFAULT_CLIP;
  const { rows, points, intervals } = forestRows(o.checks, clip);
  const dots = points.map((p) => ({ ...p, marker: markerOf(p) }));
  const markers = MARKERS.filter((m) => dots.some((d) => d.marker === m));
  const legend: Record<Marker, string> = {
    numeric: 'numeric',
    above: `above ${clip}, clipped`,
    below: `below −${clip}, clipped`,
    'pass/fail': 'pass/fail only (±1)',
    missing: 'missing',
  };
  const rowHeight = o.rowHeight ?? Math.max(30, 9 * Math.max(...o.checks.map((c) => c.values.length)) + 12);
  const ticks = Array.from({ length: 2 * Math.floor(clip) + 1 }, (_, i) => i - Math.floor(clip));
  const x = {
    type: 'quantitative',
    title: `margin to threshold: (value − t)/|t|, sign flipped for ≤ and < bounds; ≥ 0 passes; clipped to [−${clip}, ${clip}]`,
    scale: { domain: [-clip - 0.2, clip + 0.2], nice: false, zero: false },
    axis: { values: ticks, titleLimit: 0, grid: true },
  };
  const y = {
    field: 'row',
    type: 'nominal',
    title: null,
    sort: rows,
    scale: { domain: rows },
    axis: { labelLimit: 0, labelFontSize: 12, grid: true, gridDash: [2, 4] },
  };
  const layer: Record<string, unknown>[] = [
    {
      data: { values: [{ x: 0, label: 'threshold' }] },
      mark: { type: 'rule', color: '#333', strokeDash: [6, 4], strokeWidth: 1.5 },
      encoding: { x: { ...x, field: 'x' } },
    },
    {
      data: { values: [{ x: 0, label: 'threshold' }] },
      mark: { type: 'text', color: '#333', baseline: 'bottom', dy: -3, fontSize: 11 },
      encoding: { x: { ...x, field: 'x' }, y: { value: 0 }, text: { field: 'label' } },
    },
  ];
  if (intervals.length) {
    layer.push(
      {
        data: { values: intervals },
        mark: { type: 'rule', color: '#222', strokeWidth: 3, opacity: 0.6 },
        encoding: { x: { ...x, field: 'low' }, x2: { field: 'high' }, y },
      },
      {
        data: { values: intervals },
        mark: { type: 'tick', color: 'black', thickness: 3, size: Math.round(rowHeight * 0.7) },
        encoding: { x: { ...x, field: 'mean' }, y },
      },
    );
  }
  layer.push({
    data: { values: dots },
    mark: { type: 'point', filled: true, size: 70, opacity: 0.8, strokeWidth: 2 },
    encoding: {
      x: { ...x, field: 'margin' },
      y,
      // Seeds side by side within their row, so equal values stay visible.
      yOffset: { field: 'seed', type: 'nominal', scale: { paddingOuter: 0.6 } },
      color: {
        field: 'result',
        type: 'nominal',
        title: 'seed',
        scale: { domain: ['pass', 'fail'], range: [PASS_COLOR, FAIL_COLOR] },
      },
      shape: {
        field: 'marker',
        type: 'nominal',
        title: 'value',
        scale: { domain: markers, range: markers.map((m) => MARKER_SHAPES[m]) },
        legend: { labelExpr: `${JSON.stringify(legend)}[datum.label] || datum.label` },
      },
    },
  });
  const subtitle = o.subtitle ?? [
    'dots: one per seed; black tick and bar: the mean and its 95% bootstrap interval;',
    'dashed line: the threshold (margin 0, passing side to the right)',
  ];
  return {
    title: { text: o.title, subtitle },
    width: o.width ?? 520,
    height: rows.length * rowHeight,
    layer,
    config: {
      title: { anchor: 'start', fontSize: 14, subtitleFontSize: 11 },
      axis: { labelFontSize: 11, titleFontSize: 12 },
      legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 300, orient: 'right' },
    },
  } as unknown as TopLevelSpec;
}
