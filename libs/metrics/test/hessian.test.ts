import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import { cifarResNet } from '@claimlab/models';
import {
  disposeEvalData,
  eigenRatio,
  filterNormalizedDirection,
  finiteDifferenceHvp,
  hessianEigenMap,
  kernelWeightIndices,
  lanczosExtremeEigenvalues,
  NonFiniteHvpError,
  modelLossGradient,
  powerIterationExtremes,
  restoreWeights,
  snapshotWeights,
  toEvalData,
  tridiagonalEigenvalues,
} from '../src/index.ts';

beforeAll(async () => {
  await selectBackend('wasm', () => {});
});

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);

/** A = Q diag(spectrum) Q^T with a seeded random orthogonal Q (Gram-Schmidt). */
function quadratic(spectrum: number[], seed: number): { A: Float64Array[]; matvec: (v: Float64Array) => Float64Array } {
  const n = spectrum.length;
  const rng = new Rng(seed);
  const Q: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const q = Float64Array.from({ length: n }, () => rng.normal());
    for (const p of Q) {
      const c = dot(q, p);
      for (let i = 0; i < n; i++) q[i] -= c * p[i];
    }
    const nq = Math.sqrt(dot(q, q));
    for (let i = 0; i < n; i++) q[i] /= nq;
    Q.push(q);
  }
  const A = Array.from({ length: n }, (_, i) =>
    Float64Array.from({ length: n }, (_, j) => Q.reduce((s, q, k) => s + spectrum[k] * q[i] * q[j], 0)),
  );
  return { A, matvec: (v) => Float64Array.from(A.map((row) => dot(row, v))) };
}

describe('extreme eigenvalues from Hessian-vector products', () => {
  it('tridiagonal eigenvalues by bisection', () => {
    expect(tridiagonalEigenvalues([2, 2], [1]).map((x) => +x.toFixed(10))).toEqual([1, 3]);
    const ev = tridiagonalEigenvalues([2, 2, 2], [-1, -1]);
    [2 - Math.SQRT2, 2, 2 + Math.SQRT2].forEach((e, i) => expect(ev[i]).toBeCloseTo(e, 10));
  });

  it('recover the known spectrum of a quadratic, with finite-difference products of its gradient', () => {
    const spectrum = [-3, -1, -0.5, ...Array.from({ length: 24 }, (_, i) => i * 0.2), 6, 10];
    const { matvec } = quadratic(spectrum, 7);
    const n = spectrum.length;
    const w0 = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    // The gradient of 1/2 w^T A w - b^T w is A w - b: central differences are exact up to rounding.
    const hvp = finiteDifferenceHvp((w) => matvec(w).map((g, i) => g - i), w0, 1e-2);
    const v = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    const exact = matvec(v);
    hvp(v).forEach((x, i) => expect(x).toBeCloseTo(exact[i], 8));
    const full = lanczosExtremeEigenvalues(hvp, n, { steps: n, rng: new Rng(1) });
    expect(full.lambdaMax).toBeCloseTo(10, 8);
    expect(full.lambdaMin).toBeCloseTo(-3, 8);
    expect(full.ritz).toHaveLength(n);
    // A short Krylov space already pins the well-separated ends, from inside the spectrum.
    const short = lanczosExtremeEigenvalues(hvp, n, { steps: 12, rng: new Rng(1) });
    expect(short.products).toBe(12);
    expect(short.lambdaMax).toBeLessThanOrEqual(10 + 1e-9);
    expect(short.lambdaMax).toBeGreaterThan(9.9);
    expect(short.lambdaMin).toBeGreaterThanOrEqual(-3 - 1e-9);
    expect(short.lambdaMin).toBeLessThan(-2.9);
    const power = powerIterationExtremes(hvp, n, { iterations: 200, rng: new Rng(2) });
    expect(power.lambdaMax).toBeCloseTo(10, 3);
    expect(power.lambdaMin).toBeCloseTo(-3, 2);
    expect(eigenRatio(full.lambdaMin, full.lambdaMax)).toBeCloseTo(0.3, 8);
  });

  it('finite-difference products of tfjs gradients match the closed-form Hessian of softmax regression within 1% (float32, step 1e-2)', () => {
    // Exact reference in float64: for logits z = x W and p = softmax(z), the Hessian of the mean
    // cross-entropy applied to V is (1/n) sum_i x_i^T (p_i * (x_i V) - p_i (p_i . x_i V)).
    // (tfjs's nested tf.grad is not used as the reference: it returns wrong second derivatives for
    // ops whose gradient reuses their output, e.g. tanh and softmax, and has none for conv2d.)
    const n = 16,
      d = 5,
      k = 3;
    const rng = new Rng(11);
    const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
    const labels = Array.from({ length: n }, (_, i) => i % k);
    const xT = tf.tensor2d(X);
    const yT = tf.oneHot(tf.tensor1d(labels, 'int32'), k);
    const loss = (w: tf.Tensor) => tf.losses.softmaxCrossEntropy(yT, xT.matMul(w.reshape([d, k]))) as tf.Scalar;
    const grad = (w: Float64Array) => {
      const g = tf.tidy(() => tf.grad(loss)(tf.tensor1d(Float32Array.from(w))));
      const out = Float64Array.from(g.dataSync());
      g.dispose();
      return out;
    };
    const w0 = Float64Array.from({ length: d * k }, () => 0.7 * rng.normal());
    const v = Float64Array.from({ length: d * k }, () => rng.normal());
    const exact = new Float64Array(d * k);
    for (const x of X) {
      const z = Array.from({ length: k }, (_, c) => x.reduce((s, xj, j) => s + xj * w0[j * k + c], 0));
      const m = Math.max(...z);
      const e = z.map((t) => Math.exp(t - m));
      const p = e.map((t) => t / e.reduce((a, b) => a + b, 0));
      const dz = Array.from({ length: k }, (_, c) => x.reduce((s, xj, j) => s + xj * v[j * k + c], 0));
      const pdz = p.reduce((s, pc, c) => s + pc * dz[c], 0);
      for (let j = 0; j < d; j++) for (let c = 0; c < k; c++) exact[j * k + c] += (x[j] * (p[c] * dz[c] - p[c] * pdz)) / n;
    }
    const fd = finiteDifferenceHvp(grad, w0, 1e-2)(v);
    const err = Math.sqrt(fd.reduce((s, f, i) => s + (f - exact[i]) ** 2, 0)) / Math.sqrt(dot(exact, exact));
    expect(err).toBeLessThan(0.01);
    tf.dispose([xT, yT]);
  });
});

