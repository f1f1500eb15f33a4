import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { fusedBatchNormGradConfig, registerFastGradients } from '../src/gradients.ts';
import { registerWasmKernels } from '../src/wasm-kernels.ts';
import { Rng } from '@claimlab/core';

// tfjs's own gradient, captured before anything replaces it.
const tfjsOwn = tf.getGradient(tf.FusedBatchNorm)!;
afterAll(() => tf.registerGradient(tfjsOwn));

function randomTensor(shape: number[], rng: Rng, offset = 0): tf.Tensor {
  return tf.tensor(
    rng.normalArray(shape.reduce((a, b) => a * b, 1)).map((v) => v + offset),
    shape,
  );
}

/** Gradients of sum(w * batchNorm(x, mean(x), var(x), offset, scale)) w.r.t. x, offset and scale. */
function bnGrads(shape: number[], withScale: boolean, seed: string): Float32Array[] {
  const rng = new Rng(seed);
  const c = shape[shape.length - 1];
  const x = randomTensor(shape, rng);
  const w = randomTensor(shape, rng);
  const offset = randomTensor([c], rng);
  const scale = randomTensor([c], rng, 1);
  const axes = shape.slice(0, -1).map((_, i) => i);
  const f = (xx: tf.Tensor, oo: tf.Tensor, ss: tf.Tensor) => {
    const { mean, variance } = tf.moments(xx, axes);
    return tf.sum(tf.mul(w, tf.batchNorm(xx, mean, variance, oo, withScale ? ss : undefined, 1e-3)));
  };
  const grads = withScale ? tf.grads(f)([x, offset, scale]) : tf.grads((xx: tf.Tensor, oo: tf.Tensor) => f(xx, oo, scale))([x, offset]);
  return grads.map((g) => g.dataSync() as Float32Array);
}

describe('FusedBatchNorm gradient without tile', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`is bit-identical to tfjs's own on ${backend} (NHWC, odd sizes; rank 2)`, async () => {
      if (backend === 'wasm') registerWasmKernels();
      await tf.setBackend(backend);
      for (const [shape, withScale] of [
        [[3, 5, 7, 4], true],
        [[2, 3, 3, 5], true],
        [[6, 3], true],
      ] as [number[], boolean][]) {
        tf.registerGradient(tfjsOwn);
        const theirs = bnGrads(shape, withScale, `bn/${shape}`);
        tf.registerGradient(fusedBatchNormGradConfig);
        const ours = bnGrads(shape, withScale, `bn/${shape}`);
        expect(ours).toHaveLength(3);
        ours.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(theirs[i])));
      }
    });
  }

  it('agrees with central finite differences (a check independent of tfjs)', async () => {
    await tf.setBackend('cpu');
    tf.registerGradient(fusedBatchNormGradConfig);
    const rng = new Rng('fd');
    const xs = rng.normalArray(12);
    const w = tf.tensor(rng.normalArray(12), [4, 3]);
    const scale = tf.tensor([0.5, 2, -1]);
    const f = (x: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, [0]);
      return tf.sum(tf.mul(w, tf.batchNorm(x, mean, variance, tf.zeros([3]), scale, 1e-3)));
    };
    const g = tf
      .grad(f)(tf.tensor(xs, [4, 3]))
      .dataSync();
    const h = 1e-2;
    for (const i of [0, 5, 11]) {
      const plus = Float32Array.from(xs);
      const minus = Float32Array.from(xs);
      plus[i] += h;
      minus[i] -= h;
      const fd = (f(tf.tensor(plus, [4, 3])).dataSync()[0] - f(tf.tensor(minus, [4, 3])).dataSync()[0]) / (2 * h);
      expect(g[i]).toBeCloseTo(fd, 2);
    }
  });

  it('comparisons have zero gradients, so a gradient through LeakyReLU can be differentiated again (WGAN-GP penalty), matching finite differences', async () => {
    await tf.setBackend('cpu');
    registerFastGradients();
    const rng = new Rng('gp');
    const w1 = tf.variable(tf.tensor(rng.normalArray(15), [5, 3]));
    const w2 = tf.variable(tf.tensor(rng.normalArray(3), [3, 1]));
    const x = tf.tensor(rng.normalArray(20), [4, 5]);
    const critic = (xx: tf.Tensor) => tf.matMul(tf.leakyRelu(tf.matMul(xx, w1), 0.2), w2).sum();
    const penalty = () => tf.grad(critic)(x).square().sum(1).sqrt().sub(1).square().mean() as tf.Scalar;
    const { grads } = tf.variableGrads(penalty, [w1]);
    const ad = grads[w1.name].dataSync();
    const w0 = w1.dataSync().slice();
    const h = 1e-2;
    for (const i of [0, 7, 13]) {
      const at = (d: number) => {
        const w = w0.slice();
        w[i] += d;
        w1.assign(tf.tensor(w, [5, 3]));
        return penalty().dataSync()[0];
      };
      expect(ad[i]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 3);
    }
  });
});
