// One unit of the sweep (the draws of one tensor setting, the CP-ALS fits of one order, or one
// trained network) and the list of them. An arm runs in this process or in a worker process with
// identical results: every random draw comes from Rng streams named by the arm's own description.
import { defineArm, Rng } from '@claimlab/core';
import { trainClassifier } from '@claimlab/models';
import { isPowerOfTwo } from '@claimlab/tensors';
import { alsRows, rankRows, type TensorFamily } from './algebra.ts';
import type { TensorExpressivityConfig } from './config.ts';
import { loadData } from './data.ts';
import { multiplicativeNet, parameterCount, sequenceLength, type MultiplicativeNetSpec, type NetKind } from './networks.ts';
import type { ResultRow } from './results.ts';

const IMAGE_SIZE = 28;
const NUM_CLASSES = 10;

export type TrainSettings = Pick<
  TensorExpressivityConfig,
  'trainSize' | 'testSize' | 'patchSize' | 'featureDim' | 'learningRate' | 'momentum' | 'decayPerEpoch' | 'batchSize' | 'epochs'
>;

export type Arm =
  | { kind: 'rank'; family: TensorFamily; d: number; n: number; rank: number; draws: number; seed: number }
  | { kind: 'als'; d: number; n: number; r: number; cpRanks: number[]; restarts: number; maxIterations: number; seed: number }
  | {
      kind: 'train';
      net: NetKind;
      rank: number;
      /** cp: the budget multiple it was sized to and the TT network's parameters; tt: 0 and its own. */
      budgetMultiple: number;
      ttParams: number;
      seed: number;
      dataDir: string | null;
      settings: TrainSettings;
    };

export interface ArmResult {
  rows: ResultRow[];
  seconds: number;
}

export const netSpec = (s: Pick<TrainSettings, 'patchSize' | 'featureDim'>, kind: NetKind, rank: number): MultiplicativeNetSpec => ({
  kind,
  rank,
  imageSize: IMAGE_SIZE,
  patchSize: s.patchSize,
  featureDim: s.featureDim,
  numClasses: NUM_CLASSES,
});

/** The largest CP rank whose network has at most `budget` parameters (0 when even R = 1 is over it). */
export function cpRankForBudget(s: Pick<TrainSettings, 'patchSize' | 'featureDim'>, budget: number): number {
  const base = parameterCount(netSpec(s, 'cp', 0));
  const perRank = parameterCount(netSpec(s, 'cp', 1)) - base;
  return Math.max(0, Math.floor((budget - base) / perRank));
}

/** The sweep's arms at one seed: every tensor setting, the CP-ALS orders, the TT networks and their budget-matched CP networks. */
export function armsOf(c: TensorExpressivityConfig, seed: number, dataDir: string | undefined): Arm[] {
  const arms: Arm[] = [];
  const fits = (d: number, n: number) => n ** (d / 2) <= c.maxMatricizationRows;
  for (const { n, r } of c.modeRanks) {
    for (const d of c.orders) {
      if (!fits(d, n)) continue;
      const families: TensorFamily[] = ['tt', 'tt-shared', ...(isPowerOfTwo(d) ? (['ht'] as const) : [])];
      for (const family of families) arms.push({ kind: 'rank', family, d, n, rank: r, draws: c.draws, seed });
    }
  }
  const cpN = c.modeRanks[0].n;
  for (const d of c.orders) {
    if (!fits(d, cpN)) continue;
    for (const R of c.cpRanks) arms.push({ kind: 'rank', family: 'cp', d, n: cpN, rank: R, draws: c.draws, seed });
  }
  for (const d of c.alsOrders) {
    arms.push({
      kind: 'als',
      d,
      n: c.alsModeSize,
      r: c.alsTtRank,
      cpRanks: c.alsCpRanks,
      restarts: c.alsRestarts,
      maxIterations: c.alsMaxIterations,
      seed,
    });
  }
  const settings: TrainSettings = {
    trainSize: c.trainSize,
    testSize: c.testSize,
    patchSize: c.patchSize,
    featureDim: c.featureDim,
    learningRate: c.learningRate,
    momentum: c.momentum,
    decayPerEpoch: c.decayPerEpoch,
    batchSize: c.batchSize,
    epochs: c.epochs,
  };
  const common = { seed, dataDir: dataDir ?? null, settings };
  for (const r of c.ttRanks) {
    const ttParams = parameterCount(netSpec(settings, 'tt', r));
    arms.push({ kind: 'train', net: 'tt', rank: r, budgetMultiple: 0, ttParams, ...common });
    for (const k of c.cpBudgetMultiples) {
      const R = cpRankForBudget(settings, k * ttParams);
      if (R >= 1) arms.push({ kind: 'train', net: 'cp', rank: R, budgetMultiple: k, ttParams, ...common });
    }
  }
  return arms;
}

