// The fused variable updates (src/fused-updates.ts) against tfjs's own element-wise ops on the
// same backend: the same bits are required (tolerance 0), on values spread over many binades,
// with the loops in JavaScript and in the native addon (libs/native's update; skipped only
// with CLAIMLAB_NATIVE=off, as in native-kernels.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { lastNativeError, loadNativeBlas, nativeDisabledByEnv } from '@claimlab/native';
import { registerWasmKernels } from '../src/wasm-kernels.ts';
import {
  adamUpdate,
  fusedUpdatesAvailable,
  momentumUpdate,
  movingAverageUpdate,
  rmspropUpdate,
  useNativeUpdates,
} from '../src/fused-updates.ts';

beforeAll(async () => {
  registerWasmKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
});

/** n values of random sign and magnitudes from 1e-8 to 1e4, with exact zeros and ties. */
function spread(n: number, seed: number): Float32Array {
  let s = seed;
  const u = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Float32Array.from({ length: n }, (_, i) => (i % 17 === 0 ? 0 : i % 13 === 0 ? 1 : (u() < 0.5 ? -1 : 1) * 10 ** (-8 + 12 * u())));
}
const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));

/** Calls into the native loop since the last reset. */
let nativeCalls = 0;

for (const path of ['JavaScript', 'native'] as const) {
  describe.skipIf(path === 'native' && nativeDisabledByEnv())(`${path} loops`, () => {
    beforeAll(() => {
      if (path === 'JavaScript') return useNativeUpdates(null);
      const blas = loadNativeBlas();
      if (blas === null) throw new Error(`the native addon could not be loaded: ${lastNativeError()} (CLAIMLAB_NATIVE=off skips this)`);
      useNativeUpdates({
        ...blas,
        update: (...args: Parameters<typeof blas.update>) => {
          nativeCalls++;
          blas.update(...args);
        },
      });
    });
    afterAll(() => useNativeUpdates(null));

    it(`runs its loops in ${path}`, () => {
      nativeCalls = 0;
      const w = tf.ones([3]);
      tf.dispose(movingAverageUpdate(w, w, 0.9)!);
      w.dispose();
      expect(nativeCalls).toBe(path === 'native' ? 1 : 0);
    });

    describe('adamUpdate and rmspropUpdate', () => {
      it("equal tf.train.adam's and tf.train.rmsprop's ops bit for bit", () => {
        const n = 1031;
        const w = tf.tensor(spread(n, 6), [n]);
        const a = tf.tensor(spread(n, 7).map(Math.abs), [n]);
        const b = tf.tensor(spread(n, 8).map(Math.abs), [n]);
        const g = tf.tensor(spread(n, 9), [n]);
        const adam = {
          beta1: 0.9,
          beta2: 0.999,
          oneMinusAccBeta1: Math.fround(1 - Math.fround(0.9 ** 3)),
          oneMinusAccBeta2: Math.fround(1 - Math.fround(0.999 ** 3)),
          epsilon: 1e-7,
          learningRate: 0.01,
        };
        const ours = adamUpdate(w, a, b, g, adam)!;
        // tfjs 4.22's AdamOptimizer.applyGradients, op for op.
        const m1 = tf.add(tf.mul(a, adam.beta1), tf.mul(g, 1 - adam.beta1));
        const v1 = tf.add(tf.mul(b, adam.beta2), tf.mul(tf.square(g), 1 - adam.beta2));
        const step = tf.div(
          tf.div(m1, tf.scalar(adam.oneMinusAccBeta1)),
          tf.add(tf.sqrt(tf.div(v1, tf.scalar(adam.oneMinusAccBeta2))), adam.epsilon),
        );
        const w1 = tf.add(tf.mul(step, -adam.learningRate), w);
        expect(bits(ours.firstMoment)).toEqual(bits(m1));
        expect(bits(ours.secondMoment)).toEqual(bits(v1));
        expect(bits(ours.value)).toEqual(bits(w1));
        const rms = { decay: 0.9, momentum: 0.5, epsilon: 1e-7, learningRate: 5e-5 };
        const r = rmspropUpdate(w, a, b, g, rms)!;
        // tfjs 4.22's RMSPropOptimizer.applyGradients (not centered), op for op.
        const s1 = tf.add(tf.mul(a, rms.decay), tf.mul(tf.square(g), 1 - rms.decay));
        const mo1 = tf.add(tf.mul(b, rms.momentum), tf.div(tf.mul(g, rms.learningRate), tf.sqrt(tf.add(s1, rms.epsilon))));
        expect(bits(r.meanSquare)).toEqual(bits(s1));
        expect(bits(r.moment)).toEqual(bits(mo1));
        expect(bits(r.value)).toEqual(bits(tf.sub(w, mo1)));
        tf.dispose([w, a, b, g, m1, v1, step, w1, s1, mo1, ...Object.values(ours), ...Object.values(r)]);
      });
    });

    describe('momentumUpdate', () => {
      for (const nesterov of [false, true]) {
        for (const [momentum, learningRate] of [
          [0.9, 0.1],
          [0.99, 3e-4],
          [0, 1],
        ]) {
          it(`equals tf.train.momentum's ops bit for bit (nesterov ${nesterov}, momentum ${momentum}, lr ${learningRate})`, () => {
            const n = 1031;
            const w = tf.tensor(spread(n, 1), [n]);
            const a = tf.tensor(spread(n, 2), [n]);
            const g = tf.tensor(spread(n, 3), [n]);
            const fused = momentumUpdate(w, a, g, { momentum, learningRate, nesterov })!;
            // tfjs 4.22's MomentumOptimizer.applyGradients, op for op.
            const m = tf.scalar(momentum);
            const c = tf.scalar(-learningRate);
            const acc = tf.add(tf.mul(m, a), g);
            const value = nesterov ? tf.add(tf.mul(c, tf.add(g, tf.mul(acc, m))), w) : tf.add(tf.mul(c, acc), w);
            expect(bits(fused.accumulation)).toEqual(bits(acc));
            expect(bits(fused.value)).toEqual(bits(value));
            tf.dispose([w, a, g, m, c, acc, value, fused.accumulation, fused.value]);
          });
        }
      }

      it('names a shape mismatch', () => {
        const w = tf.zeros([3]);
        const g = tf.zeros([4]);
        expect(() => momentumUpdate(w, w, g, { momentum: 0.9, learningRate: 0.1, nesterov: false })).toThrow(
          /gradient must be a float32 tensor of the value's shape \[3\]/,
        );
        tf.dispose([w, g]);
      });

      it('is not offered on the cpu backend', async () => {
        await tf.setBackend('cpu');
        try {
          expect(fusedUpdatesAvailable()).toBe(false);
          const w = tf.zeros([2]);
          expect(momentumUpdate(w, w, w, { momentum: 0.9, learningRate: 0.1, nesterov: false })).toBeNull();
          expect(movingAverageUpdate(w, w, 0.99)).toBeNull();
          w.dispose();
        } finally {
          await tf.setBackend('wasm');
        }
      });
    });

    describe('movingAverageUpdate', () => {
      for (const momentum of [0.99, 0.9, 0.1]) {
        it(`equals v - (v - x) * (1 - momentum) in tfjs ops bit for bit (momentum ${momentum})`, () => {
          const n = 517;
          const v = tf.tensor(spread(n, 4), [n]);
          const x = tf.tensor(spread(n, 5), [n]);
          const fused = movingAverageUpdate(v, x, momentum)!;
          const ops = tf.sub(v, tf.mul(tf.sub(v, x), 1 - momentum));
          expect(bits(fused)).toEqual(bits(ops));
          // Hand-checked: v = 2, x = 1, momentum 0.5 -> 2 - 1 * 0.5 = 1.5.
          const small = movingAverageUpdate(tf.tensor([2]), tf.tensor([1]), 0.5)!;
          expect(Array.from(small.dataSync())).toEqual([1.5]);
          tf.dispose([v, x, fused, ops, small]);
        });
      }
    });
  });
}

