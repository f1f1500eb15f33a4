import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import { cifarResNet, packTensors, trainClassifier, unpackTensors, type LabelledImages } from '../src/index.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Two Gaussian blobs as 4x4x1 images. */
function blobs(n: number, rng: Rng): LabelledImages {
  const images = new Float32Array(n * 16);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let j = 0; j < 16; j++) images[i * 16 + j] = (labels[i] ? 0.5 : -0.5) + rng.normal();
  }
  return { images, labels, n, height: 4, width: 4, channels: 1, numClasses: 2 };
}

/** A conv net with batch norm (non-trainable moving statistics) and fixed-seed initial weights. */
function net(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: init(1) }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, kernelInitializer: init(2) }),
    ],
  });
}

const rng = new Rng('checkpoint-test');
const train = blobs(48, rng.fork('train'));
const test = blobs(16, rng.fork('test'));
const base = {
  train,
  test,
  batchSize: 8,
  maxEpochs: 6, // no stopAtTrainAccuracy: all six epochs run
  schedule: { learningRate: 0.05, momentum: 0.9, decayPerEpoch: 0.9 },
};
const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

class Interrupted extends Error {}

describe('training checkpoints', () => {
  it('a run interrupted after epoch 2 and resumed from its checkpoint equals an uninterrupted run, exactly', () => {
    const straight = net();
    const full = trainClassifier({ ...base, model: straight, rng: new Rng('batches') });

    const file = join(mkdtempSync(join(tmpdir(), 'claimlab-ckpt-')), 'run.ckpt');
    const checkpoint = { file, identity: 'arm 0 on wasm', resume: false };
    const first = net();
    expect(() =>
      trainClassifier({
        ...base,
        model: first,
        rng: new Rng('batches'),
        checkpoint,
        onEpoch: (e) => {
          if (e.epoch === 2) throw new Interrupted('killed');
        },
      }),
    ).toThrow(Interrupted);
    expect(existsSync(file)).toBe(true);

    // A fresh model and stream, as in a new process: everything comes from the file.
    const resumedModel = net();
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const resumed = trainClassifier({
      ...base,
      model: resumedModel,
      rng: new Rng('unused'),
      checkpoint: { ...checkpoint, resume: true },
      onEpoch: (e) => seen.push(e.epoch),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([3, 4, 5, 6]);
    expect(resumed.epochs).toEqual(full.epochs);
    const stepsToReach = (r: typeof full, t: number) => r.epochs.find((e) => e.trainAccuracy >= t)?.steps ?? null;
    for (const t of [0.9, 0.99, 1]) expect(stepsToReach(resumed, t)).toBe(stepsToReach(full, t));
    expect(weightsOf(resumedModel)).toEqual(weightsOf(straight)); // includes the batch-norm moving statistics
    expect(existsSync(file)).toBe(false); // removed once training ended
  });

  it('so does one with Nesterov momentum, weight decay, a milestone schedule and no evaluation (a ResNet: losses, weights, BN statistics)', () => {
    const r = new Rng('ll-checkpoint');
    const data: LabelledImages = {
      images: r.fork('x').normalArray(24 * 64),
      labels: Int32Array.from({ length: 24 }, (_, i) => i % 3),
      n: 24,
      height: 8,
      width: 8,
      channels: 1,
      numClasses: 3,
    };
    const resnet = () =>
      cifarResNet({ depth: 8, numClasses: 3, rng: new Rng('w'), inputShape: [8, 8, 1], widthMultiplier: 0.25, shortcuts: false });
    const opts = {
      train: data,
      evaluate: false as const,
      schedule: { learningRate: 0.05, momentum: 0.9, nesterov: true, decayPerEpoch: 0.9, milestones: { epochs: [2], factor: 0.1 } },
      weightDecay: 5e-4,
      batchSize: 8,
      maxEpochs: 4,
    };
    const straight = resnet();
    const full = trainClassifier({ ...opts, model: straight, rng: new Rng('b') });
    const file = join(mkdtempSync(join(tmpdir(), 'claimlab-ckpt-')), 'arm.ckpt');
    const checkpoint = { file, identity: 'resnet-8-noshort', resume: false };
    expect(() =>
      trainClassifier({
        ...opts,
        model: resnet(),
        rng: new Rng('b'),
        checkpoint,
        onEpoch: (e) => {
          if (e.epoch === 2) throw new Interrupted('killed');
        },
      }),
    ).toThrow(Interrupted);
    expect(existsSync(file)).toBe(true);
    const resumedModel = resnet();
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const resumed = trainClassifier({
      ...opts,
      model: resumedModel,
      rng: new Rng('unused'),
      checkpoint: { ...checkpoint, resume: true },
      onEpoch: (e) => seen.push(e.epoch),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([3, 4]);
    expect(resumed.epochs).toEqual(full.epochs);
    // The resumed epochs keep the iterative decay and the milestone: 0.05 * 0.9^2 * 0.1, 0.05 * 0.9^3 * 0.1.
    expect(resumed.epochs.map((e) => e.learningRate)).toEqual([0.05, 0.05 * 0.9, 0.05 * 0.9 * 0.9 * 0.1, 0.05 * 0.9 * 0.9 * 0.9 * 0.1]);
    expect(weightsOf(resumedModel)).toEqual(weightsOf(straight));
    expect(existsSync(file)).toBe(false);
  });

  it('without resume an old checkpoint is ignored and replaced', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'claimlab-ckpt-')), 'run.ckpt');
    writeFileSync(file, 'left over from another run');
    const a = trainClassifier({
      ...base,
      maxEpochs: 2,
      model: net(),
      rng: new Rng('batches'),
      checkpoint: { file, identity: 'x', resume: false },
    });
    const b = trainClassifier({ ...base, maxEpochs: 2, model: net(), rng: new Rng('batches') });
    expect(a.epochs).toEqual(b.epochs);
  });

  it('refuses a checkpoint of another run, a corrupt or truncated file, with the way out', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'claimlab-ckpt-')), 'run.ckpt');
    const stop = (e: { epoch: number }) => {
      if (e.epoch === 1) throw new Interrupted('killed');
    };
    expect(() =>
      trainClassifier({ ...base, model: net(), rng: new Rng('b'), checkpoint: { file, identity: 'run A', resume: false }, onEpoch: stop }),
    ).toThrow(Interrupted);
    const good = readFileSync(file);
    const resume = (identity: string) =>
      trainClassifier({ ...base, model: net(), rng: new Rng('b'), checkpoint: { file, identity, resume: true } });
    expect(() => resume('run B')).toThrow(/belongs to a different run .*delete it \(or run without --resume\)/);
    writeFileSync(file, good.subarray(0, good.length - 7));
    expect(() => resume('run A')).toThrow(/is truncated/);
    writeFileSync(file, 'not a checkpoint at all');
    expect(() => resume('run A')).toThrow(/is not a claimlab checkpoint/);
  });

  it('packs tensors to one float32 array and back, and refuses values that do not fit the shapes', () => {
    const a = tf.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tf.tensor([7.5]);
    const { shapes, values } = packTensors([a, b]);
    expect(shapes).toEqual([[2, 3], [1]]);
    expect(Array.from(values)).toEqual([1, 2, 3, 4, 5, 6, 7.5]);
    const [a2, b2] = unpackTensors(shapes, values);
    expect(a2.arraySync()).toEqual(a.arraySync());
    expect(b2.arraySync()).toEqual([7.5]);
    tf.dispose([a, b, a2, b2]);
    expect(() => unpackTensors([[2, 2]], new Float32Array(3))).toThrow(/3 values for shapes that hold 4/);
  });
});
