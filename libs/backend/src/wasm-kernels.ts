/**
 * Kernels the project registers for tfjs-backend-wasm (docs/ARCHITECTURE.md, "Compute backends").
 * What it lacks:
 *  - Conv2DBackpropFilter (without it no conv net trains on wasm): a conv2d of the transposed
 *    input with the transposed output gradient, dilation = stride; an explicit im2col + GEMM
 *    for inputs with few channels.
 * What it does slowly (measured on this build: bench/wasm-kernels-bench.ts):
 *  - BatchMatMul / _FusedMatMul with transpose flags or a batch (a plain loop, 5-20x slower
 *    than the XNNPACK path for a single untransposed product): the flagged operand is
 *    transposed first, a batch against a shared right operand is folded into rows, and
 *    larger batches run one XNNPACK product per entry.
 *  - Conv2DBackpropInput (a plain loop, ~10x slower than the XNNPACK conv2d): a conv2d of
 *    the (zero-dilated, for stride > 1) output gradient with the flipped filter.
 * What it gets wrong:
 *  - MaxPoolGrad (windows whose values are all <= 0): replaced by a JS loop matching cpu.
 * What it does in many calls:
 *  - reflection padding (tf.mirrorPad's gradient drops the border's share, so models composed
 *    it of 24 kernel calls): a backward kernel of its own (reflection-pad.ts).
 *  - a momentum SGD update (four element-wise kernels per variable) and a batch-norm moving
 *    average (three, and a scalar upload): one kernel each (fused-updates.ts), the same float32
 *    operations.
 * What it copies for nothing:
 *  - Identity, and Cast to the same dtype: the engine clones every tensor it saves for a
 *    backward pass through Identity, and differentiates each clone with a Cast; wasm's
 *    kernels copy the data both times (~580 copies in a ResNet-20 step). Tensors are
 *    immutable, so these share the input's data with a reference count, as tfjs-backend-cpu's
 *    Identity and wasm's own Reshape do.
 *  - Slice and SplitV: wasm's Slice reads its whole input out of the heap (readSync, a copy)
 *    to take any slice of it, and SplitV slices through it: a batch of 1,000 images sliced
 *    from a 60,000-image training set copied 188 MB (0.6 s here, 35 s for one accuracy pass
 *    over it). These copy the slice from a view of the heap, the same values.
 *
 * The kernels compose other registered wasm kernels by calling their kernelFuncs directly
 * (not tf ops: those would re-enter the engine from inside a kernel) and release every
 * intermediate with backend.disposeData. Reshapes are done as views ({dataId, shape}) since
 * the wasm kernels used here take the shape from the TensorInfo they are given.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type {
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
  BatchMatMulAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  MaxPoolGradAttrs,
} from '@tensorflow/tfjs';
import { size, WASM, WRAPS, type WasmBackendLike, type Wrapping } from './wasm-backend.ts';
import { fusedUpdatesRegistered, registerFusedUpdates } from './fused-updates.ts';
import { REFLECTION_PAD_GRAD, registerReflectionPadGrad } from './reflection-pad.ts';

/** Marks kernelFuncs registered here (a global symbol, so a second module instance agrees). */
const MARK = Symbol.for('claimlab.wasmKernel');

type Marked = Wrapping & { [MARK]?: true };

function mark(f: KernelFunc): KernelFunc {
  (f as Marked)[MARK] = true;
  return f;
}

/** Whether the registered kernel is one of these, directly or under a wrapper. */
function isOurs(kernelName: string): boolean {
  let f = tf.getKernel(kernelName, WASM)?.kernelFunc as Marked | undefined;
  while (f != null) {
    if (f[MARK] === true) return true;
    f = f[WRAPS] as typeof f;
  }
  return false;
}

/** Runs another registered wasm kernel directly; its result is a fresh TensorInfo the caller owns. */
function run(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap, backend: unknown): TensorInfo {
  const k = tf.getKernel(kernelName, WASM);
  if (k == null) throw new Error(`wasm-kernels: the wasm backend has no '${kernelName}' kernel`);
  const out = k.kernelFunc({ inputs, attrs, backend: backend as tf.KernelBackend });
  if (Array.isArray(out)) throw new Error(`wasm-kernels: '${kernelName}' returned several outputs`);
  return out;
}

