/**
 * Build-on-first-use loader for the claimlab_blas Node-API addon (OpenBLAS sgemm).
 *
 * npm 11 skips install scripts that are not allow-listed, so the addon is compiled the first
 * time it is asked for: with the system C compiler against node_api.h and libopenblas, into
 * a cache directory keyed by platform, architecture, Node ABI and a hash of the source.
 * The compiler writes a temporary file that is then renamed into place, so two processes
 * building at once both end up loading a complete file.
 *
 * Nothing here throws or logs: every failure (disabled, no compiler, no headers, no
 * OpenBLAS, a load error) makes loadNativeBlas() return null and leaves the reason in
 * lastNativeError().
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What info() reports about the linked BLAS. */
export interface NativeBlasInfo {
  /** openblas_get_config(), e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64". */
  config: string;
  /** openblas_get_corename(), the kernel set chosen for this CPU, e.g. "Haswell". */
  corename: string;
  /** openblas_get_parallel(): "sequential", "pthreads" or "openmp". */
  parallel: string;
  /** openblas_get_num_threads() at the time of the call. */
  threads: number;
  /** The Node-API version the addon was built against. */
  napiVersion: number;
}

/** The addon's exports. */
export interface NativeBlas {
  /**
   * C = alpha * op(A) @ op(B) + beta * C, row-major, op(X) = X^T when its flag is set.
   * op(A) is M x K, op(B) is K x N, C is M x N. A is stored M x K (K x M when transA) with
   * row stride lda; B is stored K x N (N x K when transB) with row stride ldb; C has row
   * stride ldc. Works on the arrays' memory in place (subarray views included); throws a
   * TypeError/RangeError on bad types, sizes, strides or when C overlaps A or B.
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: Float32Array,
    lda: number,
    B: Float32Array,
    ldb: number,
    beta: number,
    C: Float32Array,
    ldc: number,
  ): void;
  /**
   * NHWC convolution through im2col / col2im and sgemm, on Float32Array memory in place.
   * geom = [batch, inH, inW, inC, outH, outW, outC, fh, fw, strideH, strideW, dilationH,
   * dilationW, padTop, padLeft]. kind 0: out = conv(A = x, B = filter [fh,fw,inC,outC]),
   * then + bias[outC] (or null) and the activation (0 linear, 1 relu, 2 relu6, 3 leaky relu
   * with alpha); kind 1: out = dx from A = dy and B = filter; kind 2: out = dW from A = x,
   * B = dy. Throws a TypeError/RangeError on bad types, sizes or overlapping memory.
   */
  conv2d(
    kind: 0 | 1 | 2,
    geom: Int32Array,
    A: Float32Array,
    B: Float32Array,
    out: Float32Array,
    bias: Float32Array | null,
    activation: 0 | 1 | 2 | 3,
    alpha: number,
  ): void;
  /** out[j] = scale * sum_i x[i * cols + j] (double accumulation, fixed order). */
  sumRows(x: Float32Array, rows: number, cols: number, out: Float32Array, scale: number): void;
  /**
   * Gradients of FusedBatchNorm per channel (the last axis, `cols`), mean and variance taken
   * as inputs: dx = dy * r * scale, doffset = sum dy, dscale = r * sum dy (x - mean),
   * dmean = -r * scale * sum dy, dvar = -r^3 / 2 * scale * sum dy (x - mean), with
   * r = 1 / sqrt(variance + eps); one pass, sums in double; scale null means 1.
   */
  batchNormGrad(
    x: Float32Array,
    dy: Float32Array,
    rows: number,
    cols: number,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    eps: number,
    dx: Float32Array,
    dmean: Float32Array,
    dvar: Float32Array,
    dscale: Float32Array,
    doffset: Float32Array,
  ): void;
  /** Per channel (last axis): mean and biased variance (tf.moments), two passes, sums in double. */
  moments(x: Float32Array, rows: number, cols: number, mean: Float32Array, variance: Float32Array): void;
  /** y = (x - mean) * scale / sqrt(variance + eps) + offset per channel; scale / offset null mean 1 / 0. */
  batchNorm(
    x: Float32Array,
    rows: number,
    cols: number,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    offset: Float32Array | null,
    eps: number,
    y: Float32Array,
  ): void;
  /**
   * Gradients of y = batchNorm(x, moments(x), scale, offset): the batch statistics are
   * differentiated too. With r = 1 / sqrt(variance + eps), S1 = sum dy, S2 = sum dy (x - mean):
   * dx = scale r (dy - S1 / rows - (x - mean) r^2 S2 / rows), dscale = r S2, doffset = S1.
   */
  batchNormTrainingGrad(
    x: Float32Array,
    dy: Float32Array,
    rows: number,
    cols: number,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    eps: number,
    dx: Float32Array,
    dscale: Float32Array,
    doffset: Float32Array,
  ): void;
  /**
   * C = op(A) @ op(B) in float64, row-major and contiguous: A stored M x K (K x M when transA),
   * B stored K x N (N x K when transB), C M x N, overwritten (must not overlap A or B).
   */
  dgemm(transA: boolean, transB: boolean, M: number, N: number, K: number, A: Float64Array, B: Float64Array, C: Float64Array): void;
  /**
   * Eigenvalues (ascending, into w, d elements) and, when wantVectors, orthonormal eigenvectors of
   * the symmetric d x d row-major matrix a, by LAPACK's dsyevd; only a's lower triangle is read.
   * a is overwritten: with wantVectors, row k holds the eigenvector of w[k]. Throws a RangeError
   * when dsyevd fails (info != 0), a TypeError / RangeError on bad arguments.
   */
  symmetricEigen(a: Float64Array, d: number, wantVectors: boolean, w: Float64Array): void;
  /**
   * One variable's optimizer or moving-average update in one pass, in tfjs's float32 operations
   * and order (the formulas: @claimlab/backend's fused-updates.ts). kind 0 momentum (params
   * [m, -lr, nesterov]; in w, a, g; out w', a'), 1 Adam ([b1, 1-b1, b2, 1-b2, 1-b1^t, 1-b2^t,
   * eps, -lr]; w, m, v, g; w', m', v'), 2 RMSProp ([decay, 1-decay, momentum, lr, eps]; w, s,
   * a, g; w', s', a'), 3 moving average ([1-momentum]; v, x; v'). Unused arrays are null;
   * every array has in0's length; outputs must not share memory with the other arrays.
   */
  update(
    kind: 0 | 1 | 2 | 3,
    params: Float32Array,
    in0: Float32Array,
    in1: Float32Array,
    in2: Float32Array | null,
    in3: Float32Array | null,
    out0: Float32Array,
    out1: Float32Array | null,
    out2: Float32Array | null,
  ): void;
  /** openblas_set_num_threads(n), n >= 1. Process-wide. */
  setThreads(n: number): void;
  /** openblas_get_num_threads(). */
  getThreads(): number;
  info(): NativeBlasInfo;
}

