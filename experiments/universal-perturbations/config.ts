import { ConfigProblems, isPositiveInteger, type ProfileName } from '@claimlab/core';

export const MODEL_KINDS = ['mlp', 'cnn', 'resnet'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** One classifier: its architecture, its training, and the hidden layers whose singular vectors are computed. */
export type ModelSpec = {
  /** Row / column name in the tables (unique). */
  name: string;
  kind: ModelKind;
  /** mlp: hidden widths (layers fc1, fc2, ...). */
  hidden: number[];
  /** cnn: channels of the stride-2 conv layers (conv1, conv2, ...); fcUnits: the fc1 layer. */
  channels: number[];
  fcUnits: number;
  /** resnet: depth 6n + 2 and width multiplier of the 16/32/64 stages (libs/models cifarResNet). */
  depth: number;
  widthMultiplier: number;
  /** Hidden layers (tfjs layer names) whose (inf, q)-singular vectors are computed: the "fooling rate vs layer" sweep. */
  layers: string[];
  /** The layer used for every other table (xi, images, transfer); fixed before any run. */
  mainLayer: string;
  learningRate: number;
  epochs: number;
};

export type UniversalConfig = {
  /** Seeds (full replicates: data subsets, weights, perturbations, random draws) of a run; --seeds N overrides. */
  seeds: number;
  dataset: 'mnist' | 'cifar10';
  /** Training images per model (a seeded subset of the training split, shared by the models). */
  trainSize: number;
  /** Held-out images (test split) on which fooling rates are measured. */
  testSize: number;
  batchSize: number;
  momentum: number;
  decayPerEpoch: number;
  models: ModelSpec[];
  /** l_inf budgets swept (input scale [0, 1]). */
  xis: number[];
  /** The budget of the transfer table, the layer and the image-count sweeps. */
  mainXi: number;
  /** Budgets at which Moosavi-Dezfooli's algorithm is re-run (its result depends on xi; the singular vector is only rescaled). */
  uapXis: number[];
  /** Images a perturbation is built from (the first n of one seeded draw from the training subset, so the sets are nested). */
  nImages: number[];
  /** The image count of the main tables (Khrulkov & Oseledets: 64). */
  mainImages: number;
  /** Khrulkov & Oseledets: q of the (inf, q)-singular vector (paper 10; their code's default 5) and power iterations (~30). */
  q: number;
  powerIterations: number;
  /** Moosavi-Dezfooli: target fooling rate 1 - delta, pass cap, DeepFool overshoot and iterations. */
  delta: number;
  maxPasses: number;
  overshoot: number;
  maxIterDeepFool: number;
  /** Random baseline: 'sign' (+-xi per pixel, a random vertex of the l_inf ball) or 'uniform' (uniform in [-xi, xi]). */
  randomKind: 'sign' | 'uniform';
  /** Random perturbations drawn per budget (their fooling rates are averaged). */
  randomDraws: number;
};

/**
 * Budgets. The papers use xi = 10 on the 0-255 scale (0.039 on [0, 1]; l_inf) for ImageNet
 * (Moosavi-Dezfooli et al. also use l2 xi = 2000 on 0-255, secondary quote),
 * where a 224x224x3 input gives a perturbation of l2 norm ~ 15 (0-1 scale) at that l_inf
 * budget. MNIST classifiers are far more robust to l_inf noise (28x28 binary-like digits;
 * per-image attacks are benchmarked at 0.1-0.3, e.g. Madry et al. 2018 use 0.3): at
 * 10/255 no universal perturbation fools more than a few percent of MNIST digits, so the
 * quick profile sweeps 0.05-0.3 and fixes the main budget at 0.2, chosen before any run,
 * small enough that sign noise of that norm leaves the label of most digits unchanged.
 *
 * quick: MNIST, 10k training images, three classifiers (MLP 2x256 for 3 epochs, a stride-2
 * CNN for 2, ResNet-8 with stages 8/16/32 for 1: the ResNet is ~10x slower per image on wasm); perturbations from 64 images
 * (16/64/256 for the image sweep); fooling rates on 1000 held-out test digits.
 * Moosavi-Dezfooli's algorithm is capped at 5 passes over its images.
 *
 * Both profiles run 3 seeds: every check is judged at each seed (REPRODUCED only when it holds at
 * all three), each seed a full replicate (data subsets, weights, perturbations, random draws).
 *
 * paper: CIFAR-10 (from --data-dir), xi = 10/255, 64 images, q = 10, 30 power
 * iterations, the reference's delta 0.2 and 10 DeepFool iterations, VGG/ResNet-style
 * nets trained to full accuracy: a GPU job, not run here.
 */
const QUICK_MODELS: ModelSpec[] = [
  {
    name: 'mlp',
    kind: 'mlp',
    hidden: [256, 256],
    channels: [],
    fcUnits: 0,
    depth: 0,
    widthMultiplier: 0,
    layers: ['fc1', 'fc2'],
    mainLayer: 'fc1',
    learningRate: 0.05,
    epochs: 3,
  },
  {
    name: 'cnn',
    kind: 'cnn',
    hidden: [],
    channels: [16, 32],
    fcUnits: 128,
    depth: 0,
    widthMultiplier: 0,
    layers: ['conv1', 'conv2', 'fc1'],
    mainLayer: 'conv2',
    learningRate: 0.02,
    epochs: 2,
  },
  {
    name: 'resnet8',
    kind: 'resnet',
    hidden: [],
    channels: [],
    fcUnits: 0,
    depth: 8,
    widthMultiplier: 0.5,
    layers: ['relu1', 's1b1_relu2', 's2b1_relu2'],
    mainLayer: 's1b1_relu2',
    learningRate: 0.05,
    epochs: 1,
  },
];

const PAPER_MODELS: ModelSpec[] = [
  {
    name: 'cnn-wide',
    kind: 'cnn',
    hidden: [],
    channels: [64, 128, 256],
    fcUnits: 512,
    depth: 0,
    widthMultiplier: 0,
    layers: ['conv1', 'conv2', 'conv3', 'fc1'],
    mainLayer: 'conv2',
    learningRate: 0.01,
    epochs: 60,
  },
  {
    name: 'resnet20',
    kind: 'resnet',
    hidden: [],
    channels: [],
    fcUnits: 0,
    depth: 20,
    widthMultiplier: 1,
    layers: ['relu1', 's1b3_relu2', 's2b3_relu2', 's3b3_relu2'],
    mainLayer: 's1b3_relu2',
    learningRate: 0.1,
    epochs: 80,
  },
  {
    name: 'resnet56',
    kind: 'resnet',
    hidden: [],
    channels: [],
    fcUnits: 0,
    depth: 56,
    widthMultiplier: 1,
    layers: ['relu1', 's1b9_relu2', 's2b9_relu2', 's3b9_relu2'],
    mainLayer: 's1b9_relu2',
    learningRate: 0.1,
    epochs: 80,
  },
];

export const PROFILES: Record<ProfileName, UniversalConfig> = {
  quick: {
    seeds: 3,
    dataset: 'mnist',
    trainSize: 10000,
    testSize: 1000,
    batchSize: 64,
    momentum: 0.9,
    decayPerEpoch: 0.8,
    models: QUICK_MODELS,
    xis: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3],
    mainXi: 0.2,
    uapXis: [0.1, 0.2, 0.3],
    nImages: [16, 64, 256],
    mainImages: 64,
    q: 10,
    powerIterations: 30,
    delta: 0.2,
    maxPasses: 5,
    overshoot: 0.02,
    maxIterDeepFool: 10,
    randomKind: 'sign',
    randomDraws: 3,
  },
  paper: {
    seeds: 3,
    dataset: 'cifar10',
    trainSize: 50000,
    testSize: 10000,
    batchSize: 128,
    momentum: 0.9,
    decayPerEpoch: 0.97,
    models: PAPER_MODELS,
    xis: [2 / 255, 4 / 255, 6 / 255, 8 / 255, 10 / 255, 12 / 255],
    mainXi: 10 / 255,
    uapXis: [4 / 255, 8 / 255, 10 / 255, 12 / 255],
    nImages: [16, 32, 64, 128, 256, 1024],
    mainImages: 64,
    q: 10,
    powerIterations: 30,
    delta: 0.2,
    maxPasses: 10,
    overshoot: 0.02,
    maxIterDeepFool: 10,
    randomKind: 'sign',
    randomDraws: 10,
  },
};