/** A required kernel input. */
function input(inputs: NamedTensorInfoMap, name: string, kernelName: string): TensorInfo {
  const t = inputs[name];
  if (t == null) throw new Error(`wasm ${kernelName} (claimlab): missing input '${name}'`);
  return t;
}

function dispose(backend: unknown, t: TensorInfo): void {
  (backend as WasmBackendLike).disposeData(t.dataId);
}

/** A reshaped view of t sharing its data: no copy, must not be disposed separately. */
function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

// ---------------------------------------------------------------------------------------
// Conv2DBackpropFilter

/**
 * dW[kh,kw,ci,co] = sum_{b,oh,ow} x[b, oh*sh + kh - top, ow*sw + kw - left, ci] * dy[b,oh,ow,co]
 * which is a stride-1 conv2d of xT = x transposed to [Ci,H,W,B] (channels as batch, batch
 * as channels) with dyT = dy transposed to [OH,OW,B,Co] as the filter, dilated by the
 * forward stride, padded by (top, left) like the forward pass. The bottom/right padding is
 * chosen so the result covers exactly the filter size when it can; when the forward pass
 * leaves input rows/cols unused (valid padding, stride > 1) the result is larger and is
 * cropped. The result [Ci,fh,fw,Co] is transposed to [fh,fw,Ci,Co].
 */
function conv2DBackpropFilter(args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };
  const x = input(inputs, 'x', tf.Conv2DBackpropFilter);
  const dy = input(inputs, 'dy', tf.Conv2DBackpropFilter);
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`wasm Conv2DBackpropFilter (claimlab): only dataFormat 'NHWC' is supported, got '${dataFormat}'`);
  }
  if (attrs.dilations !== undefined && pair(attrs.dilations).some((d) => d !== 1)) {
    throw new Error(`wasm Conv2DBackpropFilter (claimlab): only dilations 1 are supported, got ${String(attrs.dilations)}`);
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`wasm Conv2DBackpropFilter (claimlab): float32 only, got ${x.dtype} and ${dy.dtype}`);
  }
  if (x.shape.length !== 4 || dy.shape.length !== 4) {
    throw new Error(`wasm Conv2DBackpropFilter (claimlab): x and dy must be rank 4, got [${x.shape}] and [${dy.shape}]`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const [, inH, inW, inC] = x.shape;
  const [, outH, outW, outC] = dy.shape;
  const [fh, fw] = filterShape;
  if (
    info.outHeight !== outH ||
    info.outWidth !== outW ||
    info.outChannels !== outC ||
    info.inChannels !== inC ||
    info.batchSize !== dy.shape[0]
  ) {
    throw new Error(
      `wasm Conv2DBackpropFilter (claimlab): dy shape [${dy.shape}] does not match the forward output ` +
        `[${info.batchSize},${info.outHeight},${info.outWidth},${info.outChannels}] of x [${x.shape}] and filter [${filterShape}]`,
    );
  }
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  if (top < 0 || left < 0) throw new Error(`wasm Conv2DBackpropFilter (claimlab): negative padding is not supported`);
  if (inC <= IM2COL_MAX_IN_CHANNELS) {
    return im2colFilterGrad(backend as WasmBackendLike, x, dy, filterShape, sh, sw, top, left);
  }
  // Rows of xT used by output row kh: kh + oh*sh - top, oh < outH. Covering kh < fh needs
  // (outH-1)*sh + fh rows of padded input.
  const bottom = Math.max(0, (outH - 1) * sh + fh - inH - top);
  const right = Math.max(0, (outW - 1) * sw + fw - inW - left);
  const convH = inH + top + bottom - (outH - 1) * sh;
  const convW = inW + left + right - (outW - 1) * sw;

  const owned: TensorInfo[] = [];
  let r: TensorInfo;
  try {
    const xT = run(tf.Transpose, { x }, { perm: [3, 1, 2, 0] }, backend); // [Ci,H,W,B]
    owned.push(xT);
    const dyT = run(tf.Transpose, { x: dy }, { perm: [1, 2, 0, 3] }, backend); // [OH,OW,B,Co]
    owned.push(dyT);
    r = run(
      tf.Conv2D,
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        dilations: [sh, sw],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      } as unknown as NamedAttrMap,
      backend,
    ); // [Ci, convH, convW, Co]
  } finally {
    for (const t of owned) dispose(backend, t);
  }
  if (convH !== fh || convW !== fw) {
    const cropped = run(tf.Slice, { x: r }, { begin: [0, 0, 0, 0], size: [inC, fh, fw, outC] }, backend);
    dispose(backend, r);
    r = cropped;
  }
  const dW = run(tf.Transpose, { x: r }, { perm: [1, 2, 0, 3] }, backend); // [fh,fw,Ci,Co]
  dispose(backend, r);
  return dW;
}

