// The arms of the sweep, in two phases per seed (main.ts applies the budget rule between them):
//  - 'train': train one model to the target accuracy, measure random noise on it at every budget;
//  - 'attack': build every perturbation on one trained model, with both methods, at the chosen budget;
//  - 'defend': build one defense of the defended model and attack it again (an adaptive attacker).
// An arm runs in this process or in a worker process (runSweep) with identical results: every
// random draw comes from Rng streams named by the arm's own description.
import { defineArm, Rng } from '@claimlab/core';
import { tf } from '@claimlab/backend';
import {
  foolingRate,
  predictLabels,
  randomPerturbation,
  singularVectorPerturbation,
  universalPerturbation,
  type DifferentiableClassifier,
} from '@claimlab/metrics';
import { trainClassifier } from '@claimlab/models';
import type { ResultRow } from './results.ts';
import type { DefenseName, ModelSpec, UniversalConfig } from './config.ts';
import { buildModel, classifierOf, decodeWeights, defendedName, encodeWeights, squeeze, type Weights } from './models.ts';
import { firstImages, imageBlock, loadData, type Data } from './data.ts';

interface ArmBase {
  spec: ModelSpec;
  config: UniversalConfig;
  seed: number;
  dataDir: string | null;
}
export type Arm =
  | (ArmBase & { task: 'train' })
  | (ArmBase & { task: 'attack'; xi: number; weights: Weights })
  | (ArmBase & { task: 'defend'; defense: DefenseName; xi: number; weights: Weights });

/** Wall-clock time of one perturbation or training (kept out of results.csv, which must be byte-identical across runs). */
export interface Timing {
  model: string;
  method: 'train' | 'sv' | 'uap';
  layer: string;
  n_images: number;
  xi: number;
  seconds: number;
}

export interface ArmResult {
  /** The model (a defended one is named model+defense). */
  model: string;
  rows: ResultRow[];
  /** The trained weights, so later phases and the transfer table can use the model without retraining it. */
  weights: Weights;
  /** Perturbations at the main budget from mainImages images: sv per layer, uap (attack and defend arms). */
  perturbations: { sv: Record<string, number[]>; uap: number[] };
  timings: Timing[];
  seconds: number;
}

/** The random perturbations of a budget: the same draws for every model of a seed. */
export function randomDraws(c: UniversalConfig, seed: number, xi: number, size: number): Float32Array[] {
  return Array.from({ length: c.randomDraws }, (_, k) =>
    randomPerturbation(size, xi, c.randomKind, new Rng(seed).fork(`random/${xi}/${k}`)),
  );
}

/** Scales a sign vector (||v||_inf = 1) to budget xi. */
const scaled = (v: ArrayLike<number>, xi: number) => Float32Array.from(v, (x) => x * xi);

/**
 * Relative cost of an arm: the sweep starts the costliest first, so that the two workers finish a
 * phase together. Seconds per arm measured in quick (seeds 0-2, timings-seed-*.csv, 2-core AMD
 * EPYC, 2026-12-03): training a VGG ~33 and the ResNet-8 ~47; attacking a VGG ~25 and the ResNet-8
 * ~27; defending vgg-a and attacking it again: noise training ~52, bit-depth reduction ~45 (its
 * attacks differentiate through the transform), fine-tuning ~37. The schedule never changes what
 * an arm computes.
 */
const KIND_COST = { resnet: 1.4, vgg: 1, cnn: 1, mlp: 0.5 } as const;
const DEFENSE_COST: Record<DefenseName, number> = { 'noise-training': 52, 'bit-depth': 45, 'fine-tuning': 37 };
export const costOf = (arm: Arm): number =>
  arm.task === 'defend' ? DEFENSE_COST[arm.defense] : KIND_COST[arm.spec.kind] * (arm.task === 'train' ? 33 : 25);

const sizeOf = (d: Data) => d.inputShape.reduce((a, b) => a * b, 1);

