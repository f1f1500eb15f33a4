import { readFileSync } from 'node:fs';
import { Rng } from '@claimlab/core';
import { describe, expect, it } from 'vitest';
import {
  defaultGamma,
  geometryScore,
  meanRlt,
  mrlt,
  relativeLivingTimes,
  rlts,
  witnessPersistence,
  type PointCloud,
} from '../src/geometry-score.ts';
import { complexFromLists, persistence, type Interval } from '../src/persistence.ts';
import { witnessComplex } from '../src/witness.ts';

type Draw = { landmarks: number[]; alphaMax: number; intervals: Interval[]; simplexCounts: number[]; rlt: number[] };
const fixture = JSON.parse(readFileSync(new URL('./fixtures/witness-persistence-reference.json', import.meta.url), 'utf8'), (_k, v) =>
  v === 'inf' ? Infinity : v,
) as {
  cases: { cloud: string; n: number; d: number; points: number[]; L0: number; gamma: number; draws: Draw[] }[];
  hand: { name: string; simplices: [number[], number][]; dim0: Interval[]; dim1: Interval[] }[];
};

// JSON has no Infinity: the reference script writes infinite deaths as the string "inf".
function sortIntervals(xs: Interval[]): Interval[] {
  return [...xs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

function expectIntervalsClose(ours: Interval[], ref: Interval[], tol: number) {
  const a = sortIntervals(ours);
  const b = sortIntervals(ref);
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => {
    expect(Math.abs(x[0] - b[i][0])).toBeLessThanOrEqual(tol);
    if (b[i][1] === Infinity) expect(x[1]).toBe(Infinity);
    else expect(Math.abs(x[1] - b[i][1])).toBeLessThanOrEqual(tol);
  });
}

function complexOf(simplices: [number[], number][]) {
  const nv = Math.max(...simplices.flatMap(([s]) => s)) + 1;
  const vertices = new Array(nv).fill(Infinity);
  const edges: [number, number, number][] = [];
  const tris: [number, number, number, number][] = [];
  for (const [s, f] of simplices) {
    if (s.length === 1) vertices[s[0]] = f;
    else if (s.length === 2) edges.push([s[0], s[1], f]);
    else tris.push([s[0], s[1], s[2], f]);
  }
  return complexFromLists(vertices, edges, tris);
}

function circle(rng: Rng, n: number, cx = 0, cy = 0, r = 1, noise = 0.02): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = 2 * Math.PI * rng.uniform();
    out.push(cx + r * Math.cos(t) + noise * rng.normal(), cy + r * Math.sin(t) + noise * rng.normal());
  }
  return out;
}

function disk(rng: Rng, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(rng.uniform());
    const t = 2 * Math.PI * rng.uniform();
    out.push(r * Math.cos(t), r * Math.sin(t));
  }
  return out;
}

const cloud = (data: number[]): PointCloud => ({ data, n: data.length / 2, d: 2 });

describe('persistence over Z/2 (hand-checkable complexes)', () => {
  it('a hollow triangle has one infinite H1 class; filling it kills the class at the triangle', () => {
    const hollow = complexFromLists(
      [0, 0, 0],
      [
        [0, 1, 1],
        [1, 2, 2],
        [0, 2, 3],
      ],
      [],
    );
    expect(persistence(hollow).dim1).toEqual([[3, Infinity]]);
    expect(persistence(hollow).dim0).toEqual([
      [0, 1],
      [0, 2],
      [0, Infinity],
    ]);
    const filled = complexFromLists(
      [0, 0, 0],
      [
        [0, 1, 1],
        [1, 2, 2],
        [0, 2, 3],
      ],
      [[0, 1, 2, 5]],
    );
    expect(persistence(filled).dim1).toEqual([[3, 5]]);
    // a triangle entering with its last edge: zero-length interval, dropped
    const instant = complexFromLists(
      [0, 0, 0],
      [
        [0, 1, 1],
        [1, 2, 2],
        [0, 2, 3],
      ],
      [[0, 1, 2, 3]],
    );
    expect(persistence(instant).dim1).toEqual([]);
  });

  it('reduction needs column additions: two triangles filling a square with a diagonal', () => {
    // square 0-1-2-3 (cycle born at 4), diagonal 0-2 at 5 makes a second cycle; triangles at 6, 7.
    const c = complexFromLists(
      [0, 0, 0, 0],
      [
        [0, 1, 1],
        [1, 2, 2],
        [2, 3, 3],
        [0, 3, 4],
        [0, 2, 5],
      ],
      [
        [0, 1, 2, 6],
        [0, 2, 3, 7],
      ],
    );
    // the elder-rule pairing: the younger cycle (diagonal, 5) dies first at 6, the square (4) at 7
    expect(persistence(c).dim1).toEqual([
      [4, 7],
      [5, 6],
    ]);
  });

  it('matches gudhi on the pinned hand-made complexes (exact)', () => {
    expect(fixture.hand.length).toBeGreaterThanOrEqual(2);
    for (const h of fixture.hand) {
      const r = persistence(complexOf(h.simplices));
      expect(sortIntervals(r.dim1)).toEqual(sortIntervals(h.dim1));
      expect(sortIntervals(r.dim0)).toEqual(sortIntervals(h.dim0));
    }
  });

  it('rejects a triangle without its edges and a simplex before its faces', () => {
    expect(() => persistence(complexFromLists([0, 0, 0], [[0, 1, 1]], [[0, 1, 2, 2]]))).toThrow(/has no edge/);
    expect(() => persistence(complexFromLists([0, 0, 5], [[0, 2, 1]], []))).toThrow(/before its vertices/);
  });
});

