import { describe, expect, it, beforeAll, vi } from 'vitest';
import { Rng } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import {
  countParams,
  mlp,
  NonFiniteLossError,
  smallAlexNet,
  smallInception,
  trainClassifier,
  vggNet,
  type LabelledImages,
} from '../src/index.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('Zhang et al. architectures', () => {
  // Table 1 of Zhang et al. (2017) lists the parameter counts for 28x28x3 CIFAR-10 crops.
  it("match the paper's parameter counts exactly", () => {
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

describe('vggNet', () => {
  it('stacks 3x3 convolutions per stage, the first of each stage with stride 2, named conv1..convK, fc1, logits', () => {
    const model = vggNet({
      inputShape: [8, 8, 1],
      numClasses: 3,
      rng: new Rng('vgg'),
      stages: [
        [2, 2],
        [4, 4, 4],
      ],
      fcUnits: 5,
    });
    expect(model.layers.map((l) => l.name)).toEqual(['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'flatten', 'fc1', 'logits']);
    // Maps 8 -> 4 (stage 1) -> 2 (stage 2): the flatten layer sees 2 x 2 x 4 values.
    expect(model.getLayer('conv2').outputShape).toEqual([null, 4, 4, 2]);
    expect(model.getLayer('conv5').outputShape).toEqual([null, 2, 2, 4]);
    // Parameters: 3x3 kernels with biases, then fc1 (16 -> 5) and logits (5 -> 3).
    const convs = 9 * 1 * 2 + 2 + (9 * 2 * 2 + 2) + (9 * 2 * 4 + 4) + 2 * (9 * 4 * 4 + 4);
    expect(countParams(model)).toBe(convs + (16 * 5 + 5) + (5 * 3 + 3));
    expect(() => vggNet({ inputShape: [8, 8, 1], numClasses: 3, rng: new Rng(0), stages: [[2], []], fcUnits: 5 })).toThrow(
      /stages must be non-empty/,
    );
    model.dispose();
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
      model,
      train,
      test,
      batchSize: 16,
      maxEpochs: 30,
      stopAtTrainAccuracy: 1,
      rng: rng.fork('b'),
      schedule: { learningRate: 0.1, momentum: 0.9, decayPerEpoch: 1 },
    });
    expect(tf.memory().numTensors).toBe(before);
    const last = res.epochs[res.epochs.length - 1];
    expect(last.trainAccuracy).toBe(1);
    expect(last.testAccuracy).toBeGreaterThan(0.9);
    expect(res.epochs.map((e) => e.steps)).toEqual(res.epochs.map((_, i) => (i + 1) * 4));
    // The run stopped at the first epoch that fitted the training set.
    expect(res.epochs.find((e) => e.trainAccuracy >= 1)?.steps).toBe(last.steps);
  });

  it('stops once the held-out accuracy reaches stopAtTestAccuracy', () => {
    const rng = new Rng(3);
    const train = toyData(64, rng.fork('train'));
    const test = toyData(32, rng.fork('test'));
    const model = mlp({ inputShape: [4, 4, 1], hidden: [8], numClasses: 2, rng: rng.fork('w') });
    const opts = { model, train, test, batchSize: 16, maxEpochs: 30, rng: rng.fork('b'), schedule: { learningRate: 0.1, momentum: 0.9 } };
    const { epochs } = trainClassifier({ ...opts, stopAtTestAccuracy: 0.9 });
    // It stopped at the first epoch whose held-out accuracy reached 0.9, well before 30.
    expect(epochs[epochs.length - 1].testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(epochs.slice(0, -1).every((e) => e.testAccuracy < 0.9)).toBe(true);
    expect(epochs.length).toBeLessThan(30);
    expect(() => trainClassifier({ ...opts, evaluate: false, stopAtTestAccuracy: 0.9 } as never)).toThrow(
      /stopAtTestAccuracy needs the per-epoch evaluation/,
    );
    model.dispose();
  });

  it("with trainAccuracyAfter 'last-epoch', evaluates the training set only after the last epoch, same weights and records otherwise", () => {
    const rng = new Rng(3);
    const train = toyData(64, rng.fork('train'));
    const test = toyData(32, rng.fork('test'));
    const run = (after: 'every-epoch' | 'last-epoch') => {
      const model = mlp({ inputShape: [4, 4, 1], hidden: [8], numClasses: 2, rng: rng.fork('w') });
      const opts = { model, train, test, batchSize: 16, maxEpochs: 30, rng: rng.fork('b'), schedule: { learningRate: 0.1, momentum: 0.9 } };
      const { epochs } = trainClassifier({ ...opts, stopAtTestAccuracy: 0.9, trainAccuracyAfter: after });
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return { epochs, weights };
    };
    const every = run('every-epoch');
    const last = run('last-epoch');
    expect(every.epochs.length).toBeGreaterThan(1); // so that some epoch is skipped
    expect(last.weights).toEqual(every.weights);
    expect(last.epochs.map((e) => e.testAccuracy)).toEqual(every.epochs.map((e) => e.testAccuracy));
    expect(last.epochs.slice(0, -1).every((e) => Number.isNaN(e.trainAccuracy))).toBe(true);
    expect(last.epochs[last.epochs.length - 1].trainAccuracy).toBe(every.epochs[every.epochs.length - 1].trainAccuracy);
    const model = mlp({ inputShape: [4, 4, 1], hidden: [8], numClasses: 2, rng: rng.fork('w') });
    const base = { model, train, test, batchSize: 16, maxEpochs: 2, rng: rng.fork('b'), schedule: { learningRate: 0.1, momentum: 0.9 } };
    expect(() => trainClassifier({ ...base, stopAtTrainAccuracy: 1, trainAccuracyAfter: 'last-epoch' })).toThrow(
      /stopAtTrainAccuracy needs the training accuracy of every epoch/,
    );
    expect(() => trainClassifier({ ...base, trainAccuracyAfter: 'first' as never })).toThrow(/trainAccuracyAfter must be/);
    model.dispose();
  });

  it("trains on the batches augmentBatch returns (here: the labels' images swapped, so the model learns the opposite)", () => {
    const rng = new Rng(5);
    const train = toyData(64, rng.fork('train'));
    const model = mlp({ inputShape: [4, 4, 1], hidden: [8], numClasses: 2, rng: rng.fork('w') });
    const before = tf.memory().numTensors;
    let calls = 0;
    const { epochs } = trainClassifier({
      model,
      train,
      test: train,
      batchSize: 16,
      maxEpochs: 20,
      rng: rng.fork('b'),
      schedule: { learningRate: 0.1, momentum: 0.9 },
      // 1 - x maps class 1's bright images to dark ones and back: trained on those, the model inverts the classes.
      augmentBatch: (x) => {
        calls++;
        return tf.sub(1, x) as tf.Tensor4D;
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(calls).toBe(20 * 4); // once per mini-batch
    expect(epochs[epochs.length - 1].trainAccuracy).toBeLessThan(0.1); // measured on the unaugmented images
    expect(() =>
      trainClassifier({
        model,
        train,
        test: train,
        batchSize: 16,
        maxEpochs: 1,
        rng,
        schedule: { learningRate: 0.1, momentum: 0 },
        augmentBatch: (x: tf.Tensor4D) => x,
        checkpoint: { file: '/tmp/x.ckpt' },
      } as never),
    ).toThrow(/augmentBatch cannot be combined with checkpoint/);
    model.dispose();
  });

  it('stops with a clear error when the loss becomes NaN', () => {
    const rng = new Rng(4);
    const train = toyData(32, rng);
    const model = mlp({ inputShape: [4, 4, 1], hidden: [8], numClasses: 2, rng });
    expect(() =>
      trainClassifier({
        model,
        train,
        test: train,
        batchSize: 8,
        maxEpochs: 5,
        stopAtTrainAccuracy: 1,
        rng,
        schedule: { learningRate: 1e30, momentum: 0.9, decayPerEpoch: 1 },
      }),
    ).toThrow(NonFiniteLossError);
  });
});

/** One input, two classes: a dense layer with kernel [1, 2] and bias [2], weights set by hand. */
function linear(weights: number[]): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [1, 1, 1] }), tf.layers.dense({ units: 2 })] });
  const values = [tf.tensor2d([weights.slice(0, 2)]), tf.tensor1d(weights.slice(2))];
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

const xs = [1, -0.5, 2, 0.25];
const ys = [0, 1, 1, 0];
const line: LabelledImages = {
  images: Float32Array.from(xs),
  labels: Int32Array.from(ys),
  n: 4,
  height: 1,
  width: 1,
  channels: 1,
  numClasses: 2,
};
const w0 = [0.5, -0.25, 0.1, 0];
const schedule = { learningRate: 0.2, momentum: 0.9, decayPerEpoch: 0.8, milestones: { epochs: [1, 3], factor: 0.5 } };

/**
 * What trainClassifier must compute on `line` with `schedule`, batches of 2, 4 epochs, in plain
 * float64: softmax cross-entropy plus weightDecay/2 * ||w||^2, tfjs's momentum update
 * (v = m v + g; w -= lr (g + m v) with Nesterov, lr v without), the same batch order.
 */
function reference(nesterov: boolean, weightDecay: number, { decayMask = [1, 1, 1, 1], maxSteps = Infinity } = {}) {
  const w = [...w0];
  const v = [0, 0, 0, 0];
  const order = new Rng('order');
  const epochs = [];
  const stepLosses: number[] = [];
  let steps = 0;
  let rate = schedule.learningRate;
  for (let epoch = 1; epoch <= 4 && steps < maxSteps; epoch++) {
    const lr = rate * schedule.milestones.factor ** schedule.milestones.epochs.filter((m) => epoch > m).length;
    const perm = order.permutation(4);
    let lossSum = 0;
    let batches = 0;
    for (const batch of [perm.subarray(0, 2), perm.subarray(2, 4)]) {
      if (steps === maxSteps) break;
      steps++;
      batches++;
      const g = [0, 0, 0, 0];
      let ce = 0;
      for (const i of batch) {
        const z = [xs[i] * w[0] + w[2], xs[i] * w[1] + w[3]];
        const p = z.map((t) => Math.exp(t) / (Math.exp(z[0]) + Math.exp(z[1])));
        ce -= Math.log(p[ys[i]]) / 2;
        for (let j = 0; j < 2; j++) {
          const d = (p[j] - (ys[i] === j ? 1 : 0)) / 2;
          g[j] += xs[i] * d;
          g[2 + j] += d;
        }
      }
      const stepLoss = ce + (weightDecay / 2) * w.reduce((s, t, j) => s + decayMask[j] * t * t, 0);
      stepLosses.push(stepLoss);
      lossSum += stepLoss;
      for (let j = 0; j < 4; j++) {
        g[j] += weightDecay * decayMask[j] * w[j];
        v[j] = schedule.momentum * v[j] + g[j];
        w[j] -= lr * (nesterov ? g[j] + schedule.momentum * v[j] : v[j]);
      }
    }
    epochs.push({ epoch, steps, learningRate: lr, loss: lossSum / batches });
    rate *= schedule.decayPerEpoch;
  }
  return { epochs, weights: w, stepLosses };
}

describe('trainClassifier schedule, Nesterov momentum and weight decay', () => {
  it.each([
    [false, 0],
    [true, 0],
    [false, 0.1],
    [true, 0.1],
  ])('nesterov %s, weight decay %s: the losses and weights of a hand-computed run', (nesterov, weightDecay) => {
    const model = linear(w0);
    const { epochs } = trainClassifier({
      model,
      train: line,
      evaluate: false,
      schedule: { ...schedule, nesterov },
      weightDecay,
      batchSize: 2,
      maxEpochs: 4,
      rng: new Rng('order'),
    });
    const ref = reference(nesterov, weightDecay);
    // Iterative per-epoch decay times the milestone factor: 0.2, 0.16 / 2, 0.128 / 2, 0.1024 / 4.
    expect(epochs.map((e) => e.learningRate)).toEqual(ref.epochs.map((e) => e.learningRate));
    epochs.forEach((e, i) => expect(e.learningRate).toBeCloseTo([0.2, 0.08, 0.064, 0.0256][i], 15));
    expect(epochs.map((e) => [e.epoch, e.steps])).toEqual(ref.epochs.map((e) => [e.epoch, e.steps]));
    epochs.forEach((e, i) => expect(e.loss).toBeCloseTo(ref.epochs[i].loss, 5));
    const trained = model.getWeights().flatMap((t) => Array.from(t.dataSync()));
    trained.forEach((t, i) => expect(t).toBeCloseTo(ref.weights[i], 5));
    model.dispose();
  });

  it('weightDecayOn (the kernel only), maxSteps (3: mid-epoch) and recordStepLosses: the hand-computed run', () => {
    const model = linear(w0);
    const before = tf.memory().numTensors;
    const res = trainClassifier({
      model,
      train: line,
      evaluate: false,
      schedule,
      weightDecay: 0.1,
      weightDecayOn: (w) => w.originalName.endsWith('kernel'),
      maxSteps: 3,
      recordStepLosses: true,
      batchSize: 2,
      maxEpochs: 4,
      rng: new Rng('order'),
    });
    expect(tf.memory().numTensors).toBe(before);
    const ref = reference(false, 0.1, { decayMask: [1, 1, 0, 0], maxSteps: 3 });
    expect(res.epochs.map((e) => [e.epoch, e.steps])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    res.epochs.forEach((e, i) => expect(e.loss).toBeCloseTo(ref.epochs[i].loss, 5));
    expect(res.stepLosses).toHaveLength(3);
    res.stepLosses!.forEach((l, i) => expect(l).toBeCloseTo(ref.stepLosses[i], 5));
    const trained = model.getWeights().flatMap((t) => Array.from(t.dataSync()));
    trained.forEach((t, i) => expect(t).toBeCloseTo(ref.weights[i], 5));
    // The mask matters: decaying every weight ends elsewhere.
    const all = reference(false, 0.1, { maxSteps: 3 }).weights;
    expect(Math.max(...all.map((t, i) => Math.abs(t - ref.weights[i])))).toBeGreaterThan(1e-3);
    expect(() =>
      trainClassifier({ model, train: line, evaluate: false, schedule, batchSize: 2, maxEpochs: 1, rng: new Rng(0), maxSteps: 0 }),
    ).toThrow(/maxSteps must be a positive integer/);
    expect(() =>
      trainClassifier({
        model,
        train: line,
        evaluate: false,
        schedule,
        batchSize: 2,
        maxEpochs: 1,
        rng: new Rng(0),
        weightDecay: 0.1,
        weightDecayOn: () => false,
      }),
    ).toThrow(/selects no trainable weight/);
    model.dispose();
  });

  it('the four variants differ beyond the tolerance above, so each is told apart', () => {
    const finals = [reference(false, 0), reference(true, 0), reference(false, 0.1), reference(true, 0.1)].map((r) => r.weights);
    for (let a = 0; a < 4; a++)
      for (let b = a + 1; b < 4; b++) expect(Math.max(...finals[a].map((t, i) => Math.abs(t - finals[b][i])))).toBeGreaterThan(1e-3);
  });

  it('without evaluation records no accuracies, needs no test set, never runs the model in inference mode and leaks no tensors', () => {
    const model = linear(w0);
    const apply = vi.spyOn(model, 'apply');
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const { epochs } = trainClassifier({
      model,
      train: line,
      evaluate: false,
      schedule,
      batchSize: 2,
      maxEpochs: 3,
      rng: new Rng('order'),
      onEpoch: (e) => seen.push(e.epoch),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([1, 2, 3]);
    expect(epochs.map((e) => Object.keys(e))).toEqual(Array(3).fill(['epoch', 'steps', 'learningRate', 'loss']));
    expect(apply.mock.calls.length).toBe(6);
    expect(apply.mock.calls.every(([, kwargs]) => kwargs?.training === true)).toBe(true);
    model.dispose();
  });

  it('refuses stopAtTrainAccuracy without evaluation', () => {
    const model = linear(w0);
    expect(() =>
      // @ts-expect-error stopAtTrainAccuracy needs the per-epoch evaluation
      trainClassifier({
        model,
        train: line,
        evaluate: false,
        stopAtTrainAccuracy: 1,
        schedule,
        batchSize: 2,
        maxEpochs: 3,
        rng: new Rng('order'),
      }),
    ).toThrow(/stopAtTrainAccuracy needs the per-epoch evaluation/);
    model.dispose();
  });
});
