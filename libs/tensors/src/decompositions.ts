// Tensor-train (TT), hierarchical Tucker (HT) and CP (canonical polyadic) tensors, their random
// draws from a seeded Rng, and their dense reconstruction. These are the coefficient tensors of
// the score functions of recurrent (TT), deep convolutional (HT) and shallow (CP) networks with
// multiplicative units (Cohen, Sharir & Shashua 2016; Khrulkov, Novikov & Oseledets 2018).
import type { Rng } from '@claimlab/core';
import { type DenseTensor } from './dense.ts';

/** A 3-way array [left, mode, right], row-major: a TT core or an HT transfer tensor [left child, right child, parent]. */
export interface Core {
  shape: [number, number, number];
  data: Float64Array;
}

/** A TT tensor: cores G_k of shape [r_{k-1}, n_k, r_k] with r_0 = r_d = 1. */
export interface TensorTrain {
  cores: Core[];
}

/** A CP tensor of rank R: factors A_k of shape [n_k, R] (row-major); T = sum_j prod_k A_k[i_k, j]. */
export interface CpTensor {
  factors: { rows: number; cols: number; data: Float64Array }[];
}

/**
 * An HT tensor on the balanced binary tree over d = 2^L modes, whose first level pairs modes
 * (1, 2), (3, 4), ... as the network of Cohen et al. (2016) pools neighbouring positions.
 * `leaves[k]` is the [n_k, r] matrix of mode k; `levels[l][j]` the transfer tensor
 * [r, r, r_parent] of node j at level l (l = 0 merges leaves), r_parent = 1 at the root.
 */
export interface HtTensor {
  leaves: { rows: number; cols: number; data: Float64Array }[];
  levels: Core[][];
}

const gaussian = (n: number, rng: Rng): Float64Array => {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
};

