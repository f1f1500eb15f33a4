// TensorFlow's convolutional MNIST tutorial net (tensorflow/models, tutorials/image/mnist/
// convolutional.py), and the same net with each fully connected weight matrix replaced by a
// product of two matrices (Arora, Cohen & Hazan 2018, Section 6 as the issue cites it).
import { tf } from '@claimlab/backend';
import type { Rng } from '@claimlab/core';

export const MNIST_NETS = ['original', 'overparameterized'] as const;
export type MnistNet = (typeof MNIST_NETS)[number];

/** Widths of the tutorial net; quick may shrink them (the tutorial: 32, 64, 512). */
export interface ConvNetShape {
  conv1: number;
  conv2: number;
  fc: number;
}

/**
 * Dropout whose masks come from a seeded Rng stream, a fresh mask at every training call.
 * (tfjs's dropout layer with a seed draws the same mask at every step, and without one it is
 * not reproducible.) Scales kept units by 1 / (1 - rate), as tf.nn.dropout.
 */
export class SeededDropout extends tf.layers.Layer {
  static className = 'SeededDropout';
  private readonly rate: number;
  private readonly rng: Rng;
  constructor(args: { rate: number; rng: Rng; name?: string }) {
    super({ name: args.name });
    this.rate = args.rate;
    this.rng = args.rng;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs?.training || this.rate === 0) return x;
    const keep = 1 - this.rate;
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = this.rng.uniform() < keep ? 1 / keep : 0;
    return tf.tidy(() => x.mul(tf.tensor(mask, x.shape)));
  }
  override getConfig() {
    return { ...super.getConfig(), rate: this.rate };
  }
}

/**
 * The tutorial net: conv 5x5 (32, same, ReLU) - max pool 2 - conv 5x5 (64, same, ReLU) - max pool
 * 2 - fc 512 (ReLU) - dropout 0.5 - fc 10 (logits). Initialisation as the tutorial: truncated
 * normal with std 0.1 for every weight, biases 0 (conv1) and 0.1 (conv2, fc1, fc2).
 *
 * `overparameterized`: each fc kernel W (m x k) becomes A (m x k) times B (k x k): a dense layer
 * `fcN` without bias or activation, then a dense layer `fcN_factor` with the original bias and
 * activation. A is drawn exactly as W (same seed), B starts as the identity, so both nets start
 * as the same function; only the parametrization differs (our choice: the paper's
 * initialisation of the factors is not in our sources).
 *
 * Layer names start with `fc` for the tutorial's fc weights and biases (the ones its L2 term
 * covers); the added factors are `fcN_factor`, so `weightDecayOn` can tell them apart.
 */
export function tutorialNet(opts: {
  net: MnistNet;
  shape: ConvNetShape;
  weightsRng: Rng;
  dropoutRng: Rng;
  dropoutRate?: number;
}): tf.LayersModel {
  const { shape, weightsRng } = opts;
  const tn = () => tf.initializers.truncatedNormal({ stddev: 0.1, seed: weightsRng.int(2 ** 31) });
  const c = (value: number) => tf.initializers.constant({ value });
  const input = tf.input({ shape: [28, 28, 1] });
  let x = tf.layers
    .conv2d({ filters: shape.conv1, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: tn(), name: 'conv1' })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'pool1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({
      filters: shape.conv2,
      kernelSize: 5,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tn(),
      biasInitializer: c(0.1),
      name: 'conv2',
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'pool2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  const fc = (units: number, activation: 'relu' | 'linear', name: string, t: tf.SymbolicTensor): tf.SymbolicTensor => {
    const kernelInitializer = tn();
    if (opts.net === 'original')
      return tf.layers.dense({ units, activation, kernelInitializer, biasInitializer: c(0.1), name }).apply(t) as tf.SymbolicTensor;
    const a = tf.layers.dense({ units, useBias: false, kernelInitializer, name }).apply(t) as tf.SymbolicTensor;
    return tf.layers
      .dense({
        units,
        activation,
        kernelInitializer: tf.initializers.identity({ gain: 1 }),
        biasInitializer: c(0.1),
        name: `${name}_factor`,
      })
      .apply(a) as tf.SymbolicTensor;
  };
  x = fc(shape.fc, 'relu', 'fc1', x);
  x = new SeededDropout({ rate: opts.dropoutRate ?? 0.5, rng: opts.dropoutRng, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  const logits = fc(10, 'linear', 'fc2', x);
  return tf.model({ inputs: input, outputs: logits, name: `mnist_tutorial_${opts.net}` });
}

/**
 * The weights the tutorial's L2 term covers (fc1 and fc2 weights and biases): in the
 * overparameterized net the first factor A and the biases; the added square factor B is not
 * decayed, so both nets start with the same regularized loss (our choice, see tutorialNet).
 */
export function tutorialWeightDecayOn(w: tf.LayerVariable): boolean {
  const name = w.originalName;
  if (!name.startsWith('fc')) return false;
  return !(name.includes('_factor/') && name.endsWith('kernel'));
}
