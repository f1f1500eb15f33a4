import { writeFileAtomic } from '@claimlab/core';
import { encodePng } from '@claimlab/datasets';
import { svgToPng } from './render.ts';
import type { SavedFigure } from './save.ts';

/** A raster image, values in [0, 1] (clipped), row-major, channels interleaved (HWC). */
export interface RawImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB). */
  channels: 1 | 3;
}

/** An image already encoded as PNG (e.g. a snapshot kept during a run). */
export interface EncodedImage {
  png: Uint8Array;
  width: number;
  height: number;
}

export type PanelImage = RawImage | EncodedImage;

export interface Panel {
  /** Caption under the image (may be empty). */
  label: string;
  image: PanelImage;
}

export interface PanelRow {
  /** Row heading, left of the images (may be empty). */
  title: string;
  panels: Panel[];
}

export interface ImagePanelOptions {
  /** Figure title. */
  title?: string;
  /** Each image pixel becomes `zoom` x `zoom` pixels (nearest neighbour: pixels stay visible). Default: up to ~128 px per panel. */
  zoom?: number;
  /** Write the SVG too (default false: it embeds the images, so the PNG is the figure). */
  svg?: boolean;
}

/** The PNG bytes of a panel image (grey is repeated over R, G, B; values clipped to [0, 1]). */
export function panelPng(img: PanelImage): Buffer {
  if ('png' in img) return Buffer.from(img.png);
  const { width, height, channels, data } = img;
  if (data.length !== width * height * channels) {
    throw new Error(`image panel: ${data.length} values do not make a ${width}x${height}x${channels} image`);
  }
  const rgb =
    channels === 3 ? Float32Array.from(data) : Float32Array.from({ length: 3 * width * height }, (_, i) => data[Math.floor(i / 3)]);
  return encodePng({ name: 'panel', width, height, data: rgb });
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Image panels (rows of captioned images, e.g. clean / noisy / outputs, or
 * generator samples): an SVG with the images embedded as PNG, rasterised to
 * `<path>.png` (and `<path>.svg` with `svg: true`), written atomically.
 */
export function saveImagePanels(rows: PanelRow[], pathWithoutExt: string, opts: ImagePanelOptions = {}): SavedFigure {
  const all = rows.flatMap((r) => r.panels);
  if (all.length === 0) throw new Error('saveImagePanels: no images');
  const maxSide = Math.max(...all.map((p) => Math.max(p.image.width, p.image.height)));
  const zoom = opts.zoom ?? Math.max(1, Math.floor(128 / maxSide));
  if (!(zoom > 0)) throw new Error(`saveImagePanels: zoom must be positive, got ${zoom}`);
  const cell = maxSide * zoom;
  const gap = 8;
  const caption = all.some((p) => p.label) ? 16 : 0;
  const titleWidth = rows.some((r) => r.title) ? Math.max(...rows.map((r) => r.title.length)) * 7 + 12 : 0;
  const top = opts.title ? 28 : 4;
  const cols = Math.max(...rows.map((r) => r.panels.length));
  // Wide enough for the title too (about 8 px per character at 14 px bold).
  const width = Math.max(titleWidth + cols * (cell + gap) + gap, opts.title ? Math.ceil(opts.title.length * 8.2) + 2 * gap : 0);
  const height = top + rows.length * (cell + caption + gap) + gap;
  const parts: string[] = [];
  if (opts.title) parts.push(`<text x="${gap}" y="18" font-size="14" font-weight="bold">${escapeXml(opts.title)}</text>`);
  rows.forEach((row, r) => {
    const y = top + r * (cell + caption + gap);
    if (row.title)
      parts.push(`<text x="${gap}" y="${y + cell / 2}" font-size="12" dominant-baseline="middle">${escapeXml(row.title)}</text>`);
    row.panels.forEach((p, c) => {
      const x = titleWidth + gap + c * (cell + gap);
      const w = p.image.width * zoom;
      const h = p.image.height * zoom;
      const href = `data:image/png;base64,${panelPng(p.image).toString('base64')}`;
      parts.push(
        `<image x="${x}" y="${y}" width="${w}" height="${h}" image-rendering="optimizeSpeed" style="image-rendering:pixelated" href="${href}"/>`,
      );
      if (p.label)
        parts.push(`<text x="${x + w / 2}" y="${y + cell + 12}" font-size="11" text-anchor="middle">${escapeXml(p.label)}</text>`);
    });
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">${parts.join('')}</svg>`;
  const base = pathWithoutExt.replace(/\.(svg|png)$/i, '');
  const png = svgToPng(svg, { scale: 1 });
  const saved: SavedFigure = { files: [] };
  if (opts.svg) {
    saved.svg = `${base}.svg`;
    writeFileAtomic(saved.svg, svg);
    saved.files.push(saved.svg);
  }
  saved.png = `${base}.png`;
  writeFileAtomic(saved.png, png);
  saved.files.push(saved.png);
  return saved;
}
