/**
 * Linear regions of piecewise-linear networks (ReLU, hard-tanh), counted
 * exactly along a 1-D input path and on a 2-D input slice.
 *
 * Along a path x(t) the pre-activations of the first layer are affine in t.
 * Each layer is handled analytically: on every piece [t0, t1] where the
 * layer's pre-activations are affine, the points where a neuron crosses a
 * threshold (0 for ReLU, -1 and +1 for hard-tanh) are found in closed form,
 * the piece is split there, the activation is applied (which keeps every
 * sub-piece affine), and the next layer's affine pre-activations follow by
 * composition. No dense sampling is involved: every breakpoint is exact up
 * to floating point rounding.
 *
 * Counted per layer l (the pattern of layers 1..l, i.e. the network cut after
 * layer l):
 * - transitions: places along the path where the activation pattern changes
 *   (Raghu et al. 2017 count these as "transitions"),
 * - regions: distinct activation patterns met along the path,
 * - length: length of the image of the path after layer l's activation
 *   (sum over pieces of |direction| times piece length; exact for a polygon).
 *
 * A closed curve such as a circle is given as a fine inscribed polygon
 * (circlePath); the counts are exact for that polygon.
 */
import type { Rng } from '@claimlab/core';
import { blasFor, type Blas, type Linalg } from './linalg.ts';

export const ACTIVATIONS = ['relu', 'hard-tanh'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** A dense layer y = W x + b, W row-major (outDim x inDim). */
export interface DenseLayer {
  inDim: number;
  outDim: number;
  W: Float64Array;
  b: Float64Array;
}

/** Hidden layers, each followed by the activation; an optional linear readout (not counted). */
export interface PiecewiseLinearNet {
  inputDim: number;
  activation: Activation;
  hidden: DenseLayer[];
  readout?: DenseLayer;
}

export interface ArchitectureSpec {
  inputDim: number;
  width: number;
  depth: number;
  activation: string;
}

/** Throws a RangeError naming every problem of an architecture (zero depth, negative width, unknown activation, ...). */
export function validateArchitecture(a: ArchitectureSpec): void {
  const problems: string[] = [];
  const posInt = (name: string, v: unknown) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) problems.push(`${name} must be a positive integer, got ${String(v)}`);
  };
  posInt('depth', a.depth);
  posInt('width', a.width);
  posInt('inputDim', a.inputDim);
  if (!(ACTIVATIONS as readonly string[]).includes(a.activation)) {
    problems.push(`unknown activation '${a.activation}' (use ${ACTIVATIONS.join(' or ')})`);
  }
  if (problems.length) throw new RangeError(`Invalid network: ${problems.join('; ')}`);
}

export interface RandomNetOptions extends ArchitectureSpec {
  /** Weight variance scale: W_ij ~ N(0, sigmaW2 / fanIn) (Raghu et al. 2017, section 2). */
  sigmaW2: number;
  /** Bias variance: b_i ~ N(0, sigmaB2). */
  sigmaB2: number;
  rng: Rng;
}

/** A random network as in Raghu et al. (2017): weights N(0, sigma_w^2 / k) with k the fan-in, biases N(0, sigma_b^2). */
export function randomNetwork(o: RandomNetOptions): PiecewiseLinearNet {
  validateArchitecture(o);
  if (!(o.sigmaW2 > 0) || !Number.isFinite(o.sigmaW2))
    throw new RangeError(`Invalid network: sigmaW2 must be a finite number > 0, got ${o.sigmaW2}`);
  if (!(o.sigmaB2 >= 0) || !Number.isFinite(o.sigmaB2))
    throw new RangeError(`Invalid network: sigmaB2 must be a finite number >= 0, got ${o.sigmaB2}`);
  const hidden: DenseLayer[] = [];
  let inDim = o.inputDim;
  for (let l = 0; l < o.depth; l++) {
    const outDim = o.width;
    const W = new Float64Array(outDim * inDim);
    const sw = Math.sqrt(o.sigmaW2 / inDim);
    for (let i = 0; i < W.length; i++) W[i] = sw * o.rng.normal();
    const b = new Float64Array(outDim);
    const sb = Math.sqrt(o.sigmaB2);
    if (sb > 0) for (let i = 0; i < outDim; i++) b[i] = sb * o.rng.normal();
    hidden.push({ inDim, outDim, W, b });
    inDim = outDim;
  }
  return { inputDim: o.inputDim, activation: o.activation as Activation, hidden };
}

