import { writeFileAtomic } from '@claimlab/core';
import type { TopLevelSpec } from 'vega-lite';
import { renderSpec, svgToPng, type PngOptions } from './render.ts';

export interface SaveOptions extends PngOptions {
  /** Write `<path>.svg` (default true); off for figures whose SVG is huge, e.g. one rect per grid cell. */
  svg?: boolean;
  /** Also write `<path>.png` (default true). */
  png?: boolean;
}

export interface SavedFigure {
  svg?: string;
  png?: string;
  /** Every file written, in order (svg, then png). */
  files: string[];
}

/**
 * Renders `spec` and writes `<pathWithoutExt>.svg` and/or `.png` atomically,
 * creating directories. A trailing `.svg`/`.png` on the path is dropped.
 * Returns the paths written.
 */
export async function saveFigure(spec: TopLevelSpec, pathWithoutExt: string, opts: SaveOptions = {}): Promise<SavedFigure> {
  const { svg: writeSvg = true, png = true, ...pngOpts } = opts;
  if (!writeSvg && !png) throw new Error('saveFigure: nothing to write (svg and png both off)');
  const base = pathWithoutExt.replace(/\.(svg|png)$/i, '');
  const svg = await renderSpec(spec);
  // Rasterise before writing anything, so a failure leaves no half-saved figure.
  const pngBytes = png ? svgToPng(svg, pngOpts) : undefined;
  const written: SavedFigure = { files: [] };
  if (writeSvg) {
    written.svg = `${base}.svg`;
    writeFileAtomic(written.svg, svg);
    written.files.push(written.svg);
  }
  if (pngBytes) {
    written.png = `${base}.png`;
    writeFileAtomic(written.png, pngBytes);
    written.files.push(written.png);
  }
  return written;
}
