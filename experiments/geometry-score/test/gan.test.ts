// The GANs' nets and the WGAN-GP penalty: the conv pair has Gulrajani et al.'s MNIST layout
// (parameter counts by hand), and the penalty's gradient through conv2d (a second-order
// gradient) matches central finite differences, a check independent of tfjs's autodiff.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import { registerFastGradients } from '@claimlab/backend';
import { PROFILES, validateConfig } from '../config.ts';
import { criticOf, ganCostOf, ganLossOf, ganNetOf, generatorOf, gradientPenalty, trainGan } from '../gan.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerFastGradients(); // as selectBackend does: zero gradients for comparisons (LeakyReLU's second derivative)
});

const params = (m: tf.LayersModel) => m.countParams();

describe('geometry-score GANs', () => {
  it("the conv pair has the layout of Gulrajani et al.'s MNIST code (parameters counted by hand)", () => {
    const d = 4;
    const G = generatorOf({ kind: 'conv', dim: d, batchNorm: false }, 128, new Rng(1));
    const D = criticOf({ kind: 'conv', dim: d, batchNorm: false }, new Rng(1));
    // dense 128 -> 4x4x4d; transposed 5x5 convs 4d -> 2d (8x8, cropped to 7x7) -> d (14x14) -> 1 (28x28)
    const gHand = (128 + 1) * 64 * d + (25 * 4 * d + 1) * 2 * d + (25 * 2 * d + 1) * d + (25 * d + 1);
    // 5x5 stride-2 convs 1 -> d (14x14) -> 2d (7x7) -> 4d (4x4), dense 4x4x4d -> 1
    const dHand = (25 + 1) * d + (25 * d + 1) * 2 * d + (25 * 2 * d + 1) * 4 * d + (64 * d + 1);
    expect(params(G)).toBe(gHand);
    expect(params(D)).toBe(dHand);
    const shapes = G.layers.map((l) => (l.outputShape as number[]).slice(1));
    expect(shapes).toContainEqual([8, 8, 2 * d]);
    expect(shapes).toContainEqual([7, 7, 2 * d]);
    expect(shapes).toContainEqual([14, 14, d]);
    const z = tf.randomNormal([3, 128], 0, 1, 'float32', 5);
    const x = G.predict(z) as tf.Tensor;
    expect(x.shape).toEqual([3, 784]);
    const v = x.dataSync();
    expect(Math.min(...v)).toBeGreaterThan(0);
    expect(Math.max(...v)).toBeLessThan(1);
    expect((D.predict(x) as tf.Tensor).shape).toEqual([3, 1]);
    // The penalty differentiates the critic twice: tfjs 4.22 breaks second-order gradients through
    // ops whose gradient reuses their saved output (tanh, sigmoid; docs/REFERENCES.md), so the
    // critic is built from convolutions, dense layers and LeakyReLU only, with linear activations.
    for (const critic of [D, criticOf({ kind: 'mlp', hidden: 8 }, new Rng(1))]) {
      for (const layer of critic.layers) {
        expect(['Reshape', 'Conv2D', 'LeakyReLU', 'Flatten', 'Dense']).toContain(layer.getClassName());
        const activation = (layer.getConfig() as { activation?: string }).activation;
        if (activation !== undefined) expect(activation).toBe('linear');
      }
    }
    tf.dispose([z, x]);
    G.dispose();
    D.dispose();
  });

  it("the WGAN pair adds the code's batch norm: before the generator's three ReLUs and the critic's last two LeakyReLUs", () => {
    const d = 4;
    const plain = { kind: 'conv', dim: d, batchNorm: false } as const;
    const withBn = { ...plain, batchNorm: true };
    const G = generatorOf(withBn, 128, new Rng(1));
    const D = criticOf(withBn, new Rng(1));
    // A batch norm layer holds 4 numbers per channel (scale, offset, and the unused moving mean and variance).
    const bnOf = (channels: number[]) => channels.reduce((a, c) => a + 4 * c, 0);
    const G0 = generatorOf(plain, 128, new Rng(1));
    const D0 = criticOf(plain, new Rng(1));
    expect(params(G)).toBe(params(G0) + bnOf([64 * d, 2 * d, d]));
    expect(params(D)).toBe(params(D0) + bnOf([2 * d, 4 * d]));
    const names = (m: tf.LayersModel) => m.layers.map((l) => l.getClassName());
    const before = (m: tf.LayersModel, cls: string) => names(m).flatMap((n, i) => (n === cls ? [names(m)[i - 1]] : []));
    expect(before(G, 'ReLU')).toEqual(['BatchNormalization', 'BatchNormalization', 'BatchNormalization']);
    expect(before(D, 'LeakyReLU')).toEqual(['Conv2D', 'BatchNormalization', 'BatchNormalization']);
    // tflib's Batchnorm normalises with the batch's own statistics (epsilon 1e-5): after the critic's
    // second conv, each channel of a batch has mean 0 and variance 1 / (1 + 1e-5 / var) at initialisation.
    const x = tf.tensor(new Rng(2).normalArray(6 * 784), [6, 784]);
    let h: tf.Tensor = x;
    for (const layer of D.layers.slice(0, names(D).indexOf('BatchNormalization') + 1)) h = layer.apply(h, { training: true }) as tf.Tensor;
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    for (const m of mean.dataSync()) expect(Math.abs(m)).toBeLessThan(1e-5);
    for (const v of variance.dataSync()) expect(v).toBeCloseTo(1, 3);
    tf.dispose([x, h, mean, variance]);
    for (const m of [G, D, G0, D0]) m.dispose();
  });

  it("reads a GAN arm's loss from its model name, and nothing from other names", () => {
    expect(ganLossOf('gan-wgan')).toBe('wgan');
    expect(ganLossOf('gan-wgan-gp')).toBe('wgan-gp');
    expect(ganLossOf('gan-ns')).toBe('ns');
    expect(ganLossOf('reference')).toBeNull();
    expect(ganLossOf('gan-dcgan')).toBeNull();
  });

  it('quick keeps the MLP pair; extended and paper train the conv pair with batch 50 and latent 128', () => {
    expect(ganNetOf(PROFILES.quick, 'wgan-gp')).toEqual({ net: { kind: 'mlp', hidden: 256 }, zDim: 32, batchSize: 64 });
    const extended = PROFILES.extended!;
    expect(() => validateConfig(extended)).not.toThrow();
    expect(ganNetOf(extended, 'wgan')).toEqual({ net: { kind: 'conv', dim: 8, batchNorm: true }, zDim: 128, batchSize: 50 });
    expect(ganNetOf(extended, 'wgan-gp').net).toEqual({ kind: 'conv', dim: 8, batchNorm: false });
    expect(ganNetOf(extended, 'ns').net.kind).toBe('mlp');
    expect(ganNetOf(PROFILES.paper, 'wgan-gp').net).toEqual({ kind: 'conv', dim: 64, batchNorm: false });
    expect(extended.wganSteps).toBeGreaterThanOrEqual(10 * PROFILES.quick.wganSteps);
    expect(extended.seeds).toBeGreaterThanOrEqual(2);
    // the sweep starts the costliest arm first: the penalised conv GAN
    expect(ganCostOf(extended, 'wgan-gp')).toBeGreaterThan(ganCostOf(extended, 'wgan'));
    expect(ganCostOf(extended, 'wgan')).toBeGreaterThan(ganCostOf(extended, 'ns'));
    expect(() => validateConfig({ ...extended, wganConvDim: 2.5 })).toThrow(/wganConvDim must be an integer >= 0/);
  });

  it('the penalty is 0 where the gradient has unit norm, and its gradient through a conv critic matches finite differences', () => {
    const rng = new Rng('gp-conv');
    // critic(x) = sum(u . x): gradient u everywhere, penalty (|u| - 1)^2 = 0 for a unit u.
    const u = tf.tensor(rng.normalArray(784), [784, 1]);
    const unit = tf.div(u, tf.norm(u));
    const real = tf.tensor(rng.normalArray(2 * 784), [2, 784]);
    const fake = tf.tensor(rng.normalArray(2 * 784), [2, 784]);
    const eps = tf.tensor([[0.3], [0.8]]);
    expect(gradientPenalty((x) => tf.matMul(x, unit), real, fake, eps).dataSync()[0]).toBeCloseTo(0, 5);
    expect(gradientPenalty((x) => tf.matMul(x, tf.mul(unit, 3)), real, fake, eps).dataSync()[0]).toBeCloseTo(4, 4);

    // A conv critic: 3x3 stride-2 conv (2 channels), squared, dense; differentiate the penalty w.r.t. the
    // kernel. (A smooth activation with a second derivative, so that finite differences apply; the
    // critics' LeakyReLU has none, and its second-order gradient is tested in libs/backend.)
    const k = tf.variable(
      tf.tensor(
        rng.normalArray(18).map((v) => 0.3 * v),
        [3, 3, 1, 2],
      ),
    );
    const w = tf.tensor(
      rng.normalArray(14 * 14 * 2).map((v) => 0.05 * v),
      [14 * 14 * 2, 1],
    );
    const critic = (x: tf.Tensor) => {
      const h = tf.square(tf.conv2d(x.reshape([-1, 28, 28, 1]) as tf.Tensor4D, k as tf.Tensor4D, 2, 'same'));
      return tf.matMul(h.reshape([-1, 14 * 14 * 2]), w);
    };
    const penalty = () => gradientPenalty(critic, real, fake, eps);
    const { grads, value } = tf.variableGrads(penalty, [k]);
    expect(value.dataSync()[0]).toBeGreaterThan(0.01); // not at a trivial zero
    const ad = grads[k.name].dataSync();
    const k0 = k.dataSync().slice();
    const h = 1e-2;
    for (const i of [0, 4, 9, 17]) {
      const at = (delta: number) => {
        const kk = k0.slice();
        kk[i] += delta;
        k.assign(tf.tensor(kk, [3, 3, 1, 2]));
        return penalty().dataSync()[0];
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      // float32 central differences: agreement to 1e-3 relative to the gradient's scale
      expect(Math.abs(ad[i] - fd)).toBeLessThan(1e-3 * Math.max(1, Math.abs(fd)));
      expect(Math.abs(ad[i])).toBeGreaterThan(0);
    }
  });

  it('trains the conv pair (both losses) deterministically under the seed', () => {
    const n = 20;
    const images = Float32Array.from({ length: n * 784 }, (_, i) => ((i * 7919) % 255) / 255);
    for (const loss of ['wgan', 'wgan-gp'] as const) {
      const run = () => {
        const g = trainGan({
          loss,
          ...ganNetOf({ wganConvDim: 2 }, loss),
          batchSize: 4,
          images,
          n,
          steps: 2,
          learningRate: 1e-3,
          rng: new Rng(3),
        });
        // 6 samples: with batch norm, drawn in batches of 4 and 2 (batch statistics, as in training)
        const s = g.sample(6, new Rng(4));
        g.dispose();
        return s;
      };
      const a = run();
      expect(a).toHaveLength(6 * 784);
      expect(a.every(Number.isFinite)).toBe(true);
      expect(Array.from(run())).toEqual(Array.from(a));
    }
  });
});
