import { type Rng } from '@claimlab/core';
import { tf } from '@claimlab/backend';

/**
 * Loss surfaces along random directions in weight space, after Li, Xu, Taylor, Studer &
 * Goldstein (2018), "Visualizing the Loss Landscape of Neural Nets", section 4.
 *
 * A direction is one Float32Array per trainable weight of a tf.LayersModel, in the order of
 * `model.trainableWeights`. As in the authors' code (net_plotter.py, `--dir_type weights`),
 * only trainable parameters are perturbed: batch-norm running means and variances are
 * untouched, and the surface is evaluated in inference mode (their evaluation.py calls
 * net.eval()), so BN normalises with the running statistics of the trained network.
 */
export type Direction = Float32Array[];

/** How a random direction is scaled to the weights (the authors' `--xnorm`). */
export type DirectionNorm = 'filter' | 'layer' | 'none';
/** What happens to 1-D parameters, i.e. biases and batch-norm gamma/beta (the authors' `--xignore`). */
export type IgnoreMode = 'biasbn' | 'none';

export interface DirectionOptions {
  /** Default 'filter' (the paper's filter normalization). */
  norm?: DirectionNorm;
  /** Default 'biasbn': the direction is zero for biases and BN parameters (the paper's default). */
  ignore?: IgnoreMode;
}

/** Current values of the model's trainable weights, as copies. */
export function snapshotWeights(model: tf.LayersModel): Float32Array[] {
  return model.trainableWeights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
}

/** Shapes of the model's trainable weights. */
export function weightShapes(model: tf.LayersModel): number[][] {
  return model.trainableWeights.map((w) => [...w.shape] as number[]);
}

const norm2 = (a: Float32Array, idx?: (i: number) => boolean) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) if (!idx || idx(i)) s += a[i] * a[i];
  return Math.sqrt(s);
};

/**
 * Rescales `d` in place to the weights `w` of the same shape (tfjs layout: conv kernels
 * [kh, kw, in, out], dense kernels [in, out], so a filter / neuron is one index of the last axis).
 *  - 'filter': every filter d_j is scaled to ||w_j|| (d_j <- d_j / ||d_j|| * ||w_j||); for a
 *    dense layer a "filter" is the weights into one output neuron (the paper, section 4);
 *  - 'layer': the whole tensor is scaled to ||w||;
 *  - 'none': unchanged.
 * The 1e-10 guard in the denominator is the authors' (net_plotter.normalize_direction).
 */
export function normalizeDirection(d: Float32Array, w: Float32Array, shape: number[], norm: DirectionNorm): void {
  if (d.length !== w.length) throw new Error(`normalizeDirection: direction has ${d.length} values, weights ${w.length}`);
  if (norm === 'none') return;
  if (norm === 'layer' || shape.length <= 1) {
    const s = norm2(w) / (norm2(d) + 1e-10);
    for (let i = 0; i < d.length; i++) d[i] *= s;
    return;
  }
  const out = shape[shape.length - 1];
  const dn = new Float64Array(out);
  const wn = new Float64Array(out);
  for (let i = 0; i < d.length; i++) {
    const j = i % out;
    dn[j] += d[i] * d[i];
    wn[j] += w[i] * w[i];
  }
  const scale = new Float64Array(out);
  for (let j = 0; j < out; j++) scale[j] = Math.sqrt(wn[j]) / (Math.sqrt(dn[j]) + 1e-10);
  for (let i = 0; i < d.length; i++) d[i] *= scale[i % out];
}

/**
 * A random Gaussian direction with the shapes of `weights`, normalized to them. Parameters with
 * one dimension or fewer (biases, BN gamma and beta) get a zero direction with ignore='biasbn'
 * and a copy of the weights with ignore='none', as in the authors' normalize_directions_for_weights.
 * Every tensor draws from its own stream, named by `names[k]` when given (else by its index) and
 * its shape, so twins with the same layer names (a ResNet and its no-shortcut version) get the
 * same direction on their common layers before normalization.
 */
