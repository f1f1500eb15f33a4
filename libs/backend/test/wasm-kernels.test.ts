// The project's wasm kernels (src/wasm-kernels.ts) against the 'cpu' backend: registration
// here, the shared cases (values and gradients, tolerance stated there) in kernel-cases.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerWasmKernels, wasmKernelsRegistered } from '../src/wasm-kernels.ts';
import { assertClose, defineKernelCases, type Result } from './kernel-cases.ts';

beforeAll(async () => {
  // Registered before the wasm backend initialises: the wrapped kernels' setup must still run.
  registerWasmKernels();
  registerWasmKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
});

describe('registration', () => {
  it('registers all kernels, idempotently', () => {
    const names = [tf.Conv2DBackpropFilter, tf.Conv2DBackpropInput, tf.MaxPoolGrad, tf.BatchMatMul, tf._FusedMatMul, tf.Identity, tf.Cast];
    const before = names.map((k) => tf.getKernel(k, 'wasm').kernelFunc);
    registerWasmKernels();
    const after = names.map((k) => tf.getKernel(k, 'wasm').kernelFunc);
    expect(after).toEqual(before);
    expect(wasmKernelsRegistered().sort()).toEqual(
      [...names, 'ClaimlabMomentumUpdate', 'ClaimlabAdamUpdate', 'ClaimlabRmspropUpdate', 'ClaimlabMovingAverage'].sort(),
    );
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

defineKernelCases();