/** Builds a network from plain arrays (weights as rows), checking shapes. */
export function networkFromArrays(
  activation: string,
  layers: { W: number[][]; b: number[] }[],
  readout?: { W: number[][]; b: number[] },
): PiecewiseLinearNet {
  if (layers.length === 0) throw new RangeError('Invalid network: depth must be a positive integer, got 0');
  const toLayer = (L: { W: number[][]; b: number[] }, inDim: number, name: string): DenseLayer => {
    const outDim = L.W.length;
    if (outDim < 1 || L.b.length !== outDim || L.W.some((r) => r.length !== inDim)) {
      throw new RangeError(`Invalid network: ${name} must have W of shape [out][${inDim}] and b of length out`);
    }
    return { inDim, outDim, W: Float64Array.from(L.W.flat()), b: Float64Array.from(L.b) };
  };
  const inputDim = layers[0].W[0]?.length ?? 0;
  validateArchitecture({ inputDim, width: layers[0].W.length, depth: layers.length, activation });
  const hidden: DenseLayer[] = [];
  let d = inputDim;
  layers.forEach((L, i) => {
    hidden.push(toLayer(L, d, `layer ${i + 1}`));
    d = L.W.length;
  });
  return { inputDim, activation: activation as Activation, hidden, readout: readout ? toLayer(readout, d, 'readout') : undefined };
}

/**
 * Telgarsky's sawtooth (2016): the tent map T(x) = 2 relu(x) - 4 relu(x - 1/2)
 * composed `depth` times, as a ReLU net of width 2. On [0, 1], T^L has 2^L
 * linear pieces; the activation pattern of the first l layers changes at
 * 2^l - 1 points, so the path [0, 1] meets 2^l regions.
 */
export function sawtoothNetwork(depth: number): PiecewiseLinearNet {
  validateArchitecture({ inputDim: 1, width: 2, depth, activation: 'relu' });
  const layers = [{ W: [[1], [1]], b: [0, -0.5] }];
  for (let l = 1; l < depth; l++)
    layers.push({
      W: [
        [2, -4],
        [2, -4],
      ],
      b: [0, -0.5],
    });
  return networkFromArrays('relu', layers, { W: [[2, -4]], b: [0] });
}

/** A polygonal input path: consecutive vertices joined by segments; closed joins the last to the first. */
export interface InputPath {
  vertices: Float64Array[];
  closed: boolean;
}

export function segmentPath(from: ArrayLike<number>, to: ArrayLike<number>): InputPath {
  if (from.length !== to.length || from.length === 0) throw new RangeError('segmentPath: endpoints must have the same, positive dimension');
  return { vertices: [Float64Array.from(from), Float64Array.from(to)], closed: false };
}

/**
 * Circle of `radius` in the plane spanned by the orthonormal u, v (around
 * `center`), as an inscribed regular polygon with `vertices` corners.
 */
export function circlePath(
  center: ArrayLike<number>,
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  radius: number,
  vertices: number,
): InputPath {
  if (!Number.isInteger(vertices) || vertices < 3) throw new RangeError(`circlePath: vertices must be an integer >= 3, got ${vertices}`);
  const m = center.length;
  const out: Float64Array[] = [];
  for (let j = 0; j < vertices; j++) {
    const th = (2 * Math.PI * j) / vertices;
    const c = radius * Math.cos(th);
    const s = radius * Math.sin(th);
    const p = new Float64Array(m);
    for (let i = 0; i < m; i++) p[i] = center[i] + c * u[i] + s * v[i];
    out.push(p);
  }
  return { vertices: out, closed: true };
}

/** Two random orthonormal directions in R^m (Gram-Schmidt on Gaussian vectors). */
export function randomPlane(m: number, rng: Rng): { u: Float64Array; v: Float64Array } {
  if (!Number.isInteger(m) || m < 2) throw new RangeError(`randomPlane: dimension must be an integer >= 2, got ${m}`);
  const u = new Float64Array(m);
  const v = new Float64Array(m);
  for (let i = 0; i < m; i++) u[i] = rng.normal();
  for (let i = 0; i < m; i++) v[i] = rng.normal();
  const nu = Math.hypot(...u);
  for (let i = 0; i < m; i++) u[i] /= nu;
  let dot = 0;
  for (let i = 0; i < m; i++) dot += u[i] * v[i];
  for (let i = 0; i < m; i++) v[i] -= dot * u[i];
  const nv = Math.hypot(...v);
  for (let i = 0; i < m; i++) v[i] /= nv;
  return { u, v };
}