export function randomNormalizedDirection(
  weights: Float32Array[],
  shapes: number[][],
  rng: Rng,
  opts: DirectionOptions & { names?: string[] } = {},
): Direction {
  const norm = opts.norm ?? 'filter';
  const ignore = opts.ignore ?? 'biasbn';
  if (weights.length !== shapes.length) throw new Error(`randomNormalizedDirection: ${weights.length} weights but ${shapes.length} shapes`);
  return weights.map((w, k) => {
    const shape = shapes[k];
    if (shape.length <= 1) return ignore === 'biasbn' ? new Float32Array(w.length) : Float32Array.from(w);
    const r = rng.fork(`direction/${opts.names ? opts.names[k] : k}/${shape.join('x')}`);
    const d = new Float32Array(w.length);
    for (let i = 0; i < d.length; i++) d[i] = r.normal();
    normalizeDirection(d, w, shape, norm);
    return d;
  });
}

/** Filter-normalized random direction for the model's current weights (the paper's default). */
export function filterNormalizedDirection(model: tf.LayersModel, rng: Rng, opts: DirectionOptions = {}): Direction {
  return randomNormalizedDirection(snapshotWeights(model), weightShapes(model), rng, {
    ...opts,
    names: model.trainableWeights.map((w) => w.originalName),
  });
}

/** Writes base + sum_k coeffs[k] * dirs[k] into the model's trainable weights. */
export function setWeightsAlong(model: tf.LayersModel, base: Float32Array[], dirs: Direction[], coeffs: number[]): void {
  if (dirs.length !== coeffs.length) throw new Error(`setWeightsAlong: ${dirs.length} directions but ${coeffs.length} coefficients`);
  const vars = model.trainableWeights;
  if (base.length !== vars.length) throw new Error(`setWeightsAlong: ${base.length} base tensors for ${vars.length} trainable weights`);
  vars.forEach((v, k) => {
    const b = base[k];
    const out = new Float32Array(b.length);
    out.set(b);
    dirs.forEach((d, j) => {
      const c = coeffs[j];
      const dk = d[k];
      if (c !== 0 && dk) for (let i = 0; i < out.length; i++) out[i] += c * dk[i];
    });
    const t = tf.tensor(out, v.shape as number[]);
    v.write(t);
    t.dispose();
  });
}

/** Restores weights taken with snapshotWeights. */
export function restoreWeights(model: tf.LayersModel, base: Float32Array[]): void {
  setWeightsAlong(model, base, [], []);
}

/** Images (NHWC) and integer labels, already on the backend. */
export interface EvalData {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
  numClasses: number;
}

export function toEvalData(d: {
  images: Float32Array;
  labels: Int32Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
}): EvalData {
  return {
    x: tf.tensor4d(d.images, [d.n, d.height, d.width, d.channels]),
    y: tf.tensor1d(d.labels, 'int32'),
    numClasses: d.numClasses,
  };
}

export function disposeEvalData(d: EvalData): void {
  d.x.dispose();
  d.y.dispose();
}

/**
 * Mean softmax cross-entropy and accuracy of the model on `data` in inference mode (BN with
 * running statistics), in batches. One host sync per call.
 */
export function evaluateLossAccuracy(model: tf.LayersModel, data: EvalData, batchSize = 500): { loss: number; accuracy: number } {
  const n = data.x.shape[0];
  const parts = [] as tf.Tensor[];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    parts.push(
      tf.tidy(() => {
        const logits = model.apply(data.x.slice(start, size), { training: false }) as tf.Tensor2D;
        const y = data.y.slice(start, size);
        const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(y, data.numClasses), logits, undefined, undefined, tf.Reduction.SUM);
        const correct = logits.argMax(-1).equal(y).sum().cast('float32');
        return tf.stack([ce as tf.Scalar, correct]);
      }),
    );
  }
  const total = tf.tidy(() => tf.addN(parts));
  const [ceSum, correct] = Array.from(total.dataSync());
  tf.dispose([total, ...parts]);
  return { loss: ceSum / n, accuracy: correct / n };
}