/**
 * With few input channels (first layers) the conv route has few output pixels (Ci*fh*fw) to
 * spread over and is ~2x slower than an explicit im2col: A[(kh,kw,ci), (b,oh,ow)] filled in
 * JS, then one GEMM A . dy[(b,oh,ow), co] whose [fh*fw*Ci, Co] result is dW's layout.
 */
const IM2COL_MAX_IN_CHANNELS = 4;

function im2colFilterGrad(
  backend: WasmBackendLike,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: [number, number, number, number],
  sh: number,
  sw: number,
  top: number,
  left: number,
): TensorInfo {
  const [batch, inH, inW, inC] = x.shape;
  const [, outH, outW, outC] = dy.shape;
  const [fh, fw] = filterShape;
  const n = batch * outH * outW;
  const m = fh * fw * inC;
  const A = backend.makeOutput([1, m, n], 'float32');
  let dyCopy: TensorInfo | undefined;
  try {
    const a = backend.typedArrayFromHeap(A);
    const xv = backend.typedArrayFromHeap(x);
    a.fill(0);
    for (let kh = 0; kh < fh; kh++) {
      for (let kw = 0; kw < fw; kw++) {
        for (let c = 0; c < inC; c++) {
          const row = ((kh * fw + kw) * inC + c) * n;
          for (let b = 0; b < batch; b++) {
            for (let oh = 0; oh < outH; oh++) {
              const ih = oh * sh + kh - top;
              if (ih < 0 || ih >= inH) continue;
              const dst = row + (b * outH + oh) * outW;
              const src = (b * inH + ih) * inW * inC + c;
              for (let ow = 0; ow < outW; ow++) {
                const iw = ow * sw + kw - left;
                if (iw >= 0 && iw < inW) a[dst + ow] = xv[src + iw * inC];
              }
            }
          }
        }
      }
    }
    // dy goes in as the right operand, whose XNNPACK operator the wasm matmul caches by tensor
    // id regardless of shape (see swapLastTwo): a copy with its own id keeps that cache sound.
    dyCopy = backend.makeOutput([1, n, outC], 'float32');
    backend.typedArrayFromHeap(dyCopy).set(backend.typedArrayFromHeap(dy));
    const r = run(tf.BatchMatMul, { a: A, b: dyCopy }, { transposeA: false, transposeB: false }, backend);
    return { dataId: r.dataId, shape: filterShape.slice(), dtype: r.dtype };
  } finally {
    backend.disposeData(A.dataId);
    if (dyCopy) backend.disposeData(dyCopy.dataId);
  }
}

// ---------------------------------------------------------------------------------------
// Conv2DBackpropInput: the wasm kernel is a plain loop, ~10x slower than the XNNPACK conv2d.

/**
 * dx[b,i,j,ci] = sum_{oh*sh+kh-top = i, ow*sw+kw-left = j} dy[b,oh,ow,co] * W[kh,kw,ci,co],
 * which is a stride-1 conv2d of dy with zeros inserted between rows/cols (stride > 1) and the
 * filter flipped spatially with in/out channels swapped, padded by fh-1-top (top) and
 * fw-1-left (left). Falls back to the original kernel where this does not apply
 * (NCHW, padding larger than filter-1).
 */
