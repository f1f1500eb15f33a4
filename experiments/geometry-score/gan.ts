// GANs trained here (the MNIST part's learned generators), seeded:
// non-saturating GAN (Goodfellow et al. 2014), least-squares GAN (Mao et al.
// 2017), and the two the geometry-score paper compares on MNIST: WGAN
// (Arjovsky et al. 2017) and WGAN-GP (Gulrajani et al. 2017). Every GAN of
// quick is a small MLP pair; the extended profile trains the Wasserstein pair
// with the convolutional generator and critic of Gulrajani et al.'s MNIST code.
import { Rng } from '@claimlab/core';
import { tf } from '@claimlab/backend';
import { Adam, glorotUniform, RmsProp } from '@claimlab/models';

export const GAN_LOSSES = ['ns', 'ls', 'wgan', 'wgan-gp'] as const;
export type GanLoss = (typeof GAN_LOSSES)[number];

/** The Wasserstein GANs' own training settings, from their papers' algorithms. */
export const WGAN = {
  /** Critic updates per generator update (Arjovsky et al. Algorithm 1; Gulrajani et al. Algorithm 1). */
  nCritic: 5,
  /** WGAN: RMSProp, learning rate 5e-5, weights clipped to [-0.01, 0.01] (Arjovsky et al. Algorithm 1). */
  rmspropLearningRate: 5e-5,
  clip: 0.01,
  /** WGAN-GP: Adam(1e-4, beta1 = 0, beta2 = 0.9), penalty weight lambda = 10 (Gulrajani et al. Algorithm 1). */
  adamLearningRate: 1e-4,
  adamBeta1: 0,
  adamBeta2: 0.9,
  lambda: 10,
} as const;

const isWasserstein = (loss: GanLoss) => loss === 'wgan' || loss === 'wgan-gp';

/** The loss of a GAN arm's model name (`gan-<loss>`), or null for a model that is not a GAN. */
export function ganLossOf(model: string): GanLoss | null {
  const loss = model.startsWith('gan-') ? model.slice('gan-'.length) : '';
  return (GAN_LOSSES as readonly string[]).includes(loss) ? (loss as GanLoss) : null;
}

/** Generator steps of a GAN of this loss under the config (ganSteps, or wganSteps for the Wasserstein GANs). */
export function ganStepsOf(c: { ganSteps: number; wganSteps: number }, loss: GanLoss): number {
  return isWasserstein(loss) ? c.wganSteps : c.ganSteps;
}

/**
 * The generator and critic pair: `{ kind: 'mlp', hidden }` is one hidden layer each (ReLU in the
 * generator, LeakyReLU 0.2 in the critic); `{ kind: 'conv', dim }` is the DCGAN-like pair of
 * Gulrajani et al.'s MNIST code (gan_mnist.py, DIM = 64 there): generator dense 4x4x4dim, then
 * three 5x5 stride-2 transposed convolutions (2dim, cropped from 8x8 to 7x7; dim; 1) with ReLU
 * and a sigmoid output; critic three 5x5 stride-2 convolutions (dim, 2dim, 4dim) with LeakyReLU
 * 0.2 and a dense output. `batchNorm` adds the code's batch norm for MODE = 'wgan' (their WGAN-GP
 * pair has none): before the generator's three ReLUs and before the critic's second and third
 * LeakyReLU, always on the batch's own statistics (tflib's Batchnorm, epsilon 1e-5).
 */
export type GanNet = { kind: 'mlp'; hidden: number } | { kind: 'conv'; dim: number; batchNorm: boolean };

/** tflib's Batchnorm as gan_mnist.py calls it: batch statistics at every call (training mode), epsilon 1e-5. */
const batchNorm = () => tf.layers.batchNormalization({ epsilon: 1e-5 });
/** Whether a net normalises with batch statistics, so it must be called in training mode and sampled in batches. */
const usesBatchNorm = (net: GanNet) => net.kind === 'conv' && net.batchNorm;

export function generatorOf(net: GanNet, zDim: number, wr: Rng): tf.Sequential {
  const G = tf.sequential();
  const init = () => glorotUniform(wr);
  if (net.kind === 'mlp') {
    G.add(tf.layers.dense({ inputShape: [zDim], units: net.hidden, activation: 'relu', kernelInitializer: init() }));
    G.add(tf.layers.dense({ units: 784, activation: 'sigmoid', kernelInitializer: init() }));
    return G;
  }
  const d = net.dim;
  // A hidden layer's ReLU, after the batch norm where the net has it.
  const relu = () => {
    if (net.batchNorm) G.add(batchNorm());
    G.add(tf.layers.reLU());
  };
  const up = (filters: number, activation: 'linear' | 'sigmoid') =>
    tf.layers.conv2dTranspose({ filters, kernelSize: 5, strides: 2, padding: 'same', activation, kernelInitializer: init() });
  G.add(tf.layers.dense({ inputShape: [zDim], units: 4 * 4 * 4 * d, kernelInitializer: init() }));
  relu();
  G.add(tf.layers.reshape({ targetShape: [4, 4, 4 * d] }));
  G.add(up(2 * d, 'linear'));
  relu();
  G.add(
    tf.layers.cropping2D({
      cropping: [
        [0, 1],
        [0, 1],
      ],
    }),
  );
  G.add(up(d, 'linear'));
  relu();
  G.add(up(1, 'sigmoid'));
  G.add(tf.layers.flatten());
  return G;
}

