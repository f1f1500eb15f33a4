// One unit of the sweep: the learning-rate grid of one method on one (data set, p), the theory
// computations of a seed, or one MNIST net's training. An arm runs in this process or in a worker
// process with identical results: every random draw comes from Rng streams named by its description.
import { defineArm, Rng } from '@claimlab/core';
import { countParams, trainClassifier } from '@claimlab/models';
import type { DatasetName, OverparameterizationConfig } from './config.ts';
import { loadRegression, mnistTrainingSet, startVector } from './data.ts';
import { descend, startNet } from './descent.ts';
import { balancedNet, gaussianNet, randomUnit } from './linear-net.ts';
import { lpLoss, lpOptimum } from './losses.ts';
import { tutorialNet, tutorialWeightDecayOn, type MnistNet } from './models.ts';
import type { OptimizerName } from './optimizers.ts';
import type { ResultRow } from './results.ts';
import { bestRate, levelOf } from './selection.ts';
import { lpLossAndGradient } from './losses.ts';
import { normalisedCirculation, preconditionedGradient, theorem1Gap } from './theory.ts';

export type Arm =
  | {
      kind: 'regression';
      dataset: DatasetName;
      p: number;
      optimizer: OptimizerName;
      depth: number;
      rates: number[];
      /** The seed of the replicate: the start vector, the synthetic data and the hidden directions derive from it. */
      seed: number;
      dataDir: string | null;
      config: OverparameterizationConfig;
    }
  | { kind: 'theory'; dataset: DatasetName; seed: number; dataDir: string | null; config: OverparameterizationConfig }
  | { kind: 'mnist'; net: MnistNet; seed: number; config: OverparameterizationConfig };

export interface ArmResult {
  rows: ResultRow[];
  /** Regression arms: the loss at the start, the optimum and the level of their (data set, p). */
  reference?: { initialLoss: number; optimumLoss: number; level: number };
  seconds: number;
}

/** The sweep's arms at one seed: every (data set, p, method), the theory arm, the two MNIST nets. */
export function armsOf(c: OverparameterizationConfig, seed: number, dataDir: string | undefined): Arm[] {
  const arms: Arm[] = [];
  const common = { seed, dataDir: dataDir ?? null, config: c };
  if (c.mnist) for (const net of ['original', 'overparameterized'] as const) arms.push({ kind: 'mnist', net, seed, config: c });
  arms.push({ kind: 'theory', dataset: c.datasets[0], ...common });
  for (const dataset of c.datasets)
    for (const p of c.losses) {
      c.depths.forEach((depth, i) => arms.push({ kind: 'regression', dataset, p, optimizer: 'gd', depth, rates: c.gdRates[i], ...common }));
      arms.push({ kind: 'regression', dataset, p, optimizer: 'adagrad', depth: 1, rates: c.adagradRates, ...common });
      arms.push({ kind: 'regression', dataset, p, optimizer: 'adadelta', depth: 1, rates: c.adadeltaRates, ...common });
    }
  return arms;
}

/** Rough relative cost (the MNIST nets dominate; a regression grid costs examples x features x rates x iterations). */
export function costOf(a: Arm): number {
  if (a.kind === 'mnist') return a.config.mnistSteps * 1e9;
  if (a.kind === 'theory') return 1e6;
  const size = a.dataset === 'gas-sensor' ? 2565 * 128 : a.dataset === 'boston' ? 506 * 13 : a.config.syntheticSize * a.config.syntheticDim;
  return size * a.rates.length * a.config.iterations * (a.optimizer === 'gd' ? a.depth : 1);
}

const row = (r: Partial<ResultRow> & Pick<ResultRow, 'part' | 'dataset' | 'metric' | 'value'>): ResultRow => ({
  p: 0,
  method: '',
  depth: 0,
  learning_rate: 0,
  iteration: 0,
  ...r,
});

function runRegression(arm: Extract<Arm, { kind: 'regression' }>, onProgress: (s: string) => void): ArmResult {
  const t0 = Date.now();
  const { config: c, dataset, p, optimizer, depth } = arm;
  const data = loadRegression(dataset, c, arm.seed, arm.dataDir);
  const w0 = startVector(data.dim, c.initNorm, arm.seed, dataset);
  const optimumLoss = lpOptimum(data, p).loss;
  const initialLoss = lpLoss(data, w0, p);
  const level = levelOf(initialLoss, optimumLoss);
  const root = new Rng(arm.seed);
  // The same start net for every rate of a depth (gaussian: drawn once per data set and depth).
  const gaussian =
    c.init === 'gaussian' && depth > 1
      ? gaussianNet(data.dim, depth, c.hiddenWidth, c.gaussianStd, root.fork(`gaussian-net/${dataset}/${depth}`))
      : null;
  const net = () => startNet(w0, optimizer === 'gd' ? depth : 1, c.hiddenWidth, c.init, gaussian, root.fork(`hidden/${dataset}/${depth}`));
  const outcomes = arm.rates.map((rate, k) => {
    onProgress(`${dataset} p=${p} ${optimizer}${optimizer === 'gd' ? ` depth ${depth}` : ''}: rate ${k + 1} of ${arm.rates.length}`);
    return descend(data, net(), { optimizer, depth, rate, p, iterations: c.iterations, level });
  });
  const base = { part: 'regression', dataset, p, method: optimizer, depth };
  const rows: ResultRow[] = [];
  for (const o of outcomes) {
    const at = { ...base, learning_rate: o.rate };
    rows.push(row({ ...at, metric: 'iterations_to_level', value: o.iterations }));
    rows.push(row({ ...at, metric: 'reached', value: o.reached ? 1 : 0 }));
    rows.push(row({ ...at, metric: 'diverged', value: o.diverged ? 1 : 0 }));
    if (!o.diverged) rows.push(row({ ...at, metric: 'final_loss', value: o.finalLoss }));
  }
  // The curve of the rate the rule picks (claim.ts re-derives the pick from the rows above).
  const best = bestRate(outcomes);
  const chosen = best ? outcomes.find((o) => o.rate === best.rate)! : null;
  for (const pt of chosen?.curve ?? [])
    rows.push(row({ ...base, learning_rate: chosen!.rate, metric: 'loss', iteration: pt.iteration, value: pt.loss }));
  return { rows, reference: { initialLoss, optimumLoss, level }, seconds: (Date.now() - t0) / 1000 };
}

