/**
 * (p, q)-singular vectors of a hidden layer's Jacobian, the universal
 * perturbations of Khrulkov & Oseledets, "Art of Singular Vectors and Universal
 * Adversarial Perturbations" (CVPR 2018).
 *
 * For a batch X = (x_1..x_n) and the hidden map f_i(x) of layer i, the stacked
 * Jacobian J = [J_i(x_1); ...; J_i(x_n)] (n * hidden rows, input columns) is
 * never formed: J v and J^T w come from Jacobian-vector and vector-Jacobian
 * products. The perturbation is the (p, q)-singular vector
 *
 *     v* = argmax_{||v||_p = 1} ||J v||_q,
 *
 * found by the generalized power method of Boyd (1974) (the paper's Algorithm 1):
 *
 *     v <- psi_{p'}( J^T psi_q( J v ) ),   v <- v / ||v||_p,
 *
 * with psi_r(x) = sign(x) |x|^{r-1} entrywise and 1/p + 1/p' = 1. For p = inf
 * (p' = 1) the update is v <- sign(J^T psi_q(J v)): a vertex of the l_inf cube.
 * The paper uses p = inf and q = 10 (the authors' code `singular-fool` defaults
 * to q = 5; callers set q explicitly), about 30 iterations, a batch of 64 images.
 */
import { type Rng } from '@claimlab/core';
import { tf } from '@claimlab/backend';

/** A linear map given only through its products, in float64. */
export interface LinearOperator {
  /** Number of columns (input dimension). */
  cols: number;
  /** Number of rows (output dimension). */
  rows: number;
  /** A v (length cols -> length rows). */
  matvec(v: Float64Array): Float64Array;
  /** A^T w (length rows -> length cols). */
  rmatvec(w: Float64Array): Float64Array;
}

/** The operator of a dense row-major matrix (rows x cols). */
export function denseOperator(a: ArrayLike<number>, rows: number, cols: number): LinearOperator {
  if (a.length !== rows * cols) throw new Error(`denseOperator: ${a.length} values for a ${rows}x${cols} matrix`);
  return {
    rows,
    cols,
    matvec(v) {
      const out = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let c = 0; c < cols; c++) s += a[r * cols + c] * v[c];
        out[r] = s;
      }
      return out;
    },
    rmatvec(w) {
      const out = new Float64Array(cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c] += a[r * cols + c] * w[r];
      return out;
    },
  };
}

/** l_p norm, p >= 1 or Infinity. */
export function lpNorm(x: ArrayLike<number>, p: number): number {
  if (p === Infinity) {
    let m = 0;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
    return m;
  }
  // Scaled by the largest entry so that large q (10 in the paper) does not overflow.
  const m = lpNorm(x, Infinity);
  if (m === 0) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i] / m) ** p;
  return m * s ** (1 / p);
}

/** psi_r(x) = sign(x) |x|^(r-1), entrywise, of x / ||x||_inf (the scale does not change the power method's iterate). */
export function psi(x: ArrayLike<number>, r: number): Float64Array {
  const m = lpNorm(x, Infinity) || 1;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const y = x[i] / m;
    out[i] = Math.sign(y) * Math.abs(y) ** (r - 1);
  }
  return out;
}

export interface PowerMethodOptions {
  /** Norm of the input space; Infinity for l_inf (the paper). */
  p: number;
  /** Norm of the output (hidden layer) space; the paper uses 10. */
  q: number;
  /** Maximum number of iterations (the paper: about 30; the authors' code: maxiter = 30). */
  maxIter: number;
  /** Draws the random start (uniform in [-0.5, 0.5), signs of it for p = inf, as in the authors' code). */
  rng: Rng;
  /** Stop early once the iterate no longer changes by more than this in l_inf (0: only on an exact fixed point). */
  tolerance?: number;
  /** Called after every iteration with the current ||A v||_q. */
  onIteration?(iteration: number, singularValue: number): void;
}

export interface PowerMethodResult {
  /** The (p, q)-singular vector, ||v||_p = 1 (for p = inf a sign vector). */
  v: Float64Array;
  /** ||A v||_q, the (p, q)-singular value estimate. */
  singularValue: number;
  /** Iterations done (each: one matvec and one rmatvec). */
  iterations: number;
  /** ||A v||_q after every iteration. */
  history: number[];
}

