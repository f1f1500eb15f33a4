import { describe, expect, it, beforeAll } from 'vitest';
import { Rng } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import { countParams, mlp, NonFiniteLossError, smallAlexNet, smallInception, trainClassifier, type LabelledImages } from '../src/index.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('Zhang et al. architectures', () => {
  // Table 1 of Zhang et al. (2017) lists the parameter counts for 28x28x3 CIFAR-10 crops.
  it('match the paper\'s parameter counts exactly', () => {
    const rng = new Rng(0);
    const shape: [number, number, number] = [28, 28, 3];
    expect(countParams(mlp({ inputShape: shape, hidden: [512], numClasses: 10, rng }))).toBe(1_209_866);
    expect(countParams(mlp({ inputShape: shape, hidden: [512, 512, 512], numClasses: 10, rng }))).toBe(1_735_178);
    expect(countParams(smallAlexNet({ inputShape: shape, numClasses: 10, rng }))).toBe(1_387_786);
    expect(countParams(smallInception({ inputShape: shape, numClasses: 10, rng }))).toBe(1_649_402);
  });

  it('produce logits of the right shape and identical initial weights for the same seed', () => {
    const a = smallAlexNet({ inputShape: [28, 28, 3], numClasses: 10, rng: new Rng(1) });
    const b = smallAlexNet({ inputShape: [28, 28, 3], numClasses: 10, rng: new Rng(1) });
    const c = smallAlexNet({ inputShape: [28, 28, 3], numClasses: 10, rng: new Rng(2) });
    const out = a.predict(tf.zeros([2, 28, 28, 3])) as tf.Tensor;
    expect(out.shape).toEqual([2, 10]);
    const w = (m: tf.LayersModel) => Array.from(m.getWeights()[0].dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
  });
});

describe('mlp', () => {
  it('names its layers flatten, fc1..fcK, logits with namedLayers, drawing the same weights as the unnamed one', () => {
    const opts = { inputShape: [6, 6, 2], hidden: [12, 8], numClasses: 3 };
    const plain = mlp({ ...opts, rng: new Rng('named') });
    const named = mlp({ ...opts, rng: new Rng('named'), name: 'mlp_probe', namedLayers: true });
    expect(named.name).toBe('mlp_probe');
    expect(named.layers.map((l) => l.name)).toEqual(['flatten', 'fc1', 'fc2', 'logits']);
    expect(plain.layers.map((l) => l.name)).not.toContain('fc1');
    const bits = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(new Uint32Array(Float32Array.from(w.dataSync()).buffer)));
    expect(bits(named)).toEqual(bits(plain));
    plain.dispose();
    named.dispose();
  });
});

function toyData(n: number, rng: Rng): LabelledImages {
  // Two well separated classes on a 4x4 image: learnable in a few epochs.
  const images = new Float32Array(n * 16);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let j = 0; j < 16; j++) images[i * 16 + j] = (labels[i] === 1 ? 0.8 : 0.2) + 0.1 * rng.normal();
  }
  return { images, labels, n, height: 4, width: 4, channels: 1, numClasses: 2 };
}

describe('trainClassifier', () => {
  it('fits a separable toy problem, records epochs and steps, and leaks no tensors', () => {
    const rng = new Rng(3);
    const train = toyData(64, rng.fork('train'));
    const test = toyData(32, rng.fork('test'));
    const model = mlp({ inputShape: [4, 4, 1], hidden: [8], numClasses: 2, rng: rng.fork('w') });
    const before = tf.memory().numTensors;
    const res = trainClassifier({
      model, train, test, batchSize: 16, maxEpochs: 30, stopAtTrainAccuracy: 1, rng: rng.fork('b'),
      schedule: { learningRate: 0.1, momentum: 0.9, decayPerEpoch: 1 },
    });
    expect(tf.memory().numTensors).toBe(before);
    const last = res.epochs[res.epochs.length - 1];
    expect(last.trainAccuracy).toBe(1);
    expect(last.testAccuracy).toBeGreaterThan(0.9);
    expect(res.epochs.map((e) => e.steps)).toEqual(res.epochs.map((_, i) => (i + 1) * 4));
    expect(res.stepsToReach.get(1)).toBe(last.steps);
  });

  it('stops with a clear error when the loss becomes NaN', () => {
    const rng = new Rng(4);
    const train = toyData(32, rng);
    const model = mlp({ inputShape: [4, 4, 1], hidden: [8], numClasses: 2, rng });
    expect(() =>
      trainClassifier({
        model, train, test: train, batchSize: 8, maxEpochs: 5, stopAtTrainAccuracy: 1, rng,
        schedule: { learningRate: 1e30, momentum: 0.9, decayPerEpoch: 1 },
      }),
    ).toThrow(NonFiniteLossError);
  });
});
