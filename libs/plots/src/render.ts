import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Mark types vega-lite accepts (primitive and composite marks). */
const MARKS = new Set([
  'arc',
  'area',
  'bar',
  'image',
  'line',
  'point',
  'rect',
  'rule',
  'text',
  'tick',
  'trail',
  'circle',
  'square',
  'geoshape',
  'boxplot',
  'errorband',
  'errorbar',
]);

/**
 * Vega-lite does not validate mark types itself: an unknown one fails deep in
 * the compiler ("Cannot read properties of undefined"). Walk the spec's
 * nested views and name the bad mark instead.
 */
function checkMarks(spec: unknown, where = 'spec'): void {
  if (spec === null || typeof spec !== 'object') return;
  const s = spec as Record<string, unknown>;
  if ('mark' in s) {
    const mark = s.mark;
    const type = typeof mark === 'object' && mark !== null ? (mark as { type?: unknown }).type : mark;
    if (typeof type !== 'string' || !MARKS.has(type)) {
      throw new Error(`unknown mark type ${JSON.stringify(type)} at ${where} (valid: ${[...MARKS].join(', ')})`);
    }
  }
  for (const key of ['layer', 'concat', 'hconcat', 'vconcat'] as const) {
    const views = s[key];
    if (Array.isArray(views)) views.forEach((v, i) => checkMarks(v, `${where}.${key}[${i}]`));
  }
  if ('spec' in s) checkMarks(s.spec, `${where}.spec`);
}

function titleOf(spec: TopLevelSpec): string {
  const t = (spec as { title?: unknown }).title;
  const text = typeof t === 'object' && t !== null ? (t as { text?: unknown }).text : t;
  return typeof text === 'string' ? ` "${text}"` : Array.isArray(text) ? ` "${text.join(' ')}"` : '';
}

/**
 * Renders a vega-lite spec to SVG in Node (no browser, no canvas). The same
 * spec always gives the same bytes: vega's global clip/gradient id counters
 * are reset before each render.
 */
export async function renderSpec(spec: TopLevelSpec): Promise<string> {
  let compiled: vega.Spec;
  try {
    checkMarks(spec);
    compiled = compile(spec).spec;
  } catch (e) {
    throw new Error(`renderSpec: invalid vega-lite spec${titleOf(spec)}: ${(e as Error).message}`, { cause: e });
  }
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    vega.resetSVGDefIds();
    return await view.toSVG();
  } catch (e) {
    throw new Error(`renderSpec: vega failed to render${titleOf(spec)}: ${(e as Error).message}`, { cause: e });
  } finally {
    view.finalize();
  }
}

/** Font directories tried for PNG text; missing ones are skipped. */
export const DEFAULT_FONT_DIRS = ['/usr/share/fonts/truetype/dejavu'];
export const DEFAULT_FONT_FAMILY = 'DejaVu Sans';

export interface PngOptions {
  /** Zoom factor over the SVG's own size (default 2). Ignored when `width` is set. */
  scale?: number;
  /** Exact output width in pixels; height follows the aspect ratio. */
  width?: number;
  /** CSS colour behind the figure (default white). */
  background?: string;
  /** Extra font directories (default DEFAULT_FONT_DIRS); nonexistent ones are ignored. */
  fontDirs?: string[];
  /** Also load the system's fonts (default true). */
  systemFonts?: boolean;
}

/**
 * Rasterises an SVG to PNG bytes. Without any usable font the PNG still
 * renders, only without text.
 */
export function svgToPng(svg: string, opts: PngOptions = {}): Uint8Array {
  const { scale = 2, width, background = 'white', fontDirs = DEFAULT_FONT_DIRS, systemFonts = true } = opts;
  if (width !== undefined && !(width > 0)) throw new Error(`svgToPng: width must be positive, got ${width}`);
  if (!(scale > 0)) throw new Error(`svgToPng: scale must be positive, got ${scale}`);
  const resvg = new Resvg(svg, {
    background,
    fitTo: width !== undefined ? { mode: 'width', value: Math.round(width) } : { mode: 'zoom', value: scale },
    font: {
      loadSystemFonts: systemFonts,
      fontDirs: fontDirs.filter((d) => existsSync(d)),
      defaultFontFamily: DEFAULT_FONT_FAMILY,
      sansSerifFamily: DEFAULT_FONT_FAMILY,
    },
    logLevel: 'off',
  });
  return new Uint8Array(resvg.render().asPng());
}
