import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerFastGradients } from './gradients.ts';
import { loadNativeBlas, lastNativeError, type NativeBlasInfo } from '@claimlab/native';
import { lastOneDnnError, loadOneDnn, ONEDNN_MAX_CHANNELS, withOneDnnConvolutions } from '@claimlab/onednn';
import { nativeWasmKernelsRegistered, registerNativeWasmKernels } from './native-kernels.ts';
import { registerWasmKernels } from './wasm-kernels.ts';
import {
  nativeBlasFallbackLog,
  nativeBlasReason,
  oneDnnFallbackLog,
  oneDnnReason,
  tensorflowFallbackLog,
  verboseFromEnv,
} from './fallback-log.ts';

/** Compute backends, fastest first (docs/ARCHITECTURE.md, "Compute backends"). */
export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendInfo {
  /** tfjs backend name actually in use. */
  name: BackendName;
  /** The package that provided it, e.g. "@tensorflow/tfjs-node-gpu". */
  provider: string;
  /** Why faster rungs were skipped, one line each. */
  skipped: string[];
  /**
   * The native BLAS under the wasm backend's matmuls and convolutions (null: none, see
   * `skipped` for why). Results depend on it in the last bits: it is part of "same backend".
   */
  native?: NativeBlasProvenance | null;
}

/** How provenance records the native path: the addon's NativeBlasInfo in short, and the kernels routed to it. */
export interface NativeBlasProvenance {
  /** NativeBlasInfo.config, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ...". */
  library: NativeBlasInfo['config'];
  /** NativeBlasInfo.corename: the kernel set OpenBLAS picked for this CPU, e.g. "Haswell". */
  core: NativeBlasInfo['corename'];
  threads: NativeBlasInfo['threads'];
  /** The wasm kernels routed to it. */
  kernels: string[];
  /**
   * oneDNN under the convolution kernels (libs/onednn) for convolutions of at most `maxChannels`
   * input and output channels, or null when it is off or unavailable (`skipped` says why).
   */
  onednn: { version: string; isa: string; threads: number; maxChannels: number } | null;
}

let selected: BackendInfo | null = null;

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

async function tryNative(): Promise<{ provider: string } | { error: string }> {
  const errors: string[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    try {
      // Present in node_modules is not enough: the package can lack libtensorflow
      // (install script not run or failed) or CUDA libraries; only a real load tells.
      await import(pkg);
      if (await tf.setBackend('tensorflow')) return { provider: pkg };
      errors.push(`${pkg}: loaded but backend 'tensorflow' did not initialise`);
    } catch (e) {
      errors.push(`${pkg}: ${firstLine(e)}`);
    }
  }
  return { error: errors.join('; ') };
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 200);
}

/**
 * OpenBLAS threads per process: CLAIMLAB_BLAS_THREADS, default 1. OpenBLAS results differ in
 * the last bits between thread counts (measured: some product shapes), so the count must not
 * follow the number of sweep workers, or a serial run would differ from a parallel one; one
 * thread per process, with sweeps spreading arms over the cores, keeps them identical.
 * The bench sets it to the number of cores for its single-process rows.
 */
export function blasThreads(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.CLAIMLAB_BLAS_THREADS;
  if (v === undefined || v.trim() === '') return 1;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new Error(`CLAIMLAB_BLAS_THREADS must be an integer from 1 to 256, got '${v}'. Unset it for the default (1).`);
  }
  return n;
}

/**
 * Routes the wasm backend's matmuls and convolutions to OpenBLAS when the native addon
 * builds or is cached (libs/native; off with CLAIMLAB_NATIVE=off), and its convolutions of up
 * to ONEDNN_MAX_CHANNELS channels to oneDNN when that addon builds too (libs/onednn; off with
 * CLAIMLAB_ONEDNN=off). Returns why not otherwise; `onednnError` gets why oneDNN is not used.
 */
function enableNativeBlas(onednnError: (reason: string) => void): NativeBlasProvenance | string {
  const threads = blasThreads();
  const blas = loadNativeBlas();
  if (blas === null) return lastNativeError() ?? 'native BLAS unavailable';
  blas.setThreads(threads);
  const dnnl = loadOneDnn();
  if (dnnl === null) onednnError(lastOneDnnError() ?? 'oneDNN unavailable');
  registerNativeWasmKernels(dnnl === null ? blas : withOneDnnConvolutions(blas, dnnl));
  const info = blas.info();
  return {
    library: info.config,
    core: info.corename,
    threads: info.threads,
    kernels: nativeWasmKernelsRegistered(),
    onednn:
      dnnl === null
        ? null
        : { version: dnnl.info().version, isa: dnnl.info().isa, threads: dnnl.getThreads(), maxChannels: ONEDNN_MAX_CHANNELS },
  };
}

