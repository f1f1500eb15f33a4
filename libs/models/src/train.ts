import * as tf from '@tensorflow/tfjs';
import { Rng, type RngState } from '@claimlab/core';
import type { ImageDataset } from '@claimlab/datasets';
import { epochCheckpointer, type CheckpointOptions } from './checkpoint.ts';
import { MomentumSgd } from './optimizers.ts';

/** Images (NHWC, flattened) and integer labels: an ImageDataset of @claimlab/datasets, name optional. */
export type LabelledImages = Omit<ImageDataset, 'name'>;

/**
 * The learning rate of epoch e (1-based) is r_e * factor ** k_e, where r_1 = learningRate,
 * r_{e+1} = r_e * decayPerEpoch, and k_e counts the milestones m with e > m.
 */
export interface SgdSchedule {
  learningRate: number;
  momentum: number;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
  /** Multiplicative learning-rate decay applied after every epoch (default 1; Zhang et al.: 0.95). */
  decayPerEpoch?: number;
  /** The learning rate is multiplied by `factor` at the end of each of these epochs (He et al.'s step schedule). */
  milestones?: { epochs: number[]; factor: number };
}

/** What every epoch of trainClassifier records. */
export interface EpochLoss {
  epoch: number;
  /** SGD steps taken so far. */
  steps: number;
  learningRate: number;
  /** Mean training loss (with the weight-decay term) over the epoch's mini-batches. */
  loss: number;
}

/** An epoch of a run evaluated after every epoch. */
export interface EpochRecord extends EpochLoss {
  /**
   * Accuracy on the whole (possibly corrupted) training set, evaluated after the epoch; NaN
   * for the epochs before the last when `trainAccuracyAfter` is 'last-epoch'.
   */
  trainAccuracy: number;
  /** Accuracy on the clean held-out test set, evaluated after the epoch. */
  testAccuracy: number;
}

interface CommonTrainOptions {
  model: tf.LayersModel;
  train: LabelledImages;
  schedule: SgdSchedule;
  /** Adds weightDecay/2 * (sum of squares of every trainable weight) to the loss (torch.optim.SGD's weight_decay); default 0. */
  weightDecay?: number;
  /**
   * Which trainable weights weightDecay applies to (default: all), e.g. only the fully connected
   * layers, as TensorFlow's MNIST tutorial does: `(w) => w.originalName.startsWith('fc')`.
   */
  weightDecayOn?(weight: tf.LayerVariable): boolean;
  /** Stop after this many SGD steps, even mid-epoch (that last epoch's record covers the steps taken); default: no limit. */
  maxSteps?: number;
  /**
   * Record the training loss of every step (with the weight-decay term) in the result's
   * `stepLosses`. Not checkpointed, so it cannot be combined with `checkpoint`.
   */
  recordStepLosses?: boolean;
  batchSize: number;
  maxEpochs: number;
  /** Shuffles the training set every epoch. */
  rng: Rng;
  /** What a NonFiniteLossError advises (default: a tenth of the learning rate, as --set learningRate=...). */
  nonFiniteHint?: string;
  /**
   * Save the run's state (weights, optimizer slots, batch-order stream,
   * epoch records) to `file` after every epoch, and with `resume`, continue
   * from that file when it exists (see CheckpointOptions). The file is
   * removed once training ends. A resumed run gives the same records and
   * weights as one that was never interrupted.
   */
  checkpoint?: CheckpointOptions;
  /**
   * Transforms each training mini-batch before the step (inside the step's tidy), e.g. adds random
   * noise. Its own random state is not checkpointed, so it cannot be combined with `checkpoint`.
   */
  augmentBatch?(x: tf.Tensor4D): tf.Tensor4D;
}

/** Training with the train and test accuracies evaluated after every epoch. */
export interface TrainOptions extends CommonTrainOptions {
  /** The default; see TrainOnlyOptions for training without evaluation. */
  evaluate?: true;
  test: LabelledImages;
  /** Stop once training accuracy reaches this value (1 = fit the training set exactly); default: never. */
  stopAtTrainAccuracy?: number;
  /** Stop once the held-out (test) accuracy reaches this value; default: never. */
  stopAtTestAccuracy?: number;
  /**
   * When the whole training set is evaluated: after every epoch (the default), or only after
   * the last one, where a run needs only its final training accuracy: a forward pass over the
   * training set costs about a quarter of an epoch. 'last-epoch' cannot stop at a training accuracy.
   */
  trainAccuracyAfter?: 'every-epoch' | 'last-epoch';
  /** Called after every epoch trained in this call (not for epochs restored from a checkpoint). */
  onEpoch?(record: EpochRecord): void;
}

