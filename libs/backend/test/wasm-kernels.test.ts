// The project's wasm kernels (src/wasm-kernels.ts) against the 'cpu' backend: registration
// here, the shared cases (values and gradients, tolerance stated there) in kernel-cases.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { copySlice, registerWasmKernels, wasmKernelsRegistered } from '../src/wasm-kernels.ts';
import { assertClose, defineKernelCases, PROJECT_FUSED_UPDATES, PROJECT_WASM_KERNELS, type Result } from './kernel-cases.ts';

beforeAll(async () => {
  // Registered before the wasm backend initialises: the wrapped kernels' setup must still run.
  registerWasmKernels();
  registerWasmKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
});

describe('registration', () => {
  it('registers all kernels, idempotently', () => {
    const names = PROJECT_WASM_KERNELS;
    const before = names.map((k) => tf.getKernel(k, 'wasm').kernelFunc);
    registerWasmKernels();
    const after = names.map((k) => tf.getKernel(k, 'wasm').kernelFunc);
    expect(after).toEqual(before);
    expect(wasmKernelsRegistered().sort()).toEqual([...names, ...PROJECT_FUSED_UPDATES].sort());
  });

  it("Identity and same-dtype Cast share their input's data (counted); other casts convert", () => {
    const x = tf.tensor([1.5, -2.5, 3.25], [3]);
    const before = tf.backend().numDataIds();
    const id = tf.engine().runKernel(tf.Identity, { x }) as tf.Tensor;
    const same = tf.engine().runKernel(tf.Cast, { x }, { dtype: 'float32' } as never) as tf.Tensor;
    expect(tf.backend().numDataIds()).toBe(before);
    const ints = tf.cast(x, 'int32');
    expect(tf.backend().numDataIds()).toBe(before + 1);
    x.dispose();
    expect(Array.from(id.dataSync())).toEqual([1.5, -2.5, 3.25]);
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.5, 3.25]);
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([id, same, ints]);
    expect(tf.backend().numDataIds()).toBe(before - 1);
  });

  it('the comparison catches a wrong result', () => {
    const e: Result = { shape: [3], values: new Float32Array([1, -2, 3]) };
    expect(() => assertClose({ shape: [3], values: new Float32Array([1, -2, 3.0001]) }, e, 'ok')).not.toThrow();
    expect(() => assertClose({ shape: [3], values: new Float32Array([1, -2, 3.01]) }, e, 'off')).toThrow(/exceeds/);
    expect(() => assertClose({ shape: [3], values: new Float32Array([1, NaN, 3]) }, e, 'nan')).toThrow(/exceeds/);
  });
});

describe('Slice and SplitV from a view of the heap', () => {
  // Every case against the cpu backend, exactly (a slice copies values).
  const onCpu = async <T>(f: () => T): Promise<T> => {
    await tf.setBackend('cpu');
    try {
      return f();
    } finally {
      await tf.setBackend('wasm');
    }
  };
  const values = (t: tf.Tensor | tf.Tensor[]) =>
    (Array.isArray(t) ? t : [t]).map((u) => ({ shape: u.shape, data: Array.from(u.dataSync()) }));
  // Distinct values of the dtype (bool: a pattern of 0 and 1), so a misplaced element shows.
  const ramp = (shape: number[], dtype: 'float32' | 'int32' | 'bool') =>
    tf.tensor(
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) =>
        dtype === 'bool' ? Number(i % 3 === 0) : dtype === 'int32' ? i - 7 : i * 0.5 - 7,
      ),
      shape,
      dtype,
    );
  const cases: [string, number[], number[], number[]][] = [
    ['rank 1', [10], [3], [4]],
    ['rank 2, rows (contiguous)', [5, 6], [1, 0], [3, 6]],
    ['rank 2, columns', [5, 6], [0, 2], [5, 3]],
    ['rank 4, a batch (contiguous)', [7, 3, 4, 2], [2, 0, 0, 0], [3, 3, 4, 2]],
    ['rank 4, a window', [2, 5, 6, 3], [0, 1, 2, 0], [2, 3, 2, 3]],
    ['rank 4, channels', [2, 3, 4, 5], [1, 0, 1, 2], [1, 3, 2, 2]],
    ['rank 4, size -1', [3, 4, 5, 2], [1, 2, 0, 1], [-1, -1, 3, 1]],
    ['rank 5', [2, 3, 2, 4, 3], [1, 1, 0, 1, 0], [1, 2, 2, 2, 3]],
    ['empty', [4, 3], [1, 0], [0, 3]],
  ];
  for (const [name, shape, begin, size] of cases) {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      it(`${name}, ${dtype}: as cpu`, async () => {
        const expected = await onCpu(() => values(tf.slice(ramp(shape, dtype), begin, size)));
        const x = ramp(shape, dtype);
        expect(values(tf.slice(x, begin, size))).toEqual(expected);
        x.dispose();
      });
    }
  }

  it('copySlice on a hand-checked case', () => {
    // 3x4 ramp 0..11, rows 1-2, columns 1-2: [5, 6, 9, 10].
    const dst = new Float32Array(4);
    copySlice(
      Float32Array.from({ length: 12 }, (_, i) => i),
      [3, 4],
      [1, 1],
      [2, 2],
      dst,
    );
    expect(Array.from(dst)).toEqual([5, 6, 9, 10]);
  });

  it('SplitV (sizes with -1, every axis) as cpu', async () => {
    for (const [shape, sizes, axis] of [
      [[4, 6, 2], [1, -1, 2], 1],
      [[4, 6, 2], [3, 1], 0],
      [[2, 3, 5], [2, 2, 1], -1],
      [[2, 3, 6], 3, 2],
    ] as [number[], number[] | number, number][]) {
      const expected = await onCpu(() => values(tf.split(ramp(shape, 'float32'), sizes, axis)));
      const x = ramp(shape, 'float32');
      expect(values(tf.split(x, sizes, axis))).toEqual(expected);
      x.dispose();
    }
  });

  it('never reads the whole input out of the heap, and leaks nothing', () => {
    const x = ramp([50, 4, 4, 2], 'float32');
    const backend = tf.backend() as unknown as { readSync: (...a: unknown[]) => unknown };
    const readSync = backend.readSync;
    let reads = 0;
    backend.readSync = (...a: unknown[]) => {
      reads++;
      return readSync.apply(backend, a);
    };
    const before = tf.memory().numTensors;
    try {
      tf.tidy(() => {
        tf.slice(x, [10, 0, 0, 0], [5, 4, 4, 2]);
        tf.slice(x, [0, 1, 1, 0], [50, 2, 2, 1]);
        tf.split(x, [20, 30], 0);
      });
    } finally {
      backend.readSync = readSync;
    }
    expect(reads).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('the gradient of a slice is as on cpu', async () => {
    const f = (x: tf.Tensor) => tf.slice(x, [0, 1, 1, 0], [2, 2, 3, 1]).square().sum();
    const expected = await onCpu(() => values(tf.grad(f)(ramp([2, 4, 5, 2], 'float32'))));
    const x = ramp([2, 4, 5, 2], 'float32');
    expect(values(tf.grad(f)(x))).toEqual(expected);
    x.dispose();
  });
});

defineKernelCases();
