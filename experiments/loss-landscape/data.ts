// The images of a run: seeded training and test subsets, standardised for CIFAR-10.
import { Rng } from '@claimlab/core';
import { drawSubset, loadCifar10, loadMnist, type ImageDataset } from '@claimlab/datasets';
import type { LossLandscapeConfig } from './config.ts';

/**
 * Per-channel standardisation of CIFAR-10 with the training-set statistics (the authors'
 * dataloader normalises with the CIFAR-10 channel means and standard deviations); MNIST stays
 * in [0, 1].
 */
function standardise(train: ImageDataset, test: ImageDataset): [ImageDataset, ImageDataset] {
  const c = train.channels;
  const mean = new Float64Array(c);
  const sq = new Float64Array(c);
  for (let i = 0; i < train.images.length; i++) mean[i % c] += train.images[i];
  const per = train.images.length / c;
  for (let k = 0; k < c; k++) mean[k] /= per;
  for (let i = 0; i < train.images.length; i++) sq[i % c] += (train.images[i] - mean[i % c]) ** 2;
  const std = Array.from(sq, (s) => Math.sqrt(s / per) || 1);
  const apply = (d: ImageDataset): ImageDataset => {
    const images = new Float32Array(d.images.length);
    for (let i = 0; i < images.length; i++) images[i] = (d.images[i] - mean[i % c]) / std[i % c];
    return { ...d, name: `${d.name}/standardised`, images };
  };
  return [apply(train), apply(test)];
}

/** The seeded train/test subsets shared by every architecture of a run. */
export function loadData(config: LossLandscapeConfig, seed: number, dataDir: string | null): { train: ImageDataset; test: ImageDataset } {
  const rng = new Rng(seed).fork('data-subset');
  const load = (split: 'train' | 'test') =>
    config.dataset === 'mnist' ? loadMnist({ split, dir: dataDir ?? undefined }) : loadCifar10({ split, dir: dataDir ?? undefined });
  const train = drawSubset(load('train'), config.trainSize, rng.fork('trainSize'), 'trainSize');
  const test = drawSubset(load('test'), config.testSize, rng.fork('testSize'), 'testSize');
  return config.dataset === 'cifar10' ? (([a, b]) => ({ train: a, test: b }))(standardise(train, test)) : { train, test };
}
