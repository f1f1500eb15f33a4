import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { panelPng, saveImagePanels } from '../src/index.ts';

describe('image panels', () => {
  it('encodes grey and RGB images to PNG with values scaled to 0..255 and clipped', () => {
    const grey = PNG.sync.read(panelPng({ data: [0, 0.5, 1, 2, -1, NaN], width: 3, height: 2, channels: 1 }));
    expect([grey.width, grey.height]).toEqual([3, 2]);
    expect(Array.from({ length: 6 }, (_, p) => grey.data[4 * p])).toEqual([0, 128, 255, 255, 0, 0]);
    expect(grey.data[4 * 1 + 1]).toBe(128); // grey: R = G = B
    const rgb = PNG.sync.read(panelPng({ data: [1, 0, 0.2], width: 1, height: 1, channels: 3 }));
    expect(Array.from(rgb.data)).toEqual([255, 0, 51, 255]);
    expect(() => panelPng({ data: [0, 1], width: 2, height: 2, channels: 1 })).toThrow(/2 values do not make a 2x2x1 image/);
    const encoded = panelPng({ data: [0.2], width: 1, height: 1, channels: 1 });
    expect(panelPng({ png: encoded, width: 1, height: 1 }).equals(encoded)).toBe(true); // already-encoded images pass through
  });

  it('writes a PNG of the rows of captioned panels, zoomed with visible pixels', () => {
    const dir = mkdtempSync(join(tmpdir(), 'claimlab-panels-'));
    const img = { data: Array.from({ length: 16 }, (_, i) => i % 2), width: 4, height: 4, channels: 1 as const };
    const saved = saveImagePanels(
      [
        {
          title: 'model',
          panels: [
            { label: 'a', image: img },
            { label: 'b', image: img },
          ],
        },
      ],
      join(dir, 'samples'),
      { zoom: 8, title: 'Samples' },
    );
    expect(saved.files).toEqual([join(dir, 'samples.png')]);
    expect(existsSync(join(dir, 'samples.svg'))).toBe(false);
    const png = PNG.sync.read(readFileSync(saved.png!));
    expect(png.width).toBeGreaterThan(2 * 4 * 8);
    expect(() => saveImagePanels([], join(dir, 'none'))).toThrow(/no images/);
  });
});
