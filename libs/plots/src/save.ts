import { writeFileAtomic } from '@claimlab/core';
import type { TopLevelSpec } from 'vega-lite';
import { renderSpec, svgToPng, type PngOptions } from './render.ts';

export interface SaveOptions extends PngOptions {
  /** Also write `<path>.png` (default true). */
  png?: boolean;
}

/**
 * Renders `spec` and writes `<pathWithoutExt>.svg` (and `.png`) atomically,
 * creating directories. A trailing `.svg`/`.png` on the path is dropped.
 * Returns the paths written.
 */
export async function saveFigure(
  spec: TopLevelSpec,
  pathWithoutExt: string,
  opts: SaveOptions = {},
): Promise<{ svg: string; png?: string }> {
  const { png = true, ...pngOpts } = opts;
  const base = pathWithoutExt.replace(/\.(svg|png)$/i, '');
  const svg = await renderSpec(spec);
  const written: { svg: string; png?: string } = { svg: `${base}.svg` };
  // Rasterise before writing anything, so a failure leaves no half-saved figure.
  const pngBytes = png ? svgToPng(svg, pngOpts) : undefined;
  writeFileAtomic(written.svg, svg);
  if (pngBytes) {
    written.png = `${base}.png`;
    writeFileAtomic(written.png, pngBytes);
  }
  return written;
}
