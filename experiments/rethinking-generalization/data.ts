import { Rng } from '@claimlab/core';
import { drawSubset, loadCifar10, loadMnist, type ImageDataset } from '@claimlab/datasets';
import type { RethinkingConfig } from './config.ts';

/**
 * Centre crop to 28x28 and per-image standardisation, as Zhang et al. do for
 * CIFAR-10 (section 2: "we center crop the images to 28x28 and normalise
 * each image by subtracting the mean and dividing by the adjusted standard
 * deviation", the tf.image.per_image_standardization rule).
 */
export function cropAndStandardise(ds: ImageDataset, size = 28): ImageDataset {
  const { height: h, width: w, channels: c } = ds;
  const top = Math.floor((h - size) / 2);
  const left = Math.floor((w - size) / 2);
  const per = size * size * c;
  const images = new Float32Array(ds.n * per);
  for (let i = 0; i < ds.n; i++) {
    let k = i * per;
    for (let y = 0; y < size; y++) {
      const src = ((i * h + top + y) * w + left) * c;
      images.set(ds.images.subarray(src, src + size * c), k);
      k += size * c;
    }
    const img = images.subarray(i * per, (i + 1) * per);
    let mean = 0;
    for (const v of img) mean += v;
    mean /= per;
    let sq = 0;
    for (const v of img) sq += (v - mean) ** 2;
    const adjusted = Math.max(Math.sqrt(sq / per), 1 / Math.sqrt(per));
    for (let j = 0; j < per; j++) img[j] = (img[j] - mean) / adjusted;
  }
  return { ...ds, name: `${ds.name}/crop${size}-std`, images, height: size, width: size };
}

/**
 * The clean train and test sets of a run: seeded subsets of the dataset's
 * splits, identical for every condition of the same seed.
 */
export function loadCleanData(config: RethinkingConfig, seed: number, dataDir: string | null): { train: ImageDataset; test: ImageDataset } {
  const rng = new Rng(seed).fork('data-subset');
  const load = (split: 'train' | 'test') =>
    config.dataset === 'mnist'
      ? loadMnist({ split, dir: dataDir ?? undefined })
      : cropAndStandardise(loadCifar10({ split, dir: dataDir ?? undefined }));
  return {
    train: drawSubset(load('train'), config.trainSize, rng.fork('trainSize'), 'trainSize'),
    test: drawSubset(load('test'), config.testSize, rng.fork('testSize'), 'testSize'),
  };
}
