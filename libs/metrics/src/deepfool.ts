/**
 * DeepFool (Moosavi-Dezfooli, Fawzi & Frossard, CVPR 2016): the minimal
 * perturbation that moves an input across the nearest decision boundary of
 * the classifier's local linearization, iterated until the label changes.
 * The inner step of the universal perturbation algorithm (universal-perturbations.ts).
 *
 * Follows the authors' reference (github.com/LTS4/universal, python/deepfool.py):
 * candidates are the top `numCandidates` classes of the clean input (10),
 * overshoot 0.02 applied to the accumulated perturbation, at most `maxIter`
 * iterations (10 inside the universal algorithm).
 */
import { tf } from '@claimlab/backend';

/** A classifier on flat inputs (one image = inputSize values) with input gradients of its logits. */
export interface DifferentiableClassifier {
  inputSize: number;
  numClasses: number;
  /** Logits of n images (n * inputSize values), n * numClasses values. */
  logits(images: Float32Array): Float32Array;
  /** Logits of one image and the gradient of each requested class's logit with respect to the input. */
  gradients(image: Float32Array, classes: number[]): { logits: Float32Array; grads: Float32Array[] };
  /** Work done so far: forward passes and reverse (gradient) passes, each counted per image. */
  readonly cost: { forward: number; backward: number };
}