/** Rough relative cost: training dominates; the SVD is cubic in the matricization's rows; ALS grows with the tensor and the ranks. */
export function costOf(a: Arm): number {
  if (a.kind === 'train') return 1e9 * (a.settings.trainSize / 1000) * a.settings.epochs;
  if (a.kind === 'als') return 2 ** a.d * a.d * a.d * a.cpRanks.reduce((s, R) => s + R, 0) * a.restarts * a.maxIterations;
  return a.draws * a.n ** ((3 * a.d) / 2);
}

export async function runArm(arm: Arm, onProgress: (status: string) => void): Promise<ArmResult> {
  const t0 = Date.now();
  const done = (rows: ResultRow[]) => ({ rows, seconds: (Date.now() - t0) / 1000 });
  if (arm.kind === 'rank') {
    onProgress(`${arm.family} d=${arm.d} n=${arm.n} rank=${arm.rank}`);
    return done(rankRows(arm.family, arm.d, arm.n, arm.rank, arm.draws, arm.seed));
  }
  if (arm.kind === 'als') {
    onProgress(`CP-ALS of a TT tensor, d=${arm.d}`);
    return done(alsRows(arm.d, arm.n, arm.r, arm.cpRanks, arm.restarts, arm.maxIterations, arm.seed));
  }
  const s = arm.settings;
  const root = new Rng(arm.seed);
  const { train, test } = loadData(s.trainSize, s.testSize, arm.seed, arm.dataDir);
  const spec = netSpec(s, arm.net, arm.rank);
  const model = multiplicativeNet(spec, root.fork(`weights/${arm.net}/${arm.rank}`));
  try {
    const { epochs } = trainClassifier({
      model,
      train,
      test,
      schedule: { learningRate: s.learningRate, momentum: s.momentum, decayPerEpoch: s.decayPerEpoch },
      batchSize: s.batchSize,
      maxEpochs: s.epochs,
      // The same batch order for every network of a seed: they differ only in their architecture.
      rng: root.fork('batches'),
      onEpoch: (e) => onProgress(`${arm.net}-net rank ${arm.rank}: epoch ${e.epoch}, test acc ${e.testAccuracy.toFixed(3)}`),
    });
    const last = epochs[epochs.length - 1];
    const base = {
      part: 'train',
      family: `${arm.net}-net`,
      d: sequenceLength(spec),
      n: s.featureDim + 1,
      rank_param: arm.rank,
      draw: arm.budgetMultiple,
    };
    return done([
      { ...base, metric: 'params', value: parameterCount(spec) },
      { ...base, metric: 'tt_params_matched', value: arm.ttParams },
      { ...base, metric: 'test_accuracy', value: last.testAccuracy },
      { ...base, metric: 'train_accuracy', value: last.trainAccuracy },
      { ...base, metric: 'loss', value: last.loss },
    ]);
  } catch (e) {
    throw new Error(`${arm.net}-net rank ${arm.rank} (seed ${arm.seed}): ${(e as Error).message}`);
  } finally {
    model.dispose();
  }
}

/** The sweep's arm runner, imported by main.ts. */
export const expressivityArm = defineArm(import.meta.url, runArm);
