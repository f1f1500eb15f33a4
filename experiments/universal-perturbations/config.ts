import { ConfigProblems, isPositiveInteger, type Profiles } from '@claimlab/core';

export const MODEL_KINDS = ['vgg', 'resnet', 'cnn', 'mlp'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** One classifier: its architecture, its training, and the hidden layers whose singular vectors are computed. */
export type ModelSpec = {
  /** Row / column name in the tables (unique; no '+', which names defended models). */
  name: string;
  kind: ModelKind;
  /** vgg: channels of the 3x3 convolutions per stage (libs/models vggNet; layers conv1..convK, fc1, logits). */
  stages: number[][];
  /** mlp: hidden widths (layers fc1, fc2, ...). */
  hidden: number[];
  /** cnn: channels of the stride-2 conv layers (conv1, conv2, ...). */
  channels: number[];
  /** vgg and cnn: units of the fc1 layer. */
  fcUnits: number;
  /** resnet: depth 6n + 2 and width multiplier of the 16/32/64 stages (libs/models cifarResNet). */
  depth: number;
  widthMultiplier: number;
  /** resnet: stride of the first convolution (2: the ImageNet ResNets' downsampling stem) and the shortcut type (A or projection). */
  stemStride: 1 | 2;
  shortcutType: 'A' | 'projection';
  /** Hidden layers (tfjs layer names) whose (inf, q)-singular vectors are computed: the "fooling rate vs layer" sweep. */
  layers: string[];
  /** The layer used for every other table (xi, images, transfer, defenses); fixed before any run. */
  mainLayer: string;
  learningRate: number;
  /** Most epochs of training; it stops earlier once the held-out accuracy reaches targetAccuracy. */
  epochs: number;
};

/** The defenses of the lectures, each applied to the model named `defenses.model`. */
export const DEFENSES = ['noise-training', 'bit-depth', 'fine-tuning'] as const;
export type DefenseName = (typeof DEFENSES)[number];

export type DefenseConfig = {
  /** The defended model (one of models), fixed before any run. */
  model: string;
  /** The defenses run (any of DEFENSES). */
  kinds: DefenseName[];
  /** bit-depth: bits kept per input value (Xu et al. 2018: 1 for MNIST, 5 for CIFAR-10). */
  bits: number;
  /** fine-tuning: universal perturbations in the pool (each from mainImages build images, disjoint sets; the first is the main one). */
  poolSize: number;
  /** fine-tuning: epochs over the training set, share of each batch that gets a pool perturbation, learning rate. */
  fineTuneEpochs: number;
  fineTuneShare: number;
  fineTuneLearningRate: number;
};

export type UniversalConfig = {
  /** Seeds (full replicates: data subsets, weights, perturbations, random draws) of a run; --seeds N overrides. */
  seeds: number;
  dataset: 'mnist' | 'cifar10';
  /** Training images per model (a seeded subset of the training split, shared by the models). */
  trainSize: number;
  /** Held-out images (test split) on which accuracies and fooling rates are measured. */
  testSize: number;
  batchSize: number;
  momentum: number;
  decayPerEpoch: number;
  models: ModelSpec[];
  /** Held-out accuracy every model is trained to (it stops there) before any perturbation is computed. */
  targetAccuracy: number;
  /** l_inf budgets swept (input scale [0, 1]); both methods run at each. */
  xis: number[];
  /**
   * The budget rule (both papers' criterion, fixed before any attack): the main xi is the largest
   * budget of xis at which random noise changes the label of at most this share of held-out images
   * on every model. It is applied per seed, after training and before any perturbation is built.
   */
  maxRandomFooling: number;
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
  defenses: DefenseConfig;
};

/**
 * Budgets. The papers use xi = 10 on the 0-255 scale (0.039 on [0, 1]; l_inf) for ImageNet
 * (Moosavi-Dezfooli et al. also use l2 xi = 2000 on 0-255, secondary quote), a budget at which the
 * perturbation is quasi-imperceptible and random noise of that norm rarely changes a label. MNIST
 * classifiers ignore l_inf noise of 10/255 (per-image attacks on MNIST are benchmarked at 0.1-0.3,
 * e.g. Madry et al. 2018 use 0.3), so the quick profile sweeps 0.05-0.3 and the budget rule
 * (maxRandomFooling: random noise changes at most 10% of held-out labels on every model) picks the
 * main budget per seed, after training and before any attack.
 *
 * quick: MNIST, all 60,000 training images, two VGG-style nets of different depth (4 and 6 3x3
 * convolutions, 8 and 16 channels) and a ResNet-8 (stride-2 stem, projection shortcuts), each trained
 * until its held-out accuracy on the whole test split reaches the protocol's 98.5% (at most 3 epochs;
 * SGD with momentum 0.9 at 0.05, the rate multiplied by 0.3 after each epoch). Measured before any
 * perturbation was computed, on the 1,000 digits of the fooling rates: at seed 0 one epoch gives
 * 97.6-97.8%, the second, at the lower rate, 98.8-99.5% on every model (with the earlier decay of 0.7
 * two epochs gave 98.0-98.4%); at seed 2, whose 1,000 digits are harder, 95.8-96.4% and 97.4-97.7%,
 * where the whole split gives 98.54% (vgg-a) and 98.62% (resnet8) after two epochs and 98.71% and
 * 98.86% after three. Hence the target on the whole split, the usual MNIST measure, and the cap of 3
 * epochs. Until 2026-12-03 quick trained one epoch with a 97% target on the 1,000 (see claim.ts,
 * changes). Perturbations from 64 images (16/64/256 for the image sweep); fooling rates on 1000
 * held-out test digits; the iterative algorithm capped at 5 passes. Defenses of vgg-a: noise training
 * (trained as vgg-a, same target and epoch cap), 1-bit depth (Xu et al. 2018's MNIST setting),
 * fine-tuning for one epoch on a pool of 4 universal perturbations (half of the
 * images perturbed, as Moosavi-Dezfooli et al. Section 4).
 *
 * Both profiles run 3 seeds: every check is judged at each seed (REPRODUCED only when it holds at
 * all three), each seed a full replicate (data subsets, weights, perturbations, random draws).
 *
 * paper: CIFAR-10 (from --data-dir), budgets up to 10/255 with the same rule, 64 images, q = 10, 30
 * power iterations, the reference's delta 0.2 and 10 DeepFool iterations, VGG-style nets of 8 and
 * 11 convolutions and a ResNet-20 trained to 85% held-out accuracy, 5-bit depth (Xu et al.'s CIFAR
 * setting): a GPU job, not run here.
 */
/** The fields of the other kinds, unused by a spec. */
const NONE: Pick<ModelSpec, 'stages' | 'hidden' | 'channels' | 'fcUnits' | 'depth' | 'widthMultiplier' | 'stemStride' | 'shortcutType'> = {
  stages: [],
  hidden: [],
  channels: [],
  fcUnits: 0,
  depth: 0,
  widthMultiplier: 0,
  stemStride: 1,
  shortcutType: 'A',
};
const QUICK_MODELS: ModelSpec[] = [
  {
    ...NONE,
    name: 'vgg-a',
    kind: 'vgg',
    stages: [
      [8, 8],
      [16, 16],
    ],
    fcUnits: 64,
    layers: ['conv1', 'conv2', 'conv3', 'conv4', 'fc1'],
    mainLayer: 'conv2',
    learningRate: 0.05,
    epochs: 3,
  },
  {
    ...NONE,
    name: 'vgg-b',
    kind: 'vgg',
    stages: [
      [8, 8, 8],
      [16, 16, 16],
    ],
    fcUnits: 64,
    layers: ['conv1', 'conv3', 'conv4', 'conv6', 'fc1'],
    mainLayer: 'conv3',
    learningRate: 0.05,
    epochs: 3,
  },
  {
    ...NONE,
    name: 'resnet8',
    kind: 'resnet',
    depth: 8,
    widthMultiplier: 0.5,
    stemStride: 2,
    shortcutType: 'projection',
    layers: ['relu1', 's1b1_relu2', 's2b1_relu2', 's3b1_relu2'],
    mainLayer: 's1b1_relu2',
    learningRate: 0.05,
    epochs: 3,
  },
];

const PAPER_MODELS: ModelSpec[] = [
  {
    ...NONE,
    name: 'vgg-a',
    kind: 'vgg',
    stages: [
      [64, 64],
      [128, 128],
      [256, 256, 256],
    ],
    fcUnits: 512,
    layers: ['conv1', 'conv2', 'conv4', 'conv7', 'fc1'],
    mainLayer: 'conv2',
    learningRate: 0.01,
    epochs: 60,
  },
  {
    ...NONE,
    name: 'vgg-b',
    kind: 'vgg',
    stages: [
      [64, 64],
      [128, 128],
      [256, 256, 256, 256],
      [512, 512, 512],
    ],
    fcUnits: 512,
    layers: ['conv1', 'conv2', 'conv4', 'conv8', 'fc1'],
    mainLayer: 'conv2',
    learningRate: 0.01,
    epochs: 60,
  },
  {
    ...NONE,
    name: 'resnet20',
    kind: 'resnet',
    depth: 20,
    widthMultiplier: 1,
    layers: ['relu1', 's1b3_relu2', 's2b3_relu2', 's3b3_relu2'],
    mainLayer: 's1b3_relu2',
    learningRate: 0.1,
    epochs: 80,
  },
];

export const PROFILES: Profiles<UniversalConfig> = {
  quick: {
    seeds: 3,
    dataset: 'mnist',
    trainSize: 60000,
    testSize: 1000,
    batchSize: 64,
    momentum: 0.9,
    decayPerEpoch: 0.3,
    models: QUICK_MODELS,
    targetAccuracy: 0.985,
    xis: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3],
    maxRandomFooling: 0.1,
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
    defenses: {
      model: 'vgg-a',
      kinds: ['noise-training', 'bit-depth', 'fine-tuning'],
      bits: 1,
      poolSize: 4,
      fineTuneEpochs: 1,
      fineTuneShare: 0.5,
      fineTuneLearningRate: 0.005,
    },
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
    targetAccuracy: 0.85,
    xis: [2 / 255, 4 / 255, 6 / 255, 8 / 255, 10 / 255],
    maxRandomFooling: 0.1,
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
    defenses: {
      model: 'vgg-a',
      kinds: ['noise-training', 'bit-depth', 'fine-tuning'],
      bits: 5,
      poolSize: 10,
      fineTuneEpochs: 5,
      fineTuneShare: 0.5,
      fineTuneLearningRate: 0.001,
    },
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
  if (!(c.targetAccuracy > 0 && c.targetAccuracy <= 1)) problems.push(`targetAccuracy must be in (0, 1], got ${c.targetAccuracy}`);
  if (!(c.maxRandomFooling >= 0 && c.maxRandomFooling < 1)) problems.push(`maxRandomFooling must be in [0, 1), got ${c.maxRandomFooling}`);
  if (!(c.momentum >= 0 && c.momentum < 1)) problems.push(`momentum must be in [0, 1), got ${c.momentum}`);
  if (!(c.decayPerEpoch > 0 && c.decayPerEpoch <= 1)) problems.push(`decayPerEpoch must be in (0, 1], got ${c.decayPerEpoch}`);
  if (!(typeof c.q === 'number' && c.q > 1 && Number.isFinite(c.q)))
    problems.push(`q must be a finite number > 1, got ${JSON.stringify(c.q)}`);
  if (!(c.delta >= 0 && c.delta < 1)) problems.push(`delta must be in [0, 1), got ${c.delta}`);
  if (!(c.overshoot >= 0)) problems.push(`overshoot must be >= 0, got ${c.overshoot}`);
  if (c.randomKind !== 'sign' && c.randomKind !== 'uniform') problems.push(`unknown randomKind '${c.randomKind}' (use sign or uniform)`);
  if (!Array.isArray(c.xis) || c.xis.length < 2) problems.push('xis must be a list of at least two budgets (the budget rule picks one)');
  else {
    for (const x of c.xis) problems.positiveNumbers({ 'xis entry': x });
    if (new Set(c.xis).size !== c.xis.length) problems.push(`xis has a budget twice (${c.xis.join(', ')})`);
  }
  if (!Array.isArray(c.nImages) || c.nImages.length === 0) problems.push('nImages must be a non-empty list');
  else {
    for (const n of c.nImages) problems.positiveIntegers({ 'nImages entry': n });
    if (!c.nImages.includes(c.mainImages)) problems.push(`mainImages ${c.mainImages} must be one of nImages (${c.nImages.join(', ')})`);
    if (c.nImages.length < 2 || Math.max(...c.nImages) <= c.mainImages)
      problems.push(
        `nImages needs a count below and one above mainImages ${c.mainImages} (the growth and saturation checks), got ${c.nImages.join(', ')}`,
      );
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
      if (typeof m.name === 'string' && m.name.includes('+'))
        problems.push(`model name '${m.name}' must not contain '+' (it names defended models)`);
      if (names.has(m.name)) problems.push(`model name '${m.name}' is used twice`);
      names.add(m.name);
      if (!(MODEL_KINDS as readonly string[]).includes(m.kind)) {
        problems.push(`${at}: unknown model kind '${m.kind}' (use ${MODEL_KINDS.join(', ')})`);
        continue;
      }
      if (m.kind === 'mlp' && !(Array.isArray(m.hidden) && m.hidden.length > 0 && m.hidden.every(isPositiveInteger)))
        problems.push(`${at}: hidden must be a non-empty list of positive integers`);
      if (
        m.kind === 'vgg' &&
        !(
          Array.isArray(m.stages) &&
          m.stages.length > 0 &&
          m.stages.every((st) => Array.isArray(st) && st.length > 0 && st.every(isPositiveInteger))
        )
      )
        problems.push(`${at}: stages must be a non-empty list of non-empty lists of positive integers`);
      if (m.kind === 'cnn' && !(Array.isArray(m.channels) && m.channels.length > 0 && m.channels.every(isPositiveInteger)))
        problems.push(`${at}: channels must be a non-empty list of positive integers`);
      if (m.kind === 'resnet' && !(isPositiveInteger(m.depth) && m.depth >= 8 && (m.depth - 2) % 6 === 0))
        problems.push(`${at}: depth must be 6n + 2 >= 8, got ${m.depth}`);
      if (m.kind === 'resnet' && m.stemStride !== 1 && m.stemStride !== 2)
        problems.push(`${at}: stemStride must be 1 or 2, got ${m.stemStride}`);
      if (m.kind === 'resnet' && m.shortcutType !== 'A' && m.shortcutType !== 'projection')
        problems.push(`${at}: shortcutType must be A or projection, got ${JSON.stringify(m.shortcutType)}`);
      if (m.kind === 'resnet' && !(m.widthMultiplier > 0)) problems.push(`${at}: widthMultiplier must be > 0, got ${m.widthMultiplier}`);
      problems.positiveNumbers({ [`${at}: learningRate`]: m.learningRate });
      problems.positiveIntegers({ [`${at}: epochs`]: m.epochs });
      if (!Array.isArray(m.layers) || m.layers.length === 0) problems.push(`${at}: layers must be a non-empty list of layer names`);
      else if (!m.layers.includes(m.mainLayer))
        problems.push(`${at}: mainLayer '${m.mainLayer}' must be one of its layers (${m.layers.join(', ')})`);
    }
  }
  const d = c.defenses;
  if (typeof d !== 'object' || d === null) problems.push('defenses must be an object (see config.ts DefenseConfig)');
  else {
    if (!Array.isArray(c.models) || !c.models.some((m) => m.name === d.model))
      problems.push(`defenses.model '${d.model}' must be one of the models (${(c.models ?? []).map((m) => m.name).join(', ')})`);
    if (!Array.isArray(d.kinds)) problems.push(`defenses.kinds must be a list of ${DEFENSES.join(', ')}`);
    else
      for (const k of d.kinds)
        if (!(DEFENSES as readonly string[]).includes(k))
          problems.push(`unknown defense '${k}' in defenses.kinds (use ${DEFENSES.join(', ')})`);
    if (!(isPositiveInteger(d.bits) && d.bits <= 16)) problems.push(`defenses.bits must be an integer in 1..16, got ${d.bits}`);
    problems.positiveIntegers({ 'defenses.poolSize': d.poolSize, 'defenses.fineTuneEpochs': d.fineTuneEpochs });
    problems.positiveNumbers({ 'defenses.fineTuneLearningRate': d.fineTuneLearningRate });
    if (!(d.fineTuneShare > 0 && d.fineTuneShare <= 1)) problems.push(`defenses.fineTuneShare must be in (0, 1], got ${d.fineTuneShare}`);
    if (isPositiveInteger(d.poolSize) && d.poolSize * c.mainImages > c.trainSize)
      problems.push(`defenses.poolSize x mainImages (${d.poolSize * c.mainImages}) exceeds trainSize ${c.trainSize}`);
  }
  problems.throwIfAny();
}
