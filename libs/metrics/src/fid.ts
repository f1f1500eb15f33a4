/**
 * Frechet Inception Distance (Heusel et al. 2017, "GANs trained by a two
 * time-scale update rule converge to a local Nash equilibrium", eq. 6):
 *
 *   FID = |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))
 *
 * computed in float64. The trace of the matrix square root is taken as
 * Tr (S1^(1/2) S2 S1^(1/2))^(1/2): the inner matrix is symmetric positive
 * semi-definite and has the same eigenvalues as S1 S2, so both square roots
 * come from symmetric eigendecompositions, with tiny negative round-off
 * eigenvalues clipped at zero (the linear algebra: see Linalg). This avoids the complex-valued
 * `scipy.linalg.sqrtm(S1 @ S2)` of the reference implementations (which take
 * the real part and retry with 1e-6 on the diagonal when it is not finite).
 *
 * Features are any network's activations (pool3 of Inception-v3 in the
 * paper; a classifier's penultimate layer for MNIST here).
 */

import { blasFor, type Blas, type Linalg } from './linalg.ts';

// FID's linear algebra (covariances, matrix products, symmetric eigendecompositions) per `Linalg`:
// 'native' is OpenBLAS's dgemm and LAPACK's dsyevd (divide and conquer), seconds at Inception's
// d = 2,048; 'js' plain float64 loops and a cyclic Jacobi eigensolver (O(d^3) per Jacobi sweep:
// minutes beyond d ~ 500). The two agree to round-off (within 1e-8 relative of the pinned scipy
// FIDs, as the tests check), not bit for bit.

/** n rows of d features, row-major. */
export interface FeatureMatrix {
  data: ArrayLike<number>;
  n: number;
  d: number;
}

/** Mean and (unbiased, 1/(n-1)) covariance of a feature set, as numpy.cov(rowvar=False). */
export interface GaussianStats {
  mu: Float64Array;
  /** d x d, row-major. */
  sigma: Float64Array;
  d: number;
  n: number;
}

export class InsufficientSamplesError extends Error {
  constructor(n: number, d: number) {
    super(
      `FID needs more samples than feature dimensions: got ${n} samples of ${d} features, so the covariance has rank <= ${Math.max(n - 1, 0)} < ${d}. ` +
        `Use at least ${d + 1} samples (the paper's FID uses >= 10,000), or a lower-dimensional feature layer.`,
    );
    this.name = 'InsufficientSamplesError';
  }
}

function checkMatrix(m: FeatureMatrix, what: string): void {
  if (!Number.isInteger(m.n) || !Number.isInteger(m.d) || m.n < 1 || m.d < 1)
    throw new RangeError(`${what}: n and d must be positive integers, got n=${m.n}, d=${m.d}`);
  if (m.data.length !== m.n * m.d) throw new RangeError(`${what}: data has ${m.data.length} values, expected n*d = ${m.n * m.d}`);
  const { data, d } = m;
  for (let k = 0; k < data.length; k++) {
    if (!Number.isFinite(data[k])) {
      throw new RangeError(
        `${what}: data holds ${data[k]} at sample ${Math.floor(k / d)}, feature ${k % d} (index ${k}); every feature must be a finite number. ` +
          'Check the feature extractor for overflow or a division by zero.',
      );
    }
  }
}

/** Throws unless every value of `v` is finite; `what` names the argument. */
function checkFinite(v: ArrayLike<number>, what: string): void {
  for (let k = 0; k < v.length; k++) {
    if (!Number.isFinite(v[k])) throw new RangeError(`${what} holds ${v[k]} at index ${k}; only finite numbers are accepted`);
  }
}

/** Mean and covariance (float64, unbiased). Throws InsufficientSamplesError unless n > d. */
export function gaussianStats(m: FeatureMatrix, opts: { allowRankDeficient?: boolean; linalg?: Linalg } = {}): GaussianStats {
  checkMatrix(m, 'gaussianStats');
  const { n, d, data } = m;
  if (n <= d && !opts.allowRankDeficient) throw new InsufficientSamplesError(n, d);
  if (n < 2) throw new InsufficientSamplesError(n, d);
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mu[j] /= n;
  const blas = blasFor(opts.linalg ?? 'auto', 'gaussianStats');
  const sigma = blas ? nativeScatter(blas, data, mu, n, d) : jsScatter(data, mu, n, d);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = sigma[a * d + b] / (n - 1);
      sigma[a * d + b] = v;
      sigma[b * d + a] = v;
    }
  }
  return { mu, sigma, d, n };
}

