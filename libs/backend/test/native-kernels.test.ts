// The wasm backend with its matmuls and convolutions on OpenBLAS (src/native-kernels.ts)
// against the 'cpu' backend: every shared case of kernel-cases.ts (values and gradients,
// tolerance stated there), plus what only the native path has: fused activations, the
// column buffer's chunking, fallbacks, argument checks.
//
// The native addon is built on first use (libs/native). Where it cannot be built this file
// fails with the reason; CLAIMLAB_NATIVE=off turns the native path off everywhere, and only
// then are these tests skipped (nothing would run natively).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { lastNativeError, loadNativeBlas, nativeDisabledByEnv, type NativeBlas } from '@claimlab/native';
import { registerWasmKernels, wasmKernelsRegistered } from '../src/wasm-kernels.ts';
import {
  NATIVE_BATCH_NORM_GRAD,
  NATIVE_BATCH_NORM_TRAINING_GRAD,
  NATIVE_MOMENTS,
  NATIVE_WASM_KERNELS,
  nativeWasmKernelsRegistered,
  registerNativeWasmKernels,
  unregisterNativeWasmKernels,
} from '../src/native-kernels.ts';
import { registerFastGradients } from '../src/gradients.ts';
import { batchNormTraining } from '../src/batch-norm-training.ts';
import {
  defineKernelCases,
  expectSameOnBoth,
  expectSameTraining,
  PROJECT_FUSED_UPDATES,
  PROJECT_WASM_KERNELS,
  rand,
} from './kernel-cases.ts';

/** Calls into the addon since the last reset, by function. */
const calls = { sgemm: 0, conv2d: 0, sumRows: 0, batchNormGrad: 0, moments: 0, batchNorm: 0, batchNormTrainingGrad: 0 };

/** The addon with every compute function counted in `calls`. */
function counting(blas: NativeBlas): NativeBlas {
  const counted = { ...blas };
  for (const name of Object.keys(calls) as (keyof typeof calls)[]) {
    const f = blas[name] as (...args: unknown[]) => void;
    (counted as Record<string, unknown>)[name] = (...args: unknown[]) => {
      calls[name]++;
      f(...args);
    };
  }
  return counted;
}

let blas: NativeBlas;

