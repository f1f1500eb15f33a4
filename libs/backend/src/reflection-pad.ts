/**
 * Reflection padding of an NHWC tensor's two spatial axes (PyTorch's ReflectionPad2d,
 * tf.mirrorPad 'reflect') as one forward kernel (wasm's MirrorPad) and one backward kernel.
 *
 * Why: tf.mirrorPad's own gradient in tfjs 4.22 only slices dy, dropping what flows into the
 * reflected border pixels, so the models composed the padding of slice / reverse / concat per
 * axis, whose gradients are exact but cost 24 kernel calls per padding (a deep image prior
 * step has 15 paddings: ~360 of its ~1,400 calls).
 *
 * The backward kernel adds the same float32 terms in the same order as the composite's
 * gradient, so the bits do not move: the composite pads axis 1 and then axis 2, so its
 * backward pass folds axis 2 first; per axis the engine accumulates the gradient of the
 * padded tensor's source as (centre + after) + before, where after / before are the
 * reflected border's contributions (zero where a pixel has none: adding that zero turns a
 * -0 into +0, as the composite's Add does).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { WASM, type WasmBackendLike } from './wasm-backend.ts';

export const REFLECTION_PAD_GRAD = 'ClaimlabReflectionPadGrad';

interface EngineState {
  state: { gradientDepth: number };
  isTapeOn(): boolean;
}

/** Where index i of an axis of size n has reflected copies in a padding by p (-1: none). */
function afterIndex(i: number, n: number, p: number): number {
  // The after border holds n-2, n-3, ..., n-1-p at padded n+p, n+p+1, ...
  return i >= n - 1 - p && i <= n - 2 ? 2 * n + p - 2 - i : -1;
}
function beforeIndex(i: number, p: number): number {
  // The before border holds p, p-1, ..., 1 at padded 0, 1, ..., p-1.
  return i >= 1 && i <= p ? p - i : -1;
}

/**
 * Folds one padded row (w + 2p positions of ch values) of src into w positions of dst:
 * dst[j] = (src[p + j] + after[j]) + before[j], then + 0 (`zero`) for the fold of axis 1 that
 * follows when the row has no reflected copies along it. Each store into the Float32Array rounds,
 * as float32 addition does; x + 0 is x but for -0, which becomes +0 as in the composite's Add.
 */
function foldRow(
  src: Float32Array,
  srcBase: number,
  dst: Float32Array,
  dstBase: number,
  w: number,
  p: number,
  ch: number,
  zero: boolean,
): void {
  for (let j = 0; j < w; j++) {
    const o = dstBase + j * ch;
    const c = srcBase + (p + j) * ch;
    const ai = afterIndex(j, w, p);
    const bi = beforeIndex(j, p);
    if (ai < 0 && bi < 0) {
      // (v + 0) + 0 (+ 0) is v + 0.
      for (let k = 0; k < ch; k++) dst[o + k] = src[c + k] + 0;
      continue;
    }
    const a = srcBase + ai * ch;
    const b = srcBase + bi * ch;
    for (let k = 0; k < ch; k++) {
      dst[o + k] = src[c + k] + (ai < 0 ? 0 : src[a + k]);
      dst[o + k] = dst[o + k] + (bi < 0 ? 0 : src[b + k]);
      if (zero) dst[o + k] = dst[o + k] + 0;
    }
  }
}

/**
 * dx of a reflection padding by p of x [B, H, W, C] from dy [B, H + 2p, W + 2p, C], into dx.
 * Axis 2 folds first (each padded row of dy), then axis 1 (rows with reflected copies add the
 * folds of those rows). Exported for tests; the kernel runs it on views of the wasm heap.
 */
