import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@claimlab/core';
import { glorotUniform } from './init.ts';
import { LocalResponseNormalization } from './lrn.ts';

export interface SmallAlexNetOptions {
  inputShape: [number, number, number];
  numClasses: number;
  rng: Rng;
  /** Channels of both conv layers; Zhang et al. do not state it, 64 is the TF CIFAR-10 tutorial's value. */
  convChannels?: number;
  /** Hidden units of the two fully connected layers (Zhang et al., appendix A: 384 and 192). */
  fcUnits?: [number, number];
}

/**
 * Zhang et al. (2017), appendix A, "small AlexNet": two modules of
 * (conv 5x5 -> max-pool 3x3 -> local response normalization), then fully
 * connected layers of 384 and 192 ReLU units and a linear classifier.
 * Pooling uses stride 2 as in the TF CIFAR-10 tutorial model it follows.
 */
export function smallAlexNet({ inputShape, numClasses, rng, convChannels = 64, fcUnits = [384, 192] }: SmallAlexNetOptions): tf.Sequential {
  const model = tf.sequential({ name: 'small_alexnet' });
  for (let i = 0; i < 2; i++) {
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape } : {}),
        filters: convChannels,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: glorotUniform(rng),
      }),
    );
    model.add(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }));
    model.add(new LocalResponseNormalization());
  }
  model.add(tf.layers.flatten());
  for (const units of fcUnits) model.add(tf.layers.dense({ units, activation: 'relu', kernelInitializer: glorotUniform(rng) }));
  model.add(tf.layers.dense({ units: numClasses, kernelInitializer: glorotUniform(rng) }));
  return model;
}