/** The upper triangle (row-major) of the scatter matrix sum_i (x_i - mu)(x_i - mu)^T, in plain loops. */
function jsScatter(data: ArrayLike<number>, mu: Float64Array, n: number, d: number): Float64Array {
  const sigma = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = data[i * d + j] - mu[j];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      const off = a * d;
      for (let b = a; b < d; b++) sigma[off + b] += ra * row[b];
    }
  }
  return sigma;
}

/** The scatter matrix Xc^T Xc by dgemm (Xc: the centred samples); its upper triangle is used. */
function nativeScatter(blas: Blas, data: ArrayLike<number>, mu: Float64Array, n: number, d: number): Float64Array {
  const xc = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xc[i * d + j] = data[i * d + j] - mu[j];
  const sigma = new Float64Array(d * d);
  blas.dgemm(true, false, d, d, n, xc, xc, sigma);
  return sigma;
}

/** Eigenvalues (in no particular order) and, if asked, eigenvectors as the columns of a row-major d x d matrix. */
export interface SymmetricEigen {
  values: Float64Array;
  vectors: Float64Array | null;
}

/**
 * Eigen-decomposition of a symmetric d x d matrix (row-major), in float64: LAPACK's dsyevd or
 * the Jacobi routine (see Linalg). The input is symmetrised first ((A + A^T) / 2) against round-off.
 */
export function symmetricEigen(a: ArrayLike<number>, d: number, wantVectors = true, linalg: Linalg = 'auto'): SymmetricEigen {
  if (!(Number.isInteger(d) && d >= 1)) throw new RangeError(`symmetricEigen: d must be a positive integer, got ${d}`);
  if (a.length !== d * d) throw new RangeError(`symmetricEigen: expected ${d * d} values, got ${a.length}`);
  const A = Float64Array.from(a);
  for (let i = 0; i < d; i++)
    for (let j = i + 1; j < d; j++) {
      const v = 0.5 * (A[i * d + j] + A[j * d + i]);
      A[i * d + j] = v;
      A[j * d + i] = v;
    }
  const blas = blasFor(linalg, 'symmetricEigen');
  return blas === null ? jacobiEigen(A, d, wantVectors) : lapackEigen(blas, A, d, wantVectors);
}

/** dsyevd on A (symmetric, overwritten); its eigenvector rows transposed into columns. */
function lapackEigen(blas: Blas, A: Float64Array, d: number, wantVectors: boolean): SymmetricEigen {
  const values = new Float64Array(d);
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale = Math.max(scale, Math.abs(A[i]));
  if (scale === 0) return jacobiEigen(A, d, wantVectors);
  blas.symmetricEigen(A, d, wantVectors, values);
  if (!wantVectors) return { values, vectors: null };
  const V = new Float64Array(d * d);
  for (let k = 0; k < d; k++) for (let i = 0; i < d; i++) V[i * d + k] = A[k * d + i];
  return { values, vectors: V };
}

/**
 * The cyclic Jacobi method on a symmetric A (row-major, overwritten), in float64. Accurate to a
 * few ulps of the largest eigenvalue; O(d^3) per sweep, typically < 10 sweeps.
 */
