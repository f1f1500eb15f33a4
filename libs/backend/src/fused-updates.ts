/**
 * Updates of a variable in one kernel, where tfjs runs several element-wise kernels (and, with
 * a JavaScript number, uploads a scalar) per variable and step: for the small nets of the quick
 * profiles those calls, not their arithmetic, cost 10-15% of a training step (measured on the
 * universal-perturbations VGG and ResNet-8 nets). Each kernel computes exactly what tfjs does,
 * in the same float32 operations and order, each rounded to float32 (JavaScript's doubles
 * rounded with Math.fround give the correctly rounded float32 result of + - *), so a run gives
 * the same bits with or without them:
 *
 *  - momentum SGD (tf.train.momentum):   a' = m * a + g;  w' = c * a' + w  (c = -learning rate)
 *                              Nesterov: w' = c * (g + a' * m) + w
 *  - Adam (tf.train.adam):  m' = m * b1 + g * (1 - b1);  v' = v * b2 + g^2 * (1 - b2);
 *                           w' = (m' / (1 - b1^t)) / (sqrt(v' / (1 - b2^t)) + eps) * -lr + w
 *  - RMSProp, not centered (tf.train.rmsprop):  s' = s * d + g^2 * (1 - d);
 *                           a' = a * momentum + g * lr / sqrt(s' + eps);  w' = w - a'
 *  - a moving average (tf.layers' batch-norm statistics):  v' = v - (v - x) * (1 - momentum)
 *
 * (the scalars, as tfjs makes them from JavaScript numbers: rounded to float32 once, 1 - b1
 * computed in double first). Registered for the wasm backend, on its heap; elsewhere the
 * functions below return null and the caller uses tfjs's ops. The loops run in the native
 * addon where it is loaded (its `update`, one pass in C: a JavaScript loop is ~4x slower per
 * element than wasm's SIMD kernels, which made large variables slower than tfjs's four calls),
 * else in JavaScript.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { NativeBlas } from '@claimlab/native';
import { WASM, type WasmBackendLike } from './wasm-backend.ts';

/** The native addon's loop, set by registerNativeWasmKernels (null: the JavaScript loops). */
let native: NativeBlas['update'] | null = null;

/** Runs the updates' loops in `blas` (or, with null, in JavaScript again). */
export function useNativeUpdates(blas: NativeBlas | null): void {
  native = blas ? blas.update.bind(blas) : null;
}

export const MOMENTUM_UPDATE = 'ClaimlabMomentumUpdate';

interface MomentumAttrs {
  momentum: number;
  learningRate: number;
  nesterov: boolean;
}

export interface AdamAttrs {
  beta1: number;
  beta2: number;
  /** 1 - beta1^t and 1 - beta2^t as tfjs's Adam holds them (float32 values). */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  learningRate: number;
}

export interface RmspropAttrs {
  decay: number;
  momentum: number;
  epsilon: number;
  learningRate: number;
}

type KernelArgs = { inputs: Record<string, TensorInfo>; attrs?: unknown; backend: unknown };

/**
 * Checks that every named input is a float32 tensor of the first one's shape, allocates one
 * output per name in `outputs` (all before any heap view is taken: a view is invalid after the
 * next allocation), and returns the heap views of the inputs and outputs.
 */
function heapViews(
  kernel: string,
  args: KernelArgs,
  inputs: string[],
  outputs: number,
): { ins: Float32Array[]; outs: Float32Array[]; infos: TensorInfo[] } {
  const shape = args.inputs[inputs[0]]?.shape;
  for (const name of inputs) {
    const t = args.inputs[name];
    if (t == null || t.dtype !== 'float32' || shape == null || t.shape.join() !== shape.join())
      throw new Error(`${kernel}: ${name} must be a float32 tensor of the ${inputs[0]}'s shape [${shape}]`);
  }
  const backend = args.backend as WasmBackendLike;
  const infos = Array.from({ length: outputs }, () => backend.makeOutput(shape!, 'float32'));
  return {
    ins: inputs.map((n) => backend.typedArrayFromHeap(args.inputs[n]) as Float32Array),
    outs: infos.map((t) => backend.typedArrayFromHeap(t) as Float32Array),
    infos,
  };
}