function fastConv2DBackpropInput(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const dy = input(inputs, 'dy', tf.Conv2DBackpropInput);
    const filter = input(inputs, 'filter', tf.Conv2DBackpropInput);
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
    if ((dataFormat !== undefined && dataFormat !== 'NHWC') || dy.dtype !== 'float32' || filter.dtype !== 'float32') {
      return original(args);
    }
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const [batch, inH, inW] = inputShape;
    const [fh, fw, , outC] = filter.shape;
    const [, outH, outW] = dy.shape;
    const { strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    const padTop = fh - 1 - top;
    const padLeft = fw - 1 - left;
    if (padTop < 0 || padLeft < 0 || info.outHeight !== outH || info.outWidth !== outW) return original(args);
    // Rows of the zero-inserted dy: outH*sh (the last sh-1 are zeros); rows needed: inH+fh-1.
    let zH = outH * sh;
    let zW = outW * sw;
    let padBottom = inH + fh - 1 - padTop - zH;
    let padRight = inW + fw - 1 - padLeft - zW;
    const owned: TensorInfo[] = [];
    try {
      let z = dy;
      if (sh > 1 || sw > 1) {
        const p = run(
          tf.PadV2,
          { x: view(dy, [batch, outH, 1, outW, 1, outC]) },
          {
            paddings: [
              [0, 0],
              [0, 0],
              [0, sh - 1],
              [0, 0],
              [0, sw - 1],
              [0, 0],
            ],
            constantValue: 0,
          } as unknown as NamedAttrMap,
          backend,
        );
        owned.push(p);
        z = view(p, [batch, zH, zW, outC]);
      }
      if (padBottom < 0 || padRight < 0) {
        // Only trailing inserted zeros (filter smaller than stride) need dropping.
        zH += Math.min(0, padBottom);
        zW += Math.min(0, padRight);
        z = run(tf.Slice, { x: z }, { begin: [0, 0, 0, 0], size: [batch, zH, zW, outC] }, backend);
        owned.push(z);
        padBottom = Math.max(0, padBottom);
        padRight = Math.max(0, padRight);
      }
      const flipped = run(tf.Reverse, { x: filter }, { dims: [0, 1] }, backend);
      owned.push(flipped);
      const f = run(tf.Transpose, { x: flipped }, { perm: [0, 1, 3, 2] }, backend); // [fh,fw,Co,Ci]
      owned.push(f);
      return run(
        tf.Conv2D,
        { x: z, filter: f },
        {
          strides: [1, 1],
          dilations: [1, 1],
          pad: [
            [0, 0],
            [padTop, padBottom],
            [padLeft, padRight],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dimRoundingMode: undefined,
        } as unknown as NamedAttrMap,
        backend,
      );
    } finally {
      for (const t of owned) dispose(backend, t);
    }
  };
}

// ---------------------------------------------------------------------------------------
// Matmul: the wasm kernels are fast (XNNPACK) only for a single, untransposed product; with a
// transpose flag or a batch they fall back to a plain loop (5-20x slower).

/** Below this many multiply-adds per batch entry the per-call overhead beats the loop's gain. */
const LOOP_MIN_MACS = 24 * 1024;

/**
 * The operand with its last two axes swapped, as a fresh tensor (owned: dispose it), or, for
 * the left operand only, as a view when one of those axes has size 1 (the data order is then
 * unchanged). Never a view for the right operand: the wasm matmul caches its XNNPACK operator
 * (packed weights) by the right operand's tensor id alone, not its shape, so the same id seen
 * with another shape would silently reuse an operator of the wrong size.
 */
function swapLastTwo(t: TensorInfo, backend: unknown, allowView: boolean): { t: TensorInfo; owned: boolean } {
  const r = t.shape.length;
  const shape = t.shape.slice();
  [shape[r - 2], shape[r - 1]] = [shape[r - 1], shape[r - 2]];
  if (allowView && (t.shape[r - 1] === 1 || t.shape[r - 2] === 1)) return { t: view(t, shape), owned: false };
  const perm = t.shape.map((_, i) => i);
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return { t: run(tf.Transpose, { x: t }, { perm }, backend), owned: true };
}

/** Entry i of the leading (batch) axis of t, copied into a new tensor of the given shape. */
function copyBatchEntry(backend: WasmBackendLike, t: TensorInfo, i: number, shape: number[]): TensorInfo {
  const n = size(shape);
  const out = backend.makeOutput(shape, 'float32');
  // Views are taken after the allocation, which may grow (and detach) the heap.
  backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(t).subarray(i * n, (i + 1) * n));
  return out;
}