export function jacobiEigen(A: Float64Array, d: number, wantVectors = true): SymmetricEigen {
  const V = wantVectors ? new Float64Array(d * d) : null;
  if (V) for (let i = 0; i < d; i++) V[i * d + i] = 1;
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale = Math.max(scale, Math.abs(A[i]));
  if (scale === 0) return { values: new Float64Array(d), vectors: V };
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += A[p * d + q] * A[p * d + q];
    if (Math.sqrt(off) <= 1e-15 * scale * d) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = A[p * d + q];
        if (apq === 0) continue;
        const app = A[p * d + p];
        const aqq = A[q * d + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = A[k * d + p];
          const akq = A[k * d + q];
          A[k * d + p] = c * akp - s * akq;
          A[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = A[p * d + k];
          const aqk = A[q * d + k];
          A[p * d + k] = c * apk - s * aqk;
          A[q * d + k] = s * apk + c * aqk;
        }
        A[p * d + q] = 0;
        A[q * d + p] = 0;
        if (V) {
          for (let k = 0; k < d; k++) {
            const vkp = V[k * d + p];
            const vkq = V[k * d + q];
            V[k * d + p] = c * vkp - s * vkq;
            V[k * d + q] = s * vkp + c * vkq;
          }
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = A[i * d + i];
  return { values, vectors: V };
}

/** Symmetric PSD square root V diag(sqrt(max(l, 0))) V^T. */
export function psdSqrt(a: ArrayLike<number>, d: number, linalg: Linalg = 'auto'): Float64Array {
  const blas = blasFor(linalg, 'psdSqrt');
  const { values, vectors } = symmetricEigen(a, d, true, linalg);
  const V = vectors!;
  const out = new Float64Array(d * d);
  if (blas) {
    // (V diag(s)) V^T by dgemm: plain loops over V's columns take minutes at d = 2,048.
    const W = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) W[i * d + k] = V[i * d + k] * Math.sqrt(Math.max(values[k], 0));
    blas.dgemm(false, true, d, d, d, W, V, out);
    return out;
  }
  for (let k = 0; k < d; k++) {
    const s = Math.sqrt(Math.max(values[k], 0));
    if (s === 0) continue;
    for (let i = 0; i < d; i++) {
      const vik = V[i * d + k] * s;
      if (vik === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j] += vik * V[j * d + k];
    }
  }
  return out;
}

/** The d x d product a b, by dgemm or in plain loops. */
function matmul(a: Float64Array, b: Float64Array, d: number, blas: Blas | null): Float64Array {
  const out = new Float64Array(d * d);
  if (blas) {
    blas.dgemm(false, false, d, d, d, a, b, out);
    return out;
  }
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k];
      if (aik === 0) continue;
      const bo = k * d;
      const oo = i * d;
      for (let j = 0; j < d; j++) out[oo + j] += aik * b[bo + j];
    }
  }
  return out;
}

/** Tr((S1 S2)^(1/2)) via the symmetric S1^(1/2) S2 S1^(1/2). */
export function traceSqrtProduct(s1: ArrayLike<number>, s2: ArrayLike<number>, d: number, linalg: Linalg = 'auto'): number {
  const blas = blasFor(linalg, 'traceSqrtProduct');
  const r = psdSqrt(s1, d, linalg);
  const m = matmul(matmul(r, Float64Array.from(s2), d, blas), r, d, blas);
  const { values } = symmetricEigen(m, d, false, linalg);
  let t = 0;
  for (const v of values) t += Math.sqrt(Math.max(v, 0));
  return t;
}

/** Frechet distance between two Gaussians N(mu1, S1), N(mu2, S2). */
export function frechetDistance(
  a: Pick<GaussianStats, 'mu' | 'sigma' | 'd'>,
  b: Pick<GaussianStats, 'mu' | 'sigma' | 'd'>,
  opts: { linalg?: Linalg } = {},
): number {
  if (a.d !== b.d) throw new RangeError(`frechetDistance: feature dimensions differ (${a.d} vs ${b.d})`);
  const d = a.d;
  for (const [s, name] of [
    [a, 'first'],
    [b, 'second'],
  ] as const) {
    if (s.mu.length !== d || s.sigma.length !== d * d)
      throw new RangeError(
        `frechetDistance: the ${name} Gaussian has ${s.mu.length} means and ${s.sigma.length} covariances, expected ${d} and ${d * d}`,
      );
    checkFinite(s.mu, `frechetDistance: the ${name} Gaussian's mu`);
    checkFinite(s.sigma, `frechetDistance: the ${name} Gaussian's sigma`);
  }
  let diff = 0;
  for (let j = 0; j < d; j++) diff += (a.mu[j] - b.mu[j]) ** 2;
  let tr = 0;
  for (let j = 0; j < d; j++) tr += a.sigma[j * d + j] + b.sigma[j * d + j];
  const fd = diff + tr - 2 * traceSqrtProduct(a.sigma, b.sigma, d, opts.linalg);
  // exact zero up to round-off: never report a negative distance
  return Math.max(fd, 0);
}

/** FID between two feature sets (rows are samples). Throws InsufficientSamplesError unless n > d for both. */
export function fid(real: FeatureMatrix, fake: FeatureMatrix, opts: { linalg?: Linalg } = {}): number {
  checkMatrix(real, 'fid(real)');
  checkMatrix(fake, 'fid(fake)');
  if (real.d !== fake.d) throw new RangeError(`fid: feature dimensions differ (${real.d} vs ${fake.d})`);
  return frechetDistance(gaussianStats(real, opts), gaussianStats(fake, opts), opts);
}
