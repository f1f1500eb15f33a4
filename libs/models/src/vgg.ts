import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@claimlab/core';
import { glorotUniform, heNormal } from './init.ts';

export interface VggNetOptions {
  inputShape: [number, number, number];
  numClasses: number;
  rng: Rng;
  /** Channels of the 3x3 convolutions, one list per stage, e.g. [[16, 16], [32, 32]]. */
  stages: number[][];
  /** Hidden units of the fully connected layer before the logits (0 = none). */
  fcUnits: number;
}

/**
 * A VGG-style classifier (Simonyan & Zisserman 2015): stages of 3x3 'same' convolutions with
 * ReLU, a ReLU fully connected layer and a linear classifier. Where VGG max-pools at the end of a
 * stage, the first convolution of each stage here has stride 2: tfjs has no second-order gradient
 * of max pooling, and the Jacobian-vector products of libs/metrics singular-vectors.ts need one
 * (the same choice as smallCnn). Layers are named conv1..convK (counted over all stages), fc1 and
 * logits, so a hidden layer can be chosen by name.
 */
export function vggNet({ inputShape, numClasses, rng, stages, fcUnits }: VggNetOptions): tf.Sequential {
  if (stages.length === 0 || stages.some((s) => s.length === 0 || s.some((c) => !Number.isInteger(c) || c < 1)))
    throw new Error(`vggNet: stages must be non-empty lists of positive integers, got ${JSON.stringify(stages)}`);
  if (!(Number.isInteger(fcUnits) && fcUnits >= 0)) throw new Error(`vggNet: fcUnits must be an integer >= 0, got ${fcUnits}`);
  const model = tf.sequential({ name: `vgg_${stages.map((s) => s.join('_')).join('__')}` });
  let k = 0;
  for (const stage of stages) {
    stage.forEach((filters, i) => {
      k++;
      model.add(
        tf.layers.conv2d({
          ...(k === 1 ? { inputShape } : {}),
          filters,
          kernelSize: 3,
          strides: i === 0 ? 2 : 1,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: heNormal(rng),
          name: `conv${k}`,
        }),
      );
    });
  }
  model.add(tf.layers.flatten({ name: 'flatten' }));
  if (fcUnits > 0) model.add(tf.layers.dense({ units: fcUnits, activation: 'relu', kernelInitializer: heNormal(rng), name: 'fc1' }));
  model.add(tf.layers.dense({ units: numClasses, kernelInitializer: glorotUniform(rng), name: 'logits' }));
  return model;
}