/** Per-layer counts along a path. Layer 0 is the input (only `length` is meaningful there). */
export interface LayerCount {
  layer: number;
  /** Affine pieces of the path after this layer's splits (includes the polygon's own corners). */
  pieces: number;
  transitions: number;
  regions: number;
  length: number;
}

export interface PathCount {
  layers: LayerCount[];
}

/** Activation code of one pre-activation: relu 0 off / 1 on; hard-tanh 0 low / 1 linear / 2 high. */
function codeOf(act: Activation, z: number): number {
  if (act === 'relu') return z > 0 ? 1 : 0;
  return z < -1 ? 0 : z > 1 ? 2 : 1;
}

const THRESHOLDS: Record<Activation, number[]> = { relu: [0], 'hard-tanh': [-1, 1] };

/** Two 32-bit hashes of a pattern, chained with the previous layers' hashes. */
function chainHash(prev1: number, prev2: number, codes: Uint8Array): [number, number] {
  let h1 = (prev1 ^ 0x811c9dc5) >>> 0;
  let h2 = (prev2 ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < codes.length; i++) {
    h1 = Math.imul(h1 ^ codes[i], 0x01000193);
    h2 = Math.imul(h2 ^ (codes[i] + 7 * (i & 0xff)), 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return [h1 >>> 0, h2 >>> 0];
}

function checkNet(net: PiecewiseLinearNet): void {
  if (!net || !Array.isArray(net.hidden) || net.hidden.length === 0)
    throw new RangeError('Invalid network: depth must be a positive integer, got 0');
  if (!(ACTIVATIONS as readonly string[]).includes(net.activation))
    throw new RangeError(`Invalid network: unknown activation '${net.activation}' (use ${ACTIVATIONS.join(' or ')})`);
}

/**
 * A segment's pieces after some layers, as rows: a row-major (2P x dim) float64 matrix whose rows
 * 0..P-1 are the pieces' offsets a and rows P..2P-1 their directions c (the layer's input on the
 * piece is a + c t for t in [t0, t1]), so that the next layer's products for every piece are one
 * matrix product.
 */
interface Pieces {
  count: number;
  dim: number;
  ac: Float64Array;
  t0: number[];
  t1: number[];
  /** Cumulative pattern hashes after each processed layer: [h1, h2] per layer. */
  hashes: number[][];
}

/**
 * The layer's pre-activations on every piece: rows 0..P-1 W a + b, rows P..2P-1 W c. With the
 * native addon one OpenBLAS dgemm for all rows, then the bias; without it the same sums as a
 * loop per row, with the bias as the first term.
 */
function layerProducts(layer: DenseLayer, pieces: Pieces, blas: Blas | null): Float64Array {
  const { W, b, inDim, outDim } = layer;
  const P = pieces.count;
  const z = new Float64Array(2 * P * outDim);
  if (blas) {
    blas.dgemm(false, true, 2 * P, outDim, inDim, pieces.ac, W, z);
    for (let k = 0; k < P; k++) for (let i = 0; i < outDim; i++) z[k * outDim + i] += b[i];
    return z;
  }
  const x = pieces.ac;
  for (let r = 0; r < 2 * P; r++) {
    const xr = r * inDim;
    for (let i = 0; i < outDim; i++) {
      let s = r < P ? b[i] : 0;
      const row = i * inDim;
      for (let j = 0; j < inDim; j++) s += W[row + j] * x[xr + j];
      z[r * outDim + i] = s;
    }
  }
  return z;
}

/** Rows of a growing row-major float64 matrix. */
class GrowingRows {
  data: Float64Array;
  count = 0;
  constructor(readonly width: number) {
    this.data = new Float64Array(width * 64);
  }
  /** Offset of a new row. */
  add(): number {
    if ((this.count + 1) * this.width > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    return this.count++ * this.width;
  }
}

export interface CountOptions {
  /** Error out when a segment's pieces exceed this (guards memory; default 2,000,000). */
  maxPieces?: number;
  /**
   * The layers' products: 'native' (one OpenBLAS dgemm per layer for all of a segment's pieces,
   * 3-5x faster on width-128 nets), 'js' (a loop per piece) or 'auto' (the default: native where
   * the addon loads). The two differ in the pre-activations' last bits, so lengths agree to
   * round-off; pieces, transitions and regions could differ only where a root lies within that
   * rounding of another root or of a piece's end.
   */
  linalg?: Linalg;
}

/**
 * Exact transitions, regions and trajectory length per layer along a
 * polygonal path, by analytic breakpoint propagation.
 */
export function countAlongPath(net: PiecewiseLinearNet, path: InputPath, opts: CountOptions = {}): PathCount {
  checkNet(net);
  const maxPieces = opts.maxPieces ?? 2_000_000;
  const blas = blasFor(opts.linalg ?? 'auto', 'countAlongPath');
  const L = net.hidden.length;
  const act = net.activation;
  const thresholds = THRESHOLDS[act];
  const nv = path.vertices.length;
  if (nv < 2) throw new RangeError('countAlongPath: a path needs at least 2 vertices');
  for (const p of path.vertices)
    if (p.length !== net.inputDim)
      throw new RangeError(`countAlongPath: path dimension ${p.length} != network input dimension ${net.inputDim}`);
  const nSeg = path.closed ? nv : nv - 1;

  const lengths = new Float64Array(L + 1);
  const pieceCounts = new Float64Array(L + 1);
  const transitions = new Float64Array(L + 1);
  const regionSets: Set<string>[] = Array.from({ length: L + 1 }, () => new Set<string>());
  let firstHashes: number[] | null = null;
  let prevHashes: number[] | null = null;

  for (let s = 0; s < nSeg; s++) {
    const p = path.vertices[s];
    const q = path.vertices[(s + 1) % nv];
    const m = p.length;
    const ac = new Float64Array(2 * m);
    ac.set(p, 0);
    for (let i = 0; i < m; i++) ac[m + i] = q[i] - p[i];
    let pieces: Pieces = { count: 1, dim: m, ac, t0: [0], t1: [1], hashes: [[]] };
    lengths[0] += norm(ac.subarray(m));
    pieceCounts[0] += 1;
    for (let l = 0; l < L; l++) {
      const layer = net.hidden[l];
      const outDim = layer.outDim;
      const P = pieces.count;
      const z = layerProducts(layer, pieces, blas);
      const nextA = new GrowingRows(outDim);
      const nextC = new GrowingRows(outDim);
      const next: Pieces = { count: 0, dim: outDim, ac: z, t0: [], t1: [], hashes: [] };
      for (let k = 0; k < P; k++) {
        // Pre-activations of layer l on piece k: a + c t.
        const a = z.subarray(k * outDim, (k + 1) * outDim);
        const c = z.subarray((P + k) * outDim, (P + k + 1) * outDim);
        const pt0 = pieces.t0[k];
        const pt1 = pieces.t1[k];
        // Threshold crossings strictly inside (t0, t1).
        const roots: number[] = [];
        for (let i = 0; i < outDim; i++) {
          const ci = c[i];
          if (ci === 0) continue;
          for (const th of thresholds) {
            const z0 = a[i] + ci * pt0 - th;
            const z1 = a[i] + ci * pt1 - th;
            if ((z0 < 0 && z1 > 0) || (z0 > 0 && z1 < 0)) {
              const r = (th - a[i]) / ci;
              if (r > pt0 && r < pt1) roots.push(r);
            }
          }
        }
        roots.sort((x, y) => x - y);
        const cuts = [pt0];
        const eps = 1e-13 * (pt1 - pt0);
        for (const r of roots) if (r - cuts[cuts.length - 1] > eps && pt1 - r > eps) cuts.push(r);
        cuts.push(pt1);
        const ph = pieces.hashes[k];
        for (let j = 0; j + 1 < cuts.length; j++) {
          const t0 = cuts[j];
          const t1 = cuts[j + 1];
          const tm = 0.5 * (t0 + t1);
          const codes = new Uint8Array(outDim);
          // The activation keeps the piece affine: linear units pass a + c t, the others are constant.
          const ra = nextA.add();
          const rc = nextC.add();
          const A = nextA.data;
          const C = nextC.data;
          let n2 = 0;
          for (let i = 0; i < outDim; i++) {
            const code = codeOf(act, a[i] + c[i] * tm);
            codes[i] = code;
            if (code === 1) {
              A[ra + i] = a[i];
              C[rc + i] = c[i];
              n2 += c[i] * c[i];
            } else {
              A[ra + i] = act === 'relu' ? 0 : code === 0 ? -1 : 1;
              C[rc + i] = 0;
            }
          }
          const [h1, h2] = chainHash(l === 0 ? 0 : ph[2 * l - 2], l === 0 ? 0 : ph[2 * l - 1], codes);
          lengths[l + 1] += Math.sqrt(n2) * (t1 - t0);
          next.t0.push(t0);
          next.t1.push(t1);
          next.hashes.push([...ph, h1, h2]);
        }
        if (nextA.count > maxPieces) {
          throw new RangeError(
            `countAlongPath: more than ${maxPieces} pieces on one segment at layer ${l + 1}; use a finer polygon or raise maxPieces`,
          );
        }
      }
      next.count = nextA.count;
      next.ac = new Float64Array(2 * next.count * outDim);
      next.ac.set(nextA.data.subarray(0, next.count * outDim), 0);
      next.ac.set(nextC.data.subarray(0, next.count * outDim), next.count * outDim);
      pieces = next;
      pieceCounts[l + 1] += pieces.count;
    }
    // Transitions and regions per layer from the cumulative hashes of the finest pieces.
    for (const h of pieces.hashes) {
      if (firstHashes === null) firstHashes = h;
      for (let l = 1; l <= L; l++) {
        const i1 = h[2 * l - 2];
        const i2 = h[2 * l - 1];
        regionSets[l].add(`${i1}:${i2}`);
        if (prevHashes !== null && (prevHashes[2 * l - 2] !== i1 || prevHashes[2 * l - 1] !== i2)) transitions[l]++;
      }
      prevHashes = h;
    }
  }
  if (path.closed && firstHashes && prevHashes) {
    for (let l = 1; l <= L; l++) {
      if (prevHashes[2 * l - 2] !== firstHashes[2 * l - 2] || prevHashes[2 * l - 1] !== firstHashes[2 * l - 1]) transitions[l]++;
    }
  }
  const layers: LayerCount[] = [];
  for (let l = 0; l <= L; l++) {
    layers.push({
      layer: l,
      pieces: pieceCounts[l],
      transitions: transitions[l],
      regions: l === 0 ? 1 : regionSets[l].size,
      length: lengths[l],
    });
  }
  return { layers };
}

function affine(layer: DenseLayer, x: Float64Array, withBias: boolean): Float64Array {
  const out = new Float64Array(layer.outDim);
  const { W, b, inDim } = layer;
  for (let i = 0; i < layer.outDim; i++) {
    let s = withBias ? b[i] : 0;
    const row = i * inDim;
    for (let j = 0; j < inDim; j++) s += W[row + j] * x[j];
    out[i] = s;
  }
  return out;
}

function norm(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** Activation pattern codes of every hidden layer at input x, and the network output (readout, or last hidden layer). */
export function forwardPattern(net: PiecewiseLinearNet, x: ArrayLike<number>): { codes: Uint8Array[]; output: Float64Array } {
  checkNet(net);
  if (x.length !== net.inputDim) throw new RangeError(`forwardPattern: input dimension ${x.length} != ${net.inputDim}`);
  let h: Float64Array = Float64Array.from(x);
  const codes: Uint8Array[] = [];
  for (const layer of net.hidden) {
    const z = affine(layer, h, true);
    const k = new Uint8Array(layer.outDim);
    for (let i = 0; i < z.length; i++) {
      k[i] = codeOf(net.activation, z[i]);
      z[i] = net.activation === 'relu' ? Math.max(0, z[i]) : Math.max(-1, Math.min(1, z[i]));
    }
    codes.push(k);
    h = z;
  }
  return { codes, output: net.readout ? affine(net.readout, h, true) : h };
}

/**
 * Transitions per layer along a path by dense sampling (`samplesPerSegment`
 * points per segment): a check on countAlongPath, which it can only
 * under-count (two crossings between neighbouring samples are missed).
 */
export function sampledTransitions(net: PiecewiseLinearNet, path: InputPath, samplesPerSegment: number): number[] {
  checkNet(net);
  const L = net.hidden.length;
  const nv = path.vertices.length;
  const nSeg = path.closed ? nv : nv - 1;
  const keys: string[][] = [];
  for (let s = 0; s < nSeg; s++) {
    const p = path.vertices[s];
    const q = path.vertices[(s + 1) % nv];
    const last = path.closed || s < nSeg - 1 ? samplesPerSegment : samplesPerSegment + 1;
    for (let j = 0; j < last; j++) {
      const t = j / samplesPerSegment;
      const x = Array.from(p, (pi, i) => pi + t * (q[i] - pi));
      const { codes } = forwardPattern(net, x);
      const cum: string[] = [];
      let acc = '';
      for (const k of codes) cum.push((acc += k.join('') + '|'));
      keys.push(cum);
    }
  }
  const out = new Array<number>(L + 1).fill(0);
  for (let l = 1; l <= L; l++) {
    for (let j = 1; j < keys.length; j++) if (keys[j][l - 1] !== keys[j - 1][l - 1]) out[l]++;
    if (path.closed && keys.length > 1 && keys[0][l - 1] !== keys[keys.length - 1][l - 1]) out[l]++;
  }
  return out;
}

export interface SliceOptions {
  center: ArrayLike<number>;
  u: ArrayLike<number>;
  v: ArrayLike<number>;
  /** The slice covers center + a u + b v for a, b in [-extent, extent]. */
  extent: number;
  /** Grid points per side. */
  resolution: number;
}

export interface RegionMap {
  resolution: number;
  /** Region id per grid point (row-major, row = b index from -extent up), ids numbered in order of first appearance; final layer. */
  ids: Int32Array;
  /** Distinct activation patterns on the grid using layers 1..l, for l = 1..depth (index l - 1). */
  regionsPerLayer: number[];
}

/**
 * Regions of a 2-D input slice, counted as distinct activation patterns on a
 * resolution x resolution grid (a lower bound on the regions meeting the
 * slice: regions smaller than a grid cell are missed).
 */
export function regionMap2D(net: PiecewiseLinearNet, o: SliceOptions): RegionMap {
  checkNet(net);
  if (!Number.isInteger(o.resolution) || o.resolution < 2)
    throw new RangeError(`regionMap2D: resolution must be an integer >= 2, got ${o.resolution}`);
  if (!(o.extent > 0)) throw new RangeError(`regionMap2D: extent must be > 0, got ${o.extent}`);
  const n = o.resolution;
  const L = net.hidden.length;
  const sets: Map<string, number>[] = Array.from({ length: L }, () => new Map());
  const ids = new Int32Array(n * n);
  const x = new Float64Array(net.inputDim);
  for (let r = 0; r < n; r++) {
    const bb = -o.extent + (2 * o.extent * r) / (n - 1);
    for (let col = 0; col < n; col++) {
      const aa = -o.extent + (2 * o.extent * col) / (n - 1);
      for (let i = 0; i < x.length; i++) x[i] = o.center[i] + aa * o.u[i] + bb * o.v[i];
      const { codes } = forwardPattern(net, x);
      let h1 = 0;
      let h2 = 0;
      for (let l = 0; l < L; l++) {
        [h1, h2] = chainHash(h1, h2, codes[l]);
        const key = `${h1}:${h2}`;
        const m = sets[l];
        if (!m.has(key)) m.set(key, m.size);
        if (l === L - 1) ids[r * n + col] = m.get(key)!;
      }
    }
  }
  return { resolution: n, ids, regionsPerLayer: sets.map((s) => s.size) };
}

/**
 * Raghu et al. (2017), Theorem 3: per-layer growth factor of the expected
 * trajectory length of a hard-tanh network with sigma_b = 0, width k:
 * sqrt(sigma_w k) / sqrt(sigma_w + k), with sigma_w the weight standard deviation scale.
 */
export function raghuHardTanhGrowthBound(sigmaW2: number, k: number): number {
  const sw = Math.sqrt(sigmaW2);
  return Math.sqrt((sw * k) / (sw + k));
}
