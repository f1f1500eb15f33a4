/**
 * Geometry score (Khrulkov & Oseledets, "Geometry Score: A Method For
 * Comparing Generative Adversarial Networks", ICML 2018), Algorithms 1 and 2:
 *
 * - draw L0 landmarks at random from the N points (with replacement, as
 *   `np.random.choice` in the authors' gs/utils.py); every point is a witness;
 * - alpha_max = gamma * (largest witness-landmark distance);
 * - build the relaxed witness complex up to dimension 2 with filtration
 *   <= alpha_max and compute its persistence in dimension 1 over Z/2;
 * - RLT(i) = share of [0, alpha_max] during which exactly i one-dimensional
 *   classes are alive (infinite bars clipped at alpha_max), i < i_max
 *   (paper eqs. 2-3);
 * - MRLT = mean of RLT over n landmark draws; the score between two data
 *   sets is sum_i (MRLT1(i) - MRLT2(i))^2 (Algorithm 2).
 *
 * Defaults as in the paper / authors' code: L0 = 64, i_max = 100,
 * gamma = (1/128) * N / 5000, n = 1000 repetitions in the code
 * (gs/geom_score.py `rlts`; the paper's experiments use n = 10000).
 * Keep gamma and N fixed when comparing models.
 */
import { Rng } from '@claimlab/core';
import { persistence, type Interval } from './persistence.ts';
import { WitnessWorkspace, witnessComplex } from './witness.ts';

export interface PointCloud {
  /** n points of dimension d, row-major. */
  data: ArrayLike<number>;
  n: number;
  d: number;
}

export interface GeometryScoreOptions {
  /** Landmarks per draw (L0; default 64). */
  landmarks?: number;
  /** alpha_max = gamma * max distance; default (1/128) * N / 5000 as in the authors' code. */
  gamma?: number;
  /** RLT length (default 100). */
  iMax?: number;
  /** Number of landmark draws (default 1000, the authors' code). */
  repetitions?: number;
  rng: Rng;
  /** Called after each draw with the number done. */
  onProgress?: (done: number, total: number) => void;
}

export const GS_DEFAULTS = { landmarks: 64, iMax: 100, repetitions: 1000 } as const;

export function defaultGamma(n: number): number {
  return (1 / 128) * (n / 5000);
}

/** RLT of a set of dimension-1 intervals (formulas 2-3; a port of the semantics of the authors' `relative`). */
export function relativeLivingTimes(intervals: Interval[], alphaMax: number, iMax: number = GS_DEFAULTS.iMax): Float64Array {
  checkPositiveInteger(iMax, 'relativeLivingTimes: iMax', 'the RLT length (default 100)');
  if (!(Number.isFinite(alphaMax) && alphaMax > 0))
    throw new RangeError(
      `relativeLivingTimes: alphaMax must be a finite number > 0, got ${alphaMax} (it is 0 when every point of the cloud coincides)`,
    );
  const rlt = new Float64Array(iMax);
  const bars = intervals.map(([b, d]) => [b, Number.isFinite(d) ? d : alphaMax] as [number, number]);
  if (bars.length === 0) {
    rlt[0] = 1;
    return rlt;
  }
  const pts = [...new Set([0, alphaMax, ...bars.flat()])].sort((a, b) => a - b);
  for (let i = 0; i + 1 < pts.length; i++) {
    const mid = (pts[i] + pts[i + 1]) / 2;
    let s = 0;
    for (const [b, d] of bars) if (mid >= b && mid < d) s++;
    if (s < iMax) rlt[s] += pts[i + 1] - pts[i];
  }
  for (let i = 0; i < iMax; i++) rlt[i] /= alphaMax;
  return rlt;
}

/** Euclidean distances from every point to point `j`, cached per landmark index. */
class DistanceColumns {
  private readonly cache = new Map<number, Float64Array>();
  constructor(
    private readonly x: PointCloud,
    private readonly maxCached: number,
  ) {}
  column(j: number): Float64Array {
    const hit = this.cache.get(j);
    if (hit) return hit;
    const { data, n, d } = this.x;
    const col = new Float64Array(n);
    const oj = j * d;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const oi = i * d;
      for (let k = 0; k < d; k++) {
        const t = data[oi + k] - data[oj + k];
        s += t * t;
      }
      col[i] = Math.sqrt(s);
    }
    if (this.cache.size < this.maxCached) this.cache.set(j, col);
    return col;
  }
}

export interface WitnessDraw {
  intervals: Interval[];
  alphaMax: number;
}

/** One draw of Algorithm 1 for given landmark indices. */
export function witnessPersistence(
  x: PointCloud,
  landmarkIdx: ArrayLike<number>,
  gamma: number,
  cols?: DistanceColumnsLike,
  ws?: WitnessWorkspace,
): WitnessDraw {
  const L = landmarkIdx.length;
  const n = x.n;
  const getCol = cols ?? new DistanceColumns(x, 0);
  const dist = new Float64Array(n * L);
  let maxD = 0;
  for (let l = 0; l < L; l++) {
    const col = getCol.column(landmarkIdx[l]);
    for (let i = 0; i < n; i++) {
      const v = col[i];
      dist[i * L + l] = v;
      if (v > maxD) maxD = v;
    }
  }
  const alphaMax = gamma * maxD;
  const complex = witnessComplex({ dist, numWitnesses: n, numLandmarks: L, alphaMax }, ws);
  return { intervals: persistence(complex).dim1, alphaMax };
}

