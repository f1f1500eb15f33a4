/**
 * Build-on-first-use loader for the claimlab_dnnl Node-API addon (oneDNN convolutions), the
 * same way @claimlab/native builds its OpenBLAS addon: compiled with the system C compiler
 * against node_api.h and libdnnl the first time it is asked for, into the native cache
 * directory under a name keyed by platform, architecture, Node ABI and a hash of the source,
 * written to a temporary file and renamed into place (safe with concurrent builds).
 *
 * Nothing here throws or logs: loadOneDnn() returns null when the addon is disabled or cannot
 * be built or loaded, and lastOneDnnError() says why.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCacheDir } from '@claimlab/native';

/** What info() reports. */
export interface OneDnnInfo {
  /** dnnl_version(), e.g. "2.6.3 (N/A)". */
  version: string;
  /** oneDNN's CPU threading runtime ("openmp" for Debian's build). */
  cpuRuntime: string;
  napiVersion: number;
  /** Convolutions whose primitives are compiled and kept (one per kind, geometry, bias, activation). */
  cachedPrimitives: number;
  /** The instruction set oneDNN's kernels use (dnnl_get_effective_cpu_isa), e.g. "avx2". */
  isa: string;
  /** Why: "default" (capped at AVX2 by the addon, for the same bits on every host) or "ONEDNN_MAX_CPU_ISA". */
  isaSource: string;
}

/** The addon's exports (addon/claimlab_dnnl.c). */
export interface OneDnn {
  /**
   * The NHWC convolution of @claimlab/native's conv2d, with the same arguments (geom =
   * [batch, inH, inW, inC, outH, outW, outC, fh, fw, strideH, strideW, dilationH, dilationW,
   * padTop, padLeft]; kind 0 forward with optional bias and activation, 1 input gradient,
   * 2 filter gradient), on oneDNN. Returns false, writing nothing, when oneDNN has only its
   * reference implementation for the geometry or a size is 0: the caller then uses its
   * other kernel. Throws a TypeError/RangeError on bad arguments.
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
  ): boolean;
  /** The implementation oneDNN picks for a convolution, e.g. "jit:avx2" (creates and caches it). */
  convImpl(kind: 0 | 1 | 2, geom: Int32Array, hasBias: boolean, activation: 0 | 1 | 2 | 3, alpha: number): string;
  /** OpenMP threads of this process (omp_set_num_threads), n >= 1; 1 when the addon loads. */
  setThreads(n: number): void;
  getThreads(): number;
  info(): OneDnnInfo;
}

const ADDON_NAME = 'claimlab_dnnl';
/** Bump when the build recipe changes in a way the source hash does not see. */
const RECIPE_VERSION = '1';
const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The addon's C source. */
export const ONEDNN_SOURCE = path.resolve(HERE, '..', 'addon', `${ADDON_NAME}.c`);
const INSTALL_HINT = 'install a C compiler and oneDNN (Debian: apt-get install -y gcc libdnnl-dev)';

let lastError: string | null = null;
const loaded = new Map<string, OneDnn>();

/** Why the last loadOneDnn() returned null (null after a successful load). */
export function lastOneDnnError(): string | null {
  return lastError;
}

/** True when CLAIMLAB_ONEDNN turns the oneDNN kernels off ("off", "0", "false", "no"). */
export function oneDnnDisabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CLAIMLAB_ONEDNN ?? '').trim().toLowerCase();
  return v === 'off' || v === '0' || v === 'false' || v === 'no';
}

