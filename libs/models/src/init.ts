import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@claimlab/core';

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/**
 * Seeded initializers. tfjs initializers take an integer seed and draw with
 * their own seeded generator in JS, so a model's initial weights are the same
 * on every backend; each layer gets its own seed from the model's Rng stream.
 */
export function glorotUniform(rng: Rng): Initializer {
  return tf.initializers.glorotUniform({ seed: rng.int(2 ** 31) });
}

export function heNormal(rng: Rng): Initializer {
  return tf.initializers.heNormal({ seed: rng.int(2 ** 31) });
}

export function countParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}