function checkNorms(p: number, q: number): void {
  if (!(p === Infinity || (Number.isFinite(p) && p > 1))) throw new Error(`powerMethod: p must be > 1 or Infinity, got ${p}`);
  if (!(Number.isFinite(q) && q > 1)) throw new Error(`powerMethod: q must be a finite number > 1, got ${q}`);
}

/**
 * Boyd's generalized power method for the (p, q)-singular vector of A (Khrulkov
 * & Oseledets 2018, Algorithm 1). For p = q = 2 it is the ordinary power
 * iteration on A^T A and returns the top right singular vector.
 *
 * For p = inf the iterate is sign(A^T psi_q(A v)); where an entry of
 * A^T psi_q(A v) is exactly 0 (an input that does not reach the layer) the
 * previous sign is kept, so v stays a vertex of the cube and uses the whole
 * budget (the authors' code would leave a 0 there).
 */
export function powerMethod(a: LinearOperator, opts: PowerMethodOptions): PowerMethodResult {
  const { p, q, maxIter, rng } = opts;
  checkNorms(p, q);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new Error(`powerMethod: maxIter must be a positive integer, got ${maxIter}`);
  const tol = opts.tolerance ?? 0;
  const pDual = p === Infinity ? 1 : p / (p - 1);
  let v: Float64Array = new Float64Array(a.cols);
  for (let i = 0; i < v.length; i++) v[i] = rng.uniform() - 0.5;
  if (p === Infinity) v = v.map((x) => (x >= 0 ? 1 : -1));
  else v = scaleTo(v, p);
  const history: number[] = [];
  let iterations = 0;
  // A v of the current iterate: one matvec and one rmatvec per iteration.
  let av = a.matvec(v);
  for (let it = 1; it <= maxIter; it++) {
    const g = a.rmatvec(psi(av, q));
    let next: Float64Array;
    if (p === Infinity) {
      next = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) next[i] = g[i] > 0 ? 1 : g[i] < 0 ? -1 : v[i];
    } else {
      next = scaleTo(psi(g, pDual), p);
    }
    let change = 0;
    for (let i = 0; i < v.length; i++) change = Math.max(change, Math.abs(next[i] - v[i]));
    v = next;
    iterations = it;
    av = a.matvec(v);
    history.push(lpNorm(av, q));
    opts.onIteration?.(it, history[history.length - 1]);
    if (change <= tol) break;
  }
  return { v, singularValue: history[history.length - 1], iterations, history };
}

function scaleTo(v: Float64Array, p: number): Float64Array {
  const n = lpNorm(v, p);
  if (n === 0) throw new Error('powerMethod: the iterate became 0 (A^T psi(A v) = 0): the operator vanishes on it');
  return v.map((x) => x / n);
}

/** A tfjs map from a batch of inputs [n, ...inputShape] to a batch of hidden activations [n, ...]. */
export type BatchMap = (x: tf.Tensor) => tf.Tensor;

/**
 * The hidden layer `layerName` of a layers model as a BatchMap, in inference
 * mode (batch norm uses its moving statistics, so images do not interact).
 */
export function layerMap(model: tf.LayersModel, layerName: string): BatchMap {
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer(layerName);
  } catch {
    throw new Error(`layer '${layerName}' is not in model '${model.name}' (layers: ${model.layers.map((l) => l.name).join(', ')})`);
  }
  const sub = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
  return (x) => sub.apply(x, { training: false }) as tf.Tensor;
}

/**
 * The stacked Jacobian of `map` over a batch of images as a LinearOperator,
 * with no dense Jacobian:
 *  - rmatvec (J^T w) is one vector-Jacobian product: the gradient of
 *    sum_i <f(x_i), w_i> with respect to the batch, summed over images;
 *  - matvec (J v) is the double-VJP trick of the authors' code: u(w) = J^T w
 *    is linear in w, so J v = d/dw <u(w), v> (a second reverse pass through
 *    the first one's gradient; exact, no finite-difference step).
 * `images` holds n * inputSize values (NHWC), in the order of `inputShape`.
 */