interface DistanceColumnsLike {
  column(j: number): Float64Array;
}

/** Throws unless `v` is an integer >= min; `what` names the argument, `meaning` says what it is. */
function checkPositiveInteger(v: number, what: string, meaning: string, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${what} must be an integer >= ${min} (${meaning}), got ${v}`);
}

function checkCloud(x: PointCloud): void {
  if (!Number.isInteger(x.n) || !Number.isInteger(x.d) || x.d < 1)
    throw new RangeError(`geometry score: n and d must be positive integers, got n=${x.n}, d=${x.d}`);
  if (x.data.length !== x.n * x.d) throw new RangeError(`geometry score: data has ${x.data.length} values, expected n*d = ${x.n * x.d}`);
  if (x.n < 2) throw new RangeError('geometry score: need at least 2 points');
  for (let k = 0; k < x.data.length; k++) {
    if (!Number.isFinite(x.data[k])) {
      throw new RangeError(
        `geometry score: the point cloud holds ${x.data[k]} at point ${Math.floor(k / x.d)}, coordinate ${k % x.d} (index ${k}); ` +
          'every coordinate must be a finite number (a non-finite point would be dropped from the witness complex silently)',
      );
    }
  }
}

/** Checks the options of Algorithm 1 and fills in the defaults. */
function resolveOptions(x: PointCloud, opts: GeometryScoreOptions): { L: number; iMax: number; reps: number; gamma: number } {
  const L = opts.landmarks ?? GS_DEFAULTS.landmarks;
  const iMax = opts.iMax ?? GS_DEFAULTS.iMax;
  const reps = opts.repetitions ?? GS_DEFAULTS.repetitions;
  const gamma = opts.gamma ?? defaultGamma(x.n);
  checkPositiveInteger(L, 'geometry score: landmarks', 'L0, the landmarks per draw; default 64');
  checkPositiveInteger(iMax, 'geometry score: iMax', 'the RLT length, i.e. the number of H1 class counts tracked; default 100');
  checkPositiveInteger(reps, 'geometry score: repetitions', 'the number of landmark draws averaged; default 1000');
  if (!(Number.isFinite(gamma) && gamma > 0))
    throw new RangeError(`geometry score: gamma must be a finite number > 0 (alpha_max = gamma * the largest distance), got ${gamma}`);
  return { L, iMax, reps, gamma };
}

/** Algorithm 1: RLTs of `repetitions` landmark draws, rows of length iMax. */
export function rlts(x: PointCloud, opts: GeometryScoreOptions): Float64Array[] {
  checkCloud(x);
  const { L, iMax, reps, gamma } = resolveOptions(x, opts);
  // cache every column when the full matrix fits in ~256 MB
  const cols = new DistanceColumns(x, x.n <= 5000 ? x.n : 0);
  const ws = new WitnessWorkspace(L);
  const out: Float64Array[] = [];
  const idx = new Int32Array(L);
  for (let r = 0; r < reps; r++) {
    for (let l = 0; l < L; l++) idx[l] = opts.rng.int(x.n);
    const { intervals, alphaMax } = witnessPersistence(x, idx, gamma, cols, ws);
    out.push(relativeLivingTimes(intervals, alphaMax, iMax));
    opts.onProgress?.(r + 1, reps);
  }
  return out;
}

export function meanRlt(rows: Float64Array[]): Float64Array {
  if (rows.length === 0) throw new RangeError('meanRlt: no RLTs');
  const m = new Float64Array(rows[0].length);
  for (const r of rows) for (let i = 0; i < m.length; i++) m[i] += r[i];
  for (let i = 0; i < m.length; i++) m[i] /= rows.length;
  return m;
}

/** Algorithm 2: squared L2 distance between two MRLTs (the paper's "L2 distance"; no square root, as in geom_score). */
export function geometryScore(mrlt1: ArrayLike<number>, mrlt2: ArrayLike<number>): number {
  if (mrlt1.length !== mrlt2.length) throw new RangeError(`geometryScore: MRLT lengths differ (${mrlt1.length} vs ${mrlt2.length})`);
  for (const [m, name] of [
    [mrlt1, 'mrlt1'],
    [mrlt2, 'mrlt2'],
  ] as const) {
    for (let i = 0; i < m.length; i++)
      if (!Number.isFinite(m[i]))
        throw new RangeError(`geometryScore: ${name} holds ${m[i]} at index ${i}; only finite numbers are accepted`);
  }
  let s = 0;
  for (let i = 0; i < mrlt1.length; i++) s += (mrlt1[i] - mrlt2[i]) ** 2;
  return s;
}

/** MRLT of a point cloud (Algorithm 1 averaged). */
export function mrlt(x: PointCloud, opts: GeometryScoreOptions): Float64Array {
  return meanRlt(rlts(x, opts));
}
