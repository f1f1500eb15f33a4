// A depth-N linear network with one output, w_e = W_N W_{N-1} ... W_1 (W_1: d_1 x d, ...,
// W_N: 1 x d_{N-1}), in plain float64: the end-to-end vector, the gradients of a loss of w_e with
// respect to every W_j, and the initialisations (balanced near zero, or i.i.d. Gaussian).
import type { Rng } from '@claimlab/core';

export interface LinearNet {
  /** d_0 = the input dimension, d_1 .. d_{N-1} hidden widths, d_N = 1. */
  dims: number[];
  /** W_j (j = 1..N) as weights[j - 1], d_j x d_{j-1} row-major. */
  weights: Float64Array[];
}

export const depthOf = (net: LinearNet) => net.weights.length;

/** C = A B for row-major A (m x k) and B (k x n). */
function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < k; t++) {
      const v = a[i * k + t];
      if (v === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] += v * b[t * n + j];
    }
  return c;
}

/** Prefix products P_j = W_j ... W_1 (d_j x d_0) for j = 0..N (P_0 = identity is not stored: index 0 is null). */
function prefixes(net: LinearNet): (Float64Array | null)[] {
  const { dims, weights } = net;
  const out: (Float64Array | null)[] = [null];
  let p: Float64Array | null = null;
  for (let j = 1; j <= weights.length; j++) {
    p = p === null ? weights[0].slice() : matmul(weights[j - 1], p, dims[j], dims[j - 1], dims[0]);
    out.push(p);
  }
  return out;
}

/** The end-to-end vector w_e = W_N ... W_1 (length d_0). */
export function endToEnd(net: LinearNet): Float64Array {
  return prefixes(net)[net.weights.length]!;
}

/**
 * dL/dW_j for every layer, given g = dL/dw_e at the current end-to-end vector:
 * dL/dW_j = (W_N ... W_{j+1})^T g^T (W_{j-1} ... W_1)^T = outer(s_j, P_{j-1} g), where s_j is the
 * row W_N ... W_{j+1} (1 x d_j; s_N = 1).
 */
export function layerGradients(net: LinearNet, g: ArrayLike<number>): Float64Array[] {
  const { dims, weights } = net;
  const n = weights.length;
  const pre = prefixes(net);
  // Suffix rows s_j, from s_N = [1] down.
  const suffix: Float64Array[] = new Array(n + 1);
  suffix[n] = Float64Array.of(1);
  for (let j = n - 1; j >= 1; j--) suffix[j] = matmul(suffix[j + 1], weights[j], 1, dims[j + 1], dims[j]);
  const grads: Float64Array[] = [];
  for (let j = 1; j <= n; j++) {
    const rows = dims[j];
    const cols = dims[j - 1];
    const p = pre[j - 1];
    const v = p === null ? Float64Array.from(g) : matmul(p, Float64Array.from(g), cols, dims[0], 1);
    const s = suffix[j];
    const gj = new Float64Array(rows * cols);
    for (let a = 0; a < rows; a++) for (let b = 0; b < cols; b++) gj[a * cols + b] = s[a] * v[b];
    grads.push(gj);
  }
  return grads;
}

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

/** A uniformly random unit vector of length m. */
export function randomUnit(m: number, rng: Rng): Float64Array {
  const v = Float64Array.from({ length: m }, () => rng.normal());
  const r = norm(v);
  return v.map((x) => x / r);
}

/** The dims of a depth-N net on d inputs with hidden width h: [d, h, ..., h, 1]. */
export function dimsOf(inputDim: number, depth: number, hiddenWidth: number): number[] {
  if (!(Number.isInteger(depth) && depth >= 1)) throw new Error(`depth must be an integer >= 1, got ${depth}`);
  return [inputDim, ...Array.from({ length: depth - 1 }, () => hiddenWidth), 1];
}

/**
 * A balanced network (W_{j+1}^T W_{j+1} = W_j W_j^T for every j, the hypothesis of Arora et al.'s
 * Theorem 1) whose end-to-end vector is exactly `w`: W_1 = s u_1 v^T, W_j = s u_j u_{j-1}^T,
 * W_N = s u_{N-1}^T with v = w / ||w||, s = ||w||^{1/N} and random unit vectors u_j (from `rng`).
 */
export function balancedNet(w: Float64Array, depth: number, hiddenWidth: number, rng: Rng): LinearNet {
  const dims = dimsOf(w.length, depth, hiddenWidth);
  const r = norm(w);
  if (!(r > 0)) throw new Error('balancedNet: the end-to-end vector must be nonzero');
  const s = r ** (1 / depth);
  const units: Float64Array[] = [w.map((x) => x / r)];
  for (let j = 1; j < depth; j++) units.push(randomUnit(hiddenWidth, rng));
  units.push(Float64Array.of(1));
  const weights = Array.from({ length: depth }, (_, k) => {
    const out = units[k + 1];
    const inp = units[k];
    const m = new Float64Array(out.length * inp.length);
    for (let a = 0; a < out.length; a++) for (let b = 0; b < inp.length; b++) m[a * inp.length + b] = s * out[a] * inp[b];
    return m;
  });
  return { dims, weights };
}

/** Every entry i.i.d. N(0, std^2) (an unbalanced near-zero start when std is small). */
export function gaussianNet(inputDim: number, depth: number, hiddenWidth: number, std: number, rng: Rng): LinearNet {
  const dims = dimsOf(inputDim, depth, hiddenWidth);
  const weights = Array.from({ length: depth }, (_, k) => Float64Array.from({ length: dims[k + 1] * dims[k] }, () => std * rng.normal()));
  return { dims, weights };
}

/** Largest |W_{j+1}^T W_{j+1} - W_j W_j^T| entry over j: 0 for a balanced net. */
export function imbalance(net: LinearNet): number {
  const { dims, weights } = net;
  let worst = 0;
  for (let j = 1; j < weights.length; j++) {
    const d = dims[j];
    const a = weights[j]; // W_{j+1}: dims[j+1] x d
    const b = weights[j - 1]; // W_j: d x dims[j-1]
    for (let p = 0; p < d; p++)
      for (let q = 0; q < d; q++) {
        let left = 0;
        for (let t = 0; t < dims[j + 1]; t++) left += a[t * d + p] * a[t * d + q];
        let right = 0;
        for (let t = 0; t < dims[j - 1]; t++) right += b[p * dims[j - 1] + t] * b[q * dims[j - 1] + t];
        worst = Math.max(worst, Math.abs(left - right));
      }
  }
  return worst;
}

/** One gradient-descent step on every layer: W_j <- W_j - eta dL/dW_j (a new net). */
export function gdStep(net: LinearNet, g: ArrayLike<number>, eta: number): LinearNet {
  const grads = layerGradients(net, g);
  return { dims: net.dims, weights: net.weights.map((w, j) => w.map((v, i) => v - eta * grads[j][i])) };
}
