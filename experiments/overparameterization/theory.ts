// Arora, Cohen & Hazan (2018), Theorems 1 and 2, as computations we can check exactly.
//
// Theorem 1 (end-to-end dynamics, Section 5 of arXiv 1802.06509 as we read it; weight decay 0): for a
// depth-N linear network whose layers start balanced (W_{j+1}^T W_{j+1} = W_j W_j^T), gradient
// flow on the layers moves the end-to-end matrix W_e (k x d) as
//   dW_e/dt = -eta sum_{j=1..N} [W_e W_e^T]^{(j-1)/N} grad L(W_e) [W_e^T W_e]^{(N-j)/N}.
// A gradient-descent step of size eta follows it to first order in eta. For one output
// (W_e = w in R^{1 x d}) the sum is ||w||^{2-2/N} (g + (N-1) (w^ w^T) g), w^ = w / ||w||.
//
// Theorem 2: for N >= 2 this update field is not the gradient of any function (we show a closed
// loop with a nonzero line integral); for N = 1 it is the gradient of L (zero line integral).
import { lpLossAndGradient, type Regression } from './losses.ts';
import { endToEnd, gdStep, type LinearNet } from './linear-net.ts';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const norm = (v: ArrayLike<number>) => Math.sqrt(dot(v, v));

/** The single-output preconditioned gradient ||w||^{2-2/N} (g + (N-1) (w^.g) w^) (0 at w = 0 for N >= 2). */
export function preconditionedGradient(w: ArrayLike<number>, g: ArrayLike<number>, depth: number): Float64Array {
  const r = norm(w);
  if (depth === 1) return Float64Array.from(g);
  if (r === 0) return new Float64Array(g.length);
  const scale = r ** (2 - 2 / depth);
  const proj = ((depth - 1) * dot(w, g)) / (r * r);
  return Float64Array.from(g, (gi, i) => scale * (gi + proj * w[i]));
}

/** Theorem 1's closed-form end-to-end step for one output: w - eta ||w||^{2-2/N} (g + (N-1) w^ w^T g). */
export function closedFormStep(w: ArrayLike<number>, g: ArrayLike<number>, eta: number, depth: number): Float64Array {
  const d = preconditionedGradient(w, g, depth);
  return Float64Array.from(w, (wi, i) => wi - eta * d[i]);
}

/** Eigen-decomposition of a symmetric m x m matrix (row-major) by cyclic Jacobi rotations: values and column eigenvectors. */
export function symmetricEigen(a: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  const s = a.slice();
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += s[p * m + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < m; p++)
      for (let q = p + 1; q < m; q++) {
        const apq = s[p * m + q];
        if (apq === 0) continue;
        const theta = (s[q * m + q] - s[p * m + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < m; k++) {
          const akp = s[k * m + p];
          const akq = s[k * m + q];
          s[k * m + p] = c * akp - sn * akq;
          s[k * m + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = s[p * m + k];
          const aqk = s[q * m + k];
          s[p * m + k] = c * apk - sn * aqk;
          s[q * m + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p];
          const vkq = v[k * m + q];
          v[k * m + p] = c * vkp - sn * vkq;
          v[k * m + q] = sn * vkp + c * vkq;
        }
      }
  }
  return { values: Float64Array.from({ length: m }, (_, i) => s[i * m + i]), vectors: v };
}

/** S^alpha for a symmetric positive semi-definite S (m x m); alpha = 0 gives the identity (also on the null space). */
export function psdPower(sym: Float64Array, m: number, alpha: number): Float64Array {
  const out = new Float64Array(m * m);
  if (alpha === 0) {
    for (let i = 0; i < m; i++) out[i * m + i] = 1;
    return out;
  }
  const { values, vectors } = symmetricEigen(sym, m);
  for (let k = 0; k < m; k++) {
    const lam = Math.max(values[k], 0) ** alpha;
    if (lam === 0) continue;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i * m + j] += lam * vectors[i * m + k] * vectors[j * m + k];
  }
  return out;
}

function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) for (let j = 0; j < n; j++) c[i * n + j] += a[i * k + t] * b[t * n + j];
  return c;
}

/**
 * Theorem 1's general form: sum_{j=1..N} [W W^T]^{(j-1)/N} G [W^T W]^{(N-j)/N} for W and G of
 * k x d (row-major); the end-to-end step is W - eta times this.
 */
export function preconditionedGradientMatrix(w: Float64Array, g: Float64Array, k: number, d: number, depth: number): Float64Array {
  const wt = new Float64Array(d * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < d; j++) wt[j * k + i] = w[i * d + j];
  const left = matmul(w, wt, k, d, k); // W W^T
  const right = matmul(wt, w, d, k, d); // W^T W
  const out = new Float64Array(k * d);
  for (let j = 1; j <= depth; j++) {
    const term = matmul(matmul(psdPower(left, k, (j - 1) / depth), g, k, k, d), psdPower(right, d, (depth - j) / depth), k, d, d);
    for (let i = 0; i < out.length; i++) out[i] += term[i];
  }
  return out;
}

/**
 * One gradient-descent step of the depth-N net on the l_p loss, against Theorem 1's closed form
 * from the same end-to-end vector: ||actual - closed|| / ||closed - w|| (the second-order remainder
 * relative to the first-order step; O(eta) for a balanced start).
 */
export function theorem1Gap(data: Regression, p: number, net: LinearNet, eta: number): number {
  const w = endToEnd(net);
  const { grad } = lpLossAndGradient(data, w, p);
  const actual = endToEnd(gdStep(net, grad, eta));
  const closed = closedFormStep(w, grad, eta, net.weights.length);
  const diff = Float64Array.from(actual, (a, i) => a - closed[i]);
  const step = Float64Array.from(closed, (c, i) => c - w[i]);
  return norm(diff) / norm(step);
}

/**
 * The line integral of the end-to-end update field F(w) = preconditionedGradient(w, grad L(w), N)
 * around the circle c + rho (cos t u + sin t v) (u, v orthonormal), by the trapezoid rule on
 * `points` points (spectrally accurate for a smooth periodic integrand), normalised by the
 * integral of |F| |dr|: 0 for a gradient field, nonzero for a non-conservative one.
 */
export function normalisedCirculation(
  data: Regression,
  p: number,
  depth: number,
  loop: { center: Float64Array; u: Float64Array; v: Float64Array; radius: number; points: number },
): number {
  const { center, u, v, radius, points } = loop;
  let work = 0;
  let scale = 0;
  for (let k = 0; k < points; k++) {
    const t = (2 * Math.PI * k) / points;
    const w = Float64Array.from(center, (c, i) => c + radius * (Math.cos(t) * u[i] + Math.sin(t) * v[i]));
    const dr = Float64Array.from(center, (_, i) => radius * (-Math.sin(t) * u[i] + Math.cos(t) * v[i]));
    const f = preconditionedGradient(w, lpLossAndGradient(data, w, p).grad, depth);
    work += dot(f, dr);
    scale += norm(f) * norm(dr);
  }
  return Math.abs(work) / scale;
}
