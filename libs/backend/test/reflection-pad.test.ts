// reflectionPad2d (src/reflection-pad.ts): its forward and backward kernels against the
// composite they replace (slice / reverse / concat per axis, exact gradients), bit for bit, on
// wasm and on cpu, and against hand-counted gradients.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { reflectionPad2d, reflectionPadGradInto } from '../src/reflection-pad.ts';
import { registerWasmKernels } from '../src/wasm-kernels.ts';
import { rand } from './kernel-cases.ts';

beforeAll(async () => {
  registerWasmKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
});

/** The composite the models used before (hourglass.ts's fallback), written out independently. */
function composite(x: tf.Tensor4D, p: number): tf.Tensor4D {
  let y = x;
  for (const axis of [1, 2] as const) {
    const n = y.shape[axis];
    const begin = (i: number) => (axis === 1 ? [0, i, 0, 0] : [0, 0, i, 0]);
    const size = axis === 1 ? [-1, p, -1, -1] : [-1, -1, p, -1];
    const before = y.slice(begin(1), size).reverse(axis);
    const after = y.slice(begin(n - 1 - p), size).reverse(axis);
    y = tf.concat([before, y, after], axis);
  }
  return y;
}

/** The float32 bit patterns, so -0 and +0 (and every last bit) must agree. */
const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

/**
 * Value of pad(x) and the gradient of sum(pad(x) * w) for seeded x and w; every `negZeroEvery`-th
 * element of w is -0 (all of them for 1: the composite's gradient is then +0 everywhere).
 */
function valueAndGrad(pad: (x: tf.Tensor4D) => tf.Tensor4D, shape: number[], p: number, seed: number, negZeroEvery = 7) {
  return tf.tidy(() => {
    const x = rand(shape, seed) as tf.Tensor4D;
    const outShape = [shape[0], shape[1] + 2 * p, shape[2] + 2 * p, shape[3]];
    const w = rand(outShape, seed + 1);
    const wv = w.dataSync().slice();
    for (let i = 0; i < wv.length; i += negZeroEvery) wv[i] = -0;
    const weights = tf.tensor(wv, outShape);
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) =>
      pad(t as tf.Tensor4D)
        .mul(weights)
        .sum(),
    )(x);
    return { y: bits(pad(x)), loss: bits(value), dx: bits(grad), dxValues: Array.from(grad.dataSync()) };
  });
}

const fast = (x: tf.Tensor4D, p: number) => {
  const y = reflectionPad2d(x, p);
  if (y === null) throw new Error('reflectionPad2d declined on wasm');
  return y;
};

// Sizes where a pixel has one, two or three reflected copies (n = 3, p = 1: the middle pixel is
// in both borders), odd and even sizes, a batch, a pad of 2 and 3.
const cases: [number[], number][] = [
  [[2, 5, 4, 3], 1],
  [[1, 2, 2, 3], 1],
  [[1, 3, 3, 2], 1],
  [[2, 5, 4, 3], 2],
  [[1, 4, 7, 5], 3],
  [[1, 6, 5, 1], 2],
];

describe('reflectionPad2d', () => {
  for (const [shape, p] of cases) {
    it(`x [${shape}], pad ${p}: forward and gradient bit for bit as the composite, on wasm and cpu`, async () => {
      const before = tf.memory().numTensors;
      const ours = valueAndGrad((x) => fast(x, p), shape, p, 11);
      const ref = valueAndGrad((x) => composite(x, p), shape, p, 11);
      expect(tf.memory().numTensors).toBe(before);
      expect(ours.y).toEqual(ref.y);
      expect(ours.loss).toEqual(ref.loss);
      expect(ours.dx).toEqual(ref.dx);
      expect(valueAndGrad((x) => fast(x, p), shape, p, 11, 1).dx).toEqual(valueAndGrad((x) => composite(x, p), shape, p, 11, 1).dx);
      await tf.setBackend('cpu');
      try {
        expect(reflectionPad2d(rand(shape, 1) as tf.Tensor4D, p)).toBeNull(); // no backward kernel on cpu
        expect(valueAndGrad((x) => composite(x, p), shape, p, 11).dx).toEqual(ours.dx);
      } finally {
        await tf.setBackend('wasm');
      }
    });
  }

  it('gradient of sum(pad_1(x)) counts each pixel once plus once per reflected copy (hand-checked)', () => {
    // Along an axis of size 3 with pad 1, index 1 is copied into both borders: 3 copies; 0 and 2 one.
    const dy = new Float32Array(1 * 5 * 5 * 1).fill(1);
    const dx = new Float32Array(9);
    reflectionPadGradInto(dy, [1, 5, 5, 1], 1, dx);
    expect(Array.from(dx)).toEqual([1, 3, 1, 3, 9, 3, 1, 3, 1]);
    const g = tf.tidy(() =>
      Array.from(
        tf
          .grad((t: tf.Tensor) => fast(t as tf.Tensor4D, 1).sum())(tf.ones([1, 3, 3, 1]))
          .dataSync(),
      ),
    );
    expect(g).toEqual([1, 3, 1, 3, 9, 3, 1, 3, 1]);
  });

  it('uses the composite for a gradient of a gradient, which then agrees with it', () => {
    const second = (pad: (x: tf.Tensor4D) => tf.Tensor4D) =>
      tf.tidy(() => {
        const x = rand([1, 4, 4, 2], 5);
        const inner = (t: tf.Tensor) =>
          tf.grad((u: tf.Tensor) =>
            pad(u as tf.Tensor4D)
              .square()
              .sum(),
          )(t);
        return Array.from(
          tf
            .grad((t: tf.Tensor) => inner(t).square().sum())(x)
            .dataSync(),
        );
      });
    const ours = second((x) => reflectionPad2d(x, 1) ?? composite(x, 1));
    expect(ours).toEqual(second((x) => composite(x, 1)));
    expect(ours.some((v) => v !== 0)).toBe(true);
  });

  it('rejects a bad pad with a clear error', () => {
    const x = tf.zeros([1, 3, 3, 1]) as tf.Tensor4D;
    expect(() => reflectionPad2d(x, 3)).toThrow(/smaller than the spatial sizes/);
    expect(() => reflectionPad2d(x, 0)).toThrow(/positive integer/);
    expect(() => reflectionPad2d(tf.zeros([3, 3, 1]) as unknown as tf.Tensor4D, 1)).toThrow(/rank 4/);
    x.dispose();
  });
});