/** Trains `model` on the run's training images (optionally transformed per batch) until the target accuracy. */
function train(
  model: tf.LayersModel,
  arm: ArmBase,
  data: Data,
  rng: Rng,
  opts: { name: string; learningRate: number; epochs: number; augment?: (x: tf.Tensor4D) => tf.Tensor4D; target?: number },
  onProgress: (s: string) => void,
): ResultRow[] {
  const c = arm.config;
  const { epochs } = trainClassifier({
    model,
    train: data.train,
    test: data.testAll,
    schedule: { learningRate: opts.learningRate, momentum: c.momentum, decayPerEpoch: c.decayPerEpoch },
    batchSize: c.batchSize,
    maxEpochs: opts.epochs,
    stopAtTestAccuracy: opts.target,
    // Only the final training accuracy is reported: the forward pass over the 60,000 training
    // images after every epoch was about a fifth of the training time.
    trainAccuracyAfter: 'last-epoch',
    augmentBatch: opts.augment,
    rng,
    onEpoch: (e) =>
      onProgress(
        `${opts.name}: epoch ${e.epoch}, held-out ${e.testAccuracy.toFixed(4)}` +
          (Number.isNaN(e.trainAccuracy) ? '' : `, train acc ${e.trainAccuracy.toFixed(4)}`),
      ),
  });
  const last = epochs[epochs.length - 1];
  const base = { source: '-', method: 'clean', layer: '-', n_images: 0, xi: 0, attacked: opts.name };
  return [
    { ...base, eval_set: 'train', metric: 'accuracy', value: last.trainAccuracy },
    { ...base, eval_set: 'test', metric: 'accuracy', value: last.testAccuracy },
    { ...base, eval_set: 'train', metric: 'epochs', value: epochs.length },
  ];
}

/** Held-out fooling rates of random noise at every budget (mean over the draws). */
function randomRows(arm: ArmBase, data: Data, clf: DifferentiableClassifier, name: string): ResultRow[] {
  const c = arm.config;
  const clean = predictLabels(clf, data.test.images);
  return c.xis.map((xi) => {
    const rates = randomDraws(c, arm.seed, xi, sizeOf(data)).map((v) => foolingRate(clean, predictLabels(clf, data.test.images, v)));
    const value = rates.reduce((a, b) => a + b, 0) / rates.length;
    return { source: '-', method: 'random', layer: '-', n_images: 0, xi, attacked: name, eval_set: 'test', metric: 'fooling_rate', value };
  });
}

/** Builds perturbations on `clf` (whose hidden layers are `model`'s, seen through `view`) and measures them on it. */
class Attacker {
  readonly rows: ResultRow[] = [];
  readonly timings: Timing[] = [];
  readonly perturbations: ArmResult['perturbations'] = { sv: {}, uap: [] };
  private readonly cleanTest: Int32Array;
  private readonly cleanBuild: Int32Array;

  constructor(
    private readonly arm: ArmBase & { xi: number },
    private readonly data: Data,
    private readonly model: tf.LayersModel,
    private readonly clf: DifferentiableClassifier,
    /** What the hidden layers see of an input: the identity, or the defense's transform (BPDA). */
    private readonly view: (x: Float32Array) => Float32Array,
    private readonly name: string,
    private readonly onProgress: (s: string) => void,
  ) {
    this.cleanTest = predictLabels(clf, data.test.images);
    this.cleanBuild = predictLabels(clf, data.build.images);
  }

  fooling(v: Float32Array, set: 'test' | 'build', n = 0): number {
    return set === 'test'
      ? foolingRate(this.cleanTest, predictLabels(this.clf, this.data.test.images, v))
      : foolingRate(this.cleanBuild.subarray(0, n), predictLabels(this.clf, firstImages(this.data.build, n), v));
  }

