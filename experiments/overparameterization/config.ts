import { ConfigProblems, type Profiles } from '@claimlab/core';

export const DATASETS = ['boston', 'synthetic', 'gas-sensor'] as const;
export type DatasetName = (typeof DATASETS)[number];
export const INITS = ['balanced', 'gaussian'] as const;

export type OverparameterizationConfig = {
  /** Regression data sets; the first real one (boston, gas-sensor) carries the core checks, synthetic the supporting ones. */
  datasets: DatasetName[];
  /** Synthetic set: examples and features (correlated Gaussian features, a linear target with noise). */
  syntheticSize: number;
  syntheticDim: number;
  /** Exponents p of the l_p loss (the paper: 2 and 4). */
  losses: number[];
  /** Depths of the linear network trained with gradient descent (1 = the linear model itself). */
  depths: number[];
  /** Width of the hidden layers (with the balanced rank-one start the end-to-end trajectory does not depend on it). */
  hiddenWidth: number;
  /** balanced: rank-one balanced layers with the given end-to-end start; gaussian: i.i.d. N(0, gaussianStd^2) entries. */
  init: 'balanced' | 'gaussian';
  /** Norm of the common start w_0 (a random direction per seed): near zero. */
  initNorm: number;
  /** Entry std of the gaussian init (depth 1, AdaGrad, AdaDelta then start from that net's end-to-end vector). */
  gaussianStd: number;
  /** Full-batch iterations per run (the budget; a run that never reaches the loss level counts as this many, censored). */
  iterations: number;
  /** Learning-rate grids: gradient descent (one grid per depth, listed in `depths` order), AdaGrad, AdaDelta. */
  gdRates: number[][];
  adagradRates: number[];
  adadeltaRates: number[];
  /** Theorem 1: relative first-order step sizes at which one GD step is compared with the closed form. */
  theoremSteps: number[];
  /** MNIST convnet (TensorFlow's tutorial net, original vs fc layers as products of two matrices). */
  mnist: boolean;
  /** Training images (a seeded subset of the 60,000; all of them in both profiles). */
  mnistTrainSize: number;
  /** SGD steps per net (batch 64; the tutorial: 10 epochs = 9,380 steps on 60,000 images). */
  mnistSteps: number;
  mnistBatchSize: number;
  mnistLearningRate: number;
  /** Learning rate multiplied by this after every epoch (the tutorial: 0.95). */
  mnistDecayPerEpoch: number;
  mnistMomentum: number;
  /** L2 on the fc weights and biases (the tutorial's 5e-4 * sum of tf.nn.l2_loss = weightDecay 5e-4). */
  mnistWeightDecay: number;
  /** conv1, conv2 channels and the fc width (the tutorial: 32, 64, 512). */
  mnistShape: { conv1: number; conv2: number; fc: number };
  seeds: number;
};

/**
 * One learning-rate grid for every method: 0.001 x 2^k, k = 0..14 (0.001 to 16.384). Factor 2, so
 * the grid's coarseness moves an iteration count by at most about 2x, and wide enough that in a
 * pilot (seed 100, not a seed of any run) every method's best rate was inside it.
 */
export const RATE_GRID = Array.from({ length: 15 }, (_, k) => Number((0.001 * 2 ** k).toPrecision(6)));

/**
 * quick: Boston house prices (506 x 13, npm) and a synthetic set (500 x 20), both standardised
 * (features and target, so no intercept is needed and one learning-rate grid fits both); depths
 * 1, 2, 3; p = 2 and 4; 2,000 full-batch iterations; 15 rates per method (RATE_GRID); the MNIST tutorial net
 * at full width for 200 SGD steps on the 60,000 training images (0.21 epoch: the paper's
 * 10 epochs take ~20 min per net on this CPU). 500 steps at first took the whole quick run to
 * 1,073 s on this 2-core machine under a load of 6-8 from other jobs; 200 fit the 10-minute budget
 * (claim notes: both outcomes). Three seeds.
 *
 * paper: the UCI Gas Sensor Array Drift ethanol examples (128 features; Arora et al.'s experiments),
 * standardised, and the synthetic set; 20,000 iterations; the tutorial net for its full
 * 10 epochs (9,380 steps). Three seeds.
 */
