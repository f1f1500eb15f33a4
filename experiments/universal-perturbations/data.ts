// The images of a run: seeded training and held-out subsets, and the nested pool that
// perturbations are built from.
import { Rng } from '@claimlab/core';
import { drawSubset, loadCifar10, loadMnist, subset, type ImageDataset } from '@claimlab/datasets';
import type { UniversalConfig } from './config.ts';

export interface Data {
  train: ImageDataset;
  /** Held-out images on which fooling rates are measured: testSize of the test split. */
  test: ImageDataset;
  /**
   * The whole test split: every model is trained until its accuracy on it reaches targetAccuracy, and
   * the accuracy rows report it (the usual MNIST / CIFAR-10 measure, free of the subset's draw).
   */
  testAll: ImageDataset;
  /**
   * The pool perturbations are built from, drawn from `train`: the first n images for n images
   * (nested sets); the fine-tuning defense's pool uses the consecutive blocks of mainImages.
   */
  build: ImageDataset;
  inputShape: [number, number, number];
}

/** The data of a run: the same seeded subsets in every arm of a seed. */
export function loadData(c: UniversalConfig, seed: number, dataDir: string | undefined): Data {
  const rng = new Rng(seed).fork('data');
  const load = (split: 'train' | 'test') =>
    c.dataset === 'mnist' ? loadMnist({ split, dir: dataDir }) : loadCifar10({ split, dir: dataDir });
  const train = drawSubset(load('train'), c.trainSize, rng.fork('trainSize'), 'trainSize');
  const testAll = load('test');
  const test = drawSubset(testAll, c.testSize, rng.fork('testSize'), 'testSize');
  const buildSize = Math.max(...c.nImages, c.defenses.poolSize * c.mainImages);
  const build = subset(train, rng.fork('build').sample(train.n, buildSize), `${train.name}/build`);
  return { train, test, testAll, build, inputShape: [train.height, train.width, train.channels] };
}

/** The first n images of a dataset (a view, no copy). */
export function firstImages(ds: ImageDataset, n: number): Float32Array {
  const size = ds.height * ds.width * ds.channels;
  return ds.images.subarray(0, n * size);
}

/** Block k of n consecutive images (images k*n .. (k+1)*n - 1; a view, no copy). */
export function imageBlock(ds: ImageDataset, k: number, n: number): Float32Array {
  const size = ds.height * ds.width * ds.channels;
  if ((k + 1) * n > ds.n) throw new Error(`imageBlock: block ${k} of ${n} images needs ${(k + 1) * n} images, ${ds.name} has ${ds.n}`);
  return ds.images.subarray(k * n * size, (k + 1) * n * size);
}
