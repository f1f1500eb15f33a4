import { describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import { PROFILES } from '../config.ts';
import { loadRegression, standardise, startVector, syntheticRegression } from '../data.ts';

const meanSd = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return { m, sd: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) };
};

describe('regression data', () => {
  it('standardises every feature and the target (by hand: [1, 2, 3] -> [-1.2247, 0, 1.2247])', () => {
    const d = standardise('toy', 3, 1, Float64Array.from([1, 2, 3]), Float64Array.from([10, 10, 13]));
    expect(d.x[0]).toBeCloseTo(-Math.sqrt(1.5), 12);
    expect(d.x[1]).toBe(0);
    expect(d.y[2]).toBeCloseTo(2 / Math.sqrt(2), 12);
    expect(() => standardise('toy', 2, 1, Float64Array.from([4, 4]), Float64Array.from([1, 2]))).toThrow(/toy: feature 0 is constant/);
  });

  it('Boston: 506 x 13, standardised', () => {
    const d = loadRegression('boston', PROFILES.quick, 0, null);
    expect([d.n, d.dim]).toEqual([506, 13]);
    const col = Array.from({ length: d.n }, (_, i) => d.x[i * d.dim + 5]);
    expect(meanSd(col).m).toBeCloseTo(0, 12);
    expect(meanSd(col).sd).toBeCloseTo(1, 12);
    expect(meanSd(Array.from(d.y)).sd).toBeCloseTo(1, 12);
  });

  it('the synthetic set and the start vector are drawn from the seed', () => {
    const a = syntheticRegression(50, 4, new Rng(1));
    const b = syntheticRegression(50, 4, new Rng(1));
    const c = syntheticRegression(50, 4, new Rng(2));
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(Array.from(a.y)).not.toEqual(Array.from(c.y));
    const w = startVector(13, 1e-3, 0, 'boston');
    expect(Math.hypot(...w)).toBeCloseTo(1e-3, 15);
    expect(Array.from(w)).not.toEqual(Array.from(startVector(13, 1e-3, 1, 'boston')));
  });
});