export const PROFILES: Profiles<OverparameterizationConfig> = {
  quick: {
    datasets: ['boston', 'synthetic'],
    syntheticSize: 500,
    syntheticDim: 20,
    losses: [2, 4],
    depths: [1, 2, 3],
    hiddenWidth: 10,
    init: 'balanced',
    initNorm: 1e-3,
    gaussianStd: 0.05,
    iterations: 2000,
    gdRates: [RATE_GRID, RATE_GRID, RATE_GRID],
    adagradRates: RATE_GRID,
    adadeltaRates: RATE_GRID,
    theoremSteps: [1e-1, 1e-2, 1e-3, 1e-4],
    mnist: true,
    mnistTrainSize: 60000,
    mnistSteps: 200,
    mnistBatchSize: 64,
    mnistLearningRate: 0.01,
    mnistDecayPerEpoch: 0.95,
    mnistMomentum: 0.9,
    mnistWeightDecay: 5e-4,
    mnistShape: { conv1: 32, conv2: 64, fc: 512 },
    seeds: 3,
  },
  paper: {
    datasets: ['gas-sensor', 'synthetic'],
    syntheticSize: 500,
    syntheticDim: 20,
    losses: [2, 4],
    depths: [1, 2, 3],
    hiddenWidth: 10,
    init: 'balanced',
    initNorm: 1e-3,
    gaussianStd: 0.05,
    iterations: 20000,
    gdRates: [RATE_GRID, RATE_GRID, RATE_GRID],
    adagradRates: RATE_GRID,
    adadeltaRates: RATE_GRID,
    theoremSteps: [1e-1, 1e-2, 1e-3, 1e-4],
    mnist: true,
    mnistTrainSize: 60000,
    mnistSteps: 9380,
    mnistBatchSize: 64,
    mnistLearningRate: 0.01,
    mnistDecayPerEpoch: 0.95,
    mnistMomentum: 0.9,
    mnistWeightDecay: 5e-4,
    mnistShape: { conv1: 32, conv2: 64, fc: 512 },
    seeds: 3,
  },
};

const positiveList = (problems: ConfigProblems, name: string, list: unknown) => {
  if (!Array.isArray(list) || list.length === 0) problems.push(`${name} must be a non-empty list`);
  else
    for (const r of list)
      if (!(typeof r === 'number' && Number.isFinite(r) && r > 0)) problems.push(`${name} must hold positive numbers, got ${r}`);
};

/** Validates a resolved config; each problem is named with its fix. */
export function validateConfig(c: OverparameterizationConfig): void {
  const problems = new ConfigProblems();
  if (!Array.isArray(c.datasets) || c.datasets.length === 0) problems.push('datasets must be a non-empty list');
  else
    for (const d of c.datasets)
      if (!(DATASETS as readonly string[]).includes(d)) problems.push(`unknown dataset '${d}' (use ${DATASETS.join(', ')})`);
  const { syntheticSize, syntheticDim, hiddenWidth, iterations, mnistTrainSize, mnistSteps, mnistBatchSize, seeds } = c;
  problems.positiveIntegers({ syntheticSize, syntheticDim, hiddenWidth, iterations, mnistTrainSize, mnistSteps, mnistBatchSize, seeds });
  if (!Array.isArray(c.losses) || c.losses.length === 0) problems.push('losses must be a non-empty list');
  else for (const p of c.losses) if (!(typeof p === 'number' && p >= 2)) problems.push(`each loss exponent p must be >= 2, got ${p}`);
  if (!Array.isArray(c.depths) || c.depths.length === 0) problems.push('depths must be a non-empty list');
  else for (const d of c.depths) if (!(Number.isInteger(d) && d >= 1)) problems.push(`each depth must be an integer >= 1, got ${d}`);
  if (!(INITS as readonly string[]).includes(c.init)) problems.push(`init must be ${INITS.join(' or ')}, got '${c.init}'`);
  problems.positiveNumbers({ initNorm: c.initNorm, gaussianStd: c.gaussianStd, mnistLearningRate: c.mnistLearningRate });
  if (!Array.isArray(c.gdRates) || c.gdRates.length !== (c.depths?.length ?? 0))
    problems.push(`gdRates must hold one grid per depth (${c.depths?.length ?? 0} lists, in the order of depths)`);
  else c.gdRates.forEach((g, i) => positiveList(problems, `gdRates[${i}]`, g));
  positiveList(problems, 'adagradRates', c.adagradRates);
  positiveList(problems, 'adadeltaRates', c.adadeltaRates);
  positiveList(problems, 'theoremSteps', c.theoremSteps);
  if (Array.isArray(c.theoremSteps) && c.theoremSteps.length < 2)
    problems.push('theoremSteps needs at least 2 step sizes (the gap must shrink)');
  if (!(c.mnistDecayPerEpoch > 0 && c.mnistDecayPerEpoch <= 1))
    problems.push(`mnistDecayPerEpoch must be in (0, 1], got ${c.mnistDecayPerEpoch}`);
  if (!(c.mnistMomentum >= 0 && c.mnistMomentum < 1)) problems.push(`mnistMomentum must be in [0, 1), got ${c.mnistMomentum}`);
  if (!(c.mnistWeightDecay >= 0)) problems.push(`mnistWeightDecay must be >= 0, got ${c.mnistWeightDecay}`);
  const s = c.mnistShape ?? ({} as OverparameterizationConfig['mnistShape']);
  problems.positiveIntegers({ 'mnistShape.conv1': s.conv1, 'mnistShape.conv2': s.conv2, 'mnistShape.fc': s.fc });
  if (typeof c.mnist !== 'boolean') problems.push(`mnist must be true or false, got ${c.mnist}`);
  problems.throwIfAny();
}
