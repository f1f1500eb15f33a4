import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@claimlab/core';
import { glorotUniform } from './init.ts';
import { batchNormalization } from './batch-norm.ts';

export interface SmallInceptionOptions {
  inputShape: [number, number, number];
  numClasses: number;
  rng: Rng;
  /** Multiplies every channel count (1 = the paper's sizes); for quick, narrow variants. */
  widthMultiplier?: number;
}

/**
 * Conv module: conv -> batch norm -> ReLU (Zhang et al., appendix A, Figure 3).
 * Batch norm with a shift but no scale (TensorFlow's batch_norm default): this
 * reproduces the paper's parameter count of 1,649,402 exactly (Table 1).
 */
function convModule(x: tf.SymbolicTensor, filters: number, kernel: number, stride: number, rng: Rng): tf.SymbolicTensor {
  const c = tf.layers
    .conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: glorotUniform(rng) })
    .apply(x) as tf.SymbolicTensor;
  const bn = batchNormalization({ momentum: 0.99, epsilon: 1e-3, scale: false }).apply(c) as tf.SymbolicTensor;
  return tf.layers.activation({ activation: 'relu' }).apply(bn) as tf.SymbolicTensor;
}

/** Inception module: a 1x1 and a 3x3 conv module side by side, concatenated on channels. */
function inceptionModule(x: tf.SymbolicTensor, ch1: number, ch3: number, rng: Rng): tf.SymbolicTensor {
  const a = convModule(x, ch1, 1, 1, rng);
  const b = convModule(x, ch3, 3, 1, rng);
  return tf.layers.concatenate({ axis: -1 }).apply([a, b]) as tf.SymbolicTensor;
}

/** Downsample module: a stride-2 3x3 conv module and a 3x3 stride-2 max-pool, concatenated. */
function downsampleModule(x: tf.SymbolicTensor, ch3: number, rng: Rng): tf.SymbolicTensor {
  const a = convModule(x, ch3, 3, 2, rng);
  const b = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  return tf.layers.concatenate({ axis: -1 }).apply([a, b]) as tf.SymbolicTensor;
}

/**
 * Zhang et al. (2017), appendix A, Figure 3: the small Inception for 28x28
 * CIFAR-10 crops. conv(96, 3x3) -> I(32,32) -> I(32,48) -> D(80) -> I(112,48)
 * -> I(96,64) -> I(80,80) -> I(48,96) -> D(96) -> I(176,160) -> I(176,160)
 * -> global mean pooling -> fully connected -> logits.
 */
export function smallInception({ inputShape, numClasses, rng, widthMultiplier = 1 }: SmallInceptionOptions): tf.LayersModel {
  const w = (c: number) => Math.max(1, Math.round(c * widthMultiplier));
  const input = tf.input({ shape: inputShape });
  let x = convModule(input, w(96), 3, 1, rng);
  x = inceptionModule(x, w(32), w(32), rng);
  x = inceptionModule(x, w(32), w(48), rng);
  x = downsampleModule(x, w(80), rng);
  x = inceptionModule(x, w(112), w(48), rng);
  x = inceptionModule(x, w(96), w(64), rng);
  x = inceptionModule(x, w(80), w(80), rng);
  x = inceptionModule(x, w(48), w(96), rng);
  x = downsampleModule(x, w(96), rng);
  x = inceptionModule(x, w(176), w(160), rng);
  x = inceptionModule(x, w(176), w(160), rng);
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: numClasses, kernelInitializer: glorotUniform(rng) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'small_inception' });
}
