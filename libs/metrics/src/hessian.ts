import { type Rng } from '@claimlab/core';
import { tf } from '@claimlab/backend';
import { forEachGridPoint, type Direction, type EvalData } from './loss-surface.ts';

/**
 * Extreme Hessian eigenvalues from Hessian-vector products, for the eigenvalue-ratio maps
 * |lambda_min / lambda_max| of Li et al. (2018), section 6 (their hess_vec_prod.py).
 *
 * tfjs cannot differentiate a gradient through conv2d (no gradient for Conv2DBackpropFilter)
 * or batch norm, so products are taken by central finite differences of exact gradients:
 *   H v ~ (g(w + h v) - g(w - h v)) / (2 h),   error O(h^2) plus float32 rounding ~ eps |g| / h.
 * On functions built from ops tfjs can differentiate twice (dense layers, tanh), exact products
 * via nested tf.grad agree to the tolerance stated in the tests.
 */
export type Hvp = (v: Float64Array) => Float64Array;

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Central-difference Hessian-vector product of a gradient function at w0, step h along v / ||v|| (so the step length is h). */
export function finiteDifferenceHvp(grad: (w: Float64Array) => Float64Array, w0: Float64Array, h = 1e-2): Hvp {
  if (!(h > 0)) throw new Error(`finiteDifferenceHvp: step must be > 0, got ${h}`);
  return (v) => {
    const nv = Math.sqrt(dot(v, v));
    if (nv === 0) return new Float64Array(v.length);
    const s = h / nv;
    const wp = new Float64Array(w0.length);
    const wm = new Float64Array(w0.length);
    for (let i = 0; i < w0.length; i++) {
      wp[i] = w0[i] + s * v[i];
      wm[i] = w0[i] - s * v[i];
    }
    const gp = grad(wp);
    const gm = grad(wm);
    const out = new Float64Array(v.length);
    for (let i = 0; i < out.length; i++) out[i] = (gp[i] - gm[i]) / (2 * s);
    return out;
  };
}

/** Number of eigenvalues of the symmetric tridiagonal (alpha, beta) below x (Sturm sequence). */
function sturmCount(alpha: number[], beta: number[], x: number): number {
  let count = 0;
  let q = 1;
  for (let i = 0; i < alpha.length; i++) {
    const b2 = i > 0 ? beta[i - 1] * beta[i - 1] : 0;
    q = alpha[i] - x - (i > 0 ? b2 / q : 0);
    if (q === 0) q = -1e-300;
    if (q < 0) count++;
  }
  return count;
}

/** Eigenvalues of a symmetric tridiagonal matrix (diagonal alpha, off-diagonal beta), ascending, by bisection. */
export function tridiagonalEigenvalues(alpha: number[], beta: number[]): number[] {
  const n = alpha.length;
  if (n === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = (i > 0 ? Math.abs(beta[i - 1]) : 0) + (i < n - 1 ? Math.abs(beta[i]) : 0);
    lo = Math.min(lo, alpha[i] - r);
    hi = Math.max(hi, alpha[i] + r);
  }
  const span = Math.max(hi - lo, 1e-300);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    let a = lo - 1e-9 * span;
    let b = hi + 1e-9 * span;
    for (let it = 0; it < 200 && b - a > 1e-14 * span; it++) {
      const m = (a + b) / 2;
      if (sturmCount(alpha, beta, m) > k) b = m;
      else a = m;
    }
    out.push((a + b) / 2);
  }
  return out;
}

export interface ExtremeEigenvalues {
  lambdaMax: number;
  lambdaMin: number;
  /** Hessian-vector products used. */
  products: number;
  /** All Ritz values, ascending. */
  ritz: number[];
}

/**
 * Lanczos iteration with full reorthogonalization from a seeded random start: the extreme
 * Ritz values after `steps` products estimate lambda_max and lambda_min of the symmetric
 * operator from inside the spectrum (|lambda_min| is never overestimated). The authors' code
 * uses scipy's eigsh (ARPACK, implicitly restarted Lanczos) on lambda_max, then on the operator
 * shifted by 0.51 lambda_max for lambda_min; one Krylov space gives both ends here.
 */
/** A Hessian-vector product came out NaN or infinite (the loss or its gradient overflowed there). */
export class NonFiniteHvpError extends Error {
  override name = 'NonFiniteHvpError';
}

