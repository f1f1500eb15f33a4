// Small MLP GANs trained here for a short budget (the MNIST part's learned
// generators), same architectures, seeded: non-saturating GAN (Goodfellow et
// al. 2014), least-squares GAN (Mao et al. 2017), and the two the geometry-
// score paper compares on MNIST: WGAN (Arjovsky et al. 2017) and WGAN-GP
// (Gulrajani et al. 2017).
import { Rng } from '@claimlab/core';
import { tf } from '@claimlab/backend';
import { glorotUniform } from '@claimlab/models';

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

/** Generator steps of a GAN of this loss under the config (ganSteps, or wganSteps for the Wasserstein GANs). */
export function ganStepsOf(c: { ganSteps: number; wganSteps: number }, loss: GanLoss): number {
  return isWasserstein(loss) ? c.wganSteps : c.ganSteps;
}

export interface GanOptions {
  loss: GanLoss;
  /** Training images, n x 784 in [0, 1]. */
  images: Float32Array;
  n: number;
  steps: number;
  batchSize: number;
  zDim: number;
  hidden: number;
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
  const G = tf.sequential();
  G.add(tf.layers.dense({ inputShape: [o.zDim], units: o.hidden, activation: 'relu', kernelInitializer: glorotUniform(wr) }));
  G.add(tf.layers.dense({ units: 784, activation: 'sigmoid', kernelInitializer: glorotUniform(wr) }));
  const D = tf.sequential();
  D.add(tf.layers.dense({ inputShape: [784], units: o.hidden, kernelInitializer: glorotUniform(wr) }));
  D.add(tf.layers.leakyReLU({ alpha: 0.2 }));
  D.add(tf.layers.dense({ units: 1, kernelInitializer: glorotUniform(wr) }));
  const [optD, optG] = [0, 1].map(() =>
    o.loss === 'wgan'
      ? tf.train.rmsprop(WGAN.rmspropLearningRate)
      : o.loss === 'wgan-gp'
        ? tf.train.adam(WGAN.adamLearningRate, WGAN.adamBeta1, WGAN.adamBeta2)
        : tf.train.adam(o.learningRate, 0.5),
  );
  const nCritic = isWasserstein(o.loss) ? WGAN.nCritic : 1;
  const data = tf.tensor2d(o.images, [o.n, 784]);
  const dVars = D.trainableWeights.map((w) => w.read() as tf.Variable);
  const gVars = G.trainableWeights.map((w) => w.read() as tf.Variable);
  const br = o.rng.fork('batches');
  const ones = tf.ones([o.batchSize, 1]);
  const zeros = tf.zeros([o.batchSize, 1]);
  const dLossOf = (real: tf.Tensor, fake: tf.Tensor, mixSeed: number): tf.Scalar => {
    const dr = D.apply(real) as tf.Tensor;
    const df = D.apply(fake) as tf.Tensor;
    if (o.loss === 'ns') return tf.add(tf.losses.sigmoidCrossEntropy(ones, dr), tf.losses.sigmoidCrossEntropy(zeros, df)) as tf.Scalar;
    if (o.loss === 'ls') return tf.mul(0.5, tf.add(tf.mean(tf.square(tf.sub(dr, 1))), tf.mean(tf.square(df)))) as tf.Scalar;
    const wasserstein = tf.sub(tf.mean(df), tf.mean(dr));
    if (o.loss === 'wgan') return wasserstein as tf.Scalar;
    // Gradient penalty on random interpolates of real and fake samples (second-order gradient).
    const eps = tf.randomUniform([o.batchSize, 1], 0, 1, 'float32', mixSeed);
    const mixed = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake));
    const grad = tf.grad((x: tf.Tensor) => tf.sum(D.apply(x) as tf.Tensor))(mixed);
    const penalty = tf.mean(tf.square(tf.sub(tf.sqrt(tf.sum(tf.square(grad), 1)), 1)));
    return tf.add(wasserstein, tf.mul(WGAN.lambda, penalty)) as tf.Scalar;
  };
  const gLossOf = (fake: tf.Tensor): tf.Scalar => {
    const df = D.apply(fake) as tf.Tensor;
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
          return optD.minimize(() => dLossOf(real, G.apply(zD) as tf.Tensor, mixSeed), true, dVars)!;
        });
        if (o.loss === 'wgan') for (const v of dVars) tf.tidy(() => v.assign(tf.clipByValue(v, -WGAN.clip, WGAN.clip)));
      }
      const seedG = br.int(2 ** 31);
      const [dl, gl] = tf.tidy(() => {
        const zG = tf.randomNormal([o.batchSize, o.zDim], 0, 1, 'float32', seedG);
        const gLoss = optG.minimize(() => gLossOf(G.apply(zG) as tf.Tensor), true, gVars)!;
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
          return (G.apply(z) as tf.Tensor).dataSync() as Float32Array;
        })
        .slice();
    },
    dispose() {
      G.dispose();
      D.dispose();
    },
  };
}