  /** Khrulkov & Oseledets: the (inf, q)-singular vector of `layer` from the first n build images, measured at every budget of `xis`. */
  singularVector(layer: string, n: number, xis: number[]): void {
    const { config: c, seed, xi: mainXi } = this.arm;
    this.onProgress(`${this.name}: singular vector of ${layer} from ${n} images`);
    const t = Date.now();
    const sv = singularVectorPerturbation(this.model, layer, this.view(firstImages(this.data.build, n)), this.data.inputShape, {
      q: c.q,
      maxIter: c.powerIterations,
      xi: 1,
      rng: new Rng(seed).fork(`sv/${this.name}/${layer}/${n}`),
    });
    this.timings.push({ model: this.name, method: 'sv', layer, n_images: n, xi: mainXi, seconds: (Date.now() - t) / 1000 });
    const key = { source: this.name, method: 'sv', layer, n_images: n, attacked: this.name };
    // One reverse pass per image for J^T w, two (the double-VJP) for J v.
    const backward = n * (sv.iterations + 2 * (sv.iterations + 1));
    this.rows.push(
      { ...key, xi: mainXi, eval_set: '-', metric: 'singular_value', value: sv.singularValue },
      { ...key, xi: mainXi, eval_set: '-', metric: 'iterations', value: sv.iterations },
      { ...key, xi: mainXi, eval_set: '-', metric: 'backward_passes', value: backward },
      { ...key, xi: mainXi, eval_set: 'build', metric: 'fooling_rate', value: this.fooling(scaled(sv.v, mainXi), 'build', n) },
    );
    for (const xi of xis)
      this.rows.push({ ...key, xi, eval_set: 'test', metric: 'fooling_rate', value: this.fooling(scaled(sv.v, xi), 'test') });
    if (n === c.mainImages) this.perturbations.sv[layer] = Array.from(scaled(sv.v, mainXi));
  }

  /** Moosavi-Dezfooli et al.: the iterative algorithm at budget xi from the first n build images. */
  universal(xi: number, n: number): Float32Array {
    const { config: c, seed, xi: mainXi } = this.arm;
    this.onProgress(`${this.name}: universal perturbation xi=${xi} from ${n} images`);
    const t = Date.now();
    const before = this.clf.cost.backward;
    const u = universalPerturbation(this.clf, firstImages(this.data.build, n), {
      ...uapOptions(c, xi, new Rng(seed).fork(`uap/${this.name}/${xi}/${n}`)),
      onPass: (pass, fr) =>
        this.onProgress(`${this.name}: universal perturbation xi=${xi} from ${n} images, pass ${pass}: fooling ${fr.toFixed(3)}`),
    });
    this.timings.push({ model: this.name, method: 'uap', layer: '-', n_images: n, xi, seconds: (Date.now() - t) / 1000 });
    const key = { source: this.name, method: 'uap', layer: '-', n_images: n, xi, attacked: this.name };
    this.rows.push(
      { ...key, eval_set: '-', metric: 'passes', value: u.passes },
      { ...key, eval_set: '-', metric: 'backward_passes', value: this.clf.cost.backward - before },
      { ...key, eval_set: 'build', metric: 'fooling_rate', value: u.foolingRate },
      { ...key, eval_set: 'test', metric: 'fooling_rate', value: this.fooling(u.perturbation, 'test') },
    );
    if (xi === mainXi && n === c.mainImages) this.perturbations.uap = Array.from(u.perturbation);
    return u.perturbation;
  }
}