export function lanczosExtremeEigenvalues(hvp: Hvp, dim: number, opts: { steps: number; rng: Rng }): ExtremeEigenvalues {
  const steps = Math.min(opts.steps, dim);
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`lanczosExtremeEigenvalues: steps must be a positive integer, got ${opts.steps}`);
  const Q: Float64Array[] = [];
  let q = new Float64Array(dim);
  for (let i = 0; i < dim; i++) q[i] = opts.rng.normal();
  let nq = Math.sqrt(dot(q, q));
  for (let i = 0; i < dim; i++) q[i] /= nq;
  const alpha: number[] = [];
  const beta: number[] = [];
  let products = 0;
  for (let k = 0; k < steps; k++) {
    Q.push(q);
    const w = hvp(q);
    products++;
    for (const x of w)
      if (!Number.isFinite(x)) throw new NonFiniteHvpError('lanczosExtremeEigenvalues: the Hessian-vector product is not finite');
    const a = dot(w, q);
    alpha.push(a);
    // Full reorthogonalization (twice is enough) against every earlier Lanczos vector.
    for (let pass = 0; pass < 2; pass++) {
      for (const p of Q) {
        const c = dot(w, p);
        for (let i = 0; i < dim; i++) w[i] -= c * p[i];
      }
    }
    nq = Math.sqrt(dot(w, w));
    if (k === steps - 1 || nq < 1e-10 * Math.max(1, Math.abs(a))) break;
    beta.push(nq);
    q = new Float64Array(dim);
    for (let i = 0; i < dim; i++) q[i] = w[i] / nq;
  }
  const ritz = tridiagonalEigenvalues(alpha, beta.slice(0, alpha.length - 1));
  return { lambdaMax: ritz[ritz.length - 1], lambdaMin: ritz[0], products, ritz };
}

/**
 * Power iteration for the eigenvalue of largest magnitude (the paper's lambda_max when the
 * Hessian is dominated by positive curvature), then on H - lambda_max I for lambda_min, the
 * shift-and-power scheme of the authors' code. Slower than Lanczos; kept as a cross-check.
 */
export function powerIterationExtremes(hvp: Hvp, dim: number, opts: { iterations: number; rng: Rng }): ExtremeEigenvalues {
  const run = (op: Hvp, rng: Rng) => {
    let v: Float64Array = new Float64Array(dim);
    for (let i = 0; i < dim; i++) v[i] = rng.normal();
    let lambda = 0;
    for (let it = 0; it < opts.iterations; it++) {
      const nv = Math.sqrt(dot(v, v));
      for (let i = 0; i < dim; i++) v[i] /= nv;
      const w = op(v);
      lambda = dot(v, w);
      v = w;
    }
    return lambda;
  };
  const top = run(hvp, opts.rng.fork('max'));
  const shifted = run((v) => {
    const w = hvp(v);
    for (let i = 0; i < dim; i++) w[i] -= top * v[i];
    return w;
  }, opts.rng.fork('min'));
  const other = shifted + top;
  const [lambdaMin, lambdaMax] = top >= other ? [other, top] : [top, other];
  return { lambdaMax, lambdaMin, products: 2 * opts.iterations, ritz: [lambdaMin, lambdaMax] };
}

/** Indices of the trainable weights the Hessian is taken over: tensors of rank > 1 (conv and dense kernels), as in the authors' code. */
export function kernelWeightIndices(model: tf.LayersModel): number[] {
  return model.trainableWeights.map((w, k) => (w.shape.length > 1 ? k : -1)).filter((k) => k >= 0);
}

/**
 * Gradient of the mean cross-entropy on `data` (inference mode) with respect to the chosen
 * trainable weights, as a function of their flattened values. Other weights keep their current
 * values; every call writes the chosen weights.
 */