const f = Math.fround;

function momentumUpdateKernel(args: KernelArgs): TensorInfo[] {
  const { momentum, learningRate, nesterov } = args.attrs as MomentumAttrs;
  const { ins, outs, infos } = heapViews(MOMENTUM_UPDATE, args, ['value', 'accumulation', 'gradient'], 2);
  const [w, a, g] = ins;
  const [w1, a1] = outs;
  const m = f(momentum);
  const c = f(-learningRate);
  if (native) {
    native(0, Float32Array.of(m, c, nesterov ? 1 : 0), w, a, g, null, w1, a1, null);
    return infos;
  }
  for (let i = 0; i < w.length; i++) {
    const acc = f(f(m * a[i]) + g[i]);
    a1[i] = acc;
    w1[i] = nesterov ? f(f(c * f(g[i] + f(acc * m))) + w[i]) : f(f(c * acc) + w[i]);
  }
  return infos;
}

export const ADAM_UPDATE = 'ClaimlabAdamUpdate';

function adamUpdateKernel(args: KernelArgs): TensorInfo[] {
  const a = args.attrs as AdamAttrs;
  const { ins, outs, infos } = heapViews(ADAM_UPDATE, args, ['value', 'firstMoment', 'secondMoment', 'gradient'], 3);
  const [w, m, v, g] = ins;
  const [w1, m1, v1] = outs;
  const [b1, omb1, b2, omb2] = [f(a.beta1), f(1 - a.beta1), f(a.beta2), f(1 - a.beta2)];
  const [c1, c2, eps, nlr] = [f(a.oneMinusAccBeta1), f(a.oneMinusAccBeta2), f(a.epsilon), f(-a.learningRate)];
  if (native) {
    native(1, Float32Array.of(b1, omb1, b2, omb2, c1, c2, eps, nlr), w, m, v, g, w1, m1, v1);
    return infos;
  }
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const mi = f(f(m[i] * b1) + f(gi * omb1));
    const vi = f(f(v[i] * b2) + f(f(gi * gi) * omb2));
    m1[i] = mi;
    v1[i] = vi;
    const step = f(f(mi / c1) / f(f(Math.sqrt(f(vi / c2))) + eps));
    w1[i] = f(f(step * nlr) + w[i]);
  }
  return infos;
}

export const RMSPROP_UPDATE = 'ClaimlabRmspropUpdate';

function rmspropUpdateKernel(args: KernelArgs): TensorInfo[] {
  const a = args.attrs as RmspropAttrs;
  const { ins, outs, infos } = heapViews(RMSPROP_UPDATE, args, ['value', 'meanSquare', 'moment', 'gradient'], 3);
  const [w, ms, mo, g] = ins;
  const [w1, ms1, mo1] = outs;
  const [d, omd, mom, lr, eps] = [f(a.decay), f(1 - a.decay), f(a.momentum), f(a.learningRate), f(a.epsilon)];
  if (native) {
    native(2, Float32Array.of(d, omd, mom, lr, eps), w, ms, mo, g, w1, ms1, mo1);
    return infos;
  }
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const si = f(f(ms[i] * d) + f(f(gi * gi) * omd));
    const ai = f(f(mo[i] * mom) + f(f(gi * lr) / f(Math.sqrt(f(si + eps)))));
    ms1[i] = si;
    mo1[i] = ai;
    w1[i] = f(w[i] - ai);
  }
  return infos;
}

export const MOVING_AVERAGE = 'ClaimlabMovingAverage';

