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
  /** The model's name (default mlp_<depth>x<width>). */
  name?: string;
  /**
   * Name the layers flatten, fc1..fcK and logits (as smallCnn does), so a
   * hidden layer can be chosen by name in every process; by default tfjs
   * numbers them. The weights are the same either way.
   */
  namedLayers?: boolean;
}

/** A fully connected ReLU network producing logits (no softmax: the loss applies it). */
export function mlp({ inputShape, hidden, numClasses, rng, activation = 'relu', name, namedLayers = false }: MlpOptions): tf.Sequential {
  const named = (layerName: string) => (namedLayers ? { name: layerName } : {});
  const model = tf.sequential({ name: name ?? `mlp_${hidden.length}x${hidden[0] ?? 0}` });
  model.add(tf.layers.flatten({ inputShape, ...named('flatten') }));
  hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({ units, activation, kernelInitializer: glorotUniform(rng), biasInitializer: 'zeros', ...named(`fc${i + 1}`) }),
    );
  });
  model.add(tf.layers.dense({ units: numClasses, kernelInitializer: glorotUniform(rng), biasInitializer: 'zeros', ...named('logits') }));
  return model;
}