/** n evenly spaced coordinates from min to max inclusive (the authors' `--x min:max:n`). */
export function gridCoordinates(min: number, max: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 2) throw new Error(`gridCoordinates: need at least 2 points, got ${n}`);
  if (!(max > min)) throw new Error(`gridCoordinates: max must exceed min, got [${min}, ${max}]`);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? max : min + ((max - min) * i) / (n - 1)));
}

export interface Surface2D {
  xs: number[];
  ys: number[];
  /** loss[j * xs.length + i] at (xs[i], ys[j]). */
  loss: Float64Array;
  accuracy: Float64Array;
}

export interface SurfaceOptions {
  data: EvalData;
  batchSize?: number;
  /** Called after every point with the number done and the total. */
  onPoint?(done: number, total: number): void;
}

/**
 * L(theta* + alpha d1 + beta d2) and the accuracy on a grid (the paper's 2-D plots, eq. 2).
 * The model's weights are restored afterwards, also on error.
 */
export function lossSurface2D(
  model: tf.LayersModel,
  dirs: [Direction, Direction],
  xs: number[],
  ys: number[],
  opts: SurfaceOptions,
): Surface2D {
  const loss = new Float64Array(xs.length * ys.length);
  const accuracy = new Float64Array(xs.length * ys.length);
  forEachGridPoint(model, xs, ys, opts.onPoint, (i, j, base) => {
    setWeightsAlong(model, base, dirs, [xs[i], ys[j]]);
    const r = evaluateLossAccuracy(model, opts.data, opts.batchSize);
    loss[j * xs.length + i] = r.loss;
    accuracy[j * xs.length + i] = r.accuracy;
  });
  return { xs, ys, loss, accuracy };
}

/**
 * Calls atPoint(i, j, base) for every point (xs[i], ys[j]) of a grid, ys outer, with `base` the
 * model's weights at the start (snapshotWeights), and reports progress; the weights are
 * restored afterwards, also on error.
 */
export function forEachGridPoint(
  model: tf.LayersModel,
  xs: number[],
  ys: number[],
  onPoint: ((done: number, total: number) => void) | undefined,
  atPoint: (i: number, j: number, base: Float32Array[]) => void,
): void {
  const base = snapshotWeights(model);
  try {
    let done = 0;
    for (let j = 0; j < ys.length; j++) {
      for (let i = 0; i < xs.length; i++) {
        atPoint(i, j, base);
        onPoint?.(++done, xs.length * ys.length);
      }
    }
  } finally {
    restoreWeights(model, base);
  }
}

/** L(theta* + alpha d) and accuracy along one direction (the paper's 1-D plots, eq. 1 / section 4). */
export function lossSlice1D(
  model: tf.LayersModel,
  dir: Direction,
  alphas: number[],
  opts: SurfaceOptions,
): { alphas: number[]; loss: Float64Array; accuracy: Float64Array } {
  const s = lossSurface2D(model, [dir, dir.map((d) => new Float32Array(d.length))], alphas, [0], opts);
  return { alphas, loss: s.loss, accuracy: s.accuracy };
}

/**
 * Convexity defect of a 1-D slice sampled at equally spaced points: the largest height of the
 * samples above their lower convex envelope, divided by the slice's range (max - min). 0 for a
 * convex slice; close to 1 for a slice with a deep second valley. 0 for a constant slice.
 */
