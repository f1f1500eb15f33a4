import { readFileSync } from 'node:fs';
import { Rng } from '@claimlab/core';
import { describe, expect, it } from 'vitest';
import { loadNativeBlas, nativeDisabledByEnv } from '@claimlab/native';
import { fid, frechetDistance, gaussianStats, InsufficientSamplesError, psdSqrt, symmetricEigen, traceSqrtProduct } from '../src/fid.ts';
import type { Linalg } from '../src/linalg.ts';
import { inceptionScore } from '../src/inception-score.ts';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/fid-is-reference.json', import.meta.url), 'utf8')) as {
  fid: { n1: number; n2: number; d: number; x1: number[]; x2: number[]; fid: number }[];
  inception_score: { n: number; k: number; probs: number[]; mean: number; std: number; splits: number[] }[];
};

function randomSpd(d: number, rng: Rng): Float64Array {
  const a = Float64Array.from({ length: d * d }, () => rng.normal());
  const s = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += a[i * d + k] * a[j * d + k];
      s[i * d + j] = v + (i === j ? 0.1 : 0);
    }
  return s;
}

// Both linear-algebra paths are tested; 'native' needs the native addon (libs/native), which is built on
// first use: where it cannot be built these tests fail with the reason, and only with
// CLAIMLAB_NATIVE=off (nothing runs natively) is 'native' left out.
const METHODS: Linalg[] = nativeDisabledByEnv() ? ['js'] : ['js', 'native'];

/** Sorted copy, for comparing eigenvalues across methods (each returns its own order). */
const sorted = (v: Float64Array) => Float64Array.from(v).sort();

describe.each(METHODS)('symmetric eigendecomposition (%s)', (method) => {
  it('reconstructs a random symmetric matrix and its square root squares back', () => {
    const d = 12;
    const s = randomSpd(d, new Rng(1));
    const { values, vectors } = symmetricEigen(s, d, true, method);
    const V = vectors!;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let v = 0;
        for (let k = 0; k < d; k++) v += V[i * d + k] * values[k] * V[j * d + k];
        expect(v).toBeCloseTo(s[i * d + j], 9);
      }
    const r = psdSqrt(s, d, method);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let v = 0;
        for (let k = 0; k < d; k++) v += r[i * d + k] * r[k * d + j];
        expect(v).toBeCloseTo(s[i * d + j], 9);
      }
  });

  it('gives the hand-computed eigenpairs of a 3x3 matrix, reads the matrix symmetrised, and takes a zero matrix', () => {
    // [[2, 1, 0], [1, 2, 0], [0, 0, 3]]: eigenvalues 1, 3, 3; (1, -1, 0) / sqrt 2 for 1.
    const { values, vectors } = symmetricEigen([2, 1, 0, 1, 2, 0, 0, 0, 3], 3, true, method);
    expect(Array.from(sorted(values))).toEqual([1, 3, 3].map((v) => expect.closeTo(v, 13)));
    const k = values.findIndex((v) => Math.abs(v - 1) < 1e-9);
    const V = vectors!;
    expect(Math.abs(V[0 * 3 + k] * Math.SQRT2)).toBeCloseTo(1, 13);
    expect(V[0 * 3 + k] + V[1 * 3 + k]).toBeCloseTo(0, 13);
    expect(V[2 * 3 + k]).toBeCloseTo(0, 13);
    // An asymmetric input is read as (A + A^T) / 2 by both methods: [[0, 2], [0, 0]] -> [[0, 1], [1, 0]], eigenvalues -1, 1.
    expect(Array.from(sorted(symmetricEigen([0, 2, 0, 0], 2, false, method).values))).toEqual([-1, 1].map((v) => expect.closeTo(v, 13)));
    const zero = symmetricEigen(new Float64Array(9), 3, true, method);
    expect(Array.from(zero.values)).toEqual([0, 0, 0]);
    expect(Array.from(zero.vectors!)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('matches pinned scipy (pytorch-fid) FID values within 1e-8 relative', () => {
    for (const c of fixture.fid) {
      const ours = fid({ data: c.x1, n: c.n1, d: c.d }, { data: c.x2, n: c.n2, d: c.d }, { linalg: method });
      expect(Math.abs(ours - c.fid) / c.fid).toBeLessThan(1e-8);
    }
    expect(fixture.fid.length).toBeGreaterThanOrEqual(2);
  });

  it('rejects a d that does not fit the values', () => {
    expect(() => symmetricEigen([1, 2, 3], 2, true, method)).toThrow(/expected 4 values, got 3/);
    expect(() => symmetricEigen([], 0, true, method)).toThrow(/d must be a positive integer/);
  });
});

describe.runIf(METHODS.includes('native'))('native (dgemm, dsyevd) against js (loops, Jacobi)', () => {
  it("the addon's dgemm multiplies hand-checked matrices, with either operand transposed, and names bad arguments", () => {
    const blas = loadNativeBlas()!;
    const a = Float64Array.from([1, 2, 3, 4, 5, 6]); // 2 x 3
    const b = Float64Array.from([7, 8, 9, 10, 11, 12]); // 3 x 2
    const c = new Float64Array(4);
    blas.dgemm(false, false, 2, 2, 3, a, b, c);
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
    const at = Float64Array.from([1, 4, 2, 5, 3, 6]); // a stored transposed (3 x 2)
    const bt = Float64Array.from([7, 9, 11, 8, 10, 12]); // b stored transposed (2 x 3)
    blas.dgemm(true, true, 2, 2, 3, at, bt, c);
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
    expect(() => blas.dgemm(false, false, 2, 2, 3, a, b, new Float64Array(3))).toThrow(/dgemm: C has 3 elements, needs 4/);
    expect(() => blas.dgemm(false, false, 2, 2, 3, new Float32Array(6) as never, b, c)).toThrow(/dgemm: A must be a Float64Array/);
    expect(() => blas.dgemm(false, false, 2, 3, 3, a, Float64Array.from([...b, 0, 0, 0]), a)).toThrow(/C must not share memory/);
    expect(() => blas.symmetricEigen(new Float64Array(4), 2, 1 as never, new Float64Array(2))).toThrow(/wantVectors must be a boolean/);
    const shared = new Float64Array(6);
    expect(() => blas.symmetricEigen(shared.subarray(0, 4), 2, true, shared.subarray(3, 5))).toThrow(/w must not share memory with a/);
  });

  it('agree on the covariance of 500 samples of 40 features (1e-12 relative)', () => {
    const rng = new Rng(6);
    const x = { data: rng.normalArray(500 * 40), n: 500, d: 40 };
    const js = gaussianStats(x, { linalg: 'js' });
    const native = gaussianStats(x, { linalg: 'native' });
    const top = Math.max(...js.sigma.map(Math.abs));
    for (let i = 0; i < js.sigma.length; i++) expect(Math.abs(js.sigma[i] - native.sigma[i])).toBeLessThan(1e-12 * top);
    for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) expect(native.sigma[i * 40 + j]).toBe(native.sigma[j * 40 + i]);
  });

  it('agree on eigenvalues (1e-10 of the largest) and eigenvectors (up to sign) of a 64 x 64 matrix with distinct eigenvalues', () => {
    const d = 64;
    const s = randomSpd(d, new Rng(5));
    const j = symmetricEigen(s, d, true, 'js');
    const l = symmetricEigen(s, d, true, 'native');
    const [sj, sl] = [sorted(j.values), sorted(l.values)];
    const top = sj[d - 1];
    for (let i = 0; i < d; i++) expect(Math.abs(sj[i] - sl[i])).toBeLessThan(1e-10 * top);
    // Pair each LAPACK eigenvector with Jacobi's of the nearest eigenvalue: |<u, v>| = 1.
    for (let k = 0; k < d; k++) {
      let best = 0;
      for (let m = 1; m < d; m++) if (Math.abs(j.values[m] - l.values[k]) < Math.abs(j.values[best] - l.values[k])) best = m;
      let dot = 0;
      for (let i = 0; i < d; i++) dot += l.vectors![i * d + k] * j.vectors![i * d + best];
      expect(Math.abs(dot)).toBeCloseTo(1, 8);
    }
  });
});

