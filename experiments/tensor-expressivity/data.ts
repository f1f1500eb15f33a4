// The data of a run: seeded MNIST subsets for the trained networks. The random tensors of the
// exact part are drawn in arm.ts from streams named by the setting.
import { Rng } from '@claimlab/core';
import { drawSubset, loadMnist, type ImageDataset } from '@claimlab/datasets';

/** The training and test subsets of a seed, the same for every network of that seed. */
export function loadData(
  trainSize: number,
  testSize: number,
  seed: number,
  dataDir: string | null,
): { train: ImageDataset; test: ImageDataset } {
  const rng = new Rng(seed).fork('data-subset');
  const load = (split: 'train' | 'test') => loadMnist({ split, dir: dataDir ?? undefined });
  return {
    train: drawSubset(load('train'), trainSize, rng.fork('trainSize'), 'trainSize'),
    test: drawSubset(load('test'), testSize, rng.fork('testSize'), 'testSize'),
  };
}
