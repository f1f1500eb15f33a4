import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import {
  at,
  cpAls,
  cpToDense,
  htToDense,
  matricizationErrorFloor,
  matricize,
  numericalRank,
  oddEvenMatricization,
  randomCp,
  randomHt,
  randomTensorTrain,
  rankFromSingularValues,
  RANK_RTOL,
  singularValues,
  ttToDense,
  type Core,
  type DenseTensor,
} from '../src/index.ts';

type Mat = { rows: number; cols: number; data: number[] };
type Fixture = {
  matrices: (Mat & { name: string; sv: number[]; numpyRank: number })[];
  tensors: {
    name: string;
    kind: 'tt' | 'ht' | 'cp';
    d: number;
    n: number;
    r?: number;
    R?: number;
    cores?: { shape: [number, number, number]; data: number[] }[];
    leaves?: Mat[];
    levels?: { shape: [number, number, number]; data: number[] }[][];
    factors?: Mat[];
    dense: number[];
    sv: number[];
    numpyRank: number;
  }[];
};
const fixture = JSON.parse(readFileSync(new URL('./fixtures/tensor-rank-reference.json', import.meta.url), 'utf8')) as Fixture;
const f64 = (m: Mat) => ({ rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) });
const core = (c: { shape: [number, number, number]; data: number[] }): Core => ({ shape: c.shape, data: Float64Array.from(c.data) });