describe('FID', () => {
  it('is 0 for identical sets', () => {
    const rng = new Rng(2);
    const x = { data: rng.normalArray(300 * 10), n: 300, d: 10 };
    expect(fid(x, x)).toBeLessThan(1e-9);
  });

  it('matches the closed form for Gaussians: diagonal and commuting covariances', () => {
    // N(mu1, diag(a)), N(mu2, diag(b)): |mu1-mu2|^2 + sum (sqrt a - sqrt b)^2
    const d = 5;
    const a = [1, 4, 9, 0.25, 2];
    const b = [4, 1, 9, 1, 8];
    const mu1 = Float64Array.from([0, 1, 2, 3, 4]);
    const mu2 = Float64Array.from([1, 1, 0, 3, 4]);
    const diag = (v: number[]) => {
      const m = new Float64Array(d * d);
      v.forEach((x, i) => (m[i * d + i] = x));
      return m;
    };
    const expected = 1 + 4 + a.reduce((s, ai, i) => s + (Math.sqrt(ai) - Math.sqrt(b[i])) ** 2, 0);
    expect(frechetDistance({ mu: mu1, sigma: diag(a), d }, { mu: mu2, sigma: diag(b), d })).toBeCloseTo(expected, 10);
    // S2 = c^2 S1 (non-diagonal): Tr sqrt(S1 S2) = c Tr S1, so FID = (1 - c)^2 Tr S1
    const s1 = randomSpd(d, new Rng(3));
    const c = 1.7;
    const tr = [0, 1, 2, 3, 4].reduce((s, i) => s + s1[i * d + i], 0);
    expect(
      traceSqrtProduct(
        s1,
        s1.map((v) => v * c * c),
        d,
      ),
    ).toBeCloseTo(c * tr, 9);
    expect(frechetDistance({ mu: mu1, sigma: s1, d }, { mu: mu1, sigma: s1.map((v) => v * c * c), d })).toBeCloseTo((1 - c) ** 2 * tr, 9);
  });

  it('matches the closed form for non-commuting 2x2 covariances', () => {
    // S1 = I: Tr sqrt(S2) is the sum of sqrt of S2's eigenvalues
    const s2 = Float64Array.from([2, 1, 1, 3]);
    const l1 = (5 + Math.sqrt(5)) / 2;
    const l2 = (5 - Math.sqrt(5)) / 2;
    const expected = 2 + 5 - 2 * (Math.sqrt(l1) + Math.sqrt(l2));
    const mu = new Float64Array(2);
    expect(frechetDistance({ mu, sigma: Float64Array.from([1, 0, 0, 1]), d: 2 }, { mu, sigma: s2, d: 2 })).toBeCloseTo(expected, 12);
  });

  it('approaches the population value for large Gaussian samples', () => {
    const rng = new Rng(4);
    const n = 20000;
    const d = 3;
    const x = new Float64Array(n * d);
    const y = new Float64Array(n * d);
    for (let i = 0; i < n * d; i++) {
      x[i] = rng.normal();
      y[i] = 2 * rng.normal() + 1;
    }
    // population: 3 * 1^2 (means) + 3 * (1 - 2)^2 (std) = 6
    expect(fid({ data: x, n, d }, { data: y, n, d })).toBeCloseTo(6, 0);
  });

  it('refuses fewer samples than feature dimensions with a clear error', () => {
    const x = { data: new Float64Array(8 * 10), n: 8, d: 10 };
    expect(() => fid(x, x)).toThrow(InsufficientSamplesError);
    expect(() => fid(x, x)).toThrow(/more samples than feature dimensions/);
    expect(() => gaussianStats({ data: [1, 2, 3], n: 2, d: 2 })).toThrow(/expected n\*d/);
  });

  it('refuses NaN and infinite features, naming the set, the sample, the feature and the value', () => {
    const rng = new Rng(11);
    const x = { data: Float64Array.from({ length: 20 * 3 }, () => rng.normal()), n: 20, d: 3 };
    for (const bad of [NaN, Infinity, -Infinity]) {
      const y = { ...x, data: Float64Array.from(x.data) };
      y.data[4 * 3 + 2] = bad;
      expect(() => fid(x, y)).toThrow(
        new RegExp(`fid\\(fake\\): data holds ${bad} at sample 4, feature 2 \\(index 14\\); every feature must be a finite number`),
      );
      expect(() => fid(y, x)).toThrow(/^fid\(real\): data holds/);
      expect(() => gaussianStats(y)).toThrow(/gaussianStats: data holds/);
    }
    const s = gaussianStats(x);
    const badMu = { ...s, mu: Float64Array.from([0, NaN, 0]) };
    expect(() => frechetDistance(s, badMu)).toThrow(
      /frechetDistance: the second Gaussian's mu holds NaN at index 1; only finite numbers are accepted/,
    );
    const badSigma = { ...s, sigma: Float64Array.from(s.sigma, (v, i) => (i === 4 ? Infinity : v)) };
    expect(() => frechetDistance(badSigma, s)).toThrow(/the first Gaussian's sigma holds Infinity at index 4/);
  });
});

describe('Inception score', () => {
  it('is k for confident uniformly spread predictions and 1 for identical ones', () => {
    const k = 10;
    const n = 1000;
    const onehot = new Float64Array(n * k);
    for (let i = 0; i < n; i++) onehot[i * k + (i % k)] = 1;
    const r = inceptionScore(onehot, n, k);
    expect(r.mean).toBeCloseTo(10, 10);
    expect(r.std).toBeCloseTo(0, 10);
    const collapsed = new Float64Array(n * k);
    for (let i = 0; i < n; i++) collapsed[i * k + 3] = 1;
    expect(inceptionScore(collapsed, n, k).mean).toBeCloseTo(1, 12);
    const uniform = new Float64Array(n * k).fill(1 / k);
    expect(inceptionScore(uniform, n, k).mean).toBeCloseTo(1, 12);
  });

  it('matches pinned numpy values within 1e-10 relative', () => {
    for (const c of fixture.inception_score) {
      const r = inceptionScore(c.probs, c.n, c.k, 10);
      expect(Math.abs(r.mean - c.mean) / c.mean).toBeLessThan(1e-10);
      expect(Math.abs(r.std - c.std)).toBeLessThan(1e-10);
      r.splits.forEach((s, i) => expect(s).toBeCloseTo(c.splits[i], 10));
    }
  });

  it('rejects logits and too few samples', () => {
    expect(() => inceptionScore([2, -1, 0.5, 0.5], 2, 2, 1)).toThrow(/negative|sums/);
    expect(() => inceptionScore([1, 0], 1, 2, 10)).toThrow(/at least one sample per split/);
  });
});
