/**
 * FID's linear algebra at Inception-v3's d = 2,048 (issue 19): the covariances of two feature
 * sets (gaussianStats) and Tr sqrt(S1 S2) (traceSqrtProduct), with libs/metrics' 'native' path
 * (OpenBLAS dgemm, LAPACK dsyevd) and its 'js' path (loops, Jacobi), against numpy / scipy as
 * pytorch-fid computes it (np.cov, scipy.linalg.sqrtm(S1 @ S2)) when a Python with numpy is found
 * (CLAIMLAB_PYTHON, /usr/bin/python3, python3). Not a test; prints seconds per part and writes
 * results/bench/fid-linalg.csv.
 *   npx tsx bench/fid-linalg.ts [--n 10000] [--dims 256,512,2048] [--js-max 512]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { Rng, writeFileAtomic } from '@claimlab/core';
import { loadNativeBlas, lastNativeError } from '@claimlab/native';
import { gaussianStats, traceSqrtProduct, type Linalg } from '@claimlab/metrics';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' },
    dims: { type: 'string', default: '256,512,2048' },
    'js-max': { type: 'string', default: '512' },
  },
});
const n = Number(values.n);
const dims = values.dims!.split(',').map(Number);
const jsMax = Number(values['js-max']);
if (![n, jsMax, ...dims].every((v) => Number.isInteger(v) && v > 0)) throw new Error('--n, --dims and --js-max take positive integers');
const blas = loadNativeBlas();
if (blas === null) throw new Error(`native BLAS unavailable: ${lastNativeError()}`);
blas.setThreads(1); // as the experiments run

/** n samples of d correlated features (a random linear map of Gaussian noise), float32 like network activations. */
function features(d: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const k = Math.min(d, 64);
  const mix = rng.normalArray(k * d);
  const out = new Float32Array(n * d);
  const z = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) z[j] = rng.normal();
    for (let f = 0; f < d; f++) {
      let v = 0.1 * rng.normal();
      for (let j = 0; j < k; j++) v += z[j] * mix[j * d + f];
      out[i * d + f] = v;
    }
  }
  return out;
}

const python = [process.env.CLAIMLAB_PYTHON, '/usr/bin/python3', 'python3'].find((p) => {
  if (!p) return false;
  try {
    execFileSync(p, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
// pytorch-fid's calculate_frechet_distance core: np.cov and scipy.linalg.sqrtm (numpy eigh when scipy is missing).
const PEER = `
import sys, time, numpy as np
n, d = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
x1 = rng.standard_normal((n, d)).astype(np.float32); x2 = rng.standard_normal((n, d)).astype(np.float32)
t = time.perf_counter(); s1 = np.cov(x1, rowvar=False); s2 = np.cov(x2, rowvar=False); stats = time.perf_counter() - t
t = time.perf_counter()
try:
    import scipy.linalg
    tr = np.trace(scipy.linalg.sqrtm(s1.dot(s2), disp=False)[0].real); how = 'scipy.linalg.sqrtm(S1 S2)'
except ImportError:
    w, v = np.linalg.eigh(s1); r = (v * np.sqrt(np.maximum(w, 0))) @ v.T
    tr = np.sqrt(np.maximum(np.linalg.eigvalsh(r @ s2 @ r), 0)).sum(); how = 'numpy eigh (scipy missing)'
print(stats, time.perf_counter() - t, how)
`;

const rows: Record<string, string | number>[] = [];
for (const d of dims) {
  const x1 = features(d, 1);
  const x2 = features(d, 2);
  const paths: Linalg[] = d <= jsMax ? ['native', 'js'] : ['native'];
  for (const linalg of paths) {
    let t = performance.now();
    const a = gaussianStats({ data: x1, n, d }, { linalg });
    const b = gaussianStats({ data: x2, n, d }, { linalg });
    const stats = (performance.now() - t) / 1000;
    t = performance.now();
    const tr = traceSqrtProduct(a.sigma, b.sigma, d, linalg);
    const sqrt = (performance.now() - t) / 1000;
    console.log(`d ${d}, n ${n}, ${linalg}: covariances ${stats.toFixed(2)} s, Tr sqrt(S1 S2) ${sqrt.toFixed(2)} s (${tr.toPrecision(8)})`);
    rows.push({ d, n, who: `ours ${linalg}`, covariances_s: stats, trace_sqrt_s: sqrt, threads: 1 });
  }
  if (python) {
    const [stats, sqrt, ...how] = execFileSync(python, ['-c', PEER, String(n), String(d)], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    })
      .trim()
      .split(' ');
    console.log(`d ${d}, n ${n}, ${how.join(' ')}: covariances ${Number(stats).toFixed(2)} s, Tr sqrt ${Number(sqrt).toFixed(2)} s`);
    rows.push({ d, n, who: how.join(' '), covariances_s: Number(stats), trace_sqrt_s: Number(sqrt), threads: 1 });
  }
}
const dir = join(import.meta.dirname, '..', 'results', 'bench');
mkdirSync(dir, { recursive: true });
writeFileAtomic(join(dir, 'fid-linalg.csv'), stringify(rows, { header: true }));
console.log(`wrote ${join(dir, 'fid-linalg.csv')}`);
