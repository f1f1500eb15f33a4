// Kernel cases shared by wasm-kernels.test.ts (the project's wasm kernels) and
// native-kernels.test.ts (the same with matmuls and convolutions on OpenBLAS): each result on
// 'wasm' against the 'cpu' backend on small seeded random inputs, values and gradients.
//
// Tolerance: every element e of a result must satisfy |wasm - cpu| <= ATOL + RTOL * max|cpu|
// (max over the whole tensor), with RTOL = 1e-4 and ATOL = 1e-5: float32 sums of a few
// hundred terms in a different order differ by ~1e-6 relative; a wrong index, padding or
// transpose gives O(1) relative errors.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@claimlab/core';

const RTOL = 1e-4;
const ATOL = 1e-5;

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

/** Seeded uniform values in [-1, 1); the same numbers on every backend. */
/**
 * The kernels registerWasmKernels puts in place, written out here (not imported from the source,
 * whose list the tests check): the wrapped and added tfjs kernels, then the fused updates.
 */
export const PROJECT_WASM_KERNELS: readonly string[] = [
  tf.Conv2DBackpropFilter,
  tf.Conv2DBackpropInput,
  tf.MaxPoolGrad,
  tf.BatchMatMul,
  tf._FusedMatMul,
  tf.Identity,
  tf.Cast,
  tf.Slice,
  tf.SplitV,
  'ClaimlabReflectionPadGrad',
];
export const PROJECT_FUSED_UPDATES: readonly string[] = [
  'ClaimlabMomentumUpdate',
  'ClaimlabAdamUpdate',
  'ClaimlabRmspropUpdate',
  'ClaimlabMovingAverage',
];

export function rand(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = 2 * rng.uniform() - 1;
  return tf.tensor(v, shape);
}

export interface Result {
  shape: number[];
  values: Float32Array;
}

/** Runs f on a backend, returns its outputs' values; checks nothing leaked on the backend. */
async function runOn(backend: 'cpu' | 'wasm', f: () => tf.Tensor[]): Promise<Result[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const dataIdsBefore = tf.backend().numDataIds();
  const outs = tf.tidy(f);
  const res = outs.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
  tf.dispose(outs);
  expect(tf.memory().numTensors, `${backend}: tensors leaked`).toBe(before);
  expect(tf.backend().numDataIds(), `${backend}: backend data leaked`).toBe(dataIdsBefore);
  return res;
}

/** Throws unless actual is within the tolerance of expected (see the top of the file). */
export function assertClose(actual: Result, expected: Result, label: string): void {
  expect(actual.shape, `${label}: shape`).toEqual(expected.shape);
  let scale = 0;
  for (const v of expected.values) scale = Math.max(scale, Math.abs(v));
  const tol = ATOL + RTOL * scale;
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.values.length; i++) {
    const d = Math.abs(actual.values[i] - expected.values[i]);
    if (!(d <= worst)) {
      worst = Number.isNaN(d) ? Infinity : d;
      at = i;
    }
  }
  if (!(worst <= tol)) {
    throw new Error(
      `${label}: |wasm - cpu| = ${worst} at element ${at} (wasm ${actual.values[at]}, cpu ${expected.values[at]}) ` +
        `exceeds ${tol.toExponential(2)} (scale ${scale.toPrecision(3)})`,
    );
  }
}

/** f's outputs on wasm match those on cpu. */
export async function expectSameOnBoth(f: () => tf.Tensor[], labels: string[]): Promise<void> {
  const cpu = await runOn('cpu', f);
  const wasm = await runOn('wasm', f);
  expect(wasm.length).toBe(cpu.length);
  cpu.forEach((c, i) => assertClose(wasm[i], c, labels[i] ?? `output ${i}`));
}

/**
 * Trains the same small tf.layers model (fresh layers from `layers`) for three SGD steps on a
 * fixed batch of six inputs of `inputShape`, on cpu and then on wasm, and checks every weight
 * agrees within the tolerance. Returns both weight lists.
 */
