import { Rng } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  affineClassifier,
  deepFool,
  denseOperator,
  foolingRate,
  jacobianOperator,
  layerMap,
  lpNorm,
  powerMethod,
  predictLabels,
  projectLp,
  psi,
  randomPerturbation,
  singularVectorPerturbation,
  tfClassifier,
  universalPerturbation,
} from '../src/index.ts';

beforeAll(async () => {
  await selectBackend(undefined, () => {});
});

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Orthonormal columns (Gram-Schmidt) of a random n x k matrix, as k vectors. */
function orthonormal(n: number, k: number, rng: Rng): Float64Array[] {
  const out: Float64Array[] = [];
  while (out.length < k) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    for (const u of out) {
      const c = dot(v, u);
      for (let i = 0; i < n; i++) v[i] -= c * u[i];
    }
    const nv = Math.sqrt(dot(v, v));
    out.push(v.map((x) => x / nv));
  }
  return out;
}

/** All vertices of the cube [-1, 1]^d. */
function* vertices(d: number): Generator<Float64Array> {
  for (let m = 0; m < 2 ** d; m++) yield Float64Array.from({ length: d }, (_, i) => ((m >> i) & 1 ? 1 : -1));
}

describe('generalized power method (Boyd 1974; Khrulkov & Oseledets Algorithm 1)', () => {
  it('p = q = 2: returns the top right singular vector and the largest singular value', () => {
    const rng = new Rng(1);
    const [m, n] = [7, 5];
    const U = orthonormal(m, n, rng);
    const V = orthonormal(n, n, rng);
    const s = [5, 3, 2, 1, 0.5];
    const a = new Float64Array(m * n);
    for (let k = 0; k < n; k++) for (let r = 0; r < m; r++) for (let c = 0; c < n; c++) a[r * n + c] += s[k] * U[k][r] * V[k][c];
    const res = powerMethod(denseOperator(a, m, n), { p: 2, q: 2, maxIter: 200, rng: new Rng(2), tolerance: 1e-12 });
    expect(Math.abs(dot(res.v, V[0]))).toBeCloseTo(1, 8);
    expect(res.singularValue).toBeCloseTo(5, 8);
    expect(lpNorm(res.v, 2)).toBeCloseTo(1, 12);
  });

  it('p = inf: a rank-one map u a^T is maximised at the vertex sign(a), ||A v||_q = ||u||_q ||a||_1', () => {
    const a = [0.5, -2, 1, -0.25, 3];
    const u = [1, -1, 2];
    const A = u.flatMap((ui) => a.map((aj) => ui * aj));
    for (const q of [2, 5, 10]) {
      const res = powerMethod(denseOperator(A, 3, 5), { p: Infinity, q, maxIter: 30, rng: new Rng(q) });
      const sgn = res.v[0] * Math.sign(a[0]);
      expect(Array.from(res.v)).toEqual(a.map((x) => sgn * Math.sign(x)));
      expect(res.singularValue).toBeCloseTo(lpNorm(u, q) * lpNorm(a, 1), 10);
      expect(res.iterations).toBeLessThanOrEqual(2); // fixed point after one step, confirmed by the second
    }
  });

  it("p = inf, q = 10 and q = 2: ascends to fixed points, never above the brute-force maximum over the cube's vertices, and reaches it from a few starts", () => {
    const rng = new Rng(7);
    const ratios: number[] = [];
    for (let trial = 0; trial < 6; trial++) {
      const [m, n] = [4, 7];
      const A = Float64Array.from({ length: m * n }, () => rng.normal());
      const op = denseOperator(A, m, n);
      for (const q of [2, 10]) {
        let best = 0;
        for (const v of vertices(n)) best = Math.max(best, lpNorm(op.matvec(v), q));
        // The power method increases ||A v||_q monotonically to a fixed point (a local maximum, as any ascent
        // method on a non-convex problem); from several random starts it reaches the global one.
        const found = Array.from({ length: 20 }, (_, s) =>
          powerMethod(op, { p: Infinity, q, maxIter: 50, rng: new Rng(`${trial}/${q}/${s}`) }),
        );
        for (const r of found) {
          expect(r.singularValue).toBeLessThanOrEqual(best + 1e-9);
          expect(Array.from(r.v).every((x) => x === 1 || x === -1)).toBe(true);
          for (let i = 1; i < r.history.length; i++) expect(r.history[i]).toBeGreaterThanOrEqual(r.history[i - 1] - 1e-9);
          // A fixed point: one more step returns the same vertex.
          const again = op.rmatvec(psi(op.matvec(r.v), q));
          expect(Array.from(r.v).every((x, i) => again[i] === 0 || Math.sign(again[i]) === x)).toBe(true);
        }
        const top = Math.max(...found.map((r) => r.singularValue));
        ratios.push(top / best);
      }
    }
    // Best of the starts: the global maximum in most cases, and never far from it.
    expect(ratios.filter((r) => r > 1 - 1e-9).length).toBeGreaterThanOrEqual(10);
    expect(Math.min(...ratios)).toBeGreaterThan(0.95);
  });

  it('rejects bad norms and iteration counts', () => {
    const op = denseOperator([1, 0, 0, 1], 2, 2);
    expect(() => powerMethod(op, { p: 1, q: 2, maxIter: 5, rng: new Rng(0) })).toThrow(/p must be > 1/);
    expect(() => powerMethod(op, { p: Infinity, q: Infinity, maxIter: 5, rng: new Rng(0) })).toThrow(/q must be a finite number > 1/);
    expect(() => powerMethod(op, { p: 2, q: 2, maxIter: 0, rng: new Rng(0) })).toThrow(/maxIter/);
  });
});

