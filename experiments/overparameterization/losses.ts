// The l_p regression loss of Arora, Cohen & Hazan (2018, Section 3 and Section 8):
// L(w) = (1/n) sum_i (1/p) |x_i . w - y_i|^p for a single-output linear model w, its gradient,
// and its minimum (Newton's method), in plain float64.

/** n examples of `dim` features (row-major) and a real target each. */
export interface Regression {
  name: string;
  n: number;
  dim: number;
  x: Float64Array;
  y: Float64Array;
}

/** Residuals r_i = x_i . w - y_i. */
export function residuals(data: Regression, w: ArrayLike<number>): Float64Array {
  const { n, dim, x, y } = data;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = -y[i];
    const o = i * dim;
    for (let j = 0; j < dim; j++) s += x[o + j] * w[j];
    r[i] = s;
  }
  return r;
}

/** L(w) = (1/n) sum_i |r_i|^p / p. */
export function lpLoss(data: Regression, w: ArrayLike<number>, p: number): number {
  const r = residuals(data, w);
  let s = 0;
  for (let i = 0; i < data.n; i++) s += Math.abs(r[i]) ** p;
  return s / (p * data.n);
}

/** L(w) and its gradient (1/n) sum_i |r_i|^{p-2} r_i x_i. */
export function lpLossAndGradient(data: Regression, w: ArrayLike<number>, p: number): { loss: number; grad: Float64Array } {
  const { n, dim, x } = data;
  const r = residuals(data, w);
  const grad = new Float64Array(dim);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(r[i]);
    loss += a ** p;
    const c = a ** (p - 2) * r[i];
    const o = i * dim;
    for (let j = 0; j < dim; j++) grad[j] += c * x[o + j];
  }
  for (let j = 0; j < dim; j++) grad[j] /= n;
  return { loss: loss / (p * n), grad };
}

/** Solves the symmetric positive definite system A z = b (Cholesky); A is dim x dim row-major. */
export function solveSpd(a: Float64Array, b: Float64Array, dim: number): Float64Array {
  const l = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * dim + j];
      for (let k = 0; k < j; k++) s -= l[i * dim + k] * l[j * dim + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('solveSpd: the matrix is not positive definite (features linearly dependent?)');
        l[i * dim + i] = Math.sqrt(s);
      } else l[i * dim + j] = s / l[j * dim + j];
    }
  }
  const z = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * dim + k] * z[k];
    z[i] = s / l[i * dim + i];
  }
  for (let i = dim - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < dim; k++) s -= l[k * dim + i] * z[k];
    z[i] = s / l[i * dim + i];
  }
  return z;
}

/**
 * The minimiser of the (convex) l_p loss, p >= 2, by Newton's method with a backtracking line
 * search from the least-squares solution; stops when the gradient norm is below `tol` times its
 * value at w = 0 or after `maxIter` steps. The checks' loss level is relative to this optimum.
 */
export function lpOptimum(data: Regression, p: number, opts: { tol?: number; maxIter?: number } = {}): { w: Float64Array; loss: number } {
  if (!(p >= 2)) throw new Error(`lpOptimum: p must be >= 2, got ${p}`);
  const { n, dim, x } = data;
  const tol = opts.tol ?? 1e-12;
  const maxIter = opts.maxIter ?? 200;
  const g0 = Math.hypot(...lpLossAndGradient(data, new Float64Array(dim), p).grad) || 1;
  // Least squares first (the optimum for p = 2, up to the ridge that the Newton steps below remove), a good start for p > 2.
  const xtx = new Float64Array(dim * dim);
  const xty = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      xty[j] += x[i * dim + j] * data.y[i];
      for (let k = 0; k < dim; k++) xtx[j * dim + k] += x[i * dim + j] * x[i * dim + k];
    }
  }
  // A ridge of 1e-10 of the mean diagonal: nearly collinear features (the Gas Sensor data's 16 sensors x 8 features)
  // keep the system solvable and move the optimum's loss by a negligible amount.
  const ridge = (1e-10 * Array.from({ length: dim }, (_, j) => xtx[j * dim + j]).reduce((a, b) => a + b, 0)) / dim;
  for (let j = 0; j < dim; j++) xtx[j * dim + j] += ridge;
  let w = solveSpd(xtx, xty, dim);
  let { loss, grad } = lpLossAndGradient(data, w, p);
  for (let it = 0; it < maxIter; it++) {
    if (Math.hypot(...grad) <= tol * g0) break;
    // Hessian (p - 1)/n sum_i |r_i|^{p-2} x_i x_i^T, with the same relative ridge.
    const r = residuals(data, w);
    const h = new Float64Array(dim * dim);
    for (let i = 0; i < n; i++) {
      const c = ((p - 1) * Math.abs(r[i]) ** (p - 2)) / n;
      for (let j = 0; j < dim; j++) for (let k = 0; k < dim; k++) h[j * dim + k] += c * x[i * dim + j] * x[i * dim + k];
    }
    const hridge = (1e-10 * Array.from({ length: dim }, (_, j) => h[j * dim + j]).reduce((a, b) => a + b, 0)) / dim;
    for (let j = 0; j < dim; j++) h[j * dim + j] += hridge;
    const step = solveSpd(h, grad, dim);
    let t = 1;
    let next = w.map((v, j) => v - t * step[j]);
    let nextLoss = lpLoss(data, next, p);
    while (nextLoss > loss && t > 1e-12) {
      t /= 2;
      next = w.map((v, j) => v - t * step[j]);
      nextLoss = lpLoss(data, next, p);
    }
    if (nextLoss > loss) break;
    w = next;
    ({ loss, grad } = lpLossAndGradient(data, w, p));
  }
  return { w, loss };
}