export interface LoadNativeBlasOptions {
  /** Compile the addon when no cached build exists (default true). */
  build?: boolean;
  /** Cache directory; default CLAIMLAB_NATIVE_CACHE, else <repo>/node_modules/.cache/claimlab-native. */
  cacheDir?: string;
}

export interface BuildResult {
  /** Path of the loaded .node file. */
  path: string;
  /** True when this call compiled it, false when it came from the cache. */
  built: boolean;
  /** The compiler command line used (when built). */
  command?: string;
}

const ADDON_NAME = 'claimlab_blas';
/** Bump when the build recipe changes in a way the source hash does not see. */
const RECIPE_VERSION = '2';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..', '..');
/** The addon's C source. */
export const ADDON_SOURCE = path.resolve(HERE, '..', 'addon', `${ADDON_NAME}.c`);

let lastError: string | null = null;
let lastResult: BuildResult | null = null;
const loaded = new Map<string, NativeBlas>();

/** Why the last loadNativeBlas() returned null (null after a successful load). */
export function lastNativeError(): string | null {
  return lastError;
}

/** Where the last successful loadNativeBlas() got its addon from. */
export function lastNativeBuild(): BuildResult | null {
  return lastResult;
}

/** True when CLAIMLAB_NATIVE turns the native path off ("off", "0", "false", "no"). */
export function nativeDisabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CLAIMLAB_NATIVE ?? '').trim().toLowerCase();
  return v === 'off' || v === '0' || v === 'false' || v === 'no';
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CLAIMLAB_NATIVE_CACHE;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  return path.join(REPO_ROOT, 'node_modules', '.cache', 'claimlab-native');
}

