// One architecture of the sweep: train it, then evaluate its loss surface, 1-D slice and
// Hessian eigenvalue map; and the list of them. An arm runs in this process or in a worker process
// (runSweep) with identical results: every random draw comes from Rng streams named by the arm's
// own description.
import { defineArm, Rng, type ArmSession } from '@claimlab/core';
import { takeFirst } from '@claimlab/datasets';
import {
  disposeEvalData,
  evaluateLossAccuracy,
  filterNormalizedDirection,
  gridCoordinates,
  hessianEigenMap,
  lossSlice1D,
  lossSurface2D,
  toEvalData,
  type Direction,
} from '@claimlab/metrics';
import { cifarResNet, NonFiniteLossError, trainClassifier } from '@claimlab/models';
import type { ResultRow } from './results.ts';
import { learningRateOf, type LossLandscapeConfig } from './config.ts';
import { loadData } from './data.ts';

export interface Arm {
  depth: number;
  shortcuts: boolean;
  config: LossLandscapeConfig;
  seed: number;
  dataDir: string | null;
}

export interface ArmResult {
  rows: ResultRow[];
  seconds: number;
}

export const archName = (depth: number, shortcuts: boolean) => `resnet-${depth}${shortcuts ? '' : '-noshort'}`;

/** Every depth with and without shortcuts, in table order (depth ascending, ResNet before noshort). */
export function armsOf(c: LossLandscapeConfig, seed: number, dataDir: string | null): Arm[] {
  return [...c.depths]
    .sort((a, b) => a - b)
    .flatMap((depth) => [true, false].map((shortcuts) => ({ depth, shortcuts, config: c, seed, dataDir })));
}

/** Relative cost of an arm: deeper nets first, so the workers finish together. */
export const costOf = (arm: Arm): number => arm.depth;