describe("witness complex and RLT against gudhi (authors' pipeline)", () => {
  it('gives the same simplices, dimension-1 intervals (abs. tol 1e-9) and RLTs (abs. tol 1e-9) for every pinned draw', () => {
    let draws = 0;
    for (const c of fixture.cases) {
      const x: PointCloud = { data: c.points, n: c.n, d: c.d };
      for (const dr of c.draws) {
        const { intervals, alphaMax } = witnessPersistence(x, dr.landmarks, c.gamma);
        expect(Math.abs(alphaMax - dr.alphaMax)).toBeLessThan(1e-12);
        expectIntervalsClose(intervals, dr.intervals, 1e-9);
        const rlt = relativeLivingTimes(intervals, alphaMax, 100);
        rlt.forEach((v, i) => expect(Math.abs(v - dr.rlt[i])).toBeLessThan(1e-9));
        draws++;
      }
    }
    expect(draws).toBeGreaterThanOrEqual(30);
  });

  it('builds the same number of vertices, edges and triangles as gudhi', () => {
    for (const c of fixture.cases) {
      const dr = c.draws[0];
      const L = dr.landmarks.length;
      const dist = new Float64Array(c.n * L);
      let maxD = 0;
      for (let i = 0; i < c.n; i++)
        for (let l = 0; l < L; l++) {
          let s = 0;
          for (let k = 0; k < c.d; k++) s += (c.points[i * c.d + k] - c.points[dr.landmarks[l] * c.d + k]) ** 2;
          dist[i * L + l] = Math.sqrt(s);
          maxD = Math.max(maxD, dist[i * L + l]);
        }
      const cx = witnessComplex({ dist, numWitnesses: c.n, numLandmarks: L, alphaMax: c.gamma * maxD });
      const nv = Array.from(cx.vertices).filter(Number.isFinite).length;
      expect([nv, cx.edges.f.length, cx.triangles.f.length]).toEqual(dr.simplexCounts);
    }
  });
});

describe('RLT', () => {
  it('follows formulas (2)-(3) on hand intervals', () => {
    // [0, 0.5) one bar, [0.5, 1) two bars (one infinite, clipped at alphaMax = 1)
    const r = relativeLivingTimes(
      [
        [0, 1],
        [0.5, Infinity],
      ],
      1,
      5,
    );
    expect(Array.from(r)).toEqual([0, 0.5, 0.5, 0, 0]);
    expect(Array.from(relativeLivingTimes([], 2, 3))).toEqual([1, 0, 0]);
    const s = relativeLivingTimes([[0.2, 0.4]], 1, 3);
    expect(s[0]).toBeCloseTo(0.8, 12);
    expect(s[1]).toBeCloseTo(0.2, 12);
  });
});

