// One model of the sweep: train it, build every perturbation on it with both
// methods, measure fooling rates on it. It runs in this process or in a worker
// process (runSweep) with identical results:
// every random draw comes from Rng streams named by the arm's own description.
import { defineArm, Rng } from '@claimlab/core';
import {
  foolingRate,
  predictLabels,
  randomPerturbation,
  singularVectorPerturbation,
  tfClassifier,
  universalPerturbation,
  type DifferentiableClassifier,
} from '@claimlab/metrics';
import { trainClassifier } from '@claimlab/models';
import type { ResultRow } from './results.ts';
import type { ModelSpec, UniversalConfig } from './config.ts';
import { buildModel, encodeWeights } from './models.ts';
import { firstImages, loadData } from './data.ts';

export interface Arm {
  spec: ModelSpec;
  config: UniversalConfig;
  seed: number;
  dataDir: string | null;
}

/** Wall-clock time of one perturbation (kept out of results.csv, which must be byte-identical across runs). */
export interface Timing {
  model: string;
  method: 'sv' | 'uap';
  layer: string;
  n_images: number;
  xi: number;
  seconds: number;
}

export interface ArmResult {
  model: string;
  rows: ResultRow[];
  /** The trained weights, so the transfer table can attack this model without retraining it. */
  weights: { shapes: number[][]; data: string };
  /** Perturbations at mainXi from mainImages images: sv per layer, uap (the transfer table's and the figures'). */
  perturbations: { sv: Record<string, number[]>; uap: number[] };
  timings: Timing[];
  trainSeconds: number;
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

/** Relative cost of a model's arm: the most expensive kinds are started first. */
const COST = { resnet: 3, cnn: 2, mlp: 1 } as const;
export const costOf = (arm: Arm): number => COST[arm.spec.kind];

export async function runArm(arm: Arm, onProgress: (status: string) => void): Promise<ArmResult> {
  const t0 = Date.now();
  const { spec, config: c, seed } = arm;
  const data = loadData(c, seed, arm.dataDir ?? undefined);
  const root = new Rng(seed);
  const model = buildModel(spec, data.inputShape, data.train.numClasses, root.fork(`weights/${spec.name}`));
  const rows: ResultRow[] = [];
  const timings: Timing[] = [];
  const name = spec.name;
  const inputSize = data.inputShape.reduce((a, b) => a * b, 1);
  try {
    const { epochs } = trainClassifier({
      model,
      train: data.train,
      test: data.test,
      schedule: { learningRate: spec.learningRate, momentum: c.momentum, decayPerEpoch: c.decayPerEpoch },
      batchSize: c.batchSize,
      maxEpochs: spec.epochs,
      stopAtTrainAccuracy: 1,
      rng: root.fork(`batches/${name}`),
      onEpoch: (e) => onProgress(`${name}: epoch ${e.epoch}, train acc ${e.trainAccuracy.toFixed(3)}, test ${e.testAccuracy.toFixed(3)}`),
    });
    const trainSeconds = (Date.now() - t0) / 1000;
    const last = epochs[epochs.length - 1];
    const base = { source: '-', layer: '-', n_images: 0, xi: 0, attacked: name };
    rows.push(
      { ...base, method: 'clean', eval_set: 'train', metric: 'accuracy', value: last.trainAccuracy },
      { ...base, method: 'clean', eval_set: 'test', metric: 'accuracy', value: last.testAccuracy },
    );

    const clf: DifferentiableClassifier = tfClassifier(model, data.inputShape);
    const cleanTest = predictLabels(clf, data.test.images);
    const buildImages = (n: number) => firstImages(data.build, n);
    const cleanBuild = predictLabels(clf, data.build.images);
    const fooling = (v: Float32Array, set: 'test' | 'build', n = 0) =>
      set === 'test'
        ? foolingRate(cleanTest, predictLabels(clf, data.test.images, v))
        : foolingRate(cleanBuild.subarray(0, n), predictLabels(clf, buildImages(n), v));
    const perturbations: ArmResult['perturbations'] = { sv: {}, uap: [] };

    // Khrulkov & Oseledets: (inf, q)-singular vectors, per layer at mainImages, per image count at mainLayer.
    const svJobs: { layer: string; n: number }[] = [
      ...spec.layers.map((layer) => ({ layer, n: c.mainImages })),
      ...c.nImages.filter((n) => n !== c.mainImages).map((n) => ({ layer: spec.mainLayer, n })),
    ];
    for (const { layer, n } of svJobs) {
      onProgress(`${name}: singular vector of ${layer} from ${n} images`);
      const t = Date.now();
      const sv = singularVectorPerturbation(model, layer, buildImages(n), data.inputShape, {
        q: c.q,
        maxIter: c.powerIterations,
        xi: 1,
        rng: root.fork(`sv/${name}/${layer}/${n}`),
      });
      timings.push({ model: name, method: 'sv', layer, n_images: n, xi: c.mainXi, seconds: (Date.now() - t) / 1000 });
      const key = { source: name, method: 'sv', layer, n_images: n, attacked: name };
      // One reverse pass per image for J^T w, two (the double-VJP) for J v.
      const backward = n * (sv.iterations + 2 * (sv.iterations + 1));
      rows.push(
        { ...key, xi: c.mainXi, eval_set: '-', metric: 'singular_value', value: sv.singularValue },
        { ...key, xi: c.mainXi, eval_set: '-', metric: 'iterations', value: sv.iterations },
        { ...key, xi: c.mainXi, eval_set: '-', metric: 'backward_passes', value: backward },
        { ...key, xi: c.mainXi, eval_set: 'build', metric: 'fooling_rate', value: fooling(scaled(sv.v, c.mainXi), 'build', n) },
      );
      const xis = layer === spec.mainLayer && n === c.mainImages ? c.xis : [c.mainXi];
      for (const xi of xis) rows.push({ ...key, xi, eval_set: 'test', metric: 'fooling_rate', value: fooling(scaled(sv.v, xi), 'test') });
      if (n === c.mainImages) perturbations.sv[layer] = Array.from(scaled(sv.v, c.mainXi));
    }

    // Moosavi-Dezfooli et al.: the iterative algorithm, per budget at mainImages, per image count at mainXi.
    const uapJobs: { xi: number; n: number }[] = [
      ...c.uapXis.map((xi) => ({ xi, n: c.mainImages })),
      ...c.nImages.filter((n) => n !== c.mainImages).map((n) => ({ xi: c.mainXi, n })),
    ];
    for (const { xi, n } of uapJobs) {
      onProgress(`${name}: universal perturbation xi=${xi} from ${n} images`);
      const t = Date.now();
      const before = clf.cost.backward;
      const u = universalPerturbation(clf, buildImages(n), {
        xi,
        p: Infinity,
        delta: c.delta,
        maxPasses: c.maxPasses,
        overshoot: c.overshoot,
        maxIterDeepFool: c.maxIterDeepFool,
        rng: root.fork(`uap/${name}/${xi}/${n}`),
        onPass: (pass, fr) =>
          onProgress(`${name}: universal perturbation xi=${xi} from ${n} images, pass ${pass}: fooling ${fr.toFixed(3)}`),
      });
      timings.push({ model: name, method: 'uap', layer: '-', n_images: n, xi, seconds: (Date.now() - t) / 1000 });
      const key = { source: name, method: 'uap', layer: '-', n_images: n, xi, attacked: name };
      rows.push(
        { ...key, eval_set: '-', metric: 'passes', value: u.passes },
        { ...key, eval_set: '-', metric: 'backward_passes', value: clf.cost.backward - before },
        { ...key, eval_set: 'build', metric: 'fooling_rate', value: u.foolingRate },
        { ...key, eval_set: 'test', metric: 'fooling_rate', value: fooling(u.perturbation, 'test') },
      );
      if (xi === c.mainXi && n === c.mainImages) perturbations.uap = Array.from(u.perturbation);
    }

    // Random perturbations of the same l_inf norm (mean fooling rate over the draws).
    onProgress(`${name}: random baseline`);
    for (const xi of c.xis) {
      const rates = randomDraws(c, seed, xi, inputSize).map((v) => fooling(v, 'test'));
      rows.push({
        source: '-',
        method: 'random',
        layer: '-',
        n_images: 0,
        xi,
        attacked: name,
        eval_set: 'test',
        metric: 'fooling_rate',
        value: rates.reduce((a, b) => a + b, 0) / rates.length,
      });
    }
    return { model: name, rows, weights: encodeWeights(model), perturbations, timings, trainSeconds, seconds: (Date.now() - t0) / 1000 };
  } catch (e) {
    throw new Error(`model ${name}: ${(e as Error).message}`);
  } finally {
    model.dispose();
  }
}

/** The sweep's arm runner, imported by main.ts. */
export const perturbationStudy = defineArm(import.meta.url, runArm);