export function convexityDefect(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 3) return 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new Error(`convexityDefect: non-finite value ${v} at ${i}`);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (hi - lo <= 0) return 0;
  // Lower hull (Andrew's monotone chain) over points (i, v_i).
  const hull: number[] = [];
  for (let i = 0; i < n; i++) {
    while (hull.length >= 2) {
      const a = hull[hull.length - 2];
      const b = hull[hull.length - 1];
      const cross = (b - a) * (values[i] - values[a]) - (values[b] - values[a]) * (i - a);
      if (cross <= 0) hull.pop();
      else break;
    }
    hull.push(i);
  }
  let worst = 0;
  for (let h = 0; h + 1 < hull.length; h++) {
    const a = hull[h];
    const b = hull[h + 1];
    for (let i = a + 1; i < b; i++) {
      const env = values[a] + ((values[b] - values[a]) * (i - a)) / (b - a);
      worst = Math.max(worst, values[i] - env);
    }
  }
  return worst / (hi - lo);
}

/**
 * Convexity defect of the part of a slice the paper's plots show: the contiguous window around
 * the slice's minimum where the loss stays <= cap (the authors' contour plots stop at loss 10,
 * plot_2D.py vmax). Far from the minimizer a deep no-shortcut net's loss grows by orders of
 * magnitude, which would otherwise dwarf every feature near the minimizer in the range
 * normalisation. NaN when fewer than 3 points of the slice are in the window.
 */
export function windowedConvexityDefect(values: ArrayLike<number>, cap: number): number {
  const n = values.length;
  // The minimum over the finite values (a NaN at one end must not hide the valley).
  let m = -1;
  for (let i = 0; i < n; i++) if (Number.isFinite(values[i]) && (m < 0 || values[i] < values[m])) m = i;
  if (m < 0 || !(values[m] <= cap)) return NaN;
  let lo = m;
  let hi = m;
  while (lo > 0 && values[lo - 1] <= cap) lo--;
  while (hi < n - 1 && values[hi + 1] <= cap) hi++;
  if (hi - lo + 1 < 3) return NaN;
  return convexityDefect(Array.from({ length: hi - lo + 1 }, (_, k) => values[lo + k]));
}

export interface NonConvexitySummary {
  /** Mean convexity defect over the rows and columns of the grid (1-D slices along each direction) that count. */
  meanDefect: number;
  /** Largest convexity defect of a row or column. */
  maxDefect: number;
  /** Share of the counted rows and columns whose defect exceeds `threshold`. */
  nonConvexShare: number;
  /** Rows and columns counted (with a cap: those with at least 3 points in the window). */
  slices: number;
}

/**
 * Numeric non-convexity of a 2-D surface (loss[j * nx + i]): the convexity defect of each of
 * its nx + ny axis-parallel 1-D slices; with `cap`, the windowed defect (windowedConvexityDefect)
 * and slices without a window are left out (a non-finite loss ends a window, as a loss above the
 * cap does); without, slices holding a non-finite loss are left out. NaN means when no slice counts.
 */
export function surfaceNonConvexity(loss: ArrayLike<number>, nx: number, ny: number, threshold = 0.05, cap?: number): NonConvexitySummary {
  if (loss.length !== nx * ny) throw new Error(`surfaceNonConvexity: ${loss.length} values for a ${nx}x${ny} grid`);
  const slices: number[][] = [];
  for (let j = 0; j < ny; j++) slices.push(Array.from({ length: nx }, (_, i) => loss[j * nx + i]));
  for (let i = 0; i < nx; i++) slices.push(Array.from({ length: ny }, (_, j) => loss[j * nx + i]));
  const defects = slices
    .map((v) => (cap !== undefined ? windowedConvexityDefect(v, cap) : v.every(Number.isFinite) ? convexityDefect(v) : NaN))
    .filter((d) => !Number.isNaN(d));
  if (!defects.length) return { meanDefect: NaN, maxDefect: NaN, nonConvexShare: NaN, slices: 0 };
  return {
    meanDefect: defects.reduce((a, b) => a + b, 0) / defects.length,
    maxDefect: Math.max(...defects),
    nonConvexShare: defects.filter((d) => d > threshold).length / defects.length,
    slices: defects.length,
  };
}
