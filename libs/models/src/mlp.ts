import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@claimlab/core';
import { glorotUniform } from './init.ts';

export interface MlpOptions {
  /** Input shape without the batch dimension, e.g. [28, 28, 1]; flattened first. */
  inputShape: number[];
  /** Hidden layer widths: [512] is Zhang et al.'s "MLP 1x512", [512, 512, 512] their "MLP 3x512". */
  hidden: number[];
  numClasses: number;
  rng: Rng;
  activation?: 'relu' | 'tanh';
}

/** A fully connected ReLU network producing logits (no softmax: the loss applies it). */
export function mlp({ inputShape, hidden, numClasses, rng, activation = 'relu' }: MlpOptions): tf.Sequential {
  const model = tf.sequential({ name: `mlp_${hidden.length}x${hidden[0] ?? 0}` });
  model.add(tf.layers.flatten({ inputShape }));
  for (const units of hidden) {
    model.add(tf.layers.dense({ units, activation, kernelInitializer: glorotUniform(rng), biasInitializer: 'zeros' }));
  }
  model.add(tf.layers.dense({ units: numClasses, kernelInitializer: glorotUniform(rng), biasInitializer: 'zeros' }));
  return model;
}