export function criticOf(net: GanNet, wr: Rng): tf.Sequential {
  const D = tf.sequential();
  const init = () => glorotUniform(wr);
  if (net.kind === 'mlp') {
    D.add(tf.layers.dense({ inputShape: [784], units: net.hidden, kernelInitializer: init() }));
    D.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    D.add(tf.layers.dense({ units: 1, kernelInitializer: init() }));
    return D;
  }
  const d = net.dim;
  D.add(tf.layers.reshape({ inputShape: [784], targetShape: [28, 28, 1] }));
  for (const filters of [d, 2 * d, 4 * d]) {
    D.add(tf.layers.conv2d({ filters, kernelSize: 5, strides: 2, padding: 'same', kernelInitializer: init() }));
    if (net.batchNorm && filters !== d) D.add(batchNorm());
    D.add(tf.layers.leakyReLU({ alpha: 0.2 }));
  }
  D.add(tf.layers.flatten());
  D.add(tf.layers.dense({ units: 1, kernelInitializer: init() }));
  return D;
}

/**
 * The net of a GAN of this loss under the config: the conv pair for the Wasserstein GANs where
 * wganConvDim > 0, with batch norm for WGAN as in Gulrajani et al.'s code.
 */
export function ganNetOf(c: { wganConvDim: number }, loss: GanLoss): { net: GanNet; zDim: number; batchSize: number } {
  // The conv pair takes its latent size and batch from Gulrajani et al.'s MNIST code (128, 50).
  return isWasserstein(loss) && c.wganConvDim > 0
    ? { net: { kind: 'conv', dim: c.wganConvDim, batchNorm: loss === 'wgan' }, zDim: 128, batchSize: 50 }
    : { net: { kind: 'mlp', hidden: 256 }, zDim: 32, batchSize: 64 };
}

/**
 * A GAN arm's relative cost for the sweep's order (costliest first): network passes per
 * generator step (critic steps + 1; the gradient penalty about doubles a critic step), times
 * the steps, times 8 for the conv pair (measured here: ~0.2 s per WGAN-GP step at dim 8, batch 50).
 */
export function ganCostOf(c: { ganSteps: number; wganSteps: number; wganConvDim: number }, loss: GanLoss): number {
  const passes = isWasserstein(loss) ? WGAN.nCritic * (loss === 'wgan-gp' ? 2 : 1) + 1 : 2;
  return ganStepsOf(c, loss) * passes * (ganNetOf(c, loss).net.kind === 'conv' ? 8 : 1);
}

/**
 * Gulrajani et al.'s gradient penalty: the batch mean of (||grad_x critic(x)||_2 - 1)^2 at the
 * interpolates x = eps real + (1 - eps) fake (eps: one uniform draw per image, shape [batch, 1]).
 * Its gradient with respect to the critic's weights is a second-order gradient (through conv2d:
 * tfjs's gradient of Conv2DBackpropInput).
 */
export function gradientPenalty(critic: (x: tf.Tensor) => tf.Tensor, real: tf.Tensor, fake: tf.Tensor, eps: tf.Tensor): tf.Scalar {
  const mixed = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake));
  const grad = tf.grad((x: tf.Tensor) => tf.sum(critic(x)))(mixed);
  return tf.mean(tf.square(tf.sub(tf.sqrt(tf.sum(tf.square(grad), 1)), 1)));
}

export interface GanOptions {
  loss: GanLoss;
  net: GanNet;
  /** Training images, n x 784 in [0, 1]. */
  images: Float32Array;
  n: number;
  steps: number;
  batchSize: number;
  zDim: number;
  /** Adam learning rate (beta1 = 0.5) of the ns / ls GANs; the Wasserstein GANs use their papers' settings (WGAN). */
  learningRate: number;
  rng: Rng;
  onProgress?: (step: number, dLoss: number, gLoss: number) => void;
}

export interface TrainedGan {
  sample(n: number, rng: Rng): Float32Array;
  dispose(): void;
  seconds: number;
}

