/**
 * The wasm backend's heavy kernels routed to OpenBLAS (docs/ARCHITECTURE.md, "Compute backends").
 *
 * tfjs-backend-wasm keeps every tensor on its WebAssembly heap, and the native addon
 * (@claimlab/native) works on Float32Array views in place, so a kernel can hand OpenBLAS
 * the heap views of its inputs and output: no copies, and everything else (element-wise
 * ops, pooling, ...) stays on wasm. What moves: BatchMatMul and _FusedMatMul (sgemm with
 * its transpose flags, so no transposes either), Conv2D / FusedConv2D and both convolution
 * gradients (im2col / col2im + sgemm in C), Sum / Mean over every axis but the last (one pass
 * in C, where wasm transposes first), FusedBatchNorm with per-channel statistics, and the
 * kernels of batch norm in training mode (batch-norm-training.ts). OpenBLAS uses every core for one
 * product, where wasm runs one thread at 128-bit SIMD.
 *
 * Each kernel falls back to the kernel it replaced (the project's wasm kernels, or tfjs's)
 * for what it does not cover: other dtypes, NCHW, activations other than linear / relu /
 * relu6 / leaky relu, biases that are not one value per output channel.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type {
  BatchMatMulAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  FusedConv2DAttrs,
  KernelFunc,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { NativeBlas } from '@claimlab/native';
import { size, WASM, WRAPS, type WasmBackendLike, type Wrapping } from './wasm-backend.ts';
import { useNativeUpdates } from './fused-updates.ts';

const MARK = Symbol.for('claimlab.nativeWasmKernel');

/** WRAPS (wasm-backend.ts) names the replaced kernel, which wasm-kernels' isOurs follows. */
type Marked = Wrapping & { [MARK]?: true };

/** Kernels replaced here, with what they replaced (for unregisterNativeWasmKernels). */
const replaced = new Map<string, KernelFunc>();