describe.skipIf(nativeDisabledByEnv())('native BLAS under the wasm backend', () => {
  beforeAll(async () => {
    const loaded = loadNativeBlas();
    if (loaded === null) {
      throw new Error(
        `the native BLAS addon could not be built or loaded: ${lastNativeError()} (set CLAIMLAB_NATIVE=off to run without it)`,
      );
    }
    blas = loaded;
    registerFastGradients();
    registerWasmKernels();
    registerNativeWasmKernels(counting(blas));
    expect(await tf.setBackend('wasm')).toBe(true);
    await tf.ready();
  });

  describe('registration', () => {
    it('replaces the matmul and convolution kernels once, over the project wasm kernels', () => {
      const before = NATIVE_WASM_KERNELS.map((k) => tf.getKernel(k, 'wasm').kernelFunc);
      registerNativeWasmKernels(blas);
      registerWasmKernels();
      expect(NATIVE_WASM_KERNELS.map((k) => tf.getKernel(k, 'wasm').kernelFunc)).toEqual(before);
      expect(nativeWasmKernelsRegistered().sort()).toEqual([...NATIVE_WASM_KERNELS].sort());
      // The project's kernels are still there underneath, as the fallbacks.
      expect(wasmKernelsRegistered().sort()).toEqual([...PROJECT_WASM_KERNELS, ...PROJECT_FUSED_UPDATES].sort());
    });

    it('products and convolutions really run natively', () => {
      calls.sgemm = 0;
      calls.conv2d = 0;
      tf.tidy(() => {
        const x = rand([2, 6, 6, 3], 1) as tf.Tensor4D;
        const w = rand([3, 3, 3, 4], 2) as tf.Tensor4D;
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same').sum())([x, w]);
        tf.matMul(rand([3, 4], 3), rand([5, 4], 4), false, true).dataSync();
      });
      expect(calls.conv2d).toBe(3); // forward, input gradient, filter gradient
      expect(calls.sgemm).toBe(1);
    });
  });

  defineKernelCases();

  describe('what only the native path covers', () => {
    for (const activation of ['relu6', 'leakyrelu', 'linear'] as const) {
      it(`fused conv2d and matMul with bias and ${activation}`, async () => {
        await expectSameOnBoth(() => {
          const x = rand([2, 7, 8, 5], 50).mul(4) as tf.Tensor4D; // beyond relu6's cap
          const w = rand([3, 3, 5, 6], 51) as tf.Tensor4D;
          const bias = rand([6], 52);
          const conv = tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias, activation, leakyreluAlpha: 0.3 });
          const mm = tf.fused.matMul({
            a: rand([9, 12], 53).mul(4),
            b: rand([12, 6], 54),
            bias: bias.reshape([1, 6]),
            activation,
            leakyreluAlpha: 0.3,
          });
          return [conv, mm];
        }, ['fused.conv2d', 'fused.matMul']);
      });
    }

    it('falls back for activations it does not fuse (prelu, sigmoid)', async () => {
      await expectSameOnBoth(() => {
        const x = rand([1, 5, 5, 3], 55) as tf.Tensor4D;
        const w = rand([3, 3, 3, 2], 56) as tf.Tensor4D;
        const alpha = rand([2], 57).abs();
        return [
          tf.fused.conv2d({ x, filter: w, pad: 'same', strides: 1, activation: 'prelu', preluActivationWeights: alpha }),
          tf.fused.matMul({ a: rand([4, 3], 58), b: rand([3, 2], 59), activation: 'sigmoid' }),
        ];
      }, ['conv prelu', 'matMul sigmoid']);
    });

    it('Sum and Mean over every axis but the last (natively), and over others (fallback)', async () => {
      calls.sumRows = 0;
      await expectSameOnBoth(() => {
        const x = rand([4, 5, 6, 7], 71).add(3); // a large mean: accumulation order matters
        return [
          tf.sum(x, [0, 1, 2]),
          tf.mean(x, [2, 0, 1], true),
          tf.sum(x.reshape([120, 7]), 0),
          tf.mean(x, -1),
          tf.sum(x, [0, 2]),
          tf.mean(x),
          ...tf.grads((a: tf.Tensor) => tf.moments(a, [0, 1, 2]).variance.sum())([x]),
        ];
      }, ['sum NHW', 'mean NHW keepDims', 'sum rows', 'mean last', 'sum N,W', 'mean all', 'moments grad']);
      expect(calls.sumRows).toBeGreaterThanOrEqual(3);
    });

    it('the batch-norm gradient in one pass (x, mean, variance, scale, offset; rank 4 and 2)', async () => {
      calls.batchNormGrad = 0;
      await expectSameOnBoth(() => {
        const out: tf.Tensor[] = [];
        for (const shape of [
          [3, 5, 4, 6],
          [10, 6],
        ]) {
          const x = rand(shape, 80).mul(2).add(1);
          const mean = rand([6], 81);
          const variance = rand([6], 82).abs().add(0.1);
          const scale = rand([6], 83);
          const offset = rand([6], 84);
          const dy = rand(shape, 85);
          const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
            tf.batchNorm(a, m, v, o, s, 1e-3).mul(dy).sum();
          out.push(...tf.grads(f)([x, mean, variance, offset, scale]));
        }
        return out;
      }, ['dx', 'dmean', 'dvariance', 'doffset', 'dscale', 'rank 2: dx', 'dmean', 'dvariance', 'doffset', 'dscale']);
      expect(calls.batchNormGrad).toBe(2);
    });

    it('a gradient of the batch-norm gradient (double VJP) uses the differentiable composite', async () => {
      calls.batchNormGrad = 0;
      await expectSameOnBoth(() => {
        const x = rand([6, 4], 91).mul(2);
        const mean = rand([4], 92);
        const variance = rand([4], 93).abs().add(0.2);
        const scale = rand([4], 94);
        const offset = rand([4], 95);
        const u = rand([6, 4], 96);
        // d/dx of <d/dx sum(bn(x)^2), u>: differentiates the batch-norm gradient itself.
        const inner = (a: tf.Tensor) => tf.grad((b: tf.Tensor) => tf.batchNorm(b, mean, variance, offset, scale, 1e-3).square().sum())(a);
        return [tf.grad((a: tf.Tensor) => inner(a).mul(u).sum())(x)];
      }, ['second-order dx']);
      // Once: the outer backward pass through batchNorm's forward (no tape records it);
      // the inner gradient, which the outer one differentiates, took the composite.
      expect(calls.batchNormGrad).toBe(1);
    });

    it('the batch-norm gradient kernel without a scale is the one with scale 1', () => {
      tf.tidy(() => {
        const inputs = { x: rand([4, 3, 5], 87), dy: rand([4, 3, 5], 88), mean: rand([5], 89), variance: rand([5], 90).abs().add(0.5) };
        const run = (extra: Record<string, tf.Tensor>) =>
          (
            tf
              .engine()
              .runKernel(NATIVE_BATCH_NORM_GRAD, { ...inputs, ...extra } as never, { varianceEpsilon: 1e-3 } as never) as tf.Tensor[]
          ).map((t) => Array.from(t.dataSync()));
        expect(run({})).toEqual(run({ scale: tf.ones([5]) }));
        expect(() => run({ scale: tf.ones([4]) })).toThrow(/rank-1 statistics of length C/);
      });
    });

    it('a batch-norm conv net trained with tf.layers: same weights as on cpu after three steps', async () => {
      const init = (seed: number) => tf.initializers.glorotUniform({ seed });
      const layers = () => [
        tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) }),
        tf.layers.batchNormalization(),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(2) }),
      ];
      calls.batchNormGrad = 0;
      await expectSameTraining(layers, [8, 8, 2]);
      expect(calls.batchNormGrad).toBe(3); // the wasm run's three steps
    });

    it('FusedBatchNorm with per-channel statistics in one pass; other shapes fall back', async () => {
      calls.batchNorm = 0;
      await expectSameOnBoth(() => {
        const x = rand([3, 5, 4, 6], 100).mul(2).add(1);
        const stat = (seed: number, shape = [6]) => rand(shape, seed);
        const variance = stat(102).abs().add(0.1);
        return [
          tf.batchNorm(x, stat(101), variance, stat(103), stat(104), 1e-3),
          tf.batchNorm(x, stat(101), variance, undefined, undefined, 1e-5),
          tf.batchNorm(x, stat(101, [1, 1, 1, 6]), variance.reshape([1, 1, 1, 6]), stat(103, [1, 1, 1, 6]), stat(104, [1, 1, 1, 6]), 1e-3),
          tf.batchNorm(x.reshape([60, 6]), stat(101), variance, stat(103), stat(104), 1e-3),
          // fallback: statistics of x's full shape
          tf.batchNorm(x, stat(105, x.shape), stat(106, x.shape).abs().add(0.1), stat(107, x.shape), stat(108, x.shape), 1e-3),
        ];
      }, ['scale and offset', 'neither', 'rank-4 statistics', 'rank 2', 'full-shape statistics (fallback)']);
      expect(calls.batchNorm).toBe(4);
    });

    it("batchNormTraining: output, batch statistics and gradients match tfjs's composite (moments + batchNorm) on cpu", async () => {
      calls.moments = 0;
      calls.batchNormTrainingGrad = 0;
      await expectSameOnBoth(() => {
        const out: tf.Tensor[] = [];
        for (const shape of [
          [4, 5, 3, 6],
          [9, 6],
        ]) {
          const x = rand(shape, 110).mul(3).add(2); // a large mean: the statistics' accuracy matters
          const scale = rand([6], 111);
          const offset = rand([6], 112);
          const w = rand(shape, 113);
          const forward = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
            // On cpu the native kernels are absent (null): tfjs's composite is the reference.
            const fast = batchNormTraining(a, s, o, 1e-3);
            if (fast !== null) return fast;
            const { mean, variance } = tf.moments(a, [...Array(a.rank - 1).keys()]);
            return { y: tf.batchNorm(a, mean, variance, o, s, 1e-3), mean, variance };
          };
          const { y, mean, variance } = forward(x, scale, offset);
          out.push(y, mean, variance);
          out.push(...tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => forward(a, s, o).y.mul(w).sum())([x, scale, offset]));
        }
        return out;
      }, ['y', 'mean', 'variance', 'dx', 'dscale', 'doffset', 'rank 2: y', 'mean', 'variance', 'dx', 'dscale', 'doffset']);
      expect(calls.moments).toBe(4); // two forward passes per shape
      expect(calls.batchNormTrainingGrad).toBe(2);
    });

    it("batchNormTraining leaves a gradient of a gradient to the composite, and checks its kernels' inputs", () => {
      tf.tidy(() => {
        const x = rand([5, 3], 120);
        const one = tf.ones([3]);
        let inner: unknown = 'not run';
        tf.grad((a: tf.Tensor) =>
          tf
            .grad((b: tf.Tensor) => {
              inner = batchNormTraining(b, one, one, 1e-3);
              return b.square().sum();
            })(a)
            .sum(),
        )(x);
        expect(inner).toBeNull();
        expect(batchNormTraining(x.cast('int32'), one, one, 1e-3)).toBeNull();
        expect(batchNormTraining(x, tf.ones([4]), one, 1e-3)).toBeNull();
        expect(() => tf.engine().runKernel(NATIVE_MOMENTS, { x: tf.ones([4]) })).toThrow(/rank >= 2 with channels last/);
        const bad = { x, dy: tf.ones([5, 2]), mean: one, variance: one };
        expect(() => tf.engine().runKernel(NATIVE_BATCH_NORM_TRAINING_GRAD, bad as never, { varianceEpsilon: 1e-3 } as never)).toThrow(
          /dy of x's shape/,
        );
      });
    });

    it('dilated forward convolution', async () => {
      await expectSameOnBoth(
        () => [tf.conv2d(rand([2, 11, 10, 3], 60) as tf.Tensor4D, rand([3, 3, 3, 4], 61) as tf.Tensor4D, 1, 'same', 'NHWC', 2)],
        ['conv2d dilation 2'],
      );
    });

    it('a convolution whose column matrix spans several chunks (values and gradients)', async () => {
      // P * K = (4*64*64) * (3*3*16) = 2.36M floats > the 2M-float column buffer: two chunks.
      await expectSameOnBoth(() => {
        const x = rand([4, 64, 64, 16], 62) as tf.Tensor4D;
        const w = rand([3, 3, 16, 8], 63) as tf.Tensor4D;
        const dy = rand([4, 64, 64, 8], 64);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')
            .mul(dy)
            .sum(),
        )([x, w]);
        return [tf.conv2d(x, w, 1, 'same'), dx, dw];
      }, ['conv2d', 'dx', 'dW']);
    });

    it('1x1 convolutions (no column matrix), stride 1 and 2', async () => {
      await expectSameOnBoth(() => {
        const x = rand([2, 6, 7, 5], 65) as tf.Tensor4D;
        const w = rand([1, 1, 5, 3], 66) as tf.Tensor4D;
        const out: tf.Tensor[] = [];
        for (const s of [1, 2]) {
          out.push(
            ...tf.grads((a: tf.Tensor, b: tf.Tensor) =>
              tf
                .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, 'valid')
                .square()
                .sum(),
            )([x, w]),
          );
        }
        return out;
      }, ['dx s1', 'dW s1', 'dx s2', 'dW s2']);
    });

    it('is bit-for-bit repeatable', () => {
      const once = () =>
        tf.tidy(() => {
          const x = rand([3, 17, 13, 6], 67) as tf.Tensor4D;
          const w = rand([3, 3, 6, 5], 68) as tf.Tensor4D;
          const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf
              .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')
              .square()
              .sum(),
          )([x, w]);
          return [...dx.dataSync(), ...dw.dataSync(), ...tf.matMul(rand([70, 300], 69), rand([300, 90], 70)).dataSync()];
        });
      expect(once()).toEqual(once());
    });

    it('the addon rejects bad arguments with a clear error', () => {
      const geom = Int32Array.from([1, 4, 4, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1]);
      const a16 = new Float32Array(16);
      expect(() => blas.conv2d(0, geom, a16, new Float32Array(9), new Float32Array(15), null, 0, 0)).toThrow(/do not match the geometry/);
      expect(() => blas.conv2d(0, geom.subarray(0, 14), a16, new Float32Array(9), a16, null, 0, 0)).toThrow(/Int32Array of 15/);
      expect(() => blas.conv2d(0, geom, a16, new Float32Array(9), a16, null, 0, 0)).toThrow(/must not share memory/);
      expect(() => blas.sgemm(false, false, 2, 2, 2, 1, new Float32Array(3), 2, new Float32Array(4), 2, 0, new Float32Array(4), 2)).toThrow(
        /A has 3 elements, needs 4/,
      );
      const c3 = new Float32Array(3);
      expect(() => blas.moments(new Float32Array(12), 4, 3, new Float32Array(2), c3)).toThrow(/moments: mean has 2 elements, needs 3/);
      expect(() => blas.batchNorm(new Float32Array(12), 4, 3, c3, c3, null, null, 1e-3, new Float32Array(11))).toThrow(
        /batchNorm: y has 11 elements, needs 12/,
      );
      expect(() => blas.batchNormTrainingGrad(a16, a16, 4, 4, c3, c3, null, 1e-3, new Float32Array(16), c3, c3)).toThrow(
        /mean has 3 elements, needs 4/,
      );
      expect(() => (blas.moments as (...args: unknown[]) => void)(a16, 4, 4)).toThrow(/expected 5 arguments/);
    });
  });

  describe('unregistering', () => {
    it('puts the project wasm kernels back', () => {
      unregisterNativeWasmKernels();
      expect(nativeWasmKernelsRegistered()).toEqual([]);
      expect(wasmKernelsRegistered()).toHaveLength(PROJECT_WASM_KERNELS.length + PROJECT_FUSED_UPDATES.length);
      calls.sgemm = 0;
      tf.tidy(() => tf.matMul(rand([3, 4], 3), rand([4, 5], 4)).dataSync());
      expect(calls.sgemm).toBe(0);
    });
  });
});