export function trainGan(o: GanOptions): TrainedGan {
  const t0 = Date.now();
  const wr = o.rng.fork('weights');
  const G = generatorOf(o.net, o.zDim, wr);
  const D = criticOf(o.net, wr);
  const [optD, optG] = [0, 1].map(() =>
    o.loss === 'wgan'
      ? new RmsProp(WGAN.rmspropLearningRate)
      : o.loss === 'wgan-gp'
        ? new Adam(WGAN.adamLearningRate, WGAN.adamBeta1, WGAN.adamBeta2)
        : new Adam(o.learningRate, 0.5, 0.999),
  );
  const nCritic = isWasserstein(o.loss) ? WGAN.nCritic : 1;
  // Training mode: batch norm (where the net has it) normalises with the batch's statistics.
  const critic = (x: tf.Tensor) => D.apply(x, { training: true }) as tf.Tensor;
  const generate = (z: tf.Tensor) => G.apply(z, { training: true }) as tf.Tensor;
  const data = tf.tensor2d(o.images, [o.n, 784]);
  const dVars = D.trainableWeights.map((w) => w.read() as tf.Variable);
  const gVars = G.trainableWeights.map((w) => w.read() as tf.Variable);
  const br = o.rng.fork('batches');
  const ones = tf.ones([o.batchSize, 1]);
  const zeros = tf.zeros([o.batchSize, 1]);
  const dLossOf = (real: tf.Tensor, fake: tf.Tensor, mixSeed: number): tf.Scalar => {
    const dr = critic(real);
    const df = critic(fake);
    if (o.loss === 'ns') return tf.add(tf.losses.sigmoidCrossEntropy(ones, dr), tf.losses.sigmoidCrossEntropy(zeros, df)) as tf.Scalar;
    if (o.loss === 'ls') return tf.mul(0.5, tf.add(tf.mean(tf.square(tf.sub(dr, 1))), tf.mean(tf.square(df)))) as tf.Scalar;
    const wasserstein = tf.sub(tf.mean(df), tf.mean(dr));
    if (o.loss === 'wgan') return wasserstein as tf.Scalar;
    const eps = tf.randomUniform([o.batchSize, 1], 0, 1, 'float32', mixSeed);
    return tf.add(wasserstein, tf.mul(WGAN.lambda, gradientPenalty(critic, real, fake, eps))) as tf.Scalar;
  };
  const gLossOf = (fake: tf.Tensor): tf.Scalar => {
    const df = critic(fake);
    if (o.loss === 'ns') return tf.losses.sigmoidCrossEntropy(ones, df) as tf.Scalar;
    if (o.loss === 'ls') return tf.mul(0.5, tf.mean(tf.square(tf.sub(df, 1)))) as tf.Scalar;
    return tf.neg(tf.mean(df)) as tf.Scalar;
  };
  try {
    for (let step = 1; step <= o.steps; step++) {
      let dLoss: tf.Scalar | null = null;
      for (let k = 0; k < nCritic; k++) {
        const idx = Int32Array.from({ length: o.batchSize }, () => br.int(o.n));
        const seedD = br.int(2 ** 31);
        const mixSeed = o.loss === 'wgan-gp' ? br.int(2 ** 31) : 0;
        dLoss?.dispose();
        dLoss = tf.tidy(() => {
          const real = data.gather(tf.tensor1d(idx, 'int32'));
          const zD = tf.randomNormal([o.batchSize, o.zDim], 0, 1, 'float32', seedD);
          return optD.minimize(() => dLossOf(real, generate(zD), mixSeed), true, dVars)!;
        });
        if (o.loss === 'wgan') for (const v of dVars) tf.tidy(() => v.assign(tf.clipByValue(v, -WGAN.clip, WGAN.clip)));
      }
      const seedG = br.int(2 ** 31);
      const [dl, gl] = tf.tidy(() => {
        const zG = tf.randomNormal([o.batchSize, o.zDim], 0, 1, 'float32', seedG);
        const gLoss = optG.minimize(() => gLossOf(generate(zG)), true, gVars)!;
        return [dLoss!, tf.keep(gLoss)];
      });
      if (step % 250 === 0 || step === o.steps) o.onProgress?.(step, dl.dataSync()[0], gl.dataSync()[0]);
      tf.dispose([dl, gl]);
    }
  } finally {
    tf.dispose([data, ones, zeros]);
    optD.dispose();
    optG.dispose();
  }
  const seconds = (Date.now() - t0) / 1000;
  return {
    seconds,
    sample(n: number, rng: Rng): Float32Array {
      return tf
        .tidy(() => {
          const z = tf.randomNormal([n, o.zDim], 0, 1, 'float32', rng.int(2 ** 31));
          if (!usesBatchNorm(o.net)) return (G.apply(z) as tf.Tensor).dataSync() as Float32Array;
          // Batch statistics, as in training and in their code's samples: drawn in training-size batches.
          const parts: tf.Tensor[] = [];
          for (let i = 0; i < n; i += o.batchSize) parts.push(generate(z.slice([i, 0], [Math.min(o.batchSize, n - i), o.zDim])));
          return tf.concat(parts).dataSync() as Float32Array;
        })
        .slice();
    },
    dispose() {
      G.dispose();
      D.dispose();
    },
  };
}