function requireInt(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${value}`);
}

/**
 * A random TT tensor of order d, mode size n and TT-rank r, entries of the cores i.i.d. N(0, 1).
 * With `sharedCores` the d - 2 inner cores are one and the same r x n x r array (weights shared
 * across time: a recurrent network); the first and last cores are the boundary vectors.
 */
export function randomTensorTrain(opts: { d: number; n: number; r: number; rng: Rng; sharedCores?: boolean }): TensorTrain {
  const { d, n, r, rng } = opts;
  requireInt('d (the order)', d, 2);
  requireInt('n (the mode size)', n, 1);
  requireInt('r (the TT-rank)', r, 1);
  const first: Core = { shape: [1, n, r], data: gaussian(n * r, rng) };
  const inner = opts.sharedCores ? { shape: [r, n, r] as [number, number, number], data: gaussian(r * n * r, rng) } : null;
  const cores = [first];
  for (let k = 1; k < d - 1; k++) cores.push(inner ?? { shape: [r, n, r], data: gaussian(r * n * r, rng) });
  cores.push({ shape: [r, n, 1], data: gaussian(r * n, rng) });
  return { cores };
}

/** A random CP tensor of order d, mode size n and rank R, factor entries i.i.d. N(0, 1). */
export function randomCp(opts: { d: number; n: number; rank: number; rng: Rng }): CpTensor {
  const { d, n, rank, rng } = opts;
  requireInt('d (the order)', d, 1);
  requireInt('n (the mode size)', n, 1);
  requireInt('rank (the CP rank R)', rank, 1);
  return { factors: Array.from({ length: d }, () => ({ rows: n, cols: rank, data: gaussian(n * rank, rng) })) };
}

/** Whether d is a power of two >= 2 (the orders a balanced HT tree covers). */
export const isPowerOfTwo = (d: number): boolean => Number.isInteger(d) && d >= 2 && (d & (d - 1)) === 0;

/** A random HT tensor of order d = 2^L, mode size n and rank r at every node, entries i.i.d. N(0, 1). */
export function randomHt(opts: { d: number; n: number; r: number; rng: Rng }): HtTensor {
  const { d, n, r, rng } = opts;
  if (!isPowerOfTwo(d)) throw new Error(`an HT tensor on a balanced binary tree needs d a power of two >= 2, got ${d}`);
  requireInt('n (the mode size)', n, 1);
  requireInt('r (the HT rank)', r, 1);
  const leaves = Array.from({ length: d }, () => ({ rows: n, cols: r, data: gaussian(n * r, rng) }));
  const levels: Core[][] = [];
  for (let nodes = d / 2; nodes >= 1; nodes /= 2) {
    const parent = nodes === 1 ? 1 : r;
    levels.push(
      Array.from({ length: nodes }, () => ({ shape: [r, r, parent] as [number, number, number], data: gaussian(r * r * parent, rng) })),
    );
  }
  return { leaves, levels };
}

/** The full tensor of a TT: contracts the cores left to right. */
export function ttToDense(tt: TensorTrain): DenseTensor {
  const { cores } = tt;
  if (cores.length === 0) throw new Error('a tensor train needs at least one core');
  if (cores[0].shape[0] !== 1 || cores[cores.length - 1].shape[2] !== 1)
    throw new Error('the first core must have left rank 1 and the last right rank 1');
  // acc is [N, r_k] row-major, N = n_1 ... n_k; times core [r_k, n_{k+1} r_{k+1}] gives [N n_{k+1}, r_{k+1}].
  let acc = cores[0].data.slice();
  let rows = cores[0].shape[1];
  for (let k = 1; k < cores.length; k++) {
    const [rl, n, rr] = cores[k].shape;
    const prevRank = cores[k - 1].shape[2];
    if (rl !== prevRank) throw new Error(`core ${k} has left rank ${rl} but core ${k - 1} has right rank ${prevRank}`);
    const cols = n * rr;
    const next = new Float64Array(rows * cols);
    const g = cores[k].data;
    for (let i = 0; i < rows; i++) {
      for (let a = 0; a < rl; a++) {
        const v = acc[i * rl + a];
        if (v === 0) continue;
        const go = a * cols;
        const o = i * cols;
        for (let j = 0; j < cols; j++) next[o + j] += v * g[go + j];
      }
    }
    acc = next;
    rows *= n;
  }
  return { shape: cores.map((c) => c.shape[1]), data: acc };
}

/** The full tensor of a CP decomposition. */
export function cpToDense(cp: CpTensor): DenseTensor {
  const { factors } = cp;
  if (factors.length === 0) throw new Error('a CP tensor needs at least one factor');
  const R = factors[0].cols;
  for (const f of factors) if (f.cols !== R) throw new Error(`CP factors disagree on the rank (${f.cols} vs ${R})`);
  // acc is [N, R]: the Khatri-Rao product of the factors so far; the tensor is its row sums.
  let acc = factors[0].data.slice();
  let rows = factors[0].rows;
  for (let k = 1; k < factors.length; k++) {
    const f = factors[k];
    const next = new Float64Array(rows * f.rows * R);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < f.rows; j++) {
        const o = (i * f.rows + j) * R;
        for (let c = 0; c < R; c++) next[o + c] = acc[i * R + c] * f.data[j * R + c];
      }
    acc = next;
    rows *= f.rows;
  }
  const data = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let c = 0; c < R; c++) s += acc[i * R + c];
    data[i] = s;
  }
  return { shape: factors.map((f) => f.rows), data };
}

/**
 * Merges two sibling node matrices through a transfer tensor:
 * out[x, y, c] = sum_{a,b} L[x, a] R[y, b] B[a, b, c], as a [Nl * Nr, parent] row-major matrix.
 */
function mergeNodes(
  L: { rows: number; cols: number; data: Float64Array },
  R: { rows: number; cols: number; data: Float64Array },
  B: Core,
): { rows: number; cols: number; data: Float64Array } {
  const [ra, rb, rp] = B.shape;
  if (L.cols !== ra || R.cols !== rb)
    throw new Error(`HT transfer tensor [${B.shape}] does not match its children's ranks ${L.cols}, ${R.cols}`);
  // t1[x, b, c] = sum_a L[x, a] B[a, b, c]
  const t1 = new Float64Array(L.rows * rb * rp);
  for (let x = 0; x < L.rows; x++)
    for (let a = 0; a < ra; a++) {
      const v = L.data[x * ra + a];
      for (let j = 0; j < rb * rp; j++) t1[x * rb * rp + j] += v * B.data[a * rb * rp + j];
    }
  const out = new Float64Array(L.rows * R.rows * rp);
  for (let x = 0; x < L.rows; x++)
    for (let y = 0; y < R.rows; y++) {
      const o = (x * R.rows + y) * rp;
      for (let b = 0; b < rb; b++) {
        const v = R.data[y * rb + b];
        const t = (x * rb + b) * rp;
        for (let c = 0; c < rp; c++) out[o + c] += v * t1[t + c];
      }
    }
  return { rows: L.rows * R.rows, cols: rp, data: out };
}

/** The full tensor of an HT decomposition: merges siblings level by level up to the root. */
export function htToDense(ht: HtTensor): DenseTensor {
  let nodes = ht.leaves;
  if (!isPowerOfTwo(nodes.length)) throw new Error(`an HT tensor needs 2^L leaves, got ${nodes.length}`);
  for (const [l, level] of ht.levels.entries()) {
    if (level.length * 2 !== nodes.length) throw new Error(`HT level ${l} has ${level.length} nodes for ${nodes.length} children`);
    nodes = level.map((B, j) => mergeNodes(nodes[2 * j], nodes[2 * j + 1], B));
  }
  if (nodes.length !== 1 || nodes[0].cols !== 1) throw new Error('the HT root must be a single node with parent rank 1');
  return { shape: ht.leaves.map((u) => u.rows), data: nodes[0].data };
}

/** Parameter counts: what a network with these coefficient tensors stores. */
export const ttParams = (tt: TensorTrain, shared = false): number =>
  shared && tt.cores.length > 2
    ? tt.cores[0].data.length + tt.cores[1].data.length + tt.cores[tt.cores.length - 1].data.length
    : tt.cores.reduce((s, c) => s + c.data.length, 0);