describe('geometry score on point clouds', () => {
  const opts = (seed: number) => ({ landmarks: 32, gamma: 0.1, repetitions: 20, iMax: 10, rng: new Rng(seed) });
  const rng = new Rng(7);
  const one = cloud(circle(rng, 400));
  const two = cloud([...circle(rng, 300), ...circle(rng, 300, 3, 0)]);
  const filled = cloud(disk(rng, 500));

  it('a circle has one persistent H1 class, two separated circles two, a filled disk none', () => {
    const m1 = mrlt(one, opts(1));
    const m2 = mrlt(two, opts(1));
    const m0 = mrlt(filled, opts(1));
    const argmax = (m: Float64Array) => m.indexOf(Math.max(...m));
    expect(argmax(m1)).toBe(1);
    expect(m1[1]).toBeGreaterThan(0.8);
    expect(argmax(m2)).toBe(2);
    expect(m2[2]).toBeGreaterThan(0.6);
    expect(argmax(m0)).toBe(0);
    expect(m0[0]).toBeGreaterThan(0.6);
    // the score separates them and is 0 on itself
    expect(geometryScore(m1, m1)).toBe(0);
    expect(geometryScore(m1, m2)).toBeGreaterThan(0.5);
    expect(geometryScore(m1, m0)).toBeGreaterThan(0.5);
  });

  it('is deterministic under a seed and depends on it', () => {
    const a = rlts(one, opts(3));
    const b = rlts(one, opts(3));
    expect(a.map((r) => Array.from(r))).toEqual(b.map((r) => Array.from(r)));
    const c = meanRlt(rlts(filled, opts(4)));
    const d = meanRlt(rlts(filled, opts(5)));
    expect(Array.from(c)).not.toEqual(Array.from(d));
    for (const r of a) expect(r.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it("uses the authors' default gamma and checks its input", () => {
    expect(defaultGamma(5000)).toBe(1 / 128);
    expect(defaultGamma(1000)).toBeCloseTo(1 / 640, 15);
    expect(() => rlts({ data: [1, 2, 3], n: 2, d: 2 }, { rng: new Rng(0) })).toThrow(/expected n\*d/);
    expect(() => geometryScore([1], [1, 2])).toThrow(/lengths differ/);
  });

  it('refuses non-finite points, naming the point, the coordinate and the value', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const data = Float64Array.from(one.data);
      data[2 * 7 + 1] = bad;
      expect(() => mrlt({ data, n: one.n, d: 2 }, opts(1))).toThrow(
        new RegExp(`the point cloud holds ${bad} at point 7, coordinate 1 \\(index 15\\); every coordinate must be a finite number`),
      );
    }
  });

  it('refuses option values outside their ranges, naming the option, the value and what is accepted', () => {
    const cases: [Partial<ReturnType<typeof opts>>, RegExp][] = [
      [{ iMax: 0 }, /geometry score: iMax must be an integer >= 1 \(the RLT length.*\), got 0/],
      [{ iMax: 2.5 }, /iMax must be an integer >= 1 .*got 2\.5/],
      [{ repetitions: 2.5 }, /geometry score: repetitions must be an integer >= 1 \(the number of landmark draws.*\), got 2\.5/],
      [{ repetitions: 0 }, /repetitions must be an integer >= 1 .*got 0/],
      [{ repetitions: NaN }, /repetitions must be an integer >= 1 .*got NaN/],
      [{ landmarks: 0 }, /geometry score: landmarks must be an integer >= 1 \(L0.*\), got 0/],
      [{ landmarks: 3.5 }, /landmarks must be an integer >= 1 .*got 3\.5/],
      [{ gamma: 0 }, /gamma must be a finite number > 0 .*got 0/],
      [{ gamma: Infinity }, /gamma must be a finite number > 0 .*got Infinity/],
      [{ gamma: NaN }, /gamma must be a finite number > 0 .*got NaN/],
    ];
    for (const [o, msg] of cases) expect(() => mrlt(one, { ...opts(1), ...o })).toThrow(msg);
    expect(() => relativeLivingTimes([[0.1, 0.2]], 1, 0)).toThrow(/relativeLivingTimes: iMax must be an integer >= 1 .*got 0/);
    expect(() => relativeLivingTimes([[0.1, 0.2]], 0, 3)).toThrow(/alphaMax must be a finite number > 0, got 0/);
    expect(() => rlts({ data: [0, 0, 1, 1], n: 2.5, d: 2 }, opts(1))).toThrow(/n and d must be positive integers, got n=2\.5, d=2/);
  });

  it('refuses a non-finite MRLT in the score', () => {
    expect(() => geometryScore([0.5, NaN], [0.5, 0.5])).toThrow(
      /geometryScore: mrlt1 holds NaN at index 1; only finite numbers are accepted/,
    );
    expect(() => geometryScore([0.5, 0.5], [Infinity, 0.5])).toThrow(/geometryScore: mrlt2 holds Infinity at index 0/);
  });
});