export async function expectSameTraining(
  layers: () => tf.layers.Layer[],
  inputShape: number[],
): Promise<{ cpu: Result[]; wasm: Result[] }> {
  const train = async (): Promise<Result[]> => {
    const model = tf.sequential({ layers: layers() });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const xs = rand([6, ...inputShape], 30);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    for (let i = 0; i < 3; i++) await model.trainOnBatch(xs, ys);
    const res = model.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync() as Float32Array }));
    tf.dispose([xs, ys]);
    model.dispose();
    return res;
  };
  await tf.setBackend('cpu');
  const cpu = await train();
  await tf.setBackend('wasm');
  const wasm = await train();
  expect(wasm.length).toBe(cpu.length);
  cpu.forEach((c, i) => assertClose(wasm[i], c, `weight ${i}`));
  return { cpu, wasm };
}

/** Defines the shared cases; the caller's beforeAll selects and registers the kernels. */
export function defineKernelCases(): void {
  describe('Conv2DBackpropFilter and Conv2DBackpropInput (via conv2d gradients)', () => {
    // Channel counts <= 4 take the im2col route of Conv2DBackpropFilter, larger ones the conv route.
    const cases: { x: number[]; f: Shape4; s: number | [number, number]; pad: Pad; note: string }[] = [
      { x: [2, 7, 9, 3], f: [3, 3, 3, 4], s: 2, pad: 'same', note: 'odd sizes, asymmetric same padding, im2col' },
      { x: [2, 7, 9, 5], f: [3, 3, 5, 4], s: 2, pad: 'same', note: 'odd sizes, asymmetric same padding' },
      { x: [2, 8, 8, 6], f: [3, 3, 6, 4], s: 2, pad: 'same', note: 'even sizes, same' },
      { x: [2, 8, 7, 5], f: [3, 3, 5, 3], s: 2, pad: 'same', note: 'top != left padding' },
      { x: [2, 8, 7, 2], f: [3, 3, 2, 3], s: 2, pad: 'same', note: 'top != left padding, im2col' },
      { x: [2, 7, 9, 6], f: [3, 3, 6, 2], s: 2, pad: 'valid', note: 'valid leaving a row/col unused' },
      { x: [2, 8, 8, 8], f: [2, 2, 8, 3], s: 2, pad: 'valid', note: 'even filter' },
      { x: [3, 6, 5, 5], f: [3, 2, 5, 7], s: 1, pad: 'same', note: 'non-square filter' },
      { x: [1, 6, 5, 1], f: [3, 3, 1, 2], s: 1, pad: 'valid', note: 'one channel' },
      { x: [2, 7, 9, 5], f: [1, 1, 5, 3], s: 3, pad: 'same', note: 'filter smaller than stride' },
      { x: [2, 7, 9, 6], f: [1, 2, 6, 3], s: [3, 2], pad: 'valid', note: 'different strides' },
      { x: [2, 6, 5, 5], f: [3, 3, 5, 2], s: 1, pad: 1, note: 'numeric pad' },
      { x: [2, 6, 5, 2], f: [3, 3, 2, 2], s: 2, pad: 2, note: 'numeric pad, stride 2, im2col' },
      {
        x: [2, 6, 5, 5],
        f: [3, 3, 5, 2],
        s: 2,
        pad: [
          [0, 0],
          [1, 2],
          [0, 1],
          [0, 0],
        ],
        note: 'explicit pads',
      },
      {
        x: [2, 6, 5, 2],
        f: [3, 3, 2, 2],
        s: 2,
        pad: [
          [0, 0],
          [2, 0],
          [1, 1],
          [0, 0],
        ],
        note: 'explicit pads, im2col',
      },
      {
        x: [1, 6, 5, 5],
        f: [3, 3, 5, 2],
        s: 2,
        pad: [
          [0, 0],
          [3, 2],
          [0, 1],
          [0, 0],
        ],
        note: 'pad > filter - 1',
      },
      { x: [2, 5, 5, 16], f: [3, 3, 16, 8], s: 1, pad: 'same', note: 'more channels' },
      {
        x: [2, 6, 5, 5],
        f: [3, 2, 5, 3],
        s: 1,
        pad: [
          [0, 0],
          [2, 0],
          [0, 1],
          [0, 0],
        ],
        note: 'stride 1, explicit asymmetric pads',
      },
      {
        x: [1, 5, 5, 3],
        f: [2, 2, 3, 2],
        s: 1,
        pad: [
          [0, 0],
          [2, 1],
          [0, 0],
          [0, 0],
        ],
        note: 'stride 1, pad > filter - 1',
      },
      { x: [7, 9, 5], f: [3, 3, 5, 4], s: 2, pad: 'same', note: 'unbatched (rank 3) input' },
    ];
    for (const c of cases) {
      it(`x [${c.x}] filter [${c.f}] stride ${String(c.s)} pad ${JSON.stringify(c.pad)} (${c.note})`, async () => {
        await expectSameOnBoth(() => {
          const x = rand(c.x, 1) as tf.Tensor4D;
          const w = rand(c.f, 2) as tf.Tensor4D;
          const y = tf.conv2d(x, w, c.s, c.pad);
          const dy = rand(y.shape, 3);
          const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf
              .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad)
              .mul(dy)
              .sum(),
          )([x, w]);
          return [y, dx, dw];
        }, ['conv2d', 'dx (Conv2DBackpropInput)', 'dW (Conv2DBackpropFilter)']);
      });
    }

    it('fused conv2d with bias and relu, gradients of input, filter and bias', async () => {
      await expectSameOnBoth(() => {
        const x = rand([2, 7, 8, 5], 4) as tf.Tensor4D;
        const w = rand([3, 3, 5, 6], 5) as tf.Tensor4D;
        const bias = rand([6], 6);
        const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 2, pad: 'same', bias: c, activation: 'relu' });
        const dy = rand(f(x, w, bias).shape, 7);
        return tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => f(a, b, c).mul(dy).sum())([x, w, bias]);
      }, ['dx', 'dW', 'dbias']);
    });

    it('rejects NCHW and dilations with a clear error', () => {
      const x = rand([1, 5, 5, 2], 8);
      const dy = rand([1, 5, 5, 3], 9);
      const run = (attrs: Record<string, unknown>) => () =>
        tf
          .engine()
          .runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: 1, pad: 'same', filterShape: [3, 3, 2, 3], ...attrs } as never);
      expect(run({ dataFormat: 'NCHW' })).toThrow(/only dataFormat 'NHWC'/);
      expect(run({ dataFormat: 'NHWC', dilations: 2 })).toThrow(/only dilations 1/);
      expect(run({ dataFormat: 'NHWC' })).not.toThrow();
      tf.dispose([x, dy]);
    });
  });

  describe('MaxPoolGrad (via maxPool gradients)', () => {
    /** Seeded values: 'signed' uniform in [-1, 1), 'negative' all < 0 (where tfjs-backend-wasm's
     *  own kernel goes wrong), 'ties' small integers after a relu (many equal maxima, zeros). */
    const data = (shape: number[], kind: 'signed' | 'negative' | 'ties', seed: number) => {
      const t = rand(shape, seed);
      if (kind === 'negative') return t.abs().neg().sub(0.01);
      if (kind === 'ties') return t.mul(3).round().relu();
      return t;
    };
    const cases: {
      x: number[];
      k: number | [number, number];
      s: number | [number, number];
      pad: 'same' | 'valid' | number;
      kind: 'signed' | 'negative' | 'ties';
    }[] = [
      { x: [2, 7, 9, 3], k: 2, s: 2, pad: 'valid', kind: 'signed' },
      { x: [2, 7, 9, 3], k: 2, s: 2, pad: 'valid', kind: 'negative' },
      { x: [2, 8, 8, 4], k: 2, s: 2, pad: 'valid', kind: 'ties' },
      { x: [2, 7, 9, 3], k: 3, s: 2, pad: 'same', kind: 'signed' },
      { x: [2, 7, 9, 3], k: 3, s: 2, pad: 'same', kind: 'negative' },
      { x: [1, 6, 5, 5], k: 3, s: 1, pad: 'same', kind: 'ties' },
      { x: [1, 6, 5, 2], k: [2, 3], s: [1, 2], pad: 'valid', kind: 'signed' },
      { x: [2, 6, 6, 2], k: 3, s: 2, pad: 1, kind: 'negative' },
    ];
    for (const c of cases) {
      it(`x [${c.x}] pool ${String(c.k)} stride ${String(c.s)} pad ${String(c.pad)}, ${c.kind} values`, async () => {
        await expectSameOnBoth(() => {
          const x = data(c.x, c.kind, 40) as tf.Tensor4D;
          const y = tf.maxPool(x, c.k, c.s, c.pad);
          const dy = rand(y.shape, 41);
          return [
            y,
            tf.grad((t: tf.Tensor) =>
              tf
                .maxPool(t as tf.Tensor4D, c.k, c.s, c.pad)
                .mul(dy)
                .sum(),
            )(x),
          ];
        }, ['maxPool', 'dx (MaxPoolGrad)']);
      });
    }
  });

  describe('BatchMatMul (via matMul values and gradients)', () => {
    const flags = [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const;
    /** Shape of an operand stored for the given transpose flag. */
    const stored = (s: number[], t: boolean) => (t ? [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]] : s);
    const cases: { a: number[]; b: number[]; grad: 'both' | 'a' | 'b'; note: string }[] = [
      { a: [5, 7], b: [7, 3], grad: 'both', note: 'small 2-D' },
      { a: [33, 20], b: [20, 17], grad: 'both', note: '2-D' },
      { a: [1, 7], b: [7, 4], grad: 'both', note: 'row vector (transpose is a view)' },
      { a: [6, 5], b: [5, 1], grad: 'both', note: 'column result' },
      { a: [3, 5, 4], b: [3, 4, 6], grad: 'both', note: 'batched, small (original kernel)' },
      { a: [3, 48, 40], b: [3, 40, 40], grad: 'both', note: 'batched, one product per entry' },
      { a: [2, 3, 48, 40], b: [2, 3, 40, 40], grad: 'both', note: 'rank 4, one product per entry' },
      { a: [3, 5, 8], b: [1, 8, 6], grad: 'a', note: 'batch against a shared operand (folded into rows)' },
      { a: [1, 48, 40], b: [3, 40, 40], grad: 'b', note: 'shared left operand, one product per entry' },
    ];
    for (const c of cases) {
      for (const [ta, tb] of flags) {
        it(`[${c.a}] x [${c.b}] transposeA=${ta} transposeB=${tb} (${c.note})`, async () => {
          await expectSameOnBoth(() => {
            const a = rand(stored(c.a, ta), 10);
            const b = rand(stored(c.b, tb), 11);
            const y = tf.matMul(a, b, ta, tb);
            const dy = rand(y.shape, 12);
            const loss = (p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, ta, tb).mul(dy).sum();
            // tfjs-core's BatchMatMul gradient cannot reduce a broadcast batch, so only the
            // batched operand's gradient is taken there.
            if (c.grad === 'a') return [y, tf.grad((p: tf.Tensor) => loss(p, b))(a)];
            if (c.grad === 'b') return [y, tf.grad((q: tf.Tensor) => loss(a, q))(b)];
            return [y, ...tf.grads(loss)([a, b])];
          }, ['matMul', 'grad 1', 'grad 2']);
        });
      }
    }
  });

  describe('_FusedMatMul (via fused.matMul values and gradients)', () => {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`[9,12] x [12,7] + bias, relu, transposeA=${ta} transposeB=${tb}`, async () => {
        await expectSameOnBoth(() => {
          const a = rand(ta ? [12, 9] : [9, 12], 20);
          const b = rand(tb ? [7, 12] : [12, 7], 21);
          const bias = rand([7], 22);
          const f = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
            tf.fused.matMul({ a: p, b: q, transposeA: ta, transposeB: tb, bias: r, activation: 'relu' });
          const dy = rand([9, 7], 23);
          return [f(a, b, bias), ...tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => f(p, q, r).mul(dy).sum())([a, b, bias])];
        }, ['fused.matMul', 'da', 'db', 'dbias']);
      });
    }

    it('batch against a shared operand (folded into rows), with bias', async () => {
      await expectSameOnBoth(() => {
        const a = rand([3, 5, 8], 24);
        const b = rand([1, 6, 8], 25);
        const bias = rand([6], 26);
        const f = (p: tf.Tensor) => tf.fused.matMul({ a: p, b, transposeB: true, bias, activation: 'linear' });
        const dy = rand([3, 5, 6], 27);
        return [f(a), tf.grad((p: tf.Tensor) => f(p).mul(dy).sum())(a)];
      }, ['fused.matMul', 'da']);
    });
  });

  describe('a small conv net trained with tf.layers', () => {
    it('has the same weights after three SGD steps on wasm and cpu', async () => {
      const init = (seed: number) => tf.initializers.glorotUniform({ seed });
      const layers = () => [
        tf.layers.conv2d({
          inputShape: [9, 9, 1],
          filters: 4,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: init(1),
        }),
        tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'valid', activation: 'relu', kernelInitializer: init(2) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: init(3) }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(4) }),
      ];
      const { wasm } = await expectSameTraining(layers, [9, 9, 1]);
      expect(wasm.length).toBe(8);
    });
  });
}
