// Small MLP GANs trained here for a short budget (the MNIST part's learned
// generators): non-saturating GAN (Goodfellow et al. 2014) and least-squares
// GAN (Mao et al. 2017), same architectures, seeded.
import { Rng, tf } from '@claimlab/core';
import { glorotUniform } from '@claimlab/models';

export const GAN_LOSSES = ['ns', 'ls'] as const;
export type GanLoss = (typeof GAN_LOSSES)[number];

export interface GanOptions {
  loss: GanLoss;
  /** Training images, n x 784 in [0, 1]. */
  images: Float32Array;
  n: number;
  steps: number;
  batchSize: number;
  zDim: number;
  hidden: number;
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
  const optD = tf.train.adam(o.learningRate, 0.5);
  const optG = tf.train.adam(o.learningRate, 0.5);
  const data = tf.tensor2d(o.images, [o.n, 784]);
  const dVars = D.trainableWeights.map((w) => w.read() as tf.Variable);
  const gVars = G.trainableWeights.map((w) => w.read() as tf.Variable);
  const br = o.rng.fork('batches');
  const ones = tf.ones([o.batchSize, 1]);
  const zeros = tf.zeros([o.batchSize, 1]);
  const dLossOf = (real: tf.Tensor, fake: tf.Tensor): tf.Scalar => {
    const dr = D.apply(real) as tf.Tensor;
    const df = D.apply(fake) as tf.Tensor;
    if (o.loss === 'ns') return tf.add(tf.losses.sigmoidCrossEntropy(ones, dr), tf.losses.sigmoidCrossEntropy(zeros, df)) as tf.Scalar;
    return tf.mul(0.5, tf.add(tf.mean(tf.square(tf.sub(dr, 1))), tf.mean(tf.square(df)))) as tf.Scalar;
  };
  const gLossOf = (fake: tf.Tensor): tf.Scalar => {
    const df = D.apply(fake) as tf.Tensor;
    if (o.loss === 'ns') return tf.losses.sigmoidCrossEntropy(ones, df) as tf.Scalar;
    return tf.mul(0.5, tf.mean(tf.square(tf.sub(df, 1)))) as tf.Scalar;
  };
  try {
    for (let step = 1; step <= o.steps; step++) {
      const idx = Int32Array.from({ length: o.batchSize }, () => br.int(o.n));
      const seedD = br.int(2 ** 31);
      const seedG = br.int(2 ** 31);
      const [dl, gl] = tf.tidy(() => {
        const real = data.gather(tf.tensor1d(idx, 'int32'));
        const zD = tf.randomNormal([o.batchSize, o.zDim], 0, 1, 'float32', seedD);
        const dLoss = optD.minimize(() => dLossOf(real, G.apply(zD) as tf.Tensor), true, dVars)!;
        const zG = tf.randomNormal([o.batchSize, o.zDim], 0, 1, 'float32', seedG);
        const gLoss = optG.minimize(() => gLossOf(G.apply(zG) as tf.Tensor), true, gVars)!;
        return [tf.keep(dLoss), tf.keep(gLoss)];
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
      return tf.tidy(() => {
        const z = tf.randomNormal([n, o.zDim], 0, 1, 'float32', rng.int(2 ** 31));
        return (G.apply(z) as tf.Tensor).dataSync() as Float32Array;
      }).slice();
    },
    dispose() {
      G.dispose();
      D.dispose();
    },
  };
}