/** The cache file name for this platform, architecture, Node ABI and addon source. */
export function oneDnnFileName(source: string = readFileSync(ONEDNN_SOURCE, 'utf8')): string {
  const hash = createHash('sha256').update(RECIPE_VERSION).update('\0').update(source).digest('hex').slice(0, 12);
  return `${ADDON_NAME}-${process.platform}-${process.arch}-abi${process.versions.modules}-${hash}.node`;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function firstLines(text: string, max = 600): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max)} ...` : t;
}

/** The directory holding node_api.h (Node's own headers first). */
function findNodeInclude(): string | null {
  const dirs = [path.join(path.dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
  return dirs.map((d) => path.resolve(d)).find((d) => existsSync(path.join(d, 'node_api.h'))) ?? null;
}

/** Compiles the addon into `target` via a temporary file renamed into place; returns the command line. */
function compile(target: string): string {
  if (process.platform !== 'linux') throw new Error(`building the oneDNN addon is only set up for Linux, not ${process.platform}`);
  const include = findNodeInclude();
  if (include === null) throw new Error("node_api.h not found; install Node's headers (Debian: libnode-dev)");
  const libs = (process.env.CLAIMLAB_ONEDNN_LIBS ?? '-ldnnl -lgomp').split(/\s+/).filter(Boolean);
  const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const failures: string[] = [];
  try {
    for (const cc of [...new Set([process.env.CC, 'cc', 'gcc'].filter((c): c is string => !!c))]) {
      const args = [
        '-O2',
        '-fPIC',
        '-shared',
        '-std=c11',
        `-DNODE_GYP_MODULE_NAME=${ADDON_NAME}`,
        '-I',
        include,
        '-o',
        tmp,
        ONEDNN_SOURCE,
        ...libs,
      ];
      const r = spawnSync(cc, args, { encoding: 'utf8', timeout: 120_000 });
      const command = `${cc} ${args.map((a) => (a === tmp ? target : a)).join(' ')}`;
      if (r.error) {
        failures.push(`${cc}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : r.error.message}`);
        continue;
      }
      if (r.status === 0 && existsSync(tmp)) {
        renameSync(tmp, target);
        return command;
      }
      failures.push(`${command} -> exit ${r.status}: ${firstLines(r.stderr || r.stdout || '')}`);
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  throw new Error(`could not compile ${path.basename(ONEDNN_SOURCE)}: ${failures.join(' | ')}; ${INSTALL_HINT}`);
}

/** Loads a built addon and checks it with a 1x1 convolution. Throws on failure. */
function loadAddon(file: string): OneDnn {
  const mod = createRequire(import.meta.url)(file) as Partial<OneDnn>;
  for (const fn of ['conv2d', 'convImpl', 'setThreads', 'getThreads', 'info'] as const) {
    if (typeof mod[fn] !== 'function') throw new Error(`${file} does not export ${fn}()`);
  }
  const dnnl = mod as OneDnn;
  // One pixel, 2 channels in, 2 out: [1, 2] @ [[1, 2], [3, 4]] = [7, 10].
  const y = new Float32Array(2);
  const ran = dnnl.conv2d(
    0,
    Int32Array.from([1, 1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 0, 0]),
    new Float32Array([1, 2]),
    new Float32Array([1, 2, 3, 4]),
    y,
    null,
    0,
    0,
  );
  if (ran && (y[0] !== 7 || y[1] !== 10)) throw new Error(`${file}: sanity check failed, got [${Array.from(y).join(', ')}]`);
  return dnnl;
}

/**
 * Builds (unless cached) and loads the addon; throws with the reason on failure.
 * Returns whether this call compiled it, and the compiler command when it did.
 */
export function buildOneDnn(opts: { cacheDir?: string; threads?: number } = {}): { dnnl: OneDnn; path: string; command?: string } {
  const file = path.join(opts.cacheDir ? path.resolve(opts.cacheDir) : defaultCacheDir(), oneDnnFileName());
  const cached = loaded.get(file);
  if (cached) return { dnnl: cached, path: file };
  let command: string | undefined;
  let dnnl: OneDnn | undefined;
  if (existsSync(file)) {
    try {
      dnnl = loadAddon(file);
    } catch {
      rmSync(file, { force: true }); // a stale or broken cached build (e.g. libdnnl removed since): build again
    }
  }
  if (dnnl === undefined) {
    mkdirSync(path.dirname(file), { recursive: true });
    command = compile(file);
    dnnl = loadAddon(file);
  }
  dnnl.setThreads(opts.threads ?? oneDnnThreads());
  loaded.set(file, dnnl);
  return { dnnl, path: file, command };
}

/** CLAIMLAB_ONEDNN_THREADS (OpenMP threads for oneDNN per process), default 1. */
export function oneDnnThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CLAIMLAB_ONEDNN_THREADS;
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new Error(`CLAIMLAB_ONEDNN_THREADS must be an integer from 1 to 256, got '${raw}'. Unset it for the default (1).`);
  return n;
}

/**
 * The oneDNN addon, or null when it is disabled (CLAIMLAB_ONEDNN=off) or cannot be built or
 * loaded; lastOneDnnError() then says why. Never logs. Throws only on a bad
 * CLAIMLAB_ONEDNN_THREADS, a setting to fix rather than a reason to run without oneDNN (as a bad
 * CLAIMLAB_BLAS_THREADS stops the run).
 */
export function loadOneDnn(opts: { cacheDir?: string } = {}): OneDnn | null {
  if (oneDnnDisabledByEnv()) {
    lastError = 'disabled by CLAIMLAB_ONEDNN=off';
    return null;
  }
  const threads = oneDnnThreads();
  try {
    const { dnnl } = buildOneDnn({ ...opts, threads });
    lastError = null;
    return dnnl;
  } catch (e) {
    lastError = errorMessage(e);
    return null;
  }
}
