import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/rng.ts';

describe('Rng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = new Rng(7).uniformArray(20);
    const b = new Rng(7).uniformArray(20);
    const c = new Rng(8).uniformArray(20);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('forks independent named streams that do not depend on draws from the parent', () => {
    const r1 = new Rng(1);
    const r2 = new Rng(1);
    r2.uniformArray(100); // consuming the parent must not shift a fork
    expect(Array.from(r1.fork('x').uniformArray(5))).toEqual(Array.from(r2.fork('x').uniformArray(5)));
    expect(Array.from(r1.fork('x').uniformArray(5))).not.toEqual(Array.from(r1.fork('y').uniformArray(5)));
  });

  it('draws normals with mean 0 and variance 1 (within 4 standard errors)', () => {
    const n = 20000;
    const x = new Rng(3).normalArray(n);
    const mean = x.reduce((s, v) => s + v, 0) / n;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });

  it('permutation contains every index once; sample draws distinct indices', () => {
    const p = Array.from(new Rng(5).permutation(50));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const s = Array.from(new Rng(5).sample(50, 20));
    expect(new Set(s).size).toBe(20);
    expect(() => new Rng(5).sample(3, 4)).toThrow(/cannot draw 4 distinct items from 3/);
  });

  it('int covers [0, n) uniformly (chi-square, 9 dof, p > 0.001)', () => {
    const rng = new Rng(11);
    const counts = new Array(10).fill(0);
    const n = 10000;
    for (let i = 0; i < n; i++) counts[rng.int(10)]++;
    const chi2 = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.88); // 99.9% quantile of chi-square with 9 dof
    expect(() => rng.int(0)).toThrow(/positive integer/);
  });

  it('continues exactly from a snapshot (uniforms, the spare normal, permutations), and the state accessor does not change the numbers', () => {
    const a = new Rng('ckpt');
    a.uniform();
    a.normal(); // leaves a spare normal behind
    const b = Rng.restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(b.normal()).toBe(a.normal());
    expect(Array.from(b.permutation(50))).toEqual(Array.from(a.permutation(50)));
    expect(b.uniform()).toBe(a.uniform());
    expect(b.fork('x').uniform()).toBe(a.fork('x').uniform());
    const plain = seedrandom.alea('ckpt');
    expect(new Rng('ckpt').uniform()).toBe(plain());
  });
});