export function jacobianOperator(
  map: BatchMap,
  images: Float32Array,
  inputShape: number[],
  batchSize = 64,
): LinearOperator & { calls: { matvec: number; rmatvec: number } } {
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const n = images.length / inputSize;
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`jacobianOperator: ${images.length} values are not a whole number of ${inputShape.join('x')} images`);
  const hiddenShape = tf.tidy(() => map(tf.zeros([1, ...inputShape])).shape.slice(1));
  const hiddenSize = hiddenShape.reduce((a, b) => a * b, 1);
  const chunks: { start: number; size: number }[] = [];
  for (let s = 0; s < n; s += batchSize) chunks.push({ start: s, size: Math.min(batchSize, n - s) });
  const calls = { matvec: 0, rmatvec: 0 };
  const xOf = (c: { start: number; size: number }) =>
    tf.tensor(images.subarray(c.start * inputSize, (c.start + c.size) * inputSize), [c.size, ...inputShape]);
  return {
    rows: n * hiddenSize,
    cols: inputSize,
    calls,
    rmatvec(w) {
      calls.rmatvec++;
      const out = new Float64Array(inputSize);
      for (const c of chunks) {
        const g = tf.tidy(() => {
          const x = xOf(c);
          const wt = tf.tensor(Float32Array.from(w.subarray(c.start * hiddenSize, (c.start + c.size) * hiddenSize)), [
            c.size,
            ...hiddenShape,
          ]);
          const grad = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(map(xx), wt)))(x);
          return tf.sum(grad, 0);
        });
        const d = g.dataSync();
        g.dispose();
        for (let i = 0; i < inputSize; i++) out[i] += d[i];
      }
      return out;
    },
    matvec(v) {
      calls.matvec++;
      const out = new Float64Array(n * hiddenSize);
      const vt = tf.tensor(Float32Array.from(v), inputShape);
      try {
        for (const c of chunks) {
          const jv = tf.tidy(() => {
            const x = xOf(c);
            // u(w) = sum_i J_i^T w_i (per image, not summed): <u(w), v> = sum_i <w_i, J_i v>.
            const inner = (w0: tf.Tensor) => {
              const gx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(map(xx), w0)))(x);
              return tf.sum(tf.mul(gx, vt));
            };
            return tf.grad(inner)(tf.zeros([c.size, ...hiddenShape]));
          });
          const d = jv.dataSync();
          jv.dispose();
          for (let i = 0; i < d.length; i++) out[c.start * hiddenSize + i] = d[i];
        }
      } finally {
        vt.dispose();
      }
      return out;
    },
  };
}

export interface SingularPerturbationOptions {
  /** The paper: q = 10 (set explicitly; the authors' code defaults to 5). */
  q: number;
  /** Power iterations (the paper: about 30). */
  maxIter: number;
  /** l_inf budget: the result has ||v||_inf = xi. */
  xi: number;
  rng: Rng;
  /** Images per tfjs call inside the products (memory only; results do not depend on it beyond float rounding order). */
  batchSize?: number;
  onIteration?(iteration: number, singularValue: number): void;
}

export interface SingularPerturbation extends PowerMethodResult {
  /** xi * v: the universal perturbation, ||.||_inf = xi, one image's worth of values. */
  perturbation: Float32Array;
  /** Jacobian products done (J v and J^T w), each over the whole batch. */
  products: number;
}

/**
 * Khrulkov & Oseledets' universal perturbation: the (inf, q)-singular vector
 * of the stacked Jacobian of `model`'s layer `layerName` on `images`, scaled to
 * ||v||_inf = xi. The sign of a singular vector is arbitrary: both signs are
 * returned by the method equally; this one is what the power method gives.
 */
export function singularVectorPerturbation(
  model: tf.LayersModel,
  layerName: string,
  images: Float32Array,
  inputShape: number[],
  opts: SingularPerturbationOptions,
): SingularPerturbation {
  if (!(opts.xi > 0)) throw new Error(`singularVectorPerturbation: xi must be > 0, got ${opts.xi}`);
  const op = jacobianOperator(layerMap(model, layerName), images, inputShape, opts.batchSize);
  const r = powerMethod(op, { p: Infinity, q: opts.q, maxIter: opts.maxIter, rng: opts.rng, onIteration: opts.onIteration });
  return { ...r, perturbation: Float32Array.from(r.v, (x) => x * opts.xi), products: op.calls.matvec + op.calls.rmatvec };
}
