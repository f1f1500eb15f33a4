// CP approximation of a dense tensor by alternating least squares (Kolda & Bader 2009, Fig. 3.3):
// each factor in turn solves its linear least-squares problem with the others fixed.
import type { Rng } from '@claimlab/core';
import { cpToDense, type CpTensor } from './decompositions.ts';
import { frobenius, relativeError, stridesOf, type DenseTensor } from './dense.ts';

export interface CpAlsOptions {
  rank: number;
  rng: Rng;
  /** Sweeps over all factors at most (default 500). */
  maxIterations?: number;
  /** Stop once the relative error improves by less than this in a sweep (default 1e-9). */
  tolerance?: number;
}

export interface CpAlsResult {
  cp: CpTensor;
  /** ||T - CP||_F / ||T||_F at the end. */
  relativeError: number;
  iterations: number;
}

/** Solves X V = B for X (rows of B), V symmetric positive semi-definite R x R, by Cholesky of V + ridge I. */
function solveSpd(V: Float64Array, B: Float64Array, R: number, rows: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < R; i++) trace += V[i * R + i];
  // A tiny ridge keeps a rank-deficient Gram (degenerate CP terms) solvable; it is far below the errors reported.
  const ridge = Math.max(1e-12 * (trace / R), 1e-300);
  const L = new Float64Array(R * R);
  for (let i = 0; i < R; i++)
    for (let j = 0; j <= i; j++) {
      let s = V[i * R + j] + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) s -= L[i * R + k] * L[j * R + k];
      L[i * R + j] = i === j ? Math.sqrt(Math.max(s, ridge)) : s / L[j * R + j];
    }
  const X = new Float64Array(rows * R);
  const y = new Float64Array(R);
  for (let r = 0; r < rows; r++) {
    // L y = b, then L^T x = y.
    for (let i = 0; i < R; i++) {
      let s = B[r * R + i];
      for (let k = 0; k < i; k++) s -= L[i * R + k] * y[k];
      y[i] = s / L[i * R + i];
    }
    for (let i = R - 1; i >= 0; i--) {
      let s = y[i];
      for (let k = i + 1; k < R; k++) s -= L[k * R + i] * X[r * R + k];
      X[r * R + i] = s / L[i * R + i];
    }
  }
  return X;
}

/** Rescales each rank-one term so its factor columns have equal norms (the tensor is unchanged). */
function balance(cp: CpTensor): void {
  const R = cp.factors[0].cols;
  for (let c = 0; c < R; c++) {
    const norms = cp.factors.map((f) => {
      let s = 0;
      for (let i = 0; i < f.rows; i++) s += f.data[i * R + c] ** 2;
      return Math.sqrt(s);
    });
    if (norms.some((x) => x === 0)) continue;
    const g = Math.exp(norms.reduce((s, x) => s + Math.log(x), 0) / norms.length);
    cp.factors.forEach((f, k) => {
      for (let i = 0; i < f.rows; i++) f.data[i * R + c] *= g / norms[k];
    });
  }
}

/** A rank-R CP approximation of `t` by ALS from a random N(0, 1) start. */
export function cpAls(t: DenseTensor, opts: CpAlsOptions): CpAlsResult {
  const { rank: R, rng } = opts;
  if (!Number.isInteger(R) || R < 1) throw new Error(`CP-ALS rank must be a positive integer, got ${R}`);
  const maxIterations = opts.maxIterations ?? 500;
  const tolerance = opts.tolerance ?? 1e-9;
  const d = t.shape.length;
  const N = t.data.length;
  if (frobenius(t) === 0) throw new Error('CP-ALS of a zero tensor: nothing to approximate');
  const scale = Math.pow(frobenius(t) / Math.sqrt(R), 1 / d) / Math.sqrt(Math.max(...t.shape));
  const cp: CpTensor = {
    factors: t.shape.map((n) => {
      const data = new Float64Array(n * R);
      for (let i = 0; i < data.length; i++) data[i] = scale * rng.normal();
      return { rows: n, cols: R, data };
    }),
  };
  // digits[i * d + k]: the mode-k index of flat entry i.
  const strides = stridesOf(t.shape);
  const digits = new Int32Array(N * d);
  for (let i = 0; i < N; i++) for (let k = 0; k < d; k++) digits[i * d + k] = Math.floor(i / strides[k]) % t.shape[k];
  let err = relativeError(cpToDense(cp).data, t.data);
  let iterations = 0;
  const row = new Float64Array(R);
  for (; iterations < maxIterations; iterations++) {
    for (let k = 0; k < d; k++) {
      const n = t.shape[k];
      // MTTKRP: M[i_k, :] = sum over entries of T[i] * prod_{j != k} A_j[i_j, :].
      const M = new Float64Array(n * R);
      for (let i = 0; i < N; i++) {
        const x = t.data[i];
        if (x === 0) continue;
        row.fill(x);
        for (let j = 0; j < d; j++) {
          if (j === k) continue;
          const a = cp.factors[j].data;
          const o = digits[i * d + j] * R;
          for (let c = 0; c < R; c++) row[c] *= a[o + c];
        }
        const o = digits[i * d + k] * R;
        for (let c = 0; c < R; c++) M[o + c] += row[c];
      }
      // V = Hadamard product of the Grams A_j^T A_j, j != k.
      const V = new Float64Array(R * R).fill(1);
      for (let j = 0; j < d; j++) {
        if (j === k) continue;
        const f = cp.factors[j];
        for (let a = 0; a < R; a++)
          for (let b = a; b < R; b++) {
            let s = 0;
            for (let i = 0; i < f.rows; i++) s += f.data[i * R + a] * f.data[i * R + b];
            V[a * R + b] *= s;
            if (b !== a) V[b * R + a] *= s;
          }
      }
      cp.factors[k] = { rows: n, cols: R, data: solveSpd(V, M, R, n) };
    }
    balance(cp);
    const next = relativeError(cpToDense(cp).data, t.data);
    const done = err - next < tolerance;
    err = next;
    if (done) {
      iterations++;
      break;
    }
  }
  return { cp, relativeError: err, iterations };
}

/**
 * The Eckart-Young floor: no CP tensor of rank R is closer to t, relative to ||t||, than the best
 * rank-R approximation of any matricization, sqrt(sum_{i > R} sigma_i^2) / ||t||.
 */
export function matricizationErrorFloor(sv: number[], rank: number): number {
  const total = sv.reduce((s, x) => s + x * x, 0);
  const tail = sv.slice(rank).reduce((s, x) => s + x * x, 0);
  return total === 0 ? 0 : Math.sqrt(tail / total);
}
