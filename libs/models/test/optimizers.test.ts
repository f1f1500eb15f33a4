import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import { fusedUpdatesAvailable, selectBackend, tf } from '@claimlab/backend';
import { Adam, batchNormalization, MomentumSgd, RmsProp, vggNet } from '../src/index.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const bits = (ts: tf.Tensor[]) => ts.map((t) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer)));

/**
 * Trains a small net (conv, batch norm, pooling, dense) a few steps with `optimizer`, changing
 * the learning rate between steps; its weights (trainable and batch-norm statistics) after.
 */
function train(optimizer: tf.Optimizer, lrs: number[]): { weights: number[][] } {
  const rng = new Rng('momentum');
  const base = vggNet({ inputShape: [8, 8, 1], numClasses: 3, rng, stages: [[2], [3]], fcUnits: 5 });
  const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [8, 8, 1] }), batchNormalization({ momentum: 0.9 }), base] });
  const data = new Rng('data');
  const x = tf.tensor4d(
    Float32Array.from({ length: 4 * 64 }, () => data.normal()),
    [4, 8, 8, 1],
  );
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
  for (const lr of lrs) {
    (optimizer as unknown as { setLearningRate?(lr: number): void; learningRate: number }).setLearningRate?.(lr);
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
    tf.tidy(() => {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
    });
  }
  const weights = bits(model.getWeights());
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return { weights };
}

const LRS = [0.1, 0.1, 0.05, 0.2, 0.01];
const CASES: [string, () => tf.Optimizer, () => tf.Optimizer][] = [
  ['momentum', () => new MomentumSgd(0.1, 0.9), () => tf.train.momentum(0.1, 0.9)],
  ['momentum, Nesterov', () => new MomentumSgd(0.1, 0.9, true), () => tf.train.momentum(0.1, 0.9, true)],
  ['adam', () => new Adam(0.01, 0.9, 0.999), () => tf.train.adam(0.01, 0.9, 0.999)],
  ['adam (beta1 0.5, epsilon 1e-8)', () => new Adam(0.01, 0.5, 0.9, 1e-8), () => tf.train.adam(0.01, 0.5, 0.9, 1e-8)],
  ['rmsprop', () => new RmsProp(5e-5), () => tf.train.rmsprop(5e-5)],
  ['rmsprop with momentum', () => new RmsProp(0.01, 0.8, 0.5, 1e-6), () => tf.train.rmsprop(0.01, 0.8, 0.5, 1e-6)],
  ['rmsprop, centered (not fused)', () => new RmsProp(0.01, 0.9, 0.5, 1e-6, true), () => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-6, true)],
];

describe('fused optimizers', () => {
  it('have the fused kernels on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(fusedUpdatesAvailable()).toBe(true);
  });

  for (const [name, ours, theirs] of CASES) {
    it(`${name}: gives tfjs's weights bit for bit, with the learning rate changed between steps`, () => {
      const a = train(ours(), LRS);
      const b = train(theirs(), LRS);
      const initial = train(theirs(), []);
      expect(a.weights).toEqual(b.weights);
      expect(a.weights).not.toEqual(initial.weights); // the steps moved the weights
    });
  }

  for (const [name, make, kernel] of [
    ['momentum', () => new MomentumSgd(0.1, 0.9), 'ClaimlabMomentumUpdate'],
    ['adam', () => new Adam(0.01, 0.9, 0.999), 'ClaimlabAdamUpdate'],
    ['rmsprop', () => new RmsProp(0.01), 'ClaimlabRmspropUpdate'],
  ] as const) {
    it(`${name}: runs one kernel per variable and step, and leaks no tensor`, async () => {
      const model = vggNet({ inputShape: [8, 8, 1], numClasses: 3, rng: new Rng('momentum'), stages: [[2]], fcUnits: 5 });
      const opt = make();
      const x = tf.ones([2, 8, 8, 1]);
      const y = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 3);
      const step = () =>
        tf.tidy(
          () => void opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar),
        );
      step(); // creates the slots
      const before = tf.memory().numTensors;
      const profile = await tf.profile(step);
      expect(tf.memory().numTensors).toBe(before);
      expect(profile.kernels.filter((k) => k.name === kernel).length).toBe(model.trainableWeights.length);
      tf.dispose([x, y]);
      model.dispose();
      opt.dispose();
    });
  }

  it("fall back to tfjs's updates where the backend has no fused kernel (cpu), with the same weights", async () => {
    await tf.setBackend('cpu');
    try {
      expect(fusedUpdatesAvailable()).toBe(false);
      for (const [, ours, theirs] of CASES) expect(train(ours(), [0.1, 0.05]).weights).toEqual(train(theirs(), [0.1, 0.05]).weights);
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