describe.skipIf(nativeDisabledByEnv())('native update, arguments', () => {
  it("the addon's update names bad arguments", () => {
    const blas = loadNativeBlas()!;
    const x = new Float32Array(4);
    const y = new Float32Array(4);
    const out = new Float32Array(4);
    expect(() => blas.update(4 as never, Float32Array.of(1), x, y, null, null, out, null, null)).toThrow(/kind must be 0/);
    expect(() => blas.update(3, Float32Array.of(1, 2), x, y, null, null, out, null, null)).toThrow(/params has the wrong number/);
    expect(() => blas.update(3, Float32Array.of(1), x, new Float32Array(3), null, null, out, null, null)).toThrow(
      /in1 has 3 elements, needs 4/,
    );
    expect(() => blas.update(3, Float32Array.of(1), x, y, x, null, out, null, null)).toThrow(/in2 must be null for kind 3/);
    expect(() => blas.update(3, Float32Array.of(1), x, y, null, null, x, null, null)).toThrow(/shares memory/);
    // Hand-checked: v = 2, x = 1, 1 - momentum = 0.5 -> 2 - (2 - 1) * 0.5 = 1.5.
    blas.update(3, Float32Array.of(0.5), Float32Array.of(2), Float32Array.of(1), null, null, out.subarray(0, 1), null, null);
    expect(out[0]).toBe(1.5);
  });
});