/** The cache file name for this platform, architecture, Node ABI and addon source. */
export function addonFileName(source: string = readFileSync(ADDON_SOURCE, 'utf8')): string {
  const hash = createHash('sha256').update(RECIPE_VERSION).update('\0').update(source).digest('hex').slice(0, 12);
  return `${ADDON_NAME}-${process.platform}-${process.arch}-abi${process.versions.modules}-${hash}.node`;
}

function firstLines(text: string, max = 600): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max)} ...` : t;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Directories holding node_api.h, most specific first. */
function nodeIncludeCandidates(): string[] {
  const dirs = [
    path.join(path.dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
    path.join(os.homedir(), '.cache', 'node-gyp', process.versions.node, 'include', 'node'),
  ];
  return [...new Set(dirs.map((d) => path.resolve(d)))];
}

function findNodeInclude(): string | null {
  for (const dir of nodeIncludeCandidates()) {
    if (existsSync(path.join(dir, 'node_api.h'))) return dir;
  }
  return null;
}

function splitFlags(s: string | undefined): string[] {
  return (s ?? '').split(/\s+/).filter((x) => x !== '');
}

/**
 * Compiles the addon into `target` (via a temporary file renamed into place).
 * Returns the command line used; throws with a readable reason on failure.
 */
function compile(target: string): string {
  if (process.platform === 'win32') throw new Error('building the native addon is not supported on Windows');
  const include = findNodeInclude();
  if (include === null) {
    throw new Error(
      `node_api.h not found (looked in ${nodeIncludeCandidates().join(', ')}); install Node's headers (Debian: nodejs-dev or libnode-dev)`,
    );
  }
  const compilers = [...new Set([process.env.CC, 'cc', 'gcc', 'clang'].filter((c): c is string => !!c))];
  // CLAIMLAB_OPENBLAS_LIBS overrides how OpenBLAS is linked (e.g. "-L/opt/openblas/lib -lopenblas").
  const linkChoices: string[][] = process.env.CLAIMLAB_OPENBLAS_LIBS
    ? [splitFlags(process.env.CLAIMLAB_OPENBLAS_LIBS)]
    : process.platform === 'linux'
      ? [['-lopenblas'], ['-l:libopenblas.so.0']] // the latter works without libopenblas-dev's .so link
      : [['-lopenblas']];
  const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const failures: string[] = [];
  try {
    for (const cc of compilers) {
      for (const libs of linkChoices) {
        const args = [
          '-O2',
          '-fPIC',
          '-shared',
          '-std=c11',
          `-DNODE_GYP_MODULE_NAME=${ADDON_NAME}`,
          '-I',
          include,
          ...splitFlags(process.env.CLAIMLAB_NATIVE_CFLAGS),
          '-o',
          tmp,
          ADDON_SOURCE,
          ...libs,
          ...(process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : []),
        ];
        const r = spawnSync(cc, args, { encoding: 'utf8', timeout: 120_000 });
        const command = `${cc} ${args.map((a) => (a === tmp ? target : a)).join(' ')}`;
        if (r.error) {
          const code = (r.error as NodeJS.ErrnoException).code;
          failures.push(code === 'ENOENT' ? `${cc}: not found` : `${cc}: ${r.error.message}`);
          break; // this compiler cannot run at all: next compiler
        }
        if (r.status === 0 && existsSync(tmp)) {
          renameSync(tmp, target);
          return command;
        }
        failures.push(`${command} -> exit ${r.status}: ${firstLines(r.stderr || r.stdout || '')}`);
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  const hint = 'install a C compiler and OpenBLAS (Debian: apt-get install -y gcc libopenblas-dev)';
  throw new Error(`could not compile ${path.basename(ADDON_SOURCE)}: ${failures.join(' | ')}; ${hint}`);
}

/** Loads a built addon and checks it with a tiny product. Throws on failure. */
function loadAddon(file: string): NativeBlas {
  const require = createRequire(import.meta.url);
  const mod = require(file) as Partial<NativeBlas>;
  for (const fn of [
    'sgemm',
    'conv2d',
    'sumRows',
    'batchNormGrad',
    'moments',
    'batchNorm',
    'batchNormTrainingGrad',
    'setThreads',
    'getThreads',
    'info',
  ] as const) {
    if (typeof mod[fn] !== 'function') throw new Error(`${file} does not export ${fn}()`);
  }
  const blas = mod as NativeBlas;
  const c = new Float32Array(4);
  blas.sgemm(false, true, 2, 2, 2, 1, new Float32Array([1, 2, 3, 4]), 2, new Float32Array([5, 6, 7, 8]), 2, 0, c, 2);
  // [[1,2],[3,4]] @ [[5,6],[7,8]]^T = [[17,23],[39,53]]
  if (c[0] !== 17 || c[1] !== 23 || c[2] !== 39 || c[3] !== 53) {
    throw new Error(`${file}: sanity check failed, got [${Array.from(c).join(', ')}]`);
  }
  return blas;
}

/**
 * Builds (unless cached) and loads the addon; throws with the reason on failure.
 * Most callers want loadNativeBlas(), which never throws.
 */
export function buildNativeBlas(opts: LoadNativeBlasOptions = {}): { blas: NativeBlas; result: BuildResult } {
  const build = opts.build ?? true;
  const dir = opts.cacheDir ? path.resolve(opts.cacheDir) : defaultCacheDir();
  if (!existsSync(ADDON_SOURCE)) throw new Error(`addon source missing: ${ADDON_SOURCE}`);
  const file = path.join(dir, addonFileName());
  const cached = loaded.get(file);
  if (cached) return { blas: cached, result: { path: file, built: false } };
  let cacheError: string | null = null;
  if (existsSync(file)) {
    try {
      const blas = loadAddon(file);
      loaded.set(file, blas);
      return { blas, result: { path: file, built: false } };
    } catch (e) {
      // A stale or broken cached file (e.g. OpenBLAS removed since): rebuild when allowed.
      cacheError = `cached ${file} failed to load: ${firstLines(errorMessage(e))}`;
      if (!build) throw new Error(cacheError);
    }
  } else if (!build) {
    throw new Error(`no cached build at ${file} and building was not requested`);
  }
  try {
    mkdirSync(dir, { recursive: true });
    const command = compile(file);
    const blas = loadAddon(file);
    loaded.set(file, blas);
    return { blas, result: { path: file, built: true, command } };
  } catch (e) {
    const msg = errorMessage(e);
    throw new Error(cacheError ? `${cacheError}; rebuild: ${msg}` : msg);
  }
}

/**
 * The native BLAS addon, or null when it is disabled (CLAIMLAB_NATIVE=off) or cannot be
 * built or loaded; lastNativeError() then says why. Never throws, never logs.
 */
export function loadNativeBlas(opts: LoadNativeBlasOptions = {}): NativeBlas | null {
  if (nativeDisabledByEnv()) {
    lastError = 'disabled by CLAIMLAB_NATIVE=off';
    return null;
  }
  try {
    const { blas, result } = buildNativeBlas(opts);
    lastError = null;
    lastResult = result;
    return blas;
  } catch (e) {
    lastError = errorMessage(e);
    return null;
  }
}