/** A tiny conv + batch norm + dense ReLU net with named layers, seeded. */
function tinyNet(): tf.LayersModel {
  const seed = (k: number) => tf.initializers.glorotNormal({ seed: k });
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [4, 4, 2],
      filters: 3,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: seed(1),
      biasInitializer: tf.initializers.constant({ value: 0.1 }),
      name: 'c1',
    }),
  );
  // Batch norm in inference mode (moving statistics set away from 0 / 1): the ResNet's path through FusedBatchNorm's gradients.
  m.add(
    tf.layers.batchNormalization({
      name: 'bn',
      movingMeanInitializer: tf.initializers.constant({ value: 0.2 }),
      movingVarianceInitializer: tf.initializers.constant({ value: 2 }),
      gammaInitializer: tf.initializers.constant({ value: 1.5 }),
    }),
  );
  m.add(tf.layers.flatten({ name: 'fl' }));
  m.add(tf.layers.dense({ units: 5, activation: 'relu', kernelInitializer: seed(2), name: 'd1' }));
  m.add(tf.layers.dense({ units: 3, kernelInitializer: seed(3), name: 'out' }));
  return m;
}

describe('Jacobian products of a hidden layer (no dense Jacobian)', () => {
  it('J v (double VJP) and J^T w (VJP) agree with the dense Jacobian built from either, and with finite differences', () => {
    const model = tinyNet();
    const shape = [4, 4, 2];
    const rng = new Rng(3);
    const images = rng.uniformArray(3 * 32);
    const before = tf.memory().numTensors;
    for (const layer of ['c1', 'bn', 'd1']) {
      const op = jacobianOperator(layerMap(model, layer), images, shape, 2); // batches of 2: the chunking is exercised
      const unit = (k: number, size: number) => Float64Array.from({ length: size }, (_, i) => (i === k ? 1 : 0));
      // Column c of J from matvec; row r of J from rmatvec: the two dense Jacobians must match.
      const cols = Array.from({ length: op.cols }, (_, c) => op.matvec(unit(c, op.cols)));
      for (let r = 0; r < op.rows; r++) {
        const row = op.rmatvec(unit(r, op.rows));
        for (let c = 0; c < op.cols; c++) expect(row[c]).toBeCloseTo(cols[c][r], 5);
      }
      // Finite differences of the layer map (a ReLU net is piecewise linear: exact away from kinks, with a small step).
      const v = Float64Array.from(rng.normalArray(op.cols));
      const f = layerMap(model, layer);
      const h = 1e-3;
      const at = (s: number) =>
        tf.tidy(() =>
          f(
            tf.tensor(
              images.map((x, i) => x + s * v[i % 32]),
              [3, ...shape],
            ),
          ).dataSync(),
        );
      const [plus, minus] = [at(h), at(-h)];
      const jv = op.matvec(v);
      for (let i = 0; i < jv.length; i++) expect(jv[i]).toBeCloseTo((plus[i] - minus[i]) / (2 * h), 2);
      expect(op.calls.matvec).toBe(op.cols + 1);
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('on a linear layer h = x W + b the stacked Jacobian is W^T for every image; the (2,2) vector is the top singular vector of W^T', () => {
    const w = [1, 2, 0, -1, 3, 1]; // 3 inputs x 2 units
    const model = tf.sequential();
    model.add(
      tf.layers.dense({
        inputShape: [3],
        units: 2,
        useBias: true,
        name: 'lin',
        weights: [tf.tensor2d(w, [3, 2]), tf.tensor1d([0.5, -0.5])],
      }),
    );
    const images = Float32Array.from([0.1, 0.2, 0.3, -1, 0, 2]);
    const op = jacobianOperator(layerMap(model, 'lin'), images, [3]);
    const jv = op.matvec(Float64Array.from([1, -1, 2]));
    // W^T [1, -1, 2] = [1*1 + 0*(-1) + 3*2, 2*1 + (-1)(-1) + 1*2] = [7, 5], for both images.
    expect(Array.from(jv)).toEqual([7, 5, 7, 5]);
    const res = powerMethod(op, { p: 2, q: 2, maxIter: 500, rng: new Rng(0), tolerance: 1e-10 });
    const dense = denseOperator([1, 0, 3, 2, -1, 1], 2, 3);
    const ref = powerMethod(dense, { p: 2, q: 2, maxIter: 500, rng: new Rng(0), tolerance: 1e-12 });
    expect(Math.abs(dot(res.v, ref.v))).toBeCloseTo(1, 5);
    expect(res.singularValue).toBeCloseTo(Math.SQRT2 * ref.singularValue, 4); // two stacked copies of W^T
    model.dispose();
  });

  it('singularVectorPerturbation returns a vertex scaled to xi, leaks no tensors, and names a missing layer', () => {
    const model = tinyNet();
    const images = new Rng(5).uniformArray(4 * 32);
    const before = tf.memory().numTensors;
    const r = singularVectorPerturbation(model, 'd1', images, [4, 4, 2], { q: 10, maxIter: 30, xi: 0.25, rng: new Rng(1) });
    expect(r.perturbation.length).toBe(32);
    expect(Array.from(r.perturbation).every((x) => Math.abs(Math.abs(x) - 0.25) < 1e-7)).toBe(true);
    expect(r.iterations).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => singularVectorPerturbation(model, 'nope', images, [4, 4, 2], { q: 10, maxIter: 3, xi: 0.1, rng: new Rng(1) })).toThrow(
      /layer 'nope' is not in model .*c1, bn, fl, d1, out/,
    );
    expect(() => singularVectorPerturbation(model, 'd1', images, [4, 4, 2], { q: 10, maxIter: 3, xi: 0, rng: new Rng(1) })).toThrow(
      /xi must be > 0/,
    );
    model.dispose();
  });
});

describe('DeepFool', () => {
  // Three classes in 4-D, logits W x + b.
  const W = [1, 0, 0.5, -1, -1, 2, 0, 0.5, 0.3, -0.2, 1, 1];
  const b = [0.1, -0.2, 0.05];
  const x = Float32Array.from([0.5, 0.1, 0.2, -0.3]);
  const clf = affineClassifier(W, b);
  const f = (v: ArrayLike<number>) => [0, 1, 2].map((k) => b[k] + dot(W.slice(4 * k, 4 * k + 4), v));

  it('on an affine classifier: one step, (1 + overshoot) times the analytic minimal l2 perturbation to the nearest pairwise boundary', () => {
    const fx = f(x);
    const label = fx.indexOf(Math.max(...fx));
    let best = { dist: Infinity, r: [] as number[] };
    for (let k = 0; k < 3; k++) {
      if (k === label) continue;
      const wk = [0, 1, 2, 3].map((i) => W[4 * k + i] - W[4 * label + i]);
      const fk = fx[k] - fx[label];
      const n2 = dot(wk, wk);
      const dist = Math.abs(fk) / Math.sqrt(n2);
      if (dist < best.dist) best = { dist, r: wk.map((w) => (Math.abs(fk) / n2) * w) };
    }
    const res = deepFool(clf, x, { overshoot: 0.02, maxIter: 50 });
    expect(res.label).toBe(label);
    expect(res.iterations).toBe(1);
    expect(res.newLabel).not.toBe(label);
    for (let i = 0; i < 4; i++) expect(res.r[i]).toBeCloseTo(1.02 * best.r[i], 5);
    // Without overshoot the point lands on the boundary: the two logits tie.
    const exact = deepFool(clf, x, { overshoot: 0, maxIter: 1 });
    const fe = f(x.map((v, i) => v + exact.r[i]));
    expect(Math.abs(fe[label] - Math.max(...fe.filter((_, k) => k !== label)))).toBeLessThan(1e-5);
  });

  it('l_inf variant: the step is |f_k| / ||w_k||_1 along sign(w_k)', () => {
    const bin = affineClassifier([0, 0, 0, 2, -1, 0.5], [0, 1]); // logit0 = 0, logit1 = 2x - y + 0.5z + 1
    const p = Float32Array.from([0.5, 0.2, 0.4]);
    const res = deepFool(bin, p, { norm: Infinity, overshoot: 0 });
    const margin = 2 * 0.5 - 0.2 + 0.5 * 0.4 + 1; // 2.0
    const expected = [-1, 1, -1].map((s) => (s * margin) / 3.5);
    for (let i = 0; i < 3; i++) expect(res.r[i]).toBeCloseTo(expected[i], 6);
  });

  it('tfClassifier gives the same logit gradients as one tf.grad per class, and leaks nothing', () => {
    const model = tinyNet();
    const tc = tfClassifier(model, [4, 4, 2]);
    const img = new Rng(9).uniformArray(32);
    const before = tf.memory().numTensors;
    const { logits, grads } = tc.gradients(img, [2, 0, 1]);
    expect(tf.memory().numTensors).toBe(before);
    [2, 0, 1].forEach((k, j) => {
      const g = tf.tidy(() =>
        tf
          .grad((xx: tf.Tensor) => (model.apply(xx) as tf.Tensor).slice([0, k], [1, 1]).sum())(tf.tensor(img, [1, 4, 4, 2]))
          .dataSync(),
      );
      for (let i = 0; i < 32; i++) expect(grads[j][i]).toBeCloseTo(g[i], 5);
    });
    expect(Array.from(logits)).toEqual(Array.from(tc.logits(img)));
    expect(tc.cost.backward).toBe(3);
    model.dispose();
  });
});

describe('universal perturbation (Moosavi-Dezfooli et al. Algorithm 1)', () => {
  // Binary affine classifier: class 1 iff w.x + b > 0 (logits [0, w.x + b]).
  const w = [1, -2, 0.5, 3];
  const bias = 0.2;
  const clf = affineClassifier([0, 0, 0, 0, ...w], [0, bias]);
  const rng = new Rng(11);
  const n = 40;
  const images = new Float32Array(n * 4);
  const margins: number[] = [];
  for (let i = 0; i < n; i++) {
    // Points on the positive side with margins spread over (0, 4).
    const p = Array.from({ length: 4 }, () => rng.normal());
    const m = dot(w, p) + bias;
    const target = 0.1 + (3.9 * i) / n;
    const shift = (target - m) / dot(w, w);
    for (let j = 0; j < 4; j++) images[i * 4 + j] = p[j] + shift * w[j];
    margins.push(dot(w, Array.from(images.subarray(i * 4, i * 4 + 4))) + bias);
  }
  const l1 = w.reduce((s, x) => s + Math.abs(x), 0);
  const l2 = Math.sqrt(dot(w, w));

  it('l_inf: converges to the analytic optimum -xi sign(w), fooling exactly the points with margin < xi ||w||_1', () => {
    const xi = 0.4; // xi ||w||_1 = 2.6
    const res = universalPerturbation(clf, images, {
      xi,
      p: Infinity,
      delta: 0,
      maxPasses: 20,
      overshoot: 0.02,
      maxIterDeepFool: 10,
      rng: new Rng(1),
    });
    for (let j = 0; j < 4; j++) expect(res.perturbation[j]).toBeCloseTo(-xi * Math.sign(w[j]), 6);
    const analytic = margins.filter((m) => m < xi * l1).length / n;
    expect(res.foolingRate).toBeCloseTo(analytic, 12);
    expect(res.passes).toBe(20); // delta = 0 asks for 100%, which no v in the ball reaches
  });

  it('l2: converges to -xi w / ||w||_2; and stops as soon as the fooling rate reaches 1 - delta', () => {
    const xi = 1;
    const res = universalPerturbation(clf, images, {
      xi,
      p: 2,
      delta: 0,
      maxPasses: 20,
      overshoot: 0.02,
      maxIterDeepFool: 10,
      rng: new Rng(2),
    });
    for (let j = 0; j < 4; j++) expect(res.perturbation[j]).toBeCloseTo((-xi * w[j]) / l2, 5);
    expect(res.foolingRate).toBeCloseTo(margins.filter((m) => m < xi * l2).length / n, 12);
    const easy = universalPerturbation(clf, images, {
      xi: 10,
      p: Infinity,
      delta: 0.2,
      maxPasses: 20,
      overshoot: 0.02,
      maxIterDeepFool: 10,
      rng: new Rng(3),
    });
    expect(easy.passes).toBe(1);
    expect(easy.foolingRate).toBeGreaterThanOrEqual(0.8);
    expect(lpNorm(easy.perturbation, Infinity)).toBeLessThanOrEqual(10 + 1e-6);
  });

  it('rejects bad budgets, norms and pass counts', () => {
    const o = { xi: 0.1, p: Infinity, delta: 0.2, maxPasses: 2, overshoot: 0.02, maxIterDeepFool: 10, rng: new Rng(0) };
    expect(() => universalPerturbation(clf, images, { ...o, xi: 0 })).toThrow(/xi must be > 0/);
    expect(() => universalPerturbation(clf, images, { ...o, xi: -1 })).toThrow(/xi must be > 0/);
    expect(() => universalPerturbation(clf, images, { ...o, p: 1 })).toThrow(/p must be 2 or Infinity/);
    expect(() => universalPerturbation(clf, images, { ...o, maxPasses: 0 })).toThrow(/maxPasses/);
    expect(() => universalPerturbation(clf, images.subarray(0, 5), o)).toThrow(/whole number of images/);
  });
});

describe('fooling rate, projection and random baselines', () => {
  it('counts label changes', () => {
    expect(foolingRate([0, 1, 2, 3], [0, 1, 1, 0])).toBe(0.5);
    expect(foolingRate([5], [5])).toBe(0);
    expect(foolingRate(Int32Array.from([1, 2, 3]), Int32Array.from([0, 0, 0]))).toBe(1);
    expect(() => foolingRate([1, 2], [1])).toThrow(/2 clean labels but 1/);
    expect(() => foolingRate([], [])).toThrow(/no inputs/);
  });

  it('predictLabels adds the perturbation to every image', () => {
    const clf = affineClassifier([0, 0, 1, 1], [0, 0]); // class 1 iff x + y > 0
    const imgs = Float32Array.from([1, 1, -1, -1, 0.2, -0.1]);
    expect(Array.from(predictLabels(clf, imgs))).toEqual([1, 0, 1]);
    expect(Array.from(predictLabels(clf, imgs, [-0.5, -0.5]))).toEqual([1, 0, 0]);
  });

  it('projects on the l_inf and l2 balls', () => {
    expect(Array.from(projectLp(Float64Array.from([0.5, -2, 0.1]), 0.3, Infinity))).toEqual([0.3, -0.3, 0.1]);
    const v = projectLp(Float64Array.from([3, 4]), 1, 2);
    expect(v[0]).toBeCloseTo(0.6, 12);
    expect(v[1]).toBeCloseTo(0.8, 12);
    expect(Array.from(projectLp(Float64Array.from([0.3, 0.4]), 1, 2))).toEqual([0.3, 0.4]);
    expect(() => projectLp(new Float64Array(2), 0, 2)).toThrow(/xi must be > 0/);
  });

  it('random perturbations have the requested norm and are seeded', () => {
    const s = randomPerturbation(1000, 0.2, 'sign', new Rng(1));
    expect(Array.from(s).every((x) => Math.abs(Math.abs(x) - 0.2) < 1e-7)).toBe(true);
    const pos = Array.from(s).filter((x) => x > 0).length;
    expect(pos).toBeGreaterThan(430);
    expect(pos).toBeLessThan(570);
    const u = randomPerturbation(1000, 0.2, 'uniform', new Rng(1));
    expect(lpNorm(u, Infinity)).toBeLessThanOrEqual(0.2);
    expect(lpNorm(randomPerturbation(50, 2, 'sphere', new Rng(1)), 2)).toBeCloseTo(2, 5);
    expect(Array.from(randomPerturbation(10, 0.1, 'sign', new Rng(4)))).toEqual(
      Array.from(randomPerturbation(10, 0.1, 'sign', new Rng(4))),
    );
    expect(() => randomPerturbation(10, 0, 'sign', new Rng(1))).toThrow(/xi must be > 0/);
  });
});