/** argmax of each row of an n x k array. */
export function argmaxRows(values: ArrayLike<number>, k: number): Int32Array {
  const n = values.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (values[i * k + j] > values[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Predicted labels of n images, optionally with one perturbation added to every image. */
export function predictLabels(clf: DifferentiableClassifier, images: Float32Array, perturbation?: ArrayLike<number>): Int32Array {
  let x = images;
  if (perturbation) {
    if (perturbation.length !== clf.inputSize)
      throw new Error(`predictLabels: perturbation has ${perturbation.length} values, the classifier takes ${clf.inputSize}`);
    x = new Float32Array(images.length);
    for (let i = 0; i < images.length; i++) x[i] = images[i] + perturbation[i % clf.inputSize];
  }
  return argmaxRows(clf.logits(x), clf.numClasses);
}

/** An affine classifier logits = W x + b (W: numClasses x inputSize, row-major), in float64 inside. */
export function affineClassifier(w: ArrayLike<number>, b: ArrayLike<number>): DifferentiableClassifier {
  const k = b.length;
  const d = w.length / k;
  if (!Number.isInteger(d)) throw new Error(`affineClassifier: W has ${w.length} values, not a multiple of ${k} classes`);
  const cost = { forward: 0, backward: 0 };
  const logitsOf = (x: ArrayLike<number>, offset: number, out: Float32Array, at: number) => {
    for (let c = 0; c < k; c++) {
      let s = b[c];
      for (let i = 0; i < d; i++) s += w[c * d + i] * x[offset + i];
      out[at + c] = s;
    }
  };
  return {
    inputSize: d,
    numClasses: k,
    cost,
    logits(images) {
      const n = images.length / d;
      cost.forward += n;
      const out = new Float32Array(n * k);
      for (let j = 0; j < n; j++) logitsOf(images, j * d, out, j * k);
      return out;
    },
    gradients(image, classes) {
      cost.forward += 1;
      cost.backward += classes.length;
      const logits = new Float32Array(k);
      logitsOf(image, 0, logits, 0);
      return { logits, grads: classes.map((c) => Float32Array.from({ length: d }, (_, i) => w[c * d + i])) };
    },
  };
}

/**
 * A tfjs layers model (logits output) as a DifferentiableClassifier, in
 * inference mode. Input gradients of several classes come from one reverse
 * pass over copies of the image (row j's loss is logit classes[j] of row j).
 */
export function tfClassifier(model: tf.LayersModel, inputShape: number[], batchSize = 500): DifferentiableClassifier {
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const numClasses = (model.outputs[0].shape[model.outputs[0].shape.length - 1] ?? NaN) as number;
  if (!Number.isInteger(numClasses)) throw new Error(`tfClassifier: cannot read the number of classes of model '${model.name}'`);
  const cost = { forward: 0, backward: 0 };
  const f = (x: tf.Tensor) => model.apply(x, { training: false }) as tf.Tensor;
  return {
    inputSize,
    numClasses,
    cost,
    logits(images) {
      const n = images.length / inputSize;
      if (!Number.isInteger(n))
        throw new Error(`tfClassifier: ${images.length} values are not a whole number of ${inputShape.join('x')} images`);
      cost.forward += n;
      const out = new Float32Array(n * numClasses);
      for (let s = 0; s < n; s += batchSize) {
        const m = Math.min(batchSize, n - s);
        const y = tf.tidy(() => f(tf.tensor(images.subarray(s * inputSize, (s + m) * inputSize), [m, ...inputShape])));
        out.set(y.dataSync(), s * numClasses);
        y.dispose();
      }
      return out;
    },
    gradients(image, classes) {
      cost.forward += 1;
      cost.backward += classes.length;
      const k = classes.length;
      const [logits, grads] = tf.tidy(() => {
        const x = tf.tensor(image, [1, ...inputShape]);
        const mask = tf.oneHot(tf.tensor1d(classes, 'int32'), numClasses);
        const g = tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(f(xs), mask)))(tf.tile(x, [k, ...inputShape.map(() => 1)]));
        return [f(x), g];
      });
      const l = logits.dataSync() as Float32Array;
      const gd = grads.dataSync() as Float32Array;
      tf.dispose([logits, grads]);
      return { logits: Float32Array.from(l), grads: classes.map((_, j) => gd.slice(j * inputSize, (j + 1) * inputSize)) };
    },
  };
}

export interface DeepFoolOptions {
  /** Norm of the minimal perturbation: 2 (the reference code, also inside the universal algorithm) or Infinity. */
  norm?: 2 | typeof Infinity;
  /** Classes considered: the top `numCandidates` of the clean input (reference: 10). */
  numCandidates?: number;
  /** Multiplies the accumulated perturbation (reference: 0.02). */
  overshoot?: number;
  /** Maximum iterations (reference: 50 for DeepFool alone, 10 inside the universal algorithm). */
  maxIter?: number;
}

export interface DeepFoolResult {
  /** The perturbation (1 + overshoot) * sum of the steps. */
  r: Float32Array;
  /** Iterations done. */
  iterations: number;
  /** Label of the input and label of input + r. */
  label: number;
  newLabel: number;
}

/**
 * DeepFool on one input. For an affine classifier the first step is exactly
 * the minimal perturbation (distance to the nearest pairwise hyperplane
 * f_k = f_label, |f_k - f_label| / ||w_k - w_label||_dual along the dual
 * direction), so the result is (1 + overshoot) times it.
 */
export function deepFool(clf: DifferentiableClassifier, x: Float32Array, opts: DeepFoolOptions = {}): DeepFoolResult {
  const norm = opts.norm ?? 2;
  const overshoot = opts.overshoot ?? 0.02;
  const maxIter = opts.maxIter ?? 50;
  const nc = Math.min(opts.numCandidates ?? 10, clf.numClasses);
  if (norm !== 2 && norm !== Infinity) throw new Error(`deepFool: norm must be 2 or Infinity, got ${norm}`);
  if (x.length !== clf.inputSize) throw new Error(`deepFool: input has ${x.length} values, the classifier takes ${clf.inputSize}`);
  const d = clf.inputSize;
  const f0 = clf.logits(x);
  const candidates = [...f0.keys()].sort((a, b) => f0[b] - f0[a] || a - b).slice(0, nc);
  const label = candidates[0];
  const rTot = new Float64Array(d);
  const xPert = Float32Array.from(x);
  let k = label;
  let loop = 0;
  while (k === label && loop < maxIter) {
    const { logits, grads } = clf.gradients(xPert, candidates);
    let best = Infinity;
    let bestW: Float64Array | null = null;
    for (let j = 1; j < nc; j++) {
      const wk = new Float64Array(d);
      for (let i = 0; i < d; i++) wk[i] = grads[j][i] - grads[0][i];
      const fk = logits[candidates[j]] - logits[label];
      let dual = 0;
      if (norm === 2) {
        for (let i = 0; i < d; i++) dual += wk[i] * wk[i];
        dual = Math.sqrt(dual);
      } else for (let i = 0; i < d; i++) dual += Math.abs(wk[i]);
      if (dual === 0) continue;
      const pert = Math.abs(fk) / dual;
      if (pert < best) {
        best = pert;
        bestW = wk;
      }
    }
    if (bestW === null) break; // every candidate's logit difference is flat here: no direction to move
    if (norm === 2) {
      let n2 = 0;
      for (let i = 0; i < d; i++) n2 += bestW[i] * bestW[i];
      const s = best / Math.sqrt(n2);
      for (let i = 0; i < d; i++) rTot[i] += s * bestW[i];
    } else {
      for (let i = 0; i < d; i++) rTot[i] += best * Math.sign(bestW[i]);
    }
    for (let i = 0; i < d; i++) xPert[i] = x[i] + (1 + overshoot) * rTot[i];
    loop++;
    k = argmaxRows(clf.logits(xPert), clf.numClasses)[0];
  }
  return { r: Float32Array.from(rTot, (v) => (1 + overshoot) * v), iterations: loop, label, newLabel: k };
}