/** Phase 1: train the model to the target accuracy; measure random noise on it at every budget. */
function runTrain(arm: ArmBase, data: Data, onProgress: (s: string) => void): ArmResult {
  const t0 = Date.now();
  const { spec, config: c } = arm;
  const root = new Rng(arm.seed);
  const model = buildModel(spec, data.inputShape, data.train.numClasses, root.fork(`weights/${spec.name}`));
  try {
    const rows = train(
      model,
      arm,
      data,
      root.fork(`batches/${spec.name}`),
      { name: spec.name, learningRate: spec.learningRate, epochs: spec.epochs, target: c.targetAccuracy },
      onProgress,
    );
    const seconds = (Date.now() - t0) / 1000;
    onProgress(`${spec.name}: random baseline`);
    rows.push(...randomRows(arm, data, classifierOf(model, data.inputShape), spec.name));
    const timings: Timing[] = [{ model: spec.name, method: 'train', layer: '-', n_images: 0, xi: 0, seconds }];
    return {
      model: spec.name,
      rows,
      weights: encodeWeights(model),
      perturbations: { sv: {}, uap: [] },
      timings,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    model.dispose();
  }
}

/** Phase 2: every perturbation of both methods on one trained model, at the budget the rule chose. */
function runAttack(arm: ArmBase & { xi: number; weights: Weights }, data: Data, onProgress: (s: string) => void): ArmResult {
  const t0 = Date.now();
  const { spec, config: c } = arm;
  const model = buildModel(spec, data.inputShape, data.train.numClasses, new Rng(0));
  try {
    decodeWeights(model, arm.weights);
    const a = new Attacker(arm, data, model, classifierOf(model, data.inputShape), (x) => x, spec.name, onProgress);
    for (const layer of spec.layers) a.singularVector(layer, c.mainImages, layer === spec.mainLayer ? c.xis : [arm.xi]);
    for (const n of c.nImages.filter((n) => n !== c.mainImages)) a.singularVector(spec.mainLayer, n, [arm.xi]);
    for (const xi of c.xis) a.universal(xi, c.mainImages);
    for (const n of c.nImages.filter((n) => n !== c.mainImages)) a.universal(arm.xi, n);
    return {
      model: spec.name,
      rows: a.rows,
      weights: arm.weights,
      perturbations: a.perturbations,
      timings: a.timings,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    model.dispose();
  }
}

/** A batch transform adding one fresh random perturbation of budget xi to every image. */
function noiseAugment(c: UniversalConfig, xi: number, rng: Rng): (x: tf.Tensor4D) => tf.Tensor4D {
  return (x) => x.add(tf.tensor(randomPerturbation(x.size, xi, c.randomKind, rng), x.shape));
}

/** A batch transform adding, to each image with probability `share`, one perturbation of the pool drawn at random. */
function poolAugment(pool: Float32Array[], share: number, rng: Rng): (x: tf.Tensor4D) => tf.Tensor4D {
  return (x) => {
    const size = pool[0].length;
    const add = new Float32Array(x.size);
    for (let i = 0; i < x.shape[0]; i++) if (rng.uniform() < share) add.set(pool[rng.int(pool.length)], i * size);
    return x.add(tf.tensor(add, x.shape));
  };
}

/**
 * Phase 2: one defense of the defended model, then an adaptive attacker who knows it: both methods
 * recomputed against the defended classifier at every budget, and random noise. The old
 * perturbations (built on the undefended model) are measured on it in main.ts, from its weights.
 */
function runDefend(
  arm: ArmBase & { defense: DefenseName; xi: number; weights: Weights },
  data: Data,
  onProgress: (s: string) => void,
): ArmResult {
  const t0 = Date.now();
  const { spec, config: c, defense, xi } = arm;
  const name = defendedName(spec.name, defense);
  const root = new Rng(arm.seed);
  const model = buildModel(spec, data.inputShape, data.train.numClasses, root.fork(`weights/${name}`));
  const timings: Timing[] = [];
  try {
    let rows: ResultRow[];
    if (defense === 'noise-training') {
      // Trained from scratch, as the undefended model, with random noise of the budget on every training image.
      const augment = noiseAugment(c, xi, root.fork(`noise/${name}`));
      rows = train(
        model,
        arm,
        data,
        root.fork(`batches/${name}`),
        { name, learningRate: spec.learningRate, epochs: spec.epochs, augment, target: c.targetAccuracy },
        onProgress,
      );
      timings.push({ model: name, method: 'train', layer: '-', n_images: 0, xi, seconds: (Date.now() - t0) / 1000 });
    } else {
      decodeWeights(model, arm.weights);
      if (defense === 'fine-tuning') {
        // Moosavi-Dezfooli et al. Section 4: a pool of universal perturbations of the network, added to a share of the training images.
        // Block 0 is the main perturbation (same images and random stream as the attack arm's).
        onProgress(`${name}: pool of ${c.defenses.poolSize} universal perturbations`);
        const pool = Array.from({ length: c.defenses.poolSize }, (_, k) => poolMember(arm, data, model, k));
        const t = Date.now();
        rows = train(
          model,
          arm,
          data,
          root.fork(`batches/${name}`),
          {
            name,
            learningRate: c.defenses.fineTuneLearningRate,
            epochs: c.defenses.fineTuneEpochs,
            augment: poolAugment(pool, c.defenses.fineTuneShare, root.fork(`pool/${name}`)),
          },
          onProgress,
        );
        timings.push({ model: name, method: 'train', layer: '-', n_images: 0, xi, seconds: (Date.now() - t) / 1000 });
      } else {
        // bit-depth: the trained model behind the squeezing transform; no training.
        const clf = classifierOf(model, data.inputShape, defense, c);
        const acc = (set: 'train' | 'testAll') => {
          const d = data[set];
          const pred = predictLabels(clf, d.images);
          return pred.reduce((s, p, i) => s + (p === d.labels[i] ? 1 : 0), 0) / d.n;
        };
        const base = { source: '-', method: 'clean', layer: '-', n_images: 0, xi: 0, attacked: name };
        rows = [
          { ...base, eval_set: 'train', metric: 'accuracy', value: acc('train') },
          { ...base, eval_set: 'test', metric: 'accuracy', value: acc('testAll') },
          { ...base, eval_set: 'train', metric: 'epochs', value: 0 },
        ];
      }
    }
    const clf = classifierOf(model, data.inputShape, defense, c);
    rows.push(...randomRows(arm, data, clf, name));
    const view = defense === 'bit-depth' ? (x: Float32Array) => squeeze(x, c) : (x: Float32Array) => x;
    const a = new Attacker(arm, data, model, clf, view, name, onProgress);
    a.singularVector(spec.mainLayer, c.mainImages, c.xis);
    for (const x of c.xis) a.universal(x, c.mainImages);
    rows.push(...a.rows);
    timings.push(...a.timings);
    return { model: name, rows, weights: encodeWeights(model), perturbations: a.perturbations, timings, seconds: (Date.now() - t0) / 1000 };
  } finally {
    model.dispose();
  }
}

/** The iterative algorithm's options (Moosavi-Dezfooli et al. Algorithm 1, l_inf ball of radius xi), one place for every caller. */
function uapOptions(c: UniversalConfig, xi: number, rng: Rng) {
  return { xi, p: Infinity, delta: c.delta, maxPasses: c.maxPasses, overshoot: c.overshoot, maxIterDeepFool: c.maxIterDeepFool, rng };
}

/**
 * Pool member k of the fine-tuning defense: the iterative algorithm at the main budget on build block
 * k. Member 0 is the attack arm's main perturbation (the first mainImages build images, the same
 * random stream); the others come from disjoint blocks.
 */
function poolMember(arm: ArmBase & { xi: number }, data: Data, model: tf.LayersModel, k: number): Float32Array {
  const c = arm.config;
  const rng = new Rng(arm.seed).fork(k === 0 ? `uap/${arm.spec.name}/${arm.xi}/${c.mainImages}` : `pool/${arm.spec.name}/${arm.xi}/${k}`);
  return universalPerturbation(classifierOf(model, data.inputShape), imageBlock(data.build, k, c.mainImages), uapOptions(c, arm.xi, rng))
    .perturbation;
}

export async function runArm(arm: Arm, onProgress: (status: string) => void): Promise<ArmResult> {
  const data = loadData(arm.config, arm.seed, arm.dataDir ?? undefined);
  const what = arm.task === 'defend' ? defendedName(arm.spec.name, arm.defense) : arm.spec.name;
  try {
    if (arm.task === 'train') return runTrain(arm, data, onProgress);
    if (arm.task === 'attack') return runAttack(arm, data, onProgress);
    return runDefend(arm, data, onProgress);
  } catch (e) {
    throw new Error(`model ${what} (${arm.task}): ${(e as Error).message}`);
  }
}

/** The sweep's arm runner, imported by main.ts. */
export const perturbationStudy = defineArm(import.meta.url, runArm);