function movingAverageKernel(args: KernelArgs): TensorInfo {
  const { momentum } = args.attrs as { momentum: number };
  const { ins, outs, infos } = heapViews(MOVING_AVERAGE, args, ['variable', 'value'], 1);
  const [v, x] = ins;
  const [o] = outs;
  const k = f(1 - momentum);
  if (native) {
    native(3, Float32Array.of(k), v, x, null, null, o, null, null);
    return infos[0];
  }
  for (let i = 0; i < v.length; i++) o[i] = f(v[i] - f(f(v[i] - x[i]) * k));
  return infos[0];
}

const KERNELS = [
  [MOMENTUM_UPDATE, momentumUpdateKernel],
  [ADAM_UPDATE, adamUpdateKernel],
  [RMSPROP_UPDATE, rmspropUpdateKernel],
  [MOVING_AVERAGE, movingAverageKernel],
] as const;

/** Registers the kernels for the wasm backend (idempotent; registerWasmKernels calls it). */
export function registerFusedUpdates(): void {
  for (const [kernelName, kernelFunc] of KERNELS) {
    if (tf.getKernel(kernelName, WASM) == null)
      tf.registerKernel({ kernelName, backendName: WASM, kernelFunc: kernelFunc as unknown as KernelFunc });
  }
}

/** The fused kernels registered for the wasm backend (for provenance and tests). */
export function fusedUpdatesRegistered(): string[] {
  return KERNELS.map(([k]) => k).filter((k) => tf.getKernel(k, WASM) != null);
}

/** Whether the current backend has the fused updates. */
export function fusedUpdatesAvailable(): boolean {
  return KERNELS.every(([k]) => tf.getKernel(k, tf.getBackend()) != null);
}

/**
 * The updated value and accumulation of one variable (new tensors; the caller assigns and
 * disposes them), or null where the current backend has no fused kernel.
 */
export function momentumUpdate(
  value: tf.Tensor,
  accumulation: tf.Tensor,
  gradient: tf.Tensor,
  attrs: MomentumAttrs,
): { value: tf.Tensor; accumulation: tf.Tensor } | null {
  if (!fusedUpdatesAvailable()) return null;
  const [v, a] = tf
    .engine()
    .runKernel(MOMENTUM_UPDATE, { value, accumulation, gradient }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { value: v, accumulation: a };
}

/**
 * variable - (variable - value) * (1 - momentum) (a new tensor), or null where the current
 * backend has no fused kernel.
 */
export function movingAverageUpdate(variable: tf.Tensor, value: tf.Tensor, momentum: number): tf.Tensor | null {
  if (!fusedUpdatesAvailable()) return null;
  return tf.engine().runKernel(MOVING_AVERAGE, { variable, value }, { momentum }) as tf.Tensor;
}

/** Adam's update of one variable (new tensors: value, first and second moments), or null where the backend has no fused kernel. */
export function adamUpdate(
  value: tf.Tensor,
  firstMoment: tf.Tensor,
  secondMoment: tf.Tensor,
  gradient: tf.Tensor,
  attrs: AdamAttrs,
): { value: tf.Tensor; firstMoment: tf.Tensor; secondMoment: tf.Tensor } | null {
  if (!fusedUpdatesAvailable()) return null;
  const [v, m, s] = tf
    .engine()
    .runKernel(ADAM_UPDATE, { value, firstMoment, secondMoment, gradient }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { value: v, firstMoment: m, secondMoment: s };
}

/** RMSProp's (not centered) update of one variable (new tensors), or null where the backend has no fused kernel. */
export function rmspropUpdate(
  value: tf.Tensor,
  meanSquare: tf.Tensor,
  moment: tf.Tensor,
  gradient: tf.Tensor,
  attrs: RmspropAttrs,
): { value: tf.Tensor; meanSquare: tf.Tensor; moment: tf.Tensor } | null {
  if (!fusedUpdatesAvailable()) return null;
  const [v, s, m] = tf
    .engine()
    .runKernel(RMSPROP_UPDATE, { value, meanSquare, moment, gradient }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { value: v, meanSquare: s, moment: m };
}
