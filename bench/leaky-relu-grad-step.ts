/**
 * Training steps with tfjs's leaky relu gradient and with one backward kernel in its place, one
 * process, in rounds of A then B (ab-rounds.ts; not a test; issue 19):
 *   npx tsx bench/leaky-relu-grad-step.ts [--quick] [--rounds N] [workload ...]
 *
 * tfjs 4.22 differentiates LeakyRelu as where(greater(x, 0), dy, mul(dy, alpha)): `Greater`,
 * `Multiply` and `Select`, two scalar tensors uploaded, and three `Identity` calls (where
 * broadcasts its three inputs, and broadcasting to the same shape clones) per layer per step.
 * Arm B registers a gradient that runs one kernel, in JavaScript on the wasm heap, computing
 * x > 0 ? dy : dy * alpha in float32 (the same bits: a product of two float32 values rounds
 * once to float32 either way). Where a gradient of a gradient is being recorded it runs tfjs's
 * composite, which is differentiable. A prototype measured here before any change to
 * @claimlab/backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { selectBackend } from '@claimlab/backend';
// The wasm heap interface the backend's own kernels use (not exported by @claimlab/backend).
import type { WasmBackendLike } from '../libs/backend/src/wasm-backend.ts';
import { abOptions, abRounds, sameBits } from './ab-rounds.ts';

const LEAKY_RELU_GRAD = 'BenchLeakyReluGrad';

const { specs, timing, rounds } = abOptions(['dip64-c16-b1', 'dip128-c32-b1', 'dip128-b1']);

await selectBackend('wasm', () => {});
const engine = tf.engine() as unknown as { isTapeOn(): boolean };

let kernelCalls = 0;
function leakyReluGradKernel(args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo {
  kernelCalls++;
  const { dy, x } = args.inputs;
  if (dy == null || x == null) throw new Error(`${LEAKY_RELU_GRAD}: inputs 'dy' and 'x' are required`);
  const alpha = Math.fround((args.attrs as { alpha: number }).alpha);
  const backend = args.backend as WasmBackendLike;
  const dx = backend.makeOutput(dy.shape, 'float32');
  // Views are taken after the allocation, which may grow (and detach) the heap.
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const out = backend.typedArrayFromHeap(dx) as Float32Array;
  for (let i = 0; i < out.length; i++) out[i] = xv[i] > 0 ? dyv[i] : dyv[i] * alpha;
  return dx;
}
tf.registerKernel({ kernelName: LEAKY_RELU_GRAD, backendName: 'wasm', kernelFunc: leakyReluGradKernel as unknown as KernelFunc });

const tfjsGradient = tf.getGradient(tf.LeakyRelu) as GradConfig;
const oneKernelGradient: GradConfig = {
  kernelName: tf.LeakyRelu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    if (engine.isTapeOn()) return tfjsGradient.gradFunc(dy, saved, attrs);
    const [x] = saved;
    return { x: () => tf.engine().runKernel(LEAKY_RELU_GRAD, { dy: dy as tf.Tensor, x }, attrs) as tf.Tensor };
  },
};
// registerGradient warns when it replaces one; the A/B replaces it on purpose, every round.
const use = (g: GradConfig) => () => {
  const warn = console.warn;
  console.warn = () => {};
  try {
    tf.registerGradient(g);
  } finally {
    console.warn = warn;
  }
};

/** The input gradient, and a gradient of a gradient (through dy), of a leaky relu. */
function gradients(): Float32Array[] {
  return tf.tidy(() => {
    const b = tf.randomNormal([2, 9, 9, 5], 0, 1, 'float32', 7).bufferSync();
    b.set(0, 0, 0, 0, 0); // x = 0 takes the alpha branch in both
    const x = b.toTensor();
    const w = tf.randomNormal([2, 9, 9, 5], 0, 1, 'float32', 8);
    const first = tf.grad((v: tf.Tensor) => tf.leakyRelu(v, 0.2).mul(w).sum())(x);
    const second = tf.grad((u: tf.Tensor) =>
      tf
        .grad((v: tf.Tensor) => tf.leakyRelu(v.mul(u), 0.2).sum())(x)
        .square()
        .sum(),
    )(w);
    return [first.dataSync() as Float32Array, second.dataSync() as Float32Array];
  });
}
use(tfjsGradient)();
const composite = gradients();
use(oneKernelGradient)();
const kernel = gradients();
if (kernelCalls !== 1) throw new Error(`the kernel ran ${kernelCalls} times, not once (the first gradient only)`);
composite.forEach((c, k) => {
  if (c.length === 0 || !sameBits(c, kernel[k])) {
    throw new Error(`leaky relu ${k === 0 ? 'gradient' : 'second-order gradient'}: the kernel's differs from tfjs's composite`);
  }
});
console.log(`leaky relu gradient and second-order gradient bit-identical (${composite[0].length} and ${composite[1].length} values)`);

for (const spec of specs) {
  console.log(spec.id);
  abRounds(spec, timing, rounds, { name: 'tfjs composite', use: use(tfjsGradient) }, { name: 'one kernel', use: use(oneKernelGradient) });
}
