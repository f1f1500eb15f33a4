/**
 * What the project's wasm kernels (wasm-kernels.ts) and their native replacements
 * (native-kernels.ts) share: the backend's name, the part of BackendWasm they use, and the
 * marker by which a wrapping kernel names the kernel it wraps.
 */
import type { DataType, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

export const WASM = 'wasm';

/** The part of tfjs-backend-wasm's BackendWasm the kernels use. */
export interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  /** Counts one more reference to the data (a kernel returning its input's dataId). */
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  /** A view of the tensor's memory on the wasm heap; invalid after the next allocation. */
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Set on a kernelFunc that wraps another: the one it wraps (a global symbol, so a second module instance agrees). */
export const WRAPS = Symbol.for('claimlab.wrapsKernel');

export type Wrapping = KernelFunc & { [WRAPS]?: KernelFunc };

export const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);
