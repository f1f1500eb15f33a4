import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  centerCrop,
  decodeImage,
  EMBEDDED_IMAGES,
  embeddedImagePath,
  encodePng,
  loadImage,
  resizeArea,
  saveImagePng,
  sniffImageFormat,
  squareImage,
  type RgbImage,
} from '../src/images.ts';
import { tempDir } from './helpers.ts';

const { dir, cleanup } = tempDir('images');
afterAll(cleanup);

/** A w x h image whose values encode their position: r = x/255, g = y/255, b = (x + y) / 255. */
function ramp(w: number, h: number): RgbImage {
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x / 255, y / 255, (x + y) / 255], (y * w + x) * 3);
  return { name: 'ramp', width: w, height: h, data };
}

describe('PNG and JPEG decoding and encoding', () => {
  it('round-trips 8-bit RGB through PNG exactly and recognises formats by content', () => {
    const img = ramp(7, 5);
    const path = join(dir, 'ramp.dat'); // extension ignored: the header decides
    saveImagePng(img, path);
    expect(sniffImageFormat(readFileSync(path))).toBe('png');
    const back = loadImage(path);
    expect([back.width, back.height]).toEqual([7, 5]);
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
  });

  it('decodes grey and RGBA PNGs (alpha dropped) and JPEGs', () => {
    const grey = new PNG({ width: 3, height: 2, colorType: 0, inputColorType: 0, inputHasAlpha: false });
    const g = Buffer.from([0, 51, 102, 153, 204, 255]);
    const greyBytes = PNG.sync.write(Object.assign(grey, { data: g }), { colorType: 0, inputColorType: 0, inputHasAlpha: false });
    const gi = decodeImage(greyBytes, 'grey');
    expect(Array.from(gi.data.slice(3, 6))).toEqual([0.2, 0.2, 0.2].map((v) => Math.fround(v)));
    const rgba = new PNG({ width: 1, height: 1 });
    rgba.data.set([255, 0, 51, 10]);
    expect(Array.from(decodeImage(PNG.sync.write(rgba), 'rgba').data)).toEqual([1, 0, Math.fround(0.2)]);

    // JPEG is lossy: a flat mid-grey block decodes to within a few levels.
    const flat = Buffer.alloc(16 * 16 * 4, 128);
    const jpg = jpeg.encode({ data: flat, width: 16, height: 16 }, 95).data;
    const path = join(dir, 'flat.jpg');
    writeFileSync(path, jpg);
    const ji = loadImage(path);
    expect(sniffImageFormat(jpg)).toBe('jpeg');
    expect([ji.width, ji.height]).toEqual([16, 16]);
    for (const v of ji.data) expect(Math.abs(v - 128 / 255)).toBeLessThan(3 / 255);
  });

  it('gives clear errors for missing, non-image, corrupt and truncated files', () => {
    expect(() => loadImage(join(dir, 'nope.png'))).toThrow(
      /not found .*give a PNG or JPEG file, or one of the embedded images: nagasaki-boats/,
    );
    expect(() => loadImage(dir)).toThrow(/is not a file/);
    const text = join(dir, 'notes.png');
    writeFileSync(text, 'hello, not an image');
    expect(() => loadImage(text)).toThrow(/neither PNG nor JPEG .*convert it to PNG or JPEG/);
    const png = encodePng(ramp(8, 8));
    const cut = join(dir, 'cut.png');
    writeFileSync(cut, png.subarray(0, 40));
    expect(() => loadImage(cut)).toThrow(/looks like PNG but cannot be decoded \(corrupt or truncated file\?\)/);
    const bad = join(dir, 'bad.jpg');
    writeFileSync(bad, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 7)]));
    expect(() => loadImage(bad)).toThrow(/looks like JPEG but cannot be decoded/);
  });

  it('loads the embedded public-domain photographs by name', () => {
    for (const name of Object.keys(EMBEDDED_IMAGES) as (keyof typeof EMBEDDED_IMAGES)[])
      expect(existsSync(embeddedImagePath(name))).toBe(true);
    const boats = loadImage('nagasaki-boats');
    expect([boats.width, boats.height]).toEqual([1024, 819]);
    const mean = boats.data.reduce((a, b) => a + b, 0) / boats.data.length;
    expect(mean).toBeGreaterThan(0.1);
    expect(mean).toBeLessThan(0.9);
  });
});

describe('crop and area resize', () => {
  it('crops the centre and refuses crops larger than the image', () => {
    const c = centerCrop(ramp(7, 5), 3, 3);
    // left = floor((7-3)/2) = 2, top = 1: the first pixel is (x=2, y=1)
    expect(Array.from(c.data.slice(0, 3))).toEqual([2 / 255, 1 / 255, 3 / 255].map(Math.fround));
    expect(() => centerCrop(ramp(7, 5), 6, 6)).toThrow(/ramp \(7x5\) is smaller than the crop 6x6; use a larger image or a smaller size/);
  });

  it('averages whole and fractional pixels (box filter)', () => {
    // 4 -> 2 along x: pairs averaged; 3 -> 2: out0 = (a + b/2) / 1.5, out1 = (b/2 + c) / 1.5
    const img: RgbImage = { name: 't', width: 4, height: 1, data: Float32Array.from([0, 0, 0, 2, 2, 2, 4, 4, 4, 8, 8, 8]) };
    expect(Array.from(resizeArea(img, 2, 1).data)).toEqual([1, 1, 1, 6, 6, 6]);
    const three: RgbImage = { name: 't3', width: 3, height: 1, data: Float32Array.from([3, 0, 0, 6, 0, 0, 9, 0, 0]) };
    const r = resizeArea(three, 2, 1).data;
    expect(r[0]).toBeCloseTo((3 + 3) / 1.5, 5);
    expect(r[3]).toBeCloseTo((3 + 9) / 1.5, 5);
    // the mean of the image is preserved by an exact-multiple downscale
    const big = ramp(8, 6);
    const small = resizeArea(big, 4, 3);
    const m = (d: Float32Array) => d.reduce((a, b) => a + b, 0) / d.length;
    expect(m(small.data)).toBeCloseTo(m(big.data), 6);
    expect(() => resizeArea(big, 9, 6)).toThrow(/smaller than the requested 9x6.*upscaling is not done/);
  });

  it('makes a square by resize-then-crop or crop, and refuses images smaller than the size', () => {
    const img = ramp(12, 8);
    const r = squareImage(img, 4, 'resize'); // 12x8 -> 6x4 -> central 4x4
    expect([r.width, r.height]).toEqual([4, 4]);
    // 12x8 -> 6x4 (2x2 boxes) -> central 4x4 from column 1: first pixel = mean of original x 2..3, y 0..1
    expect(r.data[0]).toBeCloseTo(2.5 / 255, 6);
    expect(r.data[1]).toBeCloseTo(0.5 / 255, 6);
    const c = squareImage(img, 4, 'crop');
    expect(c.data[0]).toBeCloseTo(4 / 255, 6);
    expect(() => squareImage(img, 9, 'resize')).toThrow(
      /ramp \(12x8\) is smaller than the 9x9 crop; use a larger image or a smaller imageSize/,
    );
  });
});