/** Training for maxEpochs with no per-epoch evaluation. */
export interface TrainOnlyOptions extends CommonTrainOptions {
  evaluate: false;
  stopAtTrainAccuracy?: never;
  stopAtTestAccuracy?: never;
  trainAccuracyAfter?: never;
  onEpoch?(record: EpochLoss): void;
}

export interface TrainResult<R extends EpochLoss = EpochRecord> {
  epochs: R[];
  /** The loss of every step, in order, when recordStepLosses was set. */
  stepLosses?: number[];
}

/** What a checkpoint of trainClassifier holds besides the tensors. */
interface TrainState {
  epochs: EpochLoss[];
  steps: number;
  /** r of the next epoch: its learning rate before milestone decays. */
  learningRate: number;
  rng: RngState;
}

export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
}

function toTensors(d: LabelledImages): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return {
    x: tf.tensor4d(d.images, [d.n, d.height, d.width, d.channels]),
    y: tf.tensor1d(d.labels, 'int32'),
  };
}

/** factor ** (milestones passed before `epoch`), 1 without milestones. */
function milestoneDecay(schedule: SgdSchedule, epoch: number): number {
  const m = schedule.milestones;
  return m ? m.factor ** m.epochs.filter((e) => epoch > e).length : 1;
}

/** Accuracy of `model` on (x, y), evaluated in inference mode in batches. */
export function accuracy(model: tf.LayersModel, x: tf.Tensor4D, y: tf.Tensor1D, batchSize = 1000): number {
  const n = x.shape[0];
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    correct += tf.tidy(() => {
      const logits = model.apply(x.slice(start, size), { training: false }) as tf.Tensor;
      return logits.argMax(-1).equal(y.slice(start, size)).sum().dataSync()[0];
    });
  }
  return correct / n;
}

/**
 * Mini-batch SGD with (Nesterov) momentum on softmax cross-entropy plus
 * optional weight decay, for maxEpochs or until the training accuracy reaches
 * `stopAtTrainAccuracy`. One host sync per epoch (the mean loss), plus the
 * accuracy evaluation unless `evaluate` is false.
 */