/** Validates a resolved config; each problem is named. */
export function validateConfig(c: UniversalConfig): void {
  const problems = new ConfigProblems();
  if (c.dataset !== 'mnist' && c.dataset !== 'cifar10') problems.push(`unknown dataset '${c.dataset}' (use mnist or cifar10)`);
  const { seeds, trainSize, testSize, batchSize, mainImages, powerIterations, maxPasses, maxIterDeepFool, randomDraws } = c;
  problems.positiveIntegers({
    seeds,
    trainSize,
    testSize,
    batchSize,
    mainImages,
    powerIterations,
    maxPasses,
    maxIterDeepFool,
    randomDraws,
  });
  problems.positiveNumbers({ mainXi: c.mainXi });
  if (!(c.momentum >= 0 && c.momentum < 1)) problems.push(`momentum must be in [0, 1), got ${c.momentum}`);
  if (!(c.decayPerEpoch > 0 && c.decayPerEpoch <= 1)) problems.push(`decayPerEpoch must be in (0, 1], got ${c.decayPerEpoch}`);
  if (!(typeof c.q === 'number' && c.q > 1 && Number.isFinite(c.q)))
    problems.push(`q must be a finite number > 1, got ${JSON.stringify(c.q)}`);
  if (!(c.delta >= 0 && c.delta < 1)) problems.push(`delta must be in [0, 1), got ${c.delta}`);
  if (!(c.overshoot >= 0)) problems.push(`overshoot must be >= 0, got ${c.overshoot}`);
  if (c.randomKind !== 'sign' && c.randomKind !== 'uniform') problems.push(`unknown randomKind '${c.randomKind}' (use sign or uniform)`);
  for (const [name, list] of [
    ['xis', c.xis],
    ['uapXis', c.uapXis],
  ] as const) {
    if (!Array.isArray(list) || list.length === 0) problems.push(`${name} must be a non-empty list`);
    else for (const x of list) problems.positiveNumbers({ [`${name} entry`]: x });
  }
  if (Array.isArray(c.xis) && !c.xis.includes(c.mainXi)) problems.push(`mainXi ${c.mainXi} must be one of xis (${c.xis.join(', ')})`);
  if (Array.isArray(c.uapXis) && !c.uapXis.includes(c.mainXi))
    problems.push(`mainXi ${c.mainXi} must be one of uapXis (${c.uapXis.join(', ')})`);
  if (!Array.isArray(c.nImages) || c.nImages.length === 0) problems.push('nImages must be a non-empty list');
  else {
    for (const n of c.nImages) problems.positiveIntegers({ 'nImages entry': n });
    if (!c.nImages.includes(c.mainImages)) problems.push(`mainImages ${c.mainImages} must be one of nImages (${c.nImages.join(', ')})`);
    if (Math.max(...c.nImages) > c.trainSize)
      problems.push(`the largest nImages (${Math.max(...c.nImages)}) exceeds trainSize ${c.trainSize}`);
  }
  if (!Array.isArray(c.models) || c.models.length === 0) problems.push('models must be a non-empty list');
  else {
    const names = new Set<string>();
    for (const m of c.models) {
      const at = `model '${m.name}'`;
      if (typeof m.name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(m.name))
        problems.push(`model name must be letters, digits, - or _, got ${JSON.stringify(m.name)}`);
      if (names.has(m.name)) problems.push(`model name '${m.name}' is used twice`);
      names.add(m.name);
      if (!(MODEL_KINDS as readonly string[]).includes(m.kind)) {
        problems.push(`${at}: unknown model kind '${m.kind}' (use ${MODEL_KINDS.join(', ')})`);
        continue;
      }
      if (m.kind === 'mlp' && !(Array.isArray(m.hidden) && m.hidden.length > 0 && m.hidden.every(isPositiveInteger)))
        problems.push(`${at}: hidden must be a non-empty list of positive integers`);
      if (m.kind === 'cnn' && !(Array.isArray(m.channels) && m.channels.length > 0 && m.channels.every(isPositiveInteger)))
        problems.push(`${at}: channels must be a non-empty list of positive integers`);
      if (m.kind === 'resnet' && !(isPositiveInteger(m.depth) && m.depth >= 8 && (m.depth - 2) % 6 === 0))
        problems.push(`${at}: depth must be 6n + 2 >= 8, got ${m.depth}`);
      if (m.kind === 'resnet' && !(m.widthMultiplier > 0)) problems.push(`${at}: widthMultiplier must be > 0, got ${m.widthMultiplier}`);
      problems.positiveNumbers({ [`${at}: learningRate`]: m.learningRate });
      problems.positiveIntegers({ [`${at}: epochs`]: m.epochs });
      if (!Array.isArray(m.layers) || m.layers.length === 0) problems.push(`${at}: layers must be a non-empty list of layer names`);
      else if (!m.layers.includes(m.mainLayer))
        problems.push(`${at}: mainLayer '${m.mainLayer}' must be one of its layers (${m.layers.join(', ')})`);
    }
  }
  problems.throwIfAny();
}
