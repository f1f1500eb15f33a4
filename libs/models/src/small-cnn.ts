import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@claimlab/core';
import { glorotUniform, heNormal } from './init.ts';

export interface SmallCnnOptions {
  inputShape: [number, number, number];
  numClasses: number;
  rng: Rng;
  /** Channels of the strided conv layers (default [16, 32]). */
  channels?: number[];
  /** Kernel size of every conv (default 5). */
  kernelSize?: number;
  /** Hidden units of the fully connected layer before the logits (default 128; 0 = none). */
  fcUnits?: number;
}

/**
 * A small all-convolutional classifier: stride-2 'same' convolutions with ReLU
 * (no pooling: every op has second-order gradients in tfjs, which the
 * Jacobian-vector products of libs/metrics singular-vectors.ts need), a ReLU
 * fully connected layer and a linear classifier. Layers are named conv1..convK,
 * fc1 and logits, so a hidden layer can be chosen by name.
 */
export function smallCnn({
  inputShape,
  numClasses,
  rng,
  channels = [16, 32],
  kernelSize = 5,
  fcUnits = 128,
}: SmallCnnOptions): tf.Sequential {
  if (channels.length === 0 || channels.some((c) => !Number.isInteger(c) || c < 1))
    throw new Error(`smallCnn: channels must be positive integers, got ${JSON.stringify(channels)}`);
  const model = tf.sequential({ name: `small_cnn_${channels.join('_')}` });
  channels.forEach((filters, i) => {
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape } : {}),
        filters,
        kernelSize,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: heNormal(rng),
        name: `conv${i + 1}`,
      }),
    );
  });
  model.add(tf.layers.flatten({ name: 'flatten' }));
  if (fcUnits > 0) model.add(tf.layers.dense({ units: fcUnits, activation: 'relu', kernelInitializer: heNormal(rng), name: 'fc1' }));
  model.add(tf.layers.dense({ units: numClasses, kernelInitializer: glorotUniform(rng), name: 'logits' }));
  return model;
}