export function modelLossGradient(
  model: tf.LayersModel,
  data: EvalData,
  indices: number[],
  batchSize = 500,
): { grad: (w: Float64Array) => Float64Array; dim: number } {
  const vars = indices.map((k) => model.trainableWeights[k]);
  const sizes = vars.map((v) => (v.shape as number[]).reduce((a, b) => a * b, 1));
  const dim = sizes.reduce((a, b) => a + b, 0);
  const n = data.x.shape[0];
  const grad = (w: Float64Array): Float64Array => {
    if (w.length !== dim) throw new Error(`modelLossGradient: got ${w.length} values for ${dim} parameters`);
    let at = 0;
    vars.forEach((v, j) => {
      const t = tf.tensor(Float32Array.from(w.subarray(at, at + sizes[j])), v.shape as number[]);
      v.write(t);
      t.dispose();
      at += sizes[j];
    });
    const out = new Float64Array(dim);
    const tfVars = vars.map((v) => (v as unknown as { val: tf.Variable }).val);
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const flat = tf.tidy(() => {
        const xb = data.x.slice(start, size);
        const yb = tf.oneHot(data.y.slice(start, size), data.numClasses);
        const { value, grads } = tf.variableGrads(
          () =>
            tf.losses.softmaxCrossEntropy(
              yb,
              model.apply(xb, { training: false }) as tf.Tensor,
              undefined,
              undefined,
              tf.Reduction.SUM,
            ) as tf.Scalar,
          tfVars,
        );
        value.dispose();
        return tf.concat(tfVars.map((v) => grads[v.name].reshape([-1])));
      });
      const g = flat.dataSync();
      flat.dispose();
      for (let i = 0; i < dim; i++) out[i] += g[i] / n;
    }
    return out;
  };
  return { grad, dim };
}

export interface EigenMapOptions {
  data: EvalData;
  /** Lanczos steps (Hessian-vector products) per point. */
  steps: number;
  /** Finite-difference step length in weight space. */
  fdStep: number;
  rng: Rng;
  batchSize?: number;
  onPoint?(done: number, total: number): void;
}

export interface EigenMap {
  xs: number[];
  ys: number[];
  /** lambdaMax[j * xs.length + i] at (xs[i], ys[j]); NaN where the products were not finite. */
  lambdaMax: Float64Array;
  lambdaMin: Float64Array;
  /** Grid points whose Hessian-vector products were not finite (recorded as NaN, the map goes on). */
  nonFinitePoints: number;
}

/**
 * Extreme Hessian eigenvalues (over the conv and dense kernels) at theta* + alpha d1 + beta d2
 * on a grid: the data of the paper's Figure 7 maps of |lambda_min / lambda_max|. The model's
 * weights are restored afterwards. Each point's Lanczos start is drawn from rng.fork(point). A point
 * whose Hessian-vector products are not finite (far from the minimizer of a badly conditioned net,
 * the loss can overflow) gets NaN for both eigenvalues and is counted; it does not stop the map.
 */
export function hessianEigenMap(
  model: tf.LayersModel,
  dirs: [Direction, Direction],
  xs: number[],
  ys: number[],
  opts: EigenMapOptions,
): EigenMap {
  const indices = kernelWeightIndices(model);
  const { grad, dim } = modelLossGradient(model, opts.data, indices, opts.batchSize);
  const lambdaMax = new Float64Array(xs.length * ys.length);
  const lambdaMin = new Float64Array(xs.length * ys.length);
  let nonFinitePoints = 0;
  forEachGridPoint(model, xs, ys, opts.onPoint, (i, j, base) => {
    // theta* + a d1 + b d2 in float64 over the kernels (the HVP differences need the precision).
    const w0 = new Float64Array(dim);
    let at = 0;
    for (const k of indices) {
      const b = base[k];
      const d1 = dirs[0][k];
      const d2 = dirs[1][k];
      for (let t = 0; t < b.length; t++) w0[at + t] = b[t] + xs[i] * d1[t] + ys[j] * d2[t];
      at += b.length;
    }
    let r = { lambdaMax: NaN, lambdaMin: NaN };
    try {
      r = lanczosExtremeEigenvalues(finiteDifferenceHvp(grad, w0, opts.fdStep), dim, {
        steps: opts.steps,
        rng: opts.rng.fork(`point/${i}/${j}`),
      });
    } catch (e) {
      if (!(e instanceof NonFiniteHvpError)) throw e;
      nonFinitePoints++;
    }
    lambdaMax[j * xs.length + i] = r.lambdaMax;
    lambdaMin[j * xs.length + i] = r.lambdaMin;
  });
  return { xs, ys, lambdaMax, lambdaMin, nonFinitePoints };
}

/** The paper's |lambda_min / lambda_max| (0 = locally convex, large = strong negative curvature). */
export function eigenRatio(lambdaMin: number, lambdaMax: number): number {
  if (lambdaMax === 0) return lambdaMin === 0 ? 0 : Infinity;
  return Math.abs(lambdaMin / lambdaMax);
}