export function reflectionPadGradInto(dy: Float32Array, dyShape: number[], p: number, dx: Float32Array): void {
  const [batch, hp, wp, ch] = dyShape;
  const h = hp - 2 * p;
  const w = wp - 2 * p;
  const rowIn = wp * ch;
  const rowOut = w * ch;
  const centre = new Float32Array(rowOut);
  const copy = new Float32Array(rowOut);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < h; i++) {
      const out = (b * h + i) * rowOut;
      const padded = (r: number) => (b * hp + r) * rowIn;
      const ai = afterIndex(i, h, p);
      const bi = beforeIndex(i, p);
      if (ai < 0 && bi < 0) {
        foldRow(dy, padded(p + i), dx, out, w, p, ch, true);
        continue;
      }
      foldRow(dy, padded(p + i), centre, 0, w, p, ch, false);
      if (ai >= 0) {
        foldRow(dy, padded(ai), copy, 0, w, p, ch, false);
        for (let k = 0; k < rowOut; k++) centre[k] = centre[k] + copy[k];
      } else {
        for (let k = 0; k < rowOut; k++) centre[k] = centre[k] + 0;
      }
      if (bi >= 0) {
        foldRow(dy, padded(bi), copy, 0, w, p, ch, false);
        for (let k = 0; k < rowOut; k++) dx[out + k] = centre[k] + copy[k];
      } else {
        for (let k = 0; k < rowOut; k++) dx[out + k] = centre[k] + 0;
      }
    }
  }
}

function checkPad(p: number, shape: number[], who: string): void {
  if (!Number.isInteger(p) || p < 1) throw new Error(`${who}: pad must be a positive integer, got ${p}`);
  if (shape.length !== 4) throw new Error(`${who}: an NHWC tensor of rank 4 is expected, got shape [${shape}]`);
}

function reflectionPadGradKernel(args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo {
  const dy = args.inputs.dy;
  if (dy == null) throw new Error(`${REFLECTION_PAD_GRAD}: missing input 'dy'`);
  const p = (args.attrs as { pad: number }).pad;
  checkPad(p, dy.shape, REFLECTION_PAD_GRAD);
  if (dy.dtype !== 'float32') throw new Error(`${REFLECTION_PAD_GRAD}: float32 dy expected, got ${dy.dtype}`);
  const [batch, hp, wp, ch] = dy.shape;
  if (hp - 2 * p < p + 1 || wp - 2 * p < p + 1) {
    throw new Error(`${REFLECTION_PAD_GRAD}: dy [${dy.shape}] is too small for pad ${p} (each unpadded size must exceed the pad)`);
  }
  const backend = args.backend as WasmBackendLike;
  const dx = backend.makeOutput([batch, hp - 2 * p, wp - 2 * p, ch], 'float32');
  // Views are taken after the allocation, which may grow (and detach) the heap.
  reflectionPadGradInto(backend.typedArrayFromHeap(dy) as Float32Array, dy.shape, p, backend.typedArrayFromHeap(dx) as Float32Array);
  return dx;
}

/** Registers the backward kernel for the wasm backend. Idempotent. */
export function registerReflectionPadGrad(): void {
  if (tf.getKernel(REFLECTION_PAD_GRAD, WASM) == null) {
    tf.registerKernel({ kernelName: REFLECTION_PAD_GRAD, backendName: WASM, kernelFunc: reflectionPadGradKernel as unknown as KernelFunc });
  }
}

/**
 * x [B, H, W, C] padded by p on axes 1 and 2 by reflection, in two kernels (forward and
 * backward). Returns null where the caller must compose it instead: the current backend has no
 * backward kernel (only wasm has), x is not float32, a gradient of a gradient is being recorded
 * (the backward kernel has no gradient of its own).
 */
export function reflectionPad2d(x: tf.Tensor4D, p: number): tf.Tensor4D | null {
  checkPad(p, x.shape, 'reflectionPad2d');
  const [, h, w] = x.shape;
  if (p >= h || p >= w) throw new Error(`reflectionPad2d: pad ${p} must be smaller than the spatial sizes ${h} x ${w}`);
  const engine = tf.engine() as unknown as EngineState;
  if (tf.getKernel(REFLECTION_PAD_GRAD, tf.getBackend()) == null || x.dtype !== 'float32' || engine.state.gradientDepth > 1) return null;
  const paddings: [number, number][] = [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
  const pad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xIn = args[0] as tf.Tensor4D;
    return {
      value: tf.mirrorPad(xIn, paddings, 'reflect'),
      gradFunc: (dy: tf.Tensor) => {
        if (engine.isTapeOn()) throw new Error('reflectionPad2d: its gradient cannot be differentiated again');
        return tf.engine().runKernel(REFLECTION_PAD_GRAD, { dy }, { pad: p } as unknown as NamedAttrMap) as tf.Tensor;
      },
    };
  });
  // A named op scope: profiles list the op as 'reflectionPad2d__op' around its kernels.
  return tf.op({ reflectionPad2d: pad })(x) as tf.Tensor4D;
}