describe('Hessian of a tiny ResNet', () => {
  it('gives symmetric finite-difference products over the kernels, an eigenvalue map, restored weights and no leaks', () => {
    const m = cifarResNet({ depth: 8, numClasses: 3, rng: new Rng(5), inputShape: [8, 8, 2], widthMultiplier: 0.25 });
    const rng = new Rng('data');
    const n = 64;
    const data = toEvalData({
      images: Float32Array.from({ length: n * 128 }, () => rng.normal()),
      labels: Int32Array.from({ length: n }, (_, i) => i % 3),
      n,
      height: 8,
      width: 8,
      channels: 2,
      numClasses: 3,
    });
    const idx = kernelWeightIndices(m);
    expect(idx.every((k) => m.trainableWeights[k].shape.length > 1)).toBe(true);
    const before = snapshotWeights(m);
    const tensors = tf.memory().numTensors;
    const { grad, dim } = modelLossGradient(m, data, idx, 5);
    expect(dim).toBe(idx.reduce((s, k) => s + before[k].length, 0));
    const w0 = Float64Array.from(idx.flatMap((k) => Array.from(before[k])));
    const hvp = finiteDifferenceHvp(grad, w0, 1e-2);
    const u = Float64Array.from({ length: dim }, () => rng.normal());
    const v = Float64Array.from({ length: dim }, () => rng.normal());
    const uHv = dot(u, hvp(v));
    const vHu = dot(v, hvp(u));
    // A ReLU net's loss is only piecewise smooth: central differences over a finite step also see the
    // gradient jumps at ReLU kinks crossed within the step (a smoothed Hessian, unlike double
    // backprop's relu'' = 0), so on 64 noise images symmetry holds only roughly.
    expect(Math.abs(uHv - vHu)).toBeLessThan(0.25 * Math.max(Math.abs(uHv), Math.abs(vHu)));
    // modelLossGradient leaves the last point it evaluated in the model: put the weights back.
    restoreWeights(m, before);
    const dirs: [Float32Array[], Float32Array[]] = [filterNormalizedDirection(m, new Rng('x')), filterNormalizedDirection(m, new Rng('y'))];
    const map = hessianEigenMap(m, dirs, [-0.5, 0.5], [0], { data, steps: 4, fdStep: 1e-2, rng: new Rng(9), batchSize: 6 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(map.lambdaMax).toHaveLength(2);
    for (let i = 0; i < 2; i++) {
      expect(Number.isFinite(map.lambdaMin[i])).toBe(true);
      expect(map.lambdaMax[i]).toBeGreaterThan(0);
      expect(map.lambdaMax[i]).toBeGreaterThanOrEqual(map.lambdaMin[i]);
    }
    expect(map.nonFinitePoints).toBe(0);
    expect(snapshotWeights(m).map((x) => Array.from(x))).toEqual(before.map((x) => Array.from(x)));
    // Far out along a direction the float32 loss overflows: that point gets NaN eigenvalues, is
    // counted, and the map goes on to the next point.
    const far = hessianEigenMap(m, dirs, [0, 1e36], [0], { data, steps: 4, fdStep: 1e-2, rng: new Rng(9), batchSize: 6 });
    expect(far.nonFinitePoints).toBe(1);
    expect([far.lambdaMax[1], far.lambdaMin[1]]).toEqual([NaN, NaN]);
    expect(far.lambdaMax[0]).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(snapshotWeights(m).map((x) => Array.from(x))).toEqual(before.map((x) => Array.from(x)));
    disposeEvalData(data);
    m.dispose();
  });

  it('the Lanczos iteration stops with NonFiniteHvpError on a non-finite product (what the map catches)', () => {
    const hvp = (v: Float64Array) => v.map((x, i) => (i === 0 ? NaN : x));
    expect(() => lanczosExtremeEigenvalues(hvp, 3, { steps: 2, rng: new Rng(0) })).toThrow(NonFiniteHvpError);
  });
});
