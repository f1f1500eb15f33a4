// Singular values and numerical rank in float64: Householder QR with column pivoting, then the
// one-sided Jacobi method (Hestenes) on the transposed triangular factor. QR first makes Jacobi
// converge in a few sweeps, and neither step forms M M^T, which would square the condition number
// and lose every singular value below sqrt(eps) * sigma_max (~1.5e-8 relative).
import type { Matrix } from './dense.ts';

/**
 * Relative tolerance of numericalRank: a singular value counts when it exceeds
 * RANK_RTOL * sigma_max. Float64 rounding in building and factorizing a matrix of up to ~1000
 * rows leaves the zero singular values near max(m, n) * eps * sigma_max <= 2e-13 (numpy's
 * matrix_rank default; numpy gives 1e-17 to 5e-16 for the matricizations here). The smallest
 * nonzero singular values of generic TT / HT matricizations fall fast with the size: >= 1e-8 of
 * sigma_max in numpy's few draws (scripts/reference/tensor_rank_reference.py prints both sides), but
 * down to ~1e-11 in some draws of 81 x 81 shared-core TT and HT matricizations (the experiment's
 * first full run). 1e-12 sits between, three orders above rounding and, at worst, one order below
 * the smallest nonzero values seen; the rows of a run record both margins and a check reports them,
 * so a tolerance that decides a rank is never silent.
 */
export const RANK_RTOL = 1e-12;

const EPS = 2 ** -52;

/** Columns of a row-major matrix as separate vectors. */
function columnsOf(m: Matrix, transpose: boolean): Float64Array[] {
  const [rows, cols] = transpose ? [m.cols, m.rows] : [m.rows, m.cols];
  const out = Array.from({ length: cols }, () => new Float64Array(rows));
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) {
      if (transpose) out[i][j] = m.data[i * m.cols + j];
      else out[j][i] = m.data[i * m.cols + j];
    }
  return out;
}

/**
 * Householder QR with column pivoting of the matrix whose columns are `cols` (each of length m >= n):
 * returns the rows of the n x n upper-triangular factor R (in the pivoted column order).
 */
function pivotedQrRows(cols: Float64Array[]): Float64Array[] {
  const n = cols.length;
  const m = cols[0].length;
  const a = cols.map((c) => c.slice());
  for (let k = 0; k < n; k++) {
    // Pivot: the remaining column of largest norm below row k (recomputed: exact, O(mn) per step).
    let best = k;
    let bestNorm = -1;
    for (let j = k; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += a[j][i] * a[j][i];
      if (s > bestNorm) {
        bestNorm = s;
        best = j;
      }
    }
    [a[k], a[best]] = [a[best], a[k]];
    const x = a[k];
    const norm = Math.sqrt(bestNorm);
    if (norm === 0) continue;
    // Householder vector v = x + sign(x_k) ||x|| e_k on rows k..m-1.
    const alpha = x[k] >= 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = x[i];
    v[0] -= alpha;
    let vv = 0;
    for (const t of v) vv += t * t;
    if (vv === 0) continue;
    for (let j = k; j < n; j++) {
      const c = a[j];
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k] * c[i];
      const f = (2 * dot) / vv;
      for (let i = k; i < m; i++) c[i] -= f * v[i - k];
    }
  }
  // R[i][j] = a[j][i] for i <= j.
  return Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    for (let j = i; j < n; j++) row[j] = a[j][i];
    return row;
  });
}

/** One-sided Jacobi: rotates pairs of columns until all are orthogonal; returns their norms. */
function jacobiColumnNorms(cols: Float64Array[], maxSweeps = 60): number[] {
  const n = cols.length;
  const m = n === 0 ? 0 : cols[0].length;
  const tol = m * EPS;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const cp = cols[p];
        const cq = cols[q];
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          alpha += cp[i] * cp[i];
          beta += cq[i] * cq[i];
          gamma += cp[i] * cq[i];
        }
        if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = cp[i];
          const y = cq[i];
          cp[i] = c * x - s * y;
          cq[i] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  return cols.map((c) => {
    let s = 0;
    for (const v of c) s += v * v;
    return Math.sqrt(s);
  });
}

/** All min(rows, cols) singular values of a matrix, in decreasing order. */
export function singularValues(m: Matrix): number[] {
  if (!(m.rows >= 1 && m.cols >= 1) || m.data.length !== m.rows * m.cols)
    throw new Error(`singularValues: a ${m.rows} x ${m.cols} matrix needs rows * cols = ${m.rows * m.cols} values, got ${m.data.length}`);
  for (const v of m.data) if (!Number.isFinite(v)) throw new Error('singularValues: the matrix has a non-finite entry');
  // Work on the orientation with at least as many rows as columns.
  const cols = columnsOf(m, m.cols > m.rows);
  const rRows = pivotedQrRows(cols);
  // The columns of R^T are the rows of R: Jacobi on them gives the singular values of R (= of M).
  return jacobiColumnNorms(rRows).sort((a, b) => b - a);
}

/** The number of singular values above rtol * sigma_max (0 for a zero matrix). */
export function rankFromSingularValues(sv: number[], rtol = RANK_RTOL): number {
  if (!(rtol > 0 && rtol < 1)) throw new Error(`rank tolerance must be in (0, 1), got ${rtol}`);
  const top = sv.length ? Math.max(...sv) : 0;
  if (top === 0) return 0;
  return sv.filter((s) => s > rtol * top).length;
}

/** Numerical rank with its margins: the smallest kept and the largest dropped singular value, both relative to sigma_max. */
export function numericalRank(m: Matrix, rtol = RANK_RTOL): { rank: number; smallestKept: number; largestDropped: number; sv: number[] } {
  const sv = singularValues(m);
  const rank = rankFromSingularValues(sv, rtol);
  const top = sv[0] || 1;
  return {
    rank,
    smallestKept: rank > 0 ? sv[rank - 1] / top : 0,
    largestDropped: rank < sv.length ? sv[rank] / top : 0,
    sv,
  };
}