/** Every entry of a tensor from its definition, by brute force over all multi-indices. */
function bruteForce(shape: number[], entry: (idx: number[]) => number): DenseTensor {
  const total = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(total);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < total; i++) {
    data[i] = entry(idx);
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return { shape, data };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('TT / HT / CP constructions against dense reconstruction', () => {
  it('a random TT equals the product of its core slices at every index (independent and shared cores)', () => {
    for (const sharedCores of [false, true]) {
      const tt = randomTensorTrain({ d: 4, n: 3, r: 2, rng: new Rng(1), sharedCores });
      if (sharedCores) expect(tt.cores[1]).toBe(tt.cores[2]);
      else expect(tt.cores[1]).not.toBe(tt.cores[2]);
      const expected = bruteForce([3, 3, 3, 3], (idx) => {
        // row vector G_1[0, i_1, :] times the matrices G_k[:, i_k, :]
        let v = [0, 1].map((b) => tt.cores[0].data[idx[0] * 2 + b]);
        for (let k = 1; k < 4; k++) {
          const [rl, n, rr] = tt.cores[k].shape;
          v = Array.from({ length: rr }, (_, b) => v.reduce((s, x, a) => s + x * tt.cores[k].data[(a * n + idx[k]) * rr + b], 0));
          expect(rl).toBe(2);
        }
        return v[0];
      });
      expect(maxAbsDiff(ttToDense(tt).data, expected.data)).toBeLessThan(1e-12);
    }
  });

  it('a random CP equals its sum of rank-one terms; a random HT equals its tree contraction written out', () => {
    const cp = randomCp({ d: 3, n: 2, rank: 3, rng: new Rng(2) });
    const cpExpected = bruteForce([2, 2, 2], (idx) => {
      let s = 0;
      for (let c = 0; c < 3; c++) s += cp.factors.reduce((p, f, k) => p * f.data[idx[k] * 3 + c], 1);
      return s;
    });
    expect(maxAbsDiff(cpToDense(cp).data, cpExpected.data)).toBeLessThan(1e-12);

    const ht = randomHt({ d: 4, n: 2, r: 2, rng: new Rng(3) });
    const U = (k: number, i: number, a: number) => ht.leaves[k].data[i * 2 + a];
    const B = (l: number, j: number, a: number, b: number, c: number) => {
      const t = ht.levels[l][j];
      return t.data[(a * t.shape[1] + b) * t.shape[2] + c];
    };
    const htExpected = bruteForce([2, 2, 2, 2], (idx) => {
      let s = 0;
      for (let a1 = 0; a1 < 2; a1++)
        for (let b1 = 0; b1 < 2; b1++)
          for (let a2 = 0; a2 < 2; a2++)
            for (let b2 = 0; b2 < 2; b2++)
              for (let c1 = 0; c1 < 2; c1++)
                for (let c2 = 0; c2 < 2; c2++)
                  s +=
                    U(0, idx[0], a1) *
                    U(1, idx[1], b1) *
                    B(0, 0, a1, b1, c1) *
                    U(2, idx[2], a2) *
                    U(3, idx[3], b2) *
                    B(0, 1, a2, b2, c2) *
                    B(1, 0, c1, c2, 0);
      return s;
    });
    expect(maxAbsDiff(htToDense(ht).data, htExpected.data)).toBeLessThan(1e-12);
  });

  it('rebuilds the numpy fixtures (TT, shared-core TT, HT, CP) to 1e-12 relative', () => {
    for (const c of fixture.tensors) {
      const dense =
        c.kind === 'tt'
          ? ttToDense({ cores: c.cores!.map(core) })
          : c.kind === 'ht'
            ? htToDense({ leaves: c.leaves!.map(f64), levels: c.levels!.map((l) => l.map(core)) })
            : cpToDense({ factors: c.factors!.map(f64) });
      const scale = Math.max(...c.dense.map(Math.abs));
      expect(maxAbsDiff(dense.data, c.dense) / scale, c.name).toBeLessThan(1e-12);
    }
  });

  it('rejects bad shapes with errors that name the problem', () => {
    expect(() => randomTensorTrain({ d: 1, n: 2, r: 2, rng: new Rng(0) })).toThrow(/d \(the order\) must be an integer >= 2, got 1/);
    expect(() => randomHt({ d: 6, n: 2, r: 2, rng: new Rng(0) })).toThrow(/power of two/);
    expect(() => randomCp({ d: 3, n: 2, rank: 0, rng: new Rng(0) })).toThrow(/rank \(the CP rank R\) must be an integer >= 1, got 0/);
    const bad = randomTensorTrain({ d: 3, n: 2, r: 2, rng: new Rng(0) });
    bad.cores[1] = { shape: [3, 2, 2], data: new Float64Array(12) };
    expect(() => ttToDense(bad)).toThrow(/core 1 has left rank 3 but core 0 has right rank 2/);
  });
});

describe('matricization', () => {
  it('puts the odd modes on the rows and the even modes on the columns (a hand-built 2x3x2x2 case)', () => {
    // T[i, j, k, l] = 1000 i + 100 j + 10 k + l: the entry names its own index.
    const t = bruteForce([2, 3, 2, 2], ([i, j, k, l]) => 1000 * i + 100 * j + 10 * k + l);
    const m = oddEvenMatricization(t);
    expect([m.rows, m.cols]).toEqual([4, 6]);
    // Row (i, k) row-major, column (j, l) row-major.
    expect(Array.from(m.data.subarray(0, 6))).toEqual([0, 1, 100, 101, 200, 201]);
    expect(Array.from(m.data.subarray(6, 12))).toEqual([10, 11, 110, 111, 210, 211]);
    expect(Array.from(m.data.subarray(12, 18))).toEqual([1000, 1001, 1100, 1101, 1200, 1201]);
    expect(m.data[3 * 6 + 5]).toBe(at(t, [1, 2, 1, 1]));
    // Any mode order for the rows; a repeated or missing mode is an error.
    const m2 = matricize(t, [3, 1]);
    expect([m2.rows, m2.cols]).toEqual([6, 4]);
    expect(Array.from(m2.data.subarray(0, 4))).toEqual([0, 10, 1000, 1010]);
    expect(() => matricize(t, [0, 0])).toThrow(/listed twice/);
    expect(() => matricize(t, [4])).toThrow(/not a mode of a tensor of order 4/);
  });

  it('a CP tensor of rank R has an odd/even matricization of rank at most R', () => {
    const cp = randomCp({ d: 6, n: 3, rank: 5, rng: new Rng(4) });
    expect(numericalRank(oddEvenMatricization(cpToDense(cp))).rank).toBe(5);
  });
});

describe('rank routine', () => {
  it('finds the rank of matrices of known rank', () => {
    const rng = new Rng(5);
    for (const [m, n, k] of [
      [12, 9, 4],
      [5, 20, 3],
      [30, 30, 30],
      [8, 8, 1],
    ]) {
      const A = Float64Array.from({ length: m * k }, () => rng.normal());
      const B = Float64Array.from({ length: k * n }, () => rng.normal());
      const data = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let t = 0; t < k; t++) data[i * n + j] += A[i * k + t] * B[t * n + j];
      expect(numericalRank({ rows: m, cols: n, data }).rank, `${m}x${n} of rank ${k}`).toBe(k);
    }
    expect(numericalRank({ rows: 3, cols: 3, data: new Float64Array(9) }).rank).toBe(0);
    // A diagonal matrix: the singular values are the absolute diagonal, sorted.
    expect(singularValues({ rows: 3, cols: 3, data: Float64Array.from([2, 0, 0, 0, -5, 0, 0, 0, 0.5]) })).toEqual([5, 2, 0.5]);
    expect(rankFromSingularValues([1, 1e-11, 1e-13])).toBe(2);
    expect(RANK_RTOL).toBe(1e-12);
    expect(() => singularValues({ rows: 2, cols: 2, data: Float64Array.from([1, NaN, 0, 1]) })).toThrow(/non-finite/);
    expect(() => rankFromSingularValues([1], 0)).toThrow(/rank tolerance must be in \(0, 1\)/);
  });

  it("matches numpy's singular values (to 1e-12 of sigma_max) and ranks on the fixtures", () => {
    const cases = [
      ...fixture.matrices.map((m) => ({ name: m.name, matrix: f64(m), sv: m.sv, numpyRank: m.numpyRank })),
      ...fixture.tensors.map((c) => ({
        name: c.name,
        matrix: oddEvenMatricization({ shape: Array(c.d).fill(c.n), data: Float64Array.from(c.dense) }),
        sv: c.sv,
        numpyRank: c.numpyRank,
      })),
    ];
    for (const c of cases) {
      const r = numericalRank(c.matrix);
      expect(maxAbsDiff(r.sv, c.sv) / c.sv[0], c.name).toBeLessThan(1e-12);
      expect(r.rank, c.name).toBe(c.numpyRank);
    }
    // The hand example of the notes: d = 6, n = r = 3 gives a 27 x 27 matricization of rank 27.
    const tt27 = fixture.tensors.find((c) => c.name.startsWith('TT d=6 n=3 r=3'))!;
    expect(tt27.numpyRank).toBe(27);
    // The graded matrix: sigma down to 1e-8 is kept, the two exact zeros are dropped.
    expect(fixture.matrices.find((m) => m.name.startsWith('graded'))!.numpyRank).toBe(6 + 1);
  });
});

describe('CP-ALS', () => {
  it('recovers an exact rank-3 CP tensor and never beats the matricization floor', () => {
    const t = cpToDense(randomCp({ d: 4, n: 3, rank: 3, rng: new Rng(6) }));
    const fit = cpAls(t, { rank: 3, rng: new Rng(7), maxIterations: 2000, tolerance: 1e-14 });
    expect(fit.relativeError).toBeLessThan(1e-6);
    const sv = singularValues(oddEvenMatricization(t));
    for (const R of [1, 2]) {
      const under = cpAls(t, { rank: R, rng: new Rng(8) });
      expect(under.relativeError).toBeGreaterThanOrEqual(matricizationErrorFloor(sv, R) - 1e-12);
      expect(matricizationErrorFloor(sv, R)).toBeGreaterThan(0);
    }
    expect(matricizationErrorFloor(sv, 3)).toBeLessThan(1e-12);
    expect(() => cpAls(t, { rank: 0, rng: new Rng(0) })).toThrow(/positive integer/);
  });
});