export function trainClassifier(opts: TrainOptions): TrainResult<EpochRecord>;
export function trainClassifier(opts: TrainOnlyOptions): TrainResult<EpochLoss>;
export function trainClassifier(opts: TrainOptions | TrainOnlyOptions): TrainResult<EpochLoss> {
  const { model, train, schedule, batchSize, maxEpochs, stopAtTrainAccuracy, stopAtTestAccuracy, checkpoint, augmentBatch } = opts;
  for (const [name, value] of [
    ['stopAtTrainAccuracy', stopAtTrainAccuracy],
    ['stopAtTestAccuracy', stopAtTestAccuracy],
  ] as const) {
    if (opts.evaluate === false && value !== undefined) throw new Error(`${name} needs the per-epoch evaluation: drop it or evaluate`);
  }
  const trainAccuracyAfter = opts.evaluate === false ? undefined : (opts.trainAccuracyAfter ?? 'every-epoch');
  if (trainAccuracyAfter !== undefined && trainAccuracyAfter !== 'every-epoch' && trainAccuracyAfter !== 'last-epoch')
    throw new Error(`trainAccuracyAfter must be 'every-epoch' or 'last-epoch', got '${String(trainAccuracyAfter)}'`);
  if (trainAccuracyAfter === 'last-epoch' && stopAtTrainAccuracy !== undefined)
    throw new Error("stopAtTrainAccuracy needs the training accuracy of every epoch: drop it or set trainAccuracyAfter: 'every-epoch'");
  if (augmentBatch && checkpoint) throw new Error('augmentBatch cannot be combined with checkpoint: its random state is not saved');
  if (opts.recordStepLosses && checkpoint)
    throw new Error('recordStepLosses cannot be combined with checkpoint: step losses are not saved');
  const maxSteps = opts.maxSteps ?? Infinity;
  if (!(maxSteps >= 1) || (maxSteps !== Infinity && !Number.isInteger(maxSteps))) {
    throw new Error(`maxSteps must be a positive integer, got ${opts.maxSteps}`);
  }
  const weightDecay = opts.weightDecay ?? 0;
  const hint = opts.nonFiniteHint ?? `lower the learning rate (e.g. --set learningRate=${schedule.learningRate / 10})`;
  // Each variant's onEpoch takes the records that variant produces.
  const onEpoch = opts.onEpoch as ((record: EpochLoss) => void) | undefined;
  let rng = opts.rng;
  const optimizer = new MomentumSgd(schedule.learningRate, schedule.momentum, schedule.nesterov ?? false);
  const tr = toTensors(train);
  const te = opts.evaluate === false ? null : toTensors(opts.test);
  const decayed = opts.weightDecayOn ? model.trainableWeights.filter((w) => opts.weightDecayOn!(w)) : model.trainableWeights;
  if (weightDecay !== 0 && decayed.length === 0)
    throw new Error('weightDecayOn selects no trainable weight: check the layer names it tests');
  const weights = decayed.map((w) => w.read());
  const stepLosses: number[] | undefined = opts.recordStepLosses ? [] : undefined;
  let epochs: EpochLoss[] = [];
  let steps = 0;
  // r_e of SgdSchedule, multiplied in place every epoch and checkpointed: the committed results
  // were made with this iterated product, not with learningRate * decayPerEpoch ** (e - 1).
  let rate = schedule.learningRate;
  try {
    const ckpt = epochCheckpointer<TrainState>(checkpoint, { model, optimizer });
    const saved = ckpt.resumed;
    if (saved) {
      ({ epochs, steps, learningRate: rate } = saved);
      rng = Rng.restore(saved.rng);
    }
    for (let epoch = epochs.length + 1; epoch <= maxEpochs; epoch++) {
      const lr = rate * milestoneDecay(schedule, epoch);
      optimizer.setLearningRate(lr);
      const order = rng.permutation(train.n);
      const batchLosses: tf.Scalar[] = [];
      for (let start = 0; start < train.n && steps < maxSteps; start += batchSize) {
        const idx = order.subarray(start, Math.min(start + batchSize, train.n));
        tf.tidy(() => {
          const ids = tf.tensor1d(idx, 'int32');
          const gathered = tr.x.gather(ids);
          const xb = augmentBatch ? augmentBatch(gathered) : gathered;
          const yb = tf.oneHot(tr.y.gather(ids), train.numClasses);
          const loss = optimizer.minimize(() => {
            const ce = tf.losses.softmaxCrossEntropy(yb, model.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar;
            if (weightDecay === 0) return ce;
            const l2 = tf.addN(weights.map((w) => w.square().sum()));
            return ce.add(l2.mul(weightDecay / 2)) as tf.Scalar;
          }, true)!;
          batchLosses.push(tf.keep(loss));
        });
        steps++;
      }
      // One host sync per epoch: the mean of the batch losses.
      const meanLoss = tf.tidy(() => tf.stack(batchLosses).mean());
      const loss = meanLoss.dataSync()[0];
      if (stepLosses) {
        const all = tf.stack(batchLosses);
        stepLosses.push(...all.dataSync());
        all.dispose();
      }
      tf.dispose([meanLoss, ...batchLosses]);
      if (!Number.isFinite(loss)) {
        throw new NonFiniteLossError(`training loss became ${loss} in epoch ${epoch} (learning rate ${lr}); ${hint}`);
      }
      let record: EpochLoss | EpochRecord = { epoch, steps, learningRate: lr, loss };
      let finished = epoch === maxEpochs || steps >= maxSteps;
      if (te) {
        const testAccuracy = accuracy(model, te.x, te.y);
        finished ||= stopAtTestAccuracy !== undefined && testAccuracy >= stopAtTestAccuracy;
        const trainAccuracy = trainAccuracyAfter === 'every-epoch' || finished ? accuracy(model, tr.x, tr.y) : NaN;
        finished ||= stopAtTrainAccuracy !== undefined && trainAccuracy >= stopAtTrainAccuracy;
        record = { ...record, trainAccuracy, testAccuracy };
      }
      epochs.push(record);
      if (!finished) {
        rate *= schedule.decayPerEpoch ?? 1;
        ckpt.save({ epochs, steps, learningRate: rate, rng: rng.snapshot() });
      }
      onEpoch?.(record);
      if (finished) break;
    }
    ckpt.done();
  } finally {
    optimizer.dispose();
    // tfjs 4.22's MomentumOptimizer.dispose() forgets the learning-rate scalar its parent keeps.
    (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
    tf.dispose([tr.x, tr.y]);
    if (te) tf.dispose([te.x, te.y]);
  }
  return stepLosses ? { epochs, stepLosses } : { epochs };
}