function f32(backend: WasmBackendLike, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** Activation codes of the addon's conv2d; undefined: not covered (use the fallback). */
function activationCode(name: unknown): 0 | 1 | 2 | 3 | undefined {
  if (name === undefined || name === null || name === 'linear') return 0;
  if (name === 'relu') return 1;
  if (name === 'relu6') return 2;
  if (name === 'leakyrelu') return 3;
  return undefined;
}

/** Adds one value per column and applies the activation, in place on a rows x n block. */
function biasActivation(y: Float32Array, n: number, bias: Float32Array | null, act: 0 | 1 | 2 | 3, alpha: number): void {
  if (bias === null && act === 0) return;
  for (let r = 0; r < y.length; r += n) {
    for (let j = 0; j < n; j++) {
      let v = bias === null ? y[r + j] : Math.fround(y[r + j] + bias[j]);
      if (act === 1) v = v < 0 ? 0 : v;
      else if (act === 2) v = v < 0 ? 0 : v > 6 ? 6 : v;
      else if (act === 3) v = v < 0 ? Math.fround(alpha * v) : v;
      y[r + j] = v;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Matmul

function nativeMatMul(blas: NativeBlas, fallback: KernelFunc, fused: boolean): KernelFunc {
  return (args) => {
    const { inputs } = args;
    const attrs = args.attrs as unknown as BatchMatMulAttrs & { activation?: string; leakyreluAlpha?: number };
    const a = inputs.a;
    const b = inputs.b;
    const bias = fused ? inputs.bias : undefined;
    const act = fused ? activationCode(attrs.activation) : 0;
    if (a == null || b == null || a.dtype !== 'float32' || b.dtype !== 'float32' || act === undefined) return fallback(args);
    if (fused && inputs.preluActivationWeights != null) return fallback(args);
    const ra = a.shape.length;
    const rb = b.shape.length;
    if (ra < 2 || rb < 2) return fallback(args);
    const { transposeA, transposeB } = attrs;
    const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    if (K !== (transposeB ? b.shape[rb - 1] : b.shape[rb - 2])) return fallback(args); // it reports the mismatch
    const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const batch = size(batchShape);
    const batchA = size(a.shape.slice(0, -2));
    const batchB = size(b.shape.slice(0, -2));
    // Each operand either spans the whole batch or is shared by all of it.
    if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return fallback(args);
    if (bias != null && (bias.dtype !== 'float32' || size(bias.shape) !== N || bias.shape[bias.shape.length - 1] !== N)) {
      return fallback(args);
    }
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput([...batchShape, M, N], 'float32');
    // Views after the allocation (which can grow the heap and detach older views).
    const av = f32(backend, a);
    const bv = f32(backend, b);
    const cv = f32(backend, out);
    const lda = transposeA ? M : K;
    const ldb = transposeB ? K : N;
    if (batchB === 1 && batchA === batch && !transposeA) {
      // A batch against one right operand is one product with batch*M rows.
      blas.sgemm(false, transposeB, batch * M, N, K, 1, av, lda, bv, ldb, 0, cv, N);
    } else {
      for (let i = 0; i < batch; i++) {
        const ai = batchA === 1 ? av : av.subarray(i * M * K, (i + 1) * M * K);
        const bi = batchB === 1 ? bv : bv.subarray(i * K * N, (i + 1) * K * N);
        blas.sgemm(transposeA, transposeB, M, N, K, 1, ai, lda, bi, ldb, 0, cv.subarray(i * M * N, (i + 1) * M * N), N);
      }
    }
    biasActivation(cv, N, bias == null ? null : f32(backend, bias), act, attrs.leakyreluAlpha ?? 0.2);
    return out;
  };
}

// ---------------------------------------------------------------------------------------
// Convolutions

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** The addon's geometry array for a conv2d info. */
function geometry(info: ConvInfo): Int32Array | null {
  const { top, left } = info.padInfo;
  if (top < 0 || left < 0) return null;
  return Int32Array.from([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    top,
    left,
  ]);
}

const isNHWC = (f: unknown) => f === undefined || f === 'NHWC';
/** Gradient kernels take no dilations in tfjs; anything else is left to the fallback's check. */
const noDilation = (d: unknown) => d === undefined || d === 1 || (Array.isArray(d) && d.every((v) => v === 1));

function nativeConv2D(blas: NativeBlas, fallback: KernelFunc, fused: boolean): KernelFunc {
  return (args) => {
    const { inputs } = args;
    const attrs = args.attrs as unknown as FusedConv2DAttrs;
    const x = inputs.x;
    const filter = inputs.filter;
    const bias = fused ? inputs.bias : undefined;
    const act = fused ? activationCode(attrs.activation) : 0;
    if (x == null || filter == null || x.dtype !== 'float32' || filter.dtype !== 'float32' || act === undefined) return fallback(args);
    if (!isNHWC(attrs.dataFormat) || x.shape.length !== 4 || filter.shape.length !== 4) return fallback(args);
    if (fused && inputs.preluActivationWeights != null) return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      attrs.dilations ?? 1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    const geom = geometry(info);
    if (geom === null || info.inChannels !== filter.shape[2]) return fallback(args);
    if (bias != null && (bias.dtype !== 'float32' || size(bias.shape) !== info.outChannels)) return fallback(args);
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32');
    const biasView = bias == null ? null : f32(backend, bias);
    blas.conv2d(0, geom, f32(backend, x), f32(backend, filter), f32(backend, out), biasView, act, attrs.leakyreluAlpha ?? 0.2);
    return out;
  };
}

type Shape4 = [number, number, number, number];

/**
 * One of the two convolution gradients: kind 1 (dx from dy and the filter) or kind 2 (dW from
 * x and dy). `a` and `b` are the addon's operands, `xShape` / `filterShape` describe the forward
 * convolution, `outShape` is the gradient's shape.
 */
function nativeConvGradient(
  blas: NativeBlas,
  fallback: KernelFunc,
  kind: 1 | 2,
  operands: (
    inputs: NamedTensorInfoMap,
    attrs: Conv2DBackpropInputAttrs & Conv2DBackpropFilterAttrs,
  ) => {
    a?: TensorInfo;
    b?: TensorInfo;
    dy?: TensorInfo;
    xShape: number[];
    filterShape: number[];
    outShape: number[];
  },
): KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs & Conv2DBackpropFilterAttrs;
    const { a, b, dy, xShape, filterShape, outShape } = operands(args.inputs, attrs);
    if (a == null || b == null || dy == null || a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    if (!isNHWC(attrs.dataFormat) || !noDilation((attrs as { dilations?: unknown }).dilations)) return fallback(args);
    if (xShape.length !== 4 || filterShape.length !== 4 || dy.shape.length !== 4) return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      xShape as Shape4,
      filterShape as Shape4,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    const geom = geometry(info);
    if (geom === null || [info.batchSize, info.outHeight, info.outWidth, info.outChannels].join() !== dy.shape.join())
      return fallback(args);
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(outShape.slice(), 'float32');
    blas.conv2d(kind, geom, f32(backend, a), f32(backend, b), f32(backend, out), null, 0, 0);
    return out;
  };
}

/** dx = conv2d_transpose(dy, filter). */
const nativeConv2DBackpropInput = (blas: NativeBlas, fallback: KernelFunc) =>
  nativeConvGradient(blas, fallback, 1, (inputs, attrs) => ({
    a: inputs.dy,
    b: inputs.filter,
    dy: inputs.dy,
    xShape: attrs.inputShape,
    filterShape: inputs.filter?.shape ?? [],
    outShape: attrs.inputShape,
  }));

/** dW = im2col(x)^T dy. */
const nativeConv2DBackpropFilter = (blas: NativeBlas, fallback: KernelFunc) =>
  nativeConvGradient(blas, fallback, 2, (inputs, attrs) => ({
    a: inputs.x,
    b: inputs.dy,
    dy: inputs.dy,
    xShape: inputs.x?.shape ?? [],
    filterShape: attrs.filterShape,
    outShape: attrs.filterShape,
  }));

// ---------------------------------------------------------------------------------------
// Sum and Mean over every axis but the last (batch-norm statistics and gradients, bias
// gradients): wasm transposes the channels to the front first; this is one pass.

function nativeReduceLeading(blas: NativeBlas, fallback: KernelFunc, mean: boolean): KernelFunc {
  return (args) => {
    const x = args.inputs.x;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    if (x == null || x.dtype !== 'float32' || x.shape.length < 2) return fallback(args);
    const r = x.shape.length;
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((p, q) => p - q);
    if (axes.length !== r - 1 || axes.some((a, i) => a !== i)) return fallback(args);
    const cols = x.shape[r - 1];
    const rows = size(x.shape) / Math.max(cols, 1);
    if (cols < 2 || rows < 1) return fallback(args);
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(keepDims ? [...new Array<number>(r - 1).fill(1), cols] : [cols], 'float32');
    blas.sumRows(f32(backend, x), rows, cols, f32(backend, out), mean ? 1 / rows : 1);
    return out;
  };
}

// ---------------------------------------------------------------------------------------
// The batch-norm gradient in one pass (a kernel of its own, used by gradients.ts).

/** Inputs x, dy, mean, variance, scale (optional; rank-1 per-channel statistics, channels last); attr varianceEpsilon. */
export const NATIVE_BATCH_NORM_GRAD = 'ClaimlabFusedBatchNormGrad';

function nativeBatchNormGrad(blas: NativeBlas): KernelFunc {
  return (args) => {
    const { x, dy, mean, variance, scale } = args.inputs;
    const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
    if (x == null || dy == null || mean == null || variance == null)
      throw new Error(`${NATIVE_BATCH_NORM_GRAD}: x, dy, mean and variance are required`);
    const cols = x.shape[x.shape.length - 1];
    const rows = size(x.shape) / cols;
    const stats = [mean, variance, ...(scale ? [scale] : [])];
    if (
      [x, dy, ...stats].some((t) => t.dtype !== 'float32') ||
      dy.shape.join() !== x.shape.join() ||
      stats.some((t) => t.shape.length !== 1 || t.shape[0] !== cols)
    ) {
      throw new Error(`${NATIVE_BATCH_NORM_GRAD}: float32 x and dy of one shape [..., C] and rank-1 statistics of length C expected`);
    }
    const backend = args.backend as WasmBackendLike;
    const dx = backend.makeOutput(x.shape.slice(), 'float32');
    const sums = [0, 1, 2, 3].map(() => backend.makeOutput([cols], 'float32'));
    const v = (t: TensorInfo) => f32(backend, t);
    blas.batchNormGrad(
      v(x),
      v(dy),
      rows,
      cols,
      v(mean),
      v(variance),
      scale ? v(scale) : null,
      varianceEpsilon,
      v(dx),
      ...(sums.map(v) as [Float32Array, Float32Array, Float32Array, Float32Array]),
    );
    return [dx, ...sums];
  };
}

// ---------------------------------------------------------------------------------------
// Batch norm with per-channel statistics (channels last): FusedBatchNorm in one pass, and the
// two kernels of batchNormTraining (batch-norm-training.ts), which wasm would run as ~20
// element-wise ops and reductions, forward and backward.

/** Whether t holds one float32 value per channel: [C] or [1, ..., 1, C]. */
function perChannel(t: TensorInfo | undefined, cols: number): boolean {
  if (t == null || t.dtype !== 'float32' || size(t.shape) !== cols) return false;
  return t.shape.length === 0 ? cols === 1 : t.shape[t.shape.length - 1] === cols;
}

function nativeFusedBatchNorm(blas: NativeBlas, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, mean, variance, offset, scale } = args.inputs;
    const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
    if (x == null || x.dtype !== 'float32' || x.shape.length < 2) return fallback(args);
    const cols = x.shape[x.shape.length - 1];
    if (cols < 1 || !perChannel(mean, cols) || !perChannel(variance, cols)) return fallback(args);
    if ((offset != null && !perChannel(offset, cols)) || (scale != null && !perChannel(scale, cols))) return fallback(args);
    const backend = args.backend as WasmBackendLike;
    const y = backend.makeOutput(x.shape.slice(), 'float32');
    const v = (t: TensorInfo | undefined) => (t == null ? null : f32(backend, t));
    blas.batchNorm(
      f32(backend, x),
      size(x.shape) / cols,
      cols,
      v(mean)!,
      v(variance)!,
      v(scale),
      v(offset),
      varianceEpsilon,
      f32(backend, y),
    );
    return y;
  };
}

/** Input x [..., C] (float32); outputs mean and biased variance over every axis but the last, both [C]. */
export const NATIVE_MOMENTS = 'ClaimlabMoments';

/**
 * Inputs x, dy, mean, variance, scale (optional); attr varianceEpsilon; outputs dx, dscale,
 * doffset: the batch-norm gradient with the batch statistics differentiated too.
 */
export const NATIVE_BATCH_NORM_TRAINING_GRAD = 'ClaimlabBatchNormTrainingGrad';

/** rows x cols of a float32 [..., C] tensor, or an error naming the kernel. */
function channelsLast(kernelName: string, x: TensorInfo | undefined): { rows: number; cols: number } {
  if (x == null || x.dtype !== 'float32' || x.shape.length < 2 || x.shape[x.shape.length - 1] < 1) {
    throw new Error(`${kernelName}: a float32 input x of rank >= 2 with channels last is required`);
  }
  const cols = x.shape[x.shape.length - 1];
  return { rows: size(x.shape) / cols, cols };
}

function nativeMoments(blas: NativeBlas): KernelFunc {
  return (args) => {
    const { x } = args.inputs;
    const { rows, cols } = channelsLast(NATIVE_MOMENTS, x);
    const backend = args.backend as WasmBackendLike;
    const mean = backend.makeOutput([cols], 'float32');
    const variance = backend.makeOutput([cols], 'float32');
    blas.moments(f32(backend, x!), rows, cols, f32(backend, mean), f32(backend, variance));
    return [mean, variance];
  };
}

function nativeBatchNormTrainingGrad(blas: NativeBlas): KernelFunc {
  return (args) => {
    const { x, dy, mean, variance, scale } = args.inputs;
    const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
    const { rows, cols } = channelsLast(NATIVE_BATCH_NORM_TRAINING_GRAD, x);
    if (
      dy == null ||
      dy.dtype !== 'float32' ||
      dy.shape.join() !== x!.shape.join() ||
      !perChannel(mean, cols) ||
      !perChannel(variance, cols) ||
      (scale != null && !perChannel(scale, cols))
    ) {
      throw new Error(
        `${NATIVE_BATCH_NORM_TRAINING_GRAD}: dy of x's shape [..., C] and per-channel mean, variance (and scale) of length C expected`,
      );
    }
    const backend = args.backend as WasmBackendLike;
    const dx = backend.makeOutput(x!.shape.slice(), 'float32');
    const dscale = backend.makeOutput([cols], 'float32');
    const doffset = backend.makeOutput([cols], 'float32');
    const v = (t: TensorInfo) => f32(backend, t);
    blas.batchNormTrainingGrad(
      v(x!),
      v(dy),
      rows,
      cols,
      v(mean!),
      v(variance!),
      scale ? v(scale) : null,
      varianceEpsilon,
      v(dx),
      v(dscale),
      v(doffset),
    );
    return [dx, dscale, doffset];
  };
}

// ---------------------------------------------------------------------------------------
// Registration

function replace(kernelName: string, make: (fallback: KernelFunc) => KernelFunc): void {
  const current = tf.getKernel(kernelName, WASM);
  if (current != null && (current.kernelFunc as Marked)[MARK] === true) return;
  const fallback: KernelFunc =
    current?.kernelFunc ??
    (() => {
      throw new Error(`wasm ${kernelName}: no kernel to fall back to for this case`);
    });
  if (current != null) tf.unregisterKernel(kernelName, WASM);
  const f = make(fallback) as Marked;
  f[MARK] = true;
  f[WRAPS] = fallback;
  tf.registerKernel({ kernelName, backendName: WASM, setupFunc: current?.setupFunc, disposeFunc: current?.disposeFunc, kernelFunc: f });
  replaced.set(kernelName, fallback);
}

/** The kernels registerNativeWasmKernels replaces. */
export const NATIVE_WASM_KERNELS = [
  tf.BatchMatMul,
  tf._FusedMatMul,
  tf.Conv2D,
  tf.FusedConv2D,
  tf.Conv2DBackpropInput,
  tf.Conv2DBackpropFilter,
  tf.Sum,
  tf.Mean,
  tf.FusedBatchNorm,
] as const;

/** The kernels registerNativeWasmKernels adds (they have no other implementation). */
const NATIVE_ONLY_KERNELS: [string, (blas: NativeBlas) => KernelFunc][] = [
  [NATIVE_BATCH_NORM_GRAD, nativeBatchNormGrad],
  [NATIVE_MOMENTS, nativeMoments],
  [NATIVE_BATCH_NORM_TRAINING_GRAD, nativeBatchNormTrainingGrad],
];

/**
 * Routes the wasm backend's matmuls and convolutions to the native addon. Call after
 * registerWasmKernels (whose kernels become the fallbacks). Idempotent.
 */
export function registerNativeWasmKernels(blas: NativeBlas): void {
  replace(tf.BatchMatMul, (k) => nativeMatMul(blas, k, false));
  replace(tf._FusedMatMul, (k) => nativeMatMul(blas, k, true));
  replace(tf.Conv2D, (k) => nativeConv2D(blas, k, false));
  replace(tf.FusedConv2D, (k) => nativeConv2D(blas, k, true));
  replace(tf.Conv2DBackpropInput, (k) => nativeConv2DBackpropInput(blas, k));
  replace(tf.Conv2DBackpropFilter, (k) => nativeConv2DBackpropFilter(blas, k));
  replace(tf.Sum, (k) => nativeReduceLeading(blas, k, false));
  replace(tf.Mean, (k) => nativeReduceLeading(blas, k, true));
  replace(tf.FusedBatchNorm, (k) => nativeFusedBatchNorm(blas, k));
  for (const [kernelName, make] of NATIVE_ONLY_KERNELS) {
    if (tf.getKernel(kernelName, WASM) == null) tf.registerKernel({ kernelName, backendName: WASM, kernelFunc: make(blas) });
  }
  useNativeUpdates(blas);
}

/** Puts back what registerNativeWasmKernels replaced (tests and benchmarks compare both). */
export function unregisterNativeWasmKernels(): void {
  for (const [kernelName, fallback] of replaced) {
    const current = tf.getKernel(kernelName, WASM);
    tf.unregisterKernel(kernelName, WASM);
    tf.registerKernel({
      kernelName,
      backendName: WASM,
      setupFunc: current?.setupFunc,
      disposeFunc: current?.disposeFunc,
      kernelFunc: fallback,
    });
  }
  replaced.clear();
  for (const [kernelName] of NATIVE_ONLY_KERNELS) if (tf.getKernel(kernelName, WASM) != null) tf.unregisterKernel(kernelName, WASM);
  useNativeUpdates(null);
}

/** Which kernels currently run natively. */
export function nativeWasmKernelsRegistered(): string[] {
  return NATIVE_WASM_KERNELS.filter((k) => (tf.getKernel(k, WASM)?.kernelFunc as Marked | undefined)?.[MARK] === true);
}