export async function runArm(arm: Arm, onProgress: (status: string) => void, session?: ArmSession): Promise<ArmResult> {
  const t0 = Date.now();
  const { config: c, depth, shortcuts } = arm;
  const arch = archName(depth, shortcuts);
  const root = new Rng(arm.seed);
  const { train: trainSet, test: testSet } = loadData(c, arm.seed, arm.dataDir);
  // Same initial weights, batch order and directions for the twins of a depth: they differ only in the shortcuts.
  const model = cifarResNet({
    depth,
    numClasses: trainSet.numClasses,
    rng: root.fork(`weights/${depth}`),
    inputShape: [trainSet.height, trainSet.width, trainSet.channels],
    widthMultiplier: c.widthMultiplier,
    shortcuts,
    shortcutType: c.shortcutType,
  });
  const rows: ResultRow[] = [];
  const base = { arch, depth, shortcuts: shortcuts ? 1 : 0 };
  const row = (section: string, metric: string, value: number, at: { epoch?: number; alpha?: number; beta?: number } = {}) =>
    rows.push({ ...base, section, epoch: at.epoch ?? 0, alpha: at.alpha ?? 0, beta: at.beta ?? 0, metric, value });
  const evalTrain = toEvalData(trainSet);
  const evalTest = toEvalData(testSet);
  const surfaceData = toEvalData(takeFirst(trainSet, c.surfaceSize));
  const hessianData = toEvalData(takeFirst(trainSet, c.hessianSize));
  try {
    // As the authors train: SGD (Nesterov) momentum, weight decay on every trainable parameter,
    // the rate multiplied by lrDecay after each of lrDecayEpochs; no per-epoch evaluation.
    const { epochs } = trainClassifier({
      model,
      train: trainSet,
      evaluate: false,
      schedule: {
        learningRate: learningRateOf(c, depth, shortcuts),
        momentum: c.momentum,
        nesterov: c.nesterov,
        milestones: { epochs: c.lrDecayEpochs, factor: c.lrDecay },
      },
      weightDecay: c.weightDecay,
      batchSize: c.batchSize,
      maxEpochs: c.epochs,
      rng: root.fork(`batches/${depth}`),
      nonFiniteHint: 'lower the learning rate (--set learningRate=... / noshortLearningRate=...)',
      onEpoch: (e) => onProgress(`${arch}: epoch ${e.epoch}/${c.epochs}, loss ${e.loss.toFixed(3)}`),
      // Checkpointed every epoch: a killed run continues mid-training with --resume.
      checkpoint: session && {
        file: session.checkpointFile,
        identity: JSON.stringify({ arm, backend: session.backend }),
        resume: session.resume,
      },
    });
    for (const e of epochs) {
      row('train', 'batch_loss', e.loss, { epoch: e.epoch });
      row('train', 'learning_rate', e.learningRate, { epoch: e.epoch });
    }
    const tr = evaluateLossAccuracy(model, evalTrain, c.evalBatchSize);
    const te = evaluateLossAccuracy(model, evalTest, c.evalBatchSize);
    row('final', 'train_loss', tr.loss);
    row('final', 'train_error', 1 - tr.accuracy);
    row('final', 'test_loss', te.loss);
    row('final', 'test_error', 1 - te.accuracy);
    row('final', 'params', model.countParams());

    const dirs: [Direction, Direction] = [
      filterNormalizedDirection(model, root.fork(`direction/x/${depth}`)),
      filterNormalizedDirection(model, root.fork(`direction/y/${depth}`)),
    ];
    const grid = gridCoordinates(-c.gridExtent, c.gridExtent, c.gridPoints);
    const surface = lossSurface2D(model, dirs, grid, grid, {
      data: surfaceData,
      batchSize: c.evalBatchSize,
      onPoint: (k, n) => k % 10 === 0 && onProgress(`${arch}: surface ${k}/${n}`),
    });
    grid.forEach((beta, j) =>
      grid.forEach((alpha, i) => {
        row('surface', 'loss', surface.loss[j * grid.length + i], { alpha, beta });
        row('surface', 'accuracy', surface.accuracy[j * grid.length + i], { alpha, beta });
      }),
    );
    const alphas = gridCoordinates(-c.gridExtent, c.gridExtent, c.slicePoints);
    const slice = lossSlice1D(model, dirs[0], alphas, { data: surfaceData, batchSize: c.evalBatchSize });
    alphas.forEach((alpha, i) => {
      row('slice', 'loss', slice.loss[i], { alpha });
      row('slice', 'accuracy', slice.accuracy[i], { alpha });
    });
    const hgrid = c.hessianGridPoints === 1 ? [0] : gridCoordinates(-c.gridExtent, c.gridExtent, c.hessianGridPoints);
    const eig = hessianEigenMap(model, dirs, hgrid, hgrid, {
      data: hessianData,
      steps: c.lanczosSteps,
      fdStep: c.fdStep,
      rng: root.fork(`lanczos/${arch}`),
      batchSize: c.evalBatchSize,
      onPoint: (k, n) => onProgress(`${arch}: Hessian ${k}/${n}`),
    });
    if (eig.nonFinitePoints > 0) {
      onProgress(`${arch}: ${eig.nonFinitePoints} of ${hgrid.length ** 2} Hessian points had non-finite products (recorded as NaN)`);
    }
    hgrid.forEach((beta, j) =>
      hgrid.forEach((alpha, i) => {
        row('hessian', 'lambda_max', eig.lambdaMax[j * hgrid.length + i], { alpha, beta });
        row('hessian', 'lambda_min', eig.lambdaMin[j * hgrid.length + i], { alpha, beta });
      }),
    );
    return { rows, seconds: (Date.now() - t0) / 1000 };
  } catch (e) {
    if (e instanceof NonFiniteLossError) throw new NonFiniteLossError(`${arch}: ${e.message}`);
    throw new Error(`${arch}: ${(e as Error).message}`);
  } finally {
    for (const d of [evalTrain, evalTest, surfaceData, hessianData]) disposeEvalData(d);
    model.dispose();
  }
}

/** The sweep's arm runner, imported by main.ts. */
export const resnetStudy = defineArm(import.meta.url, runArm);
