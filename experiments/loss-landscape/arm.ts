// One architecture of the sweep: train it, then evaluate its loss surface, 1-D slice and
// Hessian eigenvalue map. Loaded by URL so it runs in this process or in a worker process
// (runArmsParallel) with identical results: every random draw comes from Rng streams named by
// the arm's own description.
import { Rng, type ArmSession, type RngState } from '@claimlab/core';
import { tf } from '@claimlab/backend';
import { loadCifar10, loadMnist, subset, takeFirst, type ImageDataset } from '@claimlab/datasets';
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
import { cifarResNet, epochCheckpointer, NonFiniteLossError, type CheckpointOptions } from '@claimlab/models';
import type { ResultRow } from './claim.ts';
import { learningRateOf, type LossLandscapeConfig } from './config.ts';

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

/**
 * Per-channel standardisation of CIFAR-10 with the training-set statistics (the authors'
 * dataloader normalises with the CIFAR-10 channel means and standard deviations); MNIST stays
 * in [0, 1].
 */
function standardise(train: ImageDataset, test: ImageDataset): [ImageDataset, ImageDataset] {
  const c = train.channels;
  const mean = new Float64Array(c);
  const sq = new Float64Array(c);
  for (let i = 0; i < train.images.length; i++) mean[i % c] += train.images[i];
  const per = train.images.length / c;
  for (let k = 0; k < c; k++) mean[k] /= per;
  for (let i = 0; i < train.images.length; i++) sq[i % c] += (train.images[i] - mean[i % c]) ** 2;
  const std = Array.from(sq, (s) => Math.sqrt(s / per) || 1);
  const apply = (d: ImageDataset): ImageDataset => {
    const images = new Float32Array(d.images.length);
    for (let i = 0; i < images.length; i++) images[i] = (d.images[i] - mean[i % c]) / std[i % c];
    return { ...d, name: `${d.name}/standardised`, images };
  };
  return [apply(train), apply(test)];
}

/** The seeded train/test subsets shared by every architecture of a run. */
export function loadData(config: LossLandscapeConfig, seed: number, dataDir: string | null): { train: ImageDataset; test: ImageDataset } {
  const rng = new Rng(seed).fork('data-subset');
  const load = (split: 'train' | 'test') => (config.dataset === 'mnist' ? loadMnist({ split }) : loadCifar10({ split, dir: dataDir ?? undefined }));
  const pick = (ds: ImageDataset, k: number, label: string) => {
    if (k > ds.n) throw new Error(`${label}=${k} exceeds the ${ds.n} images of ${ds.name}; lower it with --set ${label}=${ds.n}`);
    return subset(ds, rng.fork(label).sample(ds.n, k));
  };
  const train = pick(load('train'), config.trainSize, 'trainSize');
  const test = pick(load('test'), config.testSize, 'testSize');
  return config.dataset === 'cifar10' ? (([a, b]) => ({ train: a, test: b }))(standardise(train, test)) : { train, test };
}

/** Learning rate in an epoch (1-based): multiplied by lrDecay after each milestone epoch passed. */
export function learningRateAt(base: number, epoch: number, c: LossLandscapeConfig): number {
  return base * c.lrDecay ** c.lrDecayEpochs.filter((m) => epoch > m).length;
}

/**
 * Mini-batch SGD (Nesterov momentum) on softmax cross-entropy plus weightDecay/2 * ||theta||^2
 * over every trainable parameter (torch.optim.SGD's weight_decay, as in the authors' training).
 * Batch norm in training mode. One host sync per epoch. Returns the mean batch loss per epoch.
 */
export type EpochLoss = { epoch: number; loss: number; lr: number };

/**
 * With `checkpoint`, the state after every epoch (weights, batch-norm statistics, momentum
 * slots, batch-order stream, losses so far) is saved atomically to checkpoint.file, and with
 * `resume` a run continues from it: the result is the same as an uninterrupted run.
 */