/**
 * Theorems 1 and 2 on the seed's instance of the first data set, for every p: one GD step of a
 * balanced depth-N net against the closed form at several relative step sizes, and the
 * normalised line integral of the end-to-end field around a circle (depths 1..max).
 */
function runTheory(arm: Extract<Arm, { kind: 'theory' }>): ArmResult {
  const t0 = Date.now();
  const { config: c, dataset } = arm;
  const data = loadRegression(dataset, c, arm.seed, arm.dataDir);
  const rng = new Rng(arm.seed).fork(`theory/${dataset}`);
  const rows: ResultRow[] = [];
  const maxDepth = Math.max(...c.depths, 2);
  for (const p of c.losses) {
    const radius = Math.hypot(...lpOptimum(data, p).w);
    const base = { part: 'theory', dataset, p, method: 'theory' };
    // Theorem 1: a random point at the optimum's distance from 0, a balanced net through it.
    const w = randomUnit(data.dim, rng.fork(`t1/${p}`)).map((v) => v * radius);
    const g = lpLossAndGradient(data, w, p).grad;
    for (let depth = 2; depth <= maxDepth; depth++) {
      const net = balancedNet(w, depth, c.hiddenWidth, rng.fork(`t1/${p}/${depth}`));
      const first = Math.hypot(...preconditionedGradient(w, g, depth));
      for (const delta of c.theoremSteps) {
        // eta such that the first-order step has relative size delta: eta |F(w)| = delta |w|.
        const eta = (delta * radius) / first;
        rows.push(row({ ...base, depth, learning_rate: delta, metric: 'theorem1_relative_gap', value: theorem1Gap(data, p, net, eta) }));
      }
    }
    // Theorem 2: a circle of radius |c|/2 around a random center c at the optimum's distance, in a random plane.
    const lr = rng.fork(`t2/${p}`);
    const center = randomUnit(data.dim, lr).map((v) => v * radius);
    const u = randomUnit(data.dim, lr);
    const v0 = randomUnit(data.dim, lr);
    const d = v0.reduce((s, x, i) => s + x * u[i], 0);
    const vr = v0.map((x, i) => x - d * u[i]);
    const vn = Math.hypot(...vr);
    const v = vr.map((x) => x / vn);
    for (let depth = 1; depth <= maxDepth; depth++) {
      const value = normalisedCirculation(data, p, depth, { center, u, v, radius: radius / 2, points: 512 });
      rows.push(row({ ...base, depth, metric: 'circulation', value }));
    }
  }
  return { rows, seconds: (Date.now() - t0) / 1000 };
}

async function runMnist(arm: Extract<Arm, { kind: 'mnist' }>, onProgress: (s: string) => void): Promise<ArmResult> {
  const t0 = Date.now();
  const c = arm.config;
  const train = mnistTrainingSet(c.mnistTrainSize, arm.seed);
  const root = new Rng(arm.seed);
  // Same seed streams for both nets: the same conv weights, the same first factors, batches and dropout masks.
  const model = tutorialNet({
    net: arm.net,
    shape: c.mnistShape,
    weightsRng: root.fork('mnist/weights'),
    dropoutRng: root.fork('mnist/dropout'),
  });
  try {
    const { stepLosses } = trainClassifier({
      model,
      train,
      schedule: { learningRate: c.mnistLearningRate, momentum: c.mnistMomentum, decayPerEpoch: c.mnistDecayPerEpoch },
      weightDecay: c.mnistWeightDecay,
      weightDecayOn: tutorialWeightDecayOn,
      batchSize: c.mnistBatchSize,
      maxEpochs: Math.ceil((c.mnistSteps * c.mnistBatchSize) / train.n),
      maxSteps: c.mnistSteps,
      evaluate: false,
      recordStepLosses: true,
      rng: root.fork('mnist/batches'),
      onEpoch: (e) => onProgress(`mnist ${arm.net}: epoch ${e.epoch}, ${e.steps} steps, loss ${e.loss.toFixed(3)}`),
    });
    const base = {
      part: 'mnist',
      dataset: 'mnist',
      method: arm.net,
      depth: arm.net === 'original' ? 1 : 2,
      learning_rate: c.mnistLearningRate,
    };
    const rows: ResultRow[] = [row({ ...base, metric: 'parameters', value: countParams(model) })];
    (stepLosses ?? []).forEach((value, i) => rows.push(row({ ...base, metric: 'step_loss', iteration: i + 1, value })));
    return { rows, seconds: (Date.now() - t0) / 1000 };
  } finally {
    model.dispose();
  }
}

export async function runArm(arm: Arm, onProgress: (status: string) => void): Promise<ArmResult> {
  if (arm.kind === 'regression') return runRegression(arm, onProgress);
  if (arm.kind === 'theory') return runTheory(arm);
  return runMnist(arm, onProgress);
}

/** The sweep's arm runner, imported by main.ts. */
export const overparameterizationArm = defineArm(import.meta.url, runArm);
