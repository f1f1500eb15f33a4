// The wasm backend with its small convolutions on oneDNN (libs/onednn, as selectBackend wires
// them: withOneDnnConvolutions over the native BLAS kernels) against the 'cpu' backend: every
// shared case of kernel-cases.ts (values and gradients, tolerance stated there), after checking
// that convolutions and both their gradients really run on oneDNN.
//
// Where oneDNN or the native BLAS addon cannot be built this file fails with the reason;
// CLAIMLAB_ONEDNN=off or CLAIMLAB_NATIVE=off skip it (nothing would run on oneDNN).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { lastNativeError, loadNativeBlas, nativeDisabledByEnv, type NativeBlas } from '@claimlab/native';
import { lastOneDnnError, loadOneDnn, oneDnnDisabledByEnv, withOneDnnConvolutions, type OneDnn } from '@claimlab/onednn';
import { registerWasmKernels } from '../src/wasm-kernels.ts';
import { registerNativeWasmKernels } from '../src/native-kernels.ts';
import { registerFastGradients } from '../src/gradients.ts';
import { defineKernelCases, expectSameOnBoth, rand } from './kernel-cases.ts';

/** oneDNN conv2d calls that ran (returned true), and those that went to BLAS, since the last reset. */
const calls = { onednn: 0, blas: 0 };

describe.skipIf(oneDnnDisabledByEnv() || nativeDisabledByEnv())('oneDNN convolutions under the wasm backend', () => {
  beforeAll(async () => {
    const dnnl = loadOneDnn();
    if (dnnl === null)
      throw new Error(`the oneDNN addon could not be built or loaded: ${lastOneDnnError()} (set CLAIMLAB_ONEDNN=off to run without it)`);
    const blas = loadNativeBlas();
    if (blas === null)
      throw new Error(
        `the native BLAS addon could not be built or loaded: ${lastNativeError()} (set CLAIMLAB_NATIVE=off to run without it)`,
      );
    const counting = {
      ...dnnl,
      conv2d: (...args: Parameters<OneDnn['conv2d']>) => {
        const ran = dnnl.conv2d(...args);
        if (ran) calls.onednn++;
        return ran;
      },
    };
    const countingBlas = {
      ...blas,
      conv2d: (...args: Parameters<NativeBlas['conv2d']>) => {
        calls.blas++;
        blas.conv2d(...args);
      },
    };
    registerFastGradients();
    registerWasmKernels();
    registerNativeWasmKernels(withOneDnnConvolutions(countingBlas, counting));
    expect(await tf.setBackend('wasm')).toBe(true);
    await tf.ready();
  });

  it('convolutions and their gradients really run on oneDNN', async () => {
    calls.onednn = 0;
    calls.blas = 0;
    await expectSameOnBoth(() => {
      const x = rand([2, 6, 6, 3], 1) as tf.Tensor4D;
      const w = rand([3, 3, 3, 4], 2) as tf.Tensor4D;
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf
          .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')
          .square()
          .sum(),
      )([x, w]);
      return [dx, dw];
    }, ['dx', 'dW']);
    expect(calls.onednn).toBe(3); // forward, input gradient, filter gradient
    expect(calls.blas).toBe(0);
  });

  defineKernelCases();
});