/**
 * Wraps a matmul kernelFunc (inputs a, b, ...; attrs transposeA/B, ...) so it only ever runs
 * untransposed single products: the flagged operand is transposed first; a batch against a
 * shared right operand is folded into rows (one product); other batches (BatchMatMul only:
 * `loop`) are run one product per batch entry and concatenated.
 */
function fastMatMul(original: KernelFunc, fused: boolean): KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as BatchMatMulAttrs;
    const { transposeA, transposeB } = attrs;
    const a = input(args.inputs, 'a', tf.BatchMatMul);
    const b = input(args.inputs, 'b', tf.BatchMatMul);
    const ra = a.shape.length;
    const rb = b.shape.length;
    if (ra < 2 || rb < 2 || ra !== rb || a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    const batchA = size(a.shape.slice(0, -2));
    const batchB = size(b.shape.slice(0, -2));
    const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    // Mismatched inner sizes: let the original report them.
    if (K !== (transposeB ? b.shape[rb - 1] : b.shape[rb - 2])) return original(args);
    const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const batch = size(batchShape);
    const fold = batchA > 1 && batchB === 1 && !(fused && args.inputs.preluActivationWeights != null);
    const loop = !fused && batch > 1 && batchB > 1 && (batchA === 1 || batchA === batchB) && batch === batchB && M * K * N >= LOOP_MIN_MACS;
    // Batched products that are neither folded nor looped run the original's plain loop, which
    // is no faster untransposed: transposing first would only add copies.
    if (!fold && !loop && (batch > 1 || (!transposeA && !transposeB))) return original(args);
    const owned: TensorInfo[] = [];
    const { backend } = args;
    try {
      let a2 = a;
      let b2 = b;
      if (transposeA) {
        const s = swapLastTwo(a, backend, true);
        a2 = s.t;
        if (s.owned) owned.push(s.t);
      }
      if (transposeB) {
        const s = swapLastTwo(b, backend, false);
        b2 = s.t;
        if (s.owned) owned.push(s.t);
      }
      const call = (x: TensorInfo, y: TensorInfo) =>
        original({
          inputs: { ...args.inputs, a: x, b: y },
          attrs: { ...args.attrs, transposeA: false, transposeB: false } as NamedAttrMap,
          backend,
        }) as TensorInfo;
      const outShape = [...batchShape, M, N];
      if (fold) {
        const out = call(view(a2, [1, batchA * M, K]), view(b2, [1, K, N]));
        return { dataId: out.dataId, shape: outShape, dtype: out.dtype };
      }
      if (loop) {
        // One product per batch entry. Operands are copied out with typed-array copies (the
        // wasm Slice kernel reads the whole tensor per call) and results copied into one output.
        const wb = backend as WasmBackendLike;
        const out = wb.makeOutput([batch, M, N], 'float32');
        try {
          for (let i = 0; i < batch; i++) {
            const ai = batchA === 1 ? view(a2, [1, M, K]) : copyBatchEntry(wb, a2, i, [1, M, K]);
            const bi = copyBatchEntry(wb, b2, i, [1, K, N]);
            let ci: TensorInfo;
            try {
              ci = call(ai, bi);
            } finally {
              if (batchA !== 1) dispose(backend, ai);
              dispose(backend, bi);
            }
            wb.typedArrayFromHeap(out).set(wb.typedArrayFromHeap(ci), i * M * N);
            dispose(backend, ci);
          }
        } catch (e) {
          dispose(backend, out);
          throw e;
        }
        return { dataId: out.dataId, shape: outShape, dtype: out.dtype };
      }
      return call(a2, b2);
    } finally {
      for (const t of owned) dispose(backend, t);
    }
  };
}

