import * as tf from '@tensorflow/tfjs';
import { Rng, type RngState } from '@claimlab/core';
import type { ImageDataset } from '@claimlab/datasets';
import { epochCheckpointer, type CheckpointOptions } from './checkpoint.ts';

/** Images (NHWC, flattened) and integer labels: an ImageDataset of @claimlab/datasets, name optional. */
export type LabelledImages = Omit<ImageDataset, 'name'>;

export interface SgdSchedule {
  learningRate: number;
  momentum: number;
  /** Multiplicative learning-rate decay applied after every epoch (Zhang et al.: 0.95). */
  decayPerEpoch: number;
}

export interface EpochRecord {
  epoch: number;
  /** SGD steps taken so far. */
  steps: number;
  learningRate: number;
  /** Mean training loss over the epoch's mini-batches. */
  loss: number;
  /** Accuracy on the whole (possibly corrupted) training set, evaluated after the epoch. */
  trainAccuracy: number;
  /** Accuracy on the clean held-out test set, evaluated after the epoch. */
  testAccuracy: number;
}

export interface TrainOptions {
  model: tf.LayersModel;
  train: LabelledImages;
  test: LabelledImages;
  schedule: SgdSchedule;
  batchSize: number;
  maxEpochs: number;
  /** Stop once training accuracy reaches this value (1 = fit the training set exactly). */
  stopAtTrainAccuracy: number;
  /** Shuffles the training set every epoch. */
  rng: Rng;
  /** Called after every epoch trained in this call (not for epochs restored from a checkpoint). */
  onEpoch?(record: EpochRecord): void;
  /**
   * Save the run's state (weights, optimizer slots, batch-order stream,
   * epoch records) to `file` after every epoch, and with `resume`, continue
   * from that file when it exists (see CheckpointOptions). The file is
   * removed once training ends. A resumed run gives the same records and
   * weights as one that was never interrupted.
   */
  checkpoint?: CheckpointOptions;
}

/** What a checkpoint of trainClassifier holds besides the tensors. */
interface TrainState {
  epochs: EpochRecord[];
  steps: number;
  /** Learning rate of the next epoch. */
  learningRate: number;
  rng: RngState;
}

export interface TrainResult {
  epochs: EpochRecord[];
  /** First step count at which training accuracy reached each threshold, or null. */
  stepsToReach: Map<number, number | null>;
}

/** Thresholds whose steps-to-reach are recorded. */
export const FIT_THRESHOLDS = [0.9, 0.99, 1.0];

export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
}

function toTensors(d: LabelledImages): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return {
    x: tf.tensor4d(d.images, [d.n, d.height, d.width, d.channels]),
    y: tf.tensor1d(d.labels, 'int32'),
  };
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
 * Mini-batch SGD with momentum on softmax cross-entropy, no regularization,
 * until the training accuracy reaches `stopAtTrainAccuracy` or `maxEpochs`.
 * One host sync per epoch (loss and accuracies), none per step.
 */
export function trainClassifier(opts: TrainOptions): TrainResult {
  const { model, train, test, schedule, batchSize, maxEpochs, stopAtTrainAccuracy, checkpoint } = opts;
  let rng = opts.rng;
  const optimizer = tf.train.momentum(schedule.learningRate, schedule.momentum);
  const tr = toTensors(train);
  const te = toTensors(test);
  const stepsToReach = new Map<number, number | null>(FIT_THRESHOLDS.map((t) => [t, null]));
  let epochs: EpochRecord[] = [];
  let steps = 0;
  let lr = schedule.learningRate;
  try {
    const ckpt = epochCheckpointer<TrainState>(checkpoint, { model, optimizer });
    const saved = ckpt.resumed;
    if (saved) {
      ({ epochs, steps, learningRate: lr } = saved);
      rng = Rng.restore(saved.rng);
      for (const record of epochs) {
        for (const t of FIT_THRESHOLDS) if (stepsToReach.get(t) === null && record.trainAccuracy >= t) stepsToReach.set(t, record.steps);
      }
    }
    for (let epoch = epochs.length + 1; epoch <= maxEpochs; epoch++) {
      optimizer.setLearningRate(lr);
      const order = rng.permutation(train.n);
      const batchLosses: tf.Scalar[] = [];
      for (let start = 0; start < train.n; start += batchSize) {
        const idx = order.subarray(start, Math.min(start + batchSize, train.n));
        tf.tidy(() => {
          const ids = tf.tensor1d(idx, 'int32');
          const xb = tr.x.gather(ids);
          const yb = tf.oneHot(tr.y.gather(ids), train.numClasses);
          const loss = optimizer.minimize(
            () => tf.losses.softmaxCrossEntropy(yb, model.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar,
            true,
          )!;
          batchLosses.push(tf.keep(loss));
        });
        steps++;
      }
      // One host sync per epoch: the mean of the batch losses.
      const meanLoss = tf.tidy(() => tf.stack(batchLosses).mean());
      const loss = meanLoss.dataSync()[0];
      tf.dispose([meanLoss, ...batchLosses]);
      if (!Number.isFinite(loss)) {
        throw new NonFiniteLossError(
          `training loss became ${loss} in epoch ${epoch} (learning rate ${lr}); lower the learning rate (e.g. --set learningRate=${schedule.learningRate / 10})`,
        );
      }
      const record: EpochRecord = {
        epoch,
        steps,
        learningRate: lr,
        loss,
        trainAccuracy: accuracy(model, tr.x, tr.y),
        testAccuracy: accuracy(model, te.x, te.y),
      };
      epochs.push(record);
      for (const t of FIT_THRESHOLDS) if (stepsToReach.get(t) === null && record.trainAccuracy >= t) stepsToReach.set(t, steps);
      const finished = record.trainAccuracy >= stopAtTrainAccuracy || epoch === maxEpochs;
      if (!finished) {
        lr *= schedule.decayPerEpoch;
        ckpt.save({ epochs, steps, learningRate: lr, rng: rng.snapshot() });
      }
      opts.onEpoch?.(record);
      if (finished) break;
    }
    ckpt.done();
  } finally {
    optimizer.dispose();
    // tfjs 4.22's MomentumOptimizer.dispose() forgets the learning-rate scalar its parent keeps.
    (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
    for (const t of [tr.x, tr.y, te.x, te.y]) t.dispose();
  }
  return { epochs, stepsToReach };
}