export function trainResNet(
  model: tf.LayersModel,
  data: ImageDataset,
  c: LossLandscapeConfig,
  lr0: number,
  rngIn: Rng,
  onEpoch: (epoch: number, loss: number) => void,
  checkpoint?: CheckpointOptions,
): EpochLoss[] {
  const optimizer = tf.train.momentum(lr0, c.momentum, c.nesterov);
  const x = tf.tensor4d(data.images, [data.n, data.height, data.width, data.channels]);
  const y = tf.tensor1d(data.labels, 'int32');
  const weights = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  let out: EpochLoss[] = [];
  let rng = rngIn;
  try {
    const ckpt = epochCheckpointer<{ epochs: EpochLoss[]; rng: RngState }>(checkpoint, { model, optimizer });
    const saved = ckpt.resumed;
    if (saved) {
      out = saved.epochs;
      rng = Rng.restore(saved.rng);
    }
    for (let epoch = out.length + 1; epoch <= c.epochs; epoch++) {
      const lr = learningRateAt(lr0, epoch, c);
      optimizer.setLearningRate(lr);
      const order = rng.permutation(data.n);
      const losses: tf.Scalar[] = [];
      for (let start = 0; start < data.n; start += c.batchSize) {
        const idx = order.subarray(start, Math.min(start + c.batchSize, data.n));
        tf.tidy(() => {
          const ids = tf.tensor1d(idx, 'int32');
          const xb = x.gather(ids);
          const yb = tf.oneHot(y.gather(ids), data.numClasses);
          const loss = optimizer.minimize(() => {
            const ce = tf.losses.softmaxCrossEntropy(yb, model.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar;
            if (c.weightDecay === 0) return ce;
            const l2 = tf.addN(weights.map((w) => w.square().sum()));
            return ce.add(l2.mul(c.weightDecay / 2)) as tf.Scalar;
          }, true)!;
          losses.push(tf.keep(loss));
        });
      }
      const mean = tf.tidy(() => tf.stack(losses).mean());
      const loss = mean.dataSync()[0];
      tf.dispose([mean, ...losses]);
      if (!Number.isFinite(loss)) {
        throw new NonFiniteLossError(`training loss became ${loss} in epoch ${epoch} (learning rate ${lr}); lower the learning rate (--set learningRate=... / noshortLearningRate=...)`);
      }
      out.push({ epoch, loss, lr });
      if (epoch < c.epochs) ckpt.save({ epochs: out, rng: rng.snapshot() });
      onEpoch(epoch, loss);
    }
    ckpt.done();
  } finally {
    optimizer.dispose();
    // tfjs 4.22's MomentumOptimizer.dispose() forgets the learning-rate scalar its parent keeps.
    (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
    x.dispose();
    y.dispose();
  }
  return out;
}

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
    const lr = learningRateOf(c, depth, shortcuts);
    const epochs = trainResNet(
      model,
      trainSet,
      c,
      lr,
      root.fork(`batches/${depth}`),
      (e, loss) => onProgress(`${arch}: epoch ${e}/${c.epochs}, loss ${loss.toFixed(3)}`),
      // Checkpointed every epoch: a killed run continues mid-training with --resume.
      session && { file: session.checkpointFile, identity: JSON.stringify({ arm, backend: session.backend }), resume: session.resume },
    );
    for (const e of epochs) {
      row('train', 'batch_loss', e.loss, { epoch: e.epoch });
      row('train', 'learning_rate', e.lr, { epoch: e.epoch });
    }
    const tr = evaluateLossAccuracy(model, evalTrain, c.evalBatchSize);
    const te = evaluateLossAccuracy(model, evalTest, c.evalBatchSize);
    row('final', 'train_loss', tr.loss);
    row('final', 'train_error', 1 - tr.accuracy);
    row('final', 'test_loss', te.loss);
    row('final', 'test_error', 1 - te.accuracy);
    row('final', 'params', model.countParams());

    const dirs: [Direction, Direction] = [filterNormalizedDirection(model, root.fork(`direction/x/${depth}`)), filterNormalizedDirection(model, root.fork(`direction/y/${depth}`))];
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