// ---------------------------------------------------------------------------------------
// MaxPoolGrad: the wasm kernel (tfjs-backend-wasm 4.22, MaxPoolGrad.cc) starts its running max
// at std::numeric_limits<float>::min() (the smallest positive float, not the lowest) and
// keeps the last of equal maxima: windows whose values are all <= 0 send their gradient to
// the wrong element or drop it, so it disagrees with the cpu backend (and TensorFlow). This
// JS version follows the cpu kernel (first strict maximum from -Infinity) and is ~2.5x faster.

function maxPoolGrad(args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo {
  const dy = input(args.inputs, 'dy', tf.MaxPoolGrad);
  const x = input(args.inputs, 'input', tf.MaxPoolGrad);
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || x.shape.length !== 4) {
    throw new Error(`wasm MaxPoolGrad (claimlab): float32 rank-4 input expected, got ${x.dtype} [${x.shape}]`);
  }
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const [batch, inH, inW, ch] = x.shape;
  const { outHeight: outH, outWidth: outW, strideHeight: sh, strideWidth: sw } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const { top, left } = info.padInfo;
  if (dy.shape.join() !== [batch, outH, outW, ch].join()) {
    throw new Error(`wasm MaxPoolGrad (claimlab): dy [${dy.shape}] does not match the pool output [${[batch, outH, outW, ch]}]`);
  }
  const backend = args.backend as WasmBackendLike;
  const dx = backend.makeOutput(x.shape, 'float32');
  const d = backend.typedArrayFromHeap(dx);
  const xv = backend.typedArrayFromHeap(x);
  const g = backend.typedArrayFromHeap(dy);
  d.fill(0);
  const maxVal = new Float32Array(ch);
  const maxAt = new Int32Array(ch);
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const r0 = oh * sh - top;
      const r1 = Math.min(inH, r0 + fh);
      for (let ow = 0; ow < outW; ow++) {
        const c0 = ow * sw - left;
        const c1 = Math.min(inW, c0 + fw);
        maxVal.fill(-Infinity);
        maxAt.fill(-1);
        for (let r = Math.max(0, r0); r < r1; r++) {
          for (let c = Math.max(0, c0); c < c1; c++) {
            const base = ((b * inH + r) * inW + c) * ch;
            for (let k = 0; k < ch; k++) {
              const v = xv[base + k];
              if (v > maxVal[k]) {
                maxVal[k] = v;
                maxAt[k] = base + k;
              }
            }
          }
        }
        const o = ((b * outH + oh) * outW + ow) * ch;
        for (let k = 0; k < ch; k++) if (maxAt[k] >= 0) d[maxAt[k]] += g[o + k];
      }
    }
  }
  return dx;
}

// ---------------------------------------------------------------------------------------
// Slice / SplitV

/**
 * Copies the slice (begin, size) of src (shape `shape`, row-major) into dst. The trailing axes
 * the slice takes whole, with the first one it does not, are one contiguous run per position
 * of the leading axes.
 */
export function copySlice(
  src: Float32Array | Int32Array | Uint8Array,
  shape: number[],
  begin: number[],
  sliceSize: number[],
  dst: Float32Array | Int32Array | Uint8Array,
): void {
  const r = shape.length;
  if (r === 0 || size(sliceSize) === 0) {
    if (r === 0) dst.set(src.subarray(0, 1));
    return;
  }
  const strides = new Array<number>(r);
  strides[r - 1] = 1;
  for (let i = r - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  let k = r - 1;
  let run = sliceSize[k];
  while (k > 0 && sliceSize[k] === shape[k]) run *= sliceSize[--k];
  // Odometer over the leading axes 0..k-1.
  const index = new Array<number>(k).fill(0);
  const base = begin.reduce((o, b, i) => o + b * strides[i], 0);
  for (let out = 0; out < dst.length; out += run) {
    let offset = base;
    for (let i = 0; i < k; i++) offset += index[i] * strides[i];
    dst.set(src.subarray(offset, offset + run), out);
    for (let i = k - 1; i >= 0 && ++index[i] === sliceSize[i]; i--) index[i] = 0;
  }
}

/** x[begin : begin + size] (size -1: to the end of the axis) from a view of the heap. */
function sliceFromHeap(backend: WasmBackendLike, x: TensorInfo, begin: number[], sliceSize: number[]): TensorInfo {
  const out = backend.makeOutput(sliceSize, x.dtype);
  // Views are taken after the allocation, which may grow (and detach) the heap.
  if (size(sliceSize) > 0) copySlice(backend.typedArrayFromHeap(x), x.shape, begin, sliceSize, backend.typedArrayFromHeap(out));
  return out;
}

function slice(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = input(args.inputs, 'x', 'Slice');
    if (x.dtype === 'string') return original(args);
    const { begin, size: sliceSize } = args.attrs as unknown as tf.SliceAttrs;
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, sliceSize);
    return sliceFromHeap(args.backend as unknown as WasmBackendLike, x, b, s);
  };
}