async function trySet(name: 'wasm' | 'cpu'): Promise<string | null> {
  try {
    if (name === 'wasm') registerWasmKernels();
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok ? null : `tf.setBackend('${name}') returned false`;
  } catch (e) {
    return firstLine(e);
  }
}

/** Parses a backend name from a flag or CLAIMLAB_BACKEND; undefined means "use the ladder". */
export function parseBackendName(value: string | undefined, source: string): BackendName | undefined {
  if (value === undefined || value === '' || value === 'auto') return undefined;
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`Unknown backend '${value}' from ${source}. Use one of: auto, ${BACKENDS.join(', ')}.`);
}

/**
 * Selects the compute backend once per process: the forced one when given
 * (flag, else CLAIMLAB_BACKEND), otherwise the first rung of the ladder that loads.
 * A forced backend that cannot load is an error, never a silent fallback. A skipped rung is one
 * log line with its reason in a few words; `verbose` (default: CLAIMLAB_VERBOSE) adds the full
 * compiler or loader output.
 */
export async function selectBackend(
  forced?: BackendName,
  log: (line: string) => void = (l) => console.error(l),
  opts: { verbose?: boolean } = {},
): Promise<BackendInfo> {
  const verbose = opts.verbose ?? verboseFromEnv();
  const want = forced ?? parseBackendName(process.env.CLAIMLAB_BACKEND, 'CLAIMLAB_BACKEND');
  if (selected) {
    if (want && want !== selected.name) {
      throw new Error(`Backend already selected as '${selected.name}' in this process; cannot switch to '${want}'.`);
    }
    return selected;
  }
  registerFastGradients();
  const skipped: string[] = [];
  if (want === 'tensorflow' || want === undefined) {
    const r = await tryNative();
    if ('provider' in r) return (selected = { name: 'tensorflow', provider: r.provider, skipped });
    if (want === 'tensorflow') {
      throw new Error(
        `Backend 'tensorflow' was requested but could not be loaded (${r.error}). ` +
          `Install it with 'npm install @tensorflow/tfjs-node-gpu' (CUDA 11.2 + cuDNN 8.1) or '@tensorflow/tfjs-node', ` +
          `and allow its install script ('npm rebuild @tensorflow/tfjs-node-gpu'), or choose --backend wasm.`,
      );
    }
    skipped.push(`tensorflow: ${r.error}`);
    log(tensorflowFallbackLog(r.error, verbose));
  }
  for (const name of ['wasm', 'cpu'] as const) {
    if (want !== undefined && want !== name) continue;
    const err = await trySet(name);
    if (err === null) {
      if (name === 'cpu') return (selected = { name, provider: '@tensorflow/tfjs-backend-cpu', skipped });
      const native = enableNativeBlas((error) => {
        skipped.push(`oneDNN: ${oneDnnReason(error)}`);
        log(oneDnnFallbackLog(error, verbose));
      });
      if (typeof native === 'string') {
        // The reason in a few words: the full compiler output (command lines, paths) is for the log only.
        skipped.push(`native BLAS: ${nativeBlasReason(native)}`);
        log(nativeBlasFallbackLog(native, verbose));
        return (selected = { name, provider: '@tensorflow/tfjs-backend-wasm', skipped, native: null });
      }
      const provider =
        `@tensorflow/tfjs-backend-wasm + ${native.library.split(' ').slice(0, 2).join(' ')} (${native.core}, ${native.threads} threads)` +
        (native.onednn ? ` + oneDNN ${native.onednn.version.split(' ')[0]} (${native.onednn.isa}, ${native.onednn.threads} threads)` : '');
      return (selected = { name, provider, skipped, native });
    }
    if (want === name) throw new Error(`Backend '${name}' was requested but failed to initialise: ${err}`);
    skipped.push(`${name}: ${err}`);
    log(`[claimlab] backend '${name}' failed to initialise, trying the next one (${err})`);
  }
  throw new Error(`No compute backend could be initialised: ${skipped.join('; ')}`);
}

/** The backend chosen by selectBackend; throws if none was selected yet. */
export function currentBackend(): BackendInfo {
  if (!selected) throw new Error('No backend selected yet: call selectBackend() first.');
  return selected;
}

export { tf };
