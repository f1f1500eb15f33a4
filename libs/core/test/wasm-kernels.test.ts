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
    const names = [tf.Conv2DBackpropFilter, tf.Conv2DBackpropInput, tf.MaxPoolGrad, tf.BatchMatMul, tf._FusedMatMul];
    const before = names.map(
      (k) => tf.getKernel(k, 'wasm').kernelFunc,
    );
    registerWasmKernels();
    const after = names.map((k) => tf.getKernel(k, 'wasm').kernelFunc);
    expect(after).toEqual(before);
    expect(wasmKernelsRegistered().sort()).toEqual(names.sort());
  });

  it('the comparison catches a wrong result', () => {
    const e: Result = { shape: [3], values: new Float32Array([1, -2, 3]) };
    expect(() => assertClose({ shape: [3], values: new Float32Array([1, -2, 3.0001]) }, e, 'ok')).not.toThrow();
    expect(() => assertClose({ shape: [3], values: new Float32Array([1, -2, 3.01]) }, e, 'off')).toThrow(/exceeds/);
    expect(() => assertClose({ shape: [3], values: new Float32Array([1, NaN, 3]) }, e, 'nan')).toThrow(/exceeds/);
  });
});

defineKernelCases();