function splitV(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = input(args.inputs, 'x', 'SplitV');
    if (x.dtype === 'string') return original(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const a = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, a);
    const begin = x.shape.map(() => 0);
    return sizes.map((s) => {
      const piece = x.shape.slice();
      piece[a] = s;
      const out = sliceFromHeap(args.backend as unknown as WasmBackendLike, x, begin, piece);
      begin[a] += s;
      return out;
    });
  };
}

// ---------------------------------------------------------------------------------------
// Identity / same-dtype Cast

/** The output shares x's data (a reference, counted); strings keep the original copy. */
function shareData(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = input(args.inputs, 'x', 'Identity/Cast');
    const dtype = (args.attrs as { dtype?: string } | undefined)?.dtype ?? x.dtype;
    if (x.dtype === 'string' || dtype !== x.dtype) return original(args);
    (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** Original (unwrapped) wasm kernelFuncs, for benchmarks and tests. */
export const originalWasmKernels: Partial<Record<string, KernelFunc>> = {};

function wrap(kernelName: string, make: (original: KernelFunc) => KernelFunc): void {
  if (isOurs(kernelName)) return;
  const original = tf.getKernel(kernelName, WASM);
  if (original == null) throw new Error(`wasm-kernels: the wasm backend has no '${kernelName}' kernel to wrap`);
  originalWasmKernels[kernelName] = original.kernelFunc;
  tf.unregisterKernel(kernelName, WASM);
  tf.registerKernel({
    kernelName,
    backendName: WASM,
    // The original's setup still has to run when the backend initialises after this call.
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc: mark(make(original.kernelFunc)),
  });
}

/**
 * Registers the project's wasm kernels. Idempotent; call before or after the wasm backend
 * is initialised (selectBackend does, before tf.setBackend('wasm')).
 */
export function registerWasmKernels(): void {
  wrap(tf.BatchMatMul, (k) => fastMatMul(k, false));
  wrap(tf._FusedMatMul, (k) => fastMatMul(k, true));
  wrap(tf.Conv2DBackpropInput, fastConv2DBackpropInput);
  wrap(tf.MaxPoolGrad, () => maxPoolGrad as unknown as KernelFunc);
  wrap(tf.Identity, shareData);
  wrap(tf.Cast, shareData);
  wrap(tf.Slice, slice);
  wrap(tf.SplitV, splitV);
  registerFusedUpdates();
  registerReflectionPadGrad();
  if (!isOurs(tf.Conv2DBackpropFilter)) {
    if (tf.getKernel(tf.Conv2DBackpropFilter, WASM) != null) tf.unregisterKernel(tf.Conv2DBackpropFilter, WASM);
    tf.registerKernel({
      kernelName: tf.Conv2DBackpropFilter,
      backendName: WASM,
      kernelFunc: mark(conv2DBackpropFilter as unknown as KernelFunc),
    });
  }
}

/** Which kernels registerWasmKernels has put in place (for provenance and tests). */
export function wasmKernelsRegistered(): string[] {
  const ours = [
    tf.Conv2DBackpropFilter,
    tf.Conv2DBackpropInput,
    tf.MaxPoolGrad,
    tf.BatchMatMul,
    tf._FusedMatMul,
    tf.Identity,
    tf.Cast,
    tf.Slice,
    tf.SplitV,
  ].filter(isOurs);
  const added = tf.getKernel(REFLECTION_PAD_GRAD, WASM) != null ? [REFLECTION_PAD_GRAD] : [];
  return [...ours, ...added, ...fusedUpdatesRegistered()];
}
