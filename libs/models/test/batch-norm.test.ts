// ClaimlabBatchNormalization against tf.layers' own BatchNormalization: the same training
// (weights and moving statistics) on cpu, where both compose tfjs ops, bit for bit; on wasm,
// where ours runs batchNormTraining's native kernels, within RTOL = 1e-4 of the largest value
// (float32 sums in another order; a wrong statistic or gradient is off by O(1)).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import { batchNormTrainingAvailable, selectBackend, tf } from '@claimlab/backend';
import { batchNormalization, ClaimlabBatchNormalization, smallInception } from '../src/index.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

function convBnNet(bn: () => tf.layers.Layer): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) }),
      bn(),
      tf.layers.reLU(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, kernelInitializer: init(2) }),
    ],
  });
}

/** Three SGD steps on a fixed batch; every weight (moving statistics included) and the final inference output. */
function train(model: tf.Sequential): Float32Array[] {
  const rng = new Rng(7);
  const x = tf.tensor(
    rng.normalArray(5 * 6 * 6 * 2).map((v) => 2 * v + 1),
    [5, 6, 6, 2],
  );
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1], 'int32'), 3);
  const opt = tf.train.sgd(0.1);
  for (let i = 0; i < 3; i++) {
    opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
  }
  const out = [
    ...model.getWeights().map((w) => w.dataSync() as Float32Array),
    tf.tidy(() => (model.apply(x) as tf.Tensor).dataSync() as Float32Array),
  ];
  tf.dispose([x, y]);
  model.dispose();
  return out;
}

function expectClose(actual: Float32Array[], expected: Float32Array[], rtol: number): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const scale = Math.max(...e.map(Math.abs));
    const worst = Math.max(...e.map((v, j) => Math.abs(v - actual[i][j])));
    expect(worst, `weight ${i}`).toBeLessThanOrEqual(1e-6 + rtol * scale);
  });
}

const theirs = () => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
const ours = () => batchNormalization({ momentum: 0.9, epsilon: 1e-5 });

describe('ClaimlabBatchNormalization', () => {
  it('trains exactly like tf.layers.batchNormalization on cpu (the same composite)', async () => {
    await tf.setBackend('cpu');
    try {
      const reference = train(convBnNet(theirs));
      const got = train(convBnNet(ours));
      got.forEach((w, i) => expect(Array.from(w), `weight ${i}`).toEqual(Array.from(reference[i])));
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('on wasm trains through the native kernels to the same weights, moving statistics and outputs', async () => {
    const reference = train(convBnNet(theirs));
    const model = convBnNet(ours);
    const x = tf.ones([2, 6, 6, 2]);
    const info = await tf.profile(() => {
      tf.grad((a: tf.Tensor) => (model.apply(a, { training: true }) as tf.Tensor).sum())(x).dispose();
    });
    const kernels = info.kernels.map((k) => k.name);
    x.dispose();
    model.dispose();
    if (batchNormTrainingAvailable()) expect(kernels).toEqual(expect.arrayContaining(['ClaimlabMoments', 'ClaimlabBatchNormTrainingGrad']));
    expectClose(train(convBnNet(ours)), reference, 1e-4);
  });

  it('leaks no tensors or backend data across training steps', () => {
    const model = convBnNet(ours);
    const x = tf.ones([3, 6, 6, 2]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3);
    const opt = tf.train.momentum(0.1, 0.9);
    const step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
    step(); // creates the optimizer's slots
    const tensors = tf.memory().numTensors;
    const data = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(data);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });

  it("trains without a scale or a center (tfjs 4.22's own layer throws), on both backends", async () => {
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const model = convBnNet(() => batchNormalization({ scale: false, center: false }));
      const before = model.getWeights().map((w) => w.dataSync().slice());
      const weights = train(model);
      expect(weights.every((w) => w.every(Number.isFinite))).toBe(true);
      // conv kernel, moving mean, moving variance, dense kernel, dense bias: all moved.
      expect(before.length).toBe(5);
      weights.slice(0, 5).forEach((w, i) => expect(Array.from(w), `${backend} weight ${i}`).not.toEqual(Array.from(before[i])));
    }
    await tf.setBackend('wasm');
    const inception = smallInception({ inputShape: [8, 8, 3], numClasses: 10, rng: new Rng(1) });
    const x = tf.ones([2, 8, 8, 3]);
    const y = tf.oneHot(tf.tensor1d([1, 2], 'int32'), 10);
    const loss = tf.train
      .sgd(0.1)
      .minimize(() => tf.losses.softmaxCrossEntropy(y, inception.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    tf.dispose([x, y, loss]);
    inception.dispose();
  });

  it("survives a JSON round trip as its own class, with tfjs's config", async () => {
    const layer = batchNormalization({ momentum: 0.8, epsilon: 1e-4, name: 'bn_x' });
    expect(layer).toBeInstanceOf(ClaimlabBatchNormalization);
    expect(layer.getConfig()).toMatchObject({ momentum: 0.8, epsilon: 1e-4, name: 'bn_x', scale: true, center: true });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4 }), layer] });
    const restored = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) } as never);
    const bn = restored.getLayer('bn_x');
    expect(bn).toBeInstanceOf(ClaimlabBatchNormalization);
    expect(bn.getConfig()).toMatchObject({ momentum: 0.8, epsilon: 1e-4 });
    model.dispose();
    restored.dispose();
  });
});
