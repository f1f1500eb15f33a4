import { describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import { balancedNet, randomUnit } from '../linear-net.ts';
import type { Regression } from '../losses.ts';
import {
  closedFormStep,
  normalisedCirculation,
  preconditionedGradient,
  preconditionedGradientMatrix,
  psdPower,
  symmetricEigen,
  theorem1Gap,
} from '../theory.ts';

describe("Theorem 1's closed form", () => {
  it('for one output: w - eta |w|^{2-2/N} (g + (N-1) w^ w^T g), by hand for w = [3, 4], g = [1, 0]', () => {
    // |w| = 5, w^ = [0.6, 0.8], w^.g = 0.6. N = 2: 5 ([1, 0] + 0.6 [0.6, 0.8]) = [6.8, 2.4].
    const s2 = closedFormStep([3, 4], [1, 0], 0.1, 2);
    expect(s2[0]).toBeCloseTo(3 - 0.68, 14);
    expect(s2[1]).toBeCloseTo(4 - 0.24, 14);
    // N = 3: 5^{4/3} ([1, 0] + 2 * 0.6 [0.6, 0.8]) = 5^{4/3} [1.72, 0.96].
    const f3 = preconditionedGradient([3, 4], [1, 0], 3);
    expect(f3[0]).toBeCloseTo(5 ** (4 / 3) * 1.72, 12);
    expect(f3[1]).toBeCloseTo(5 ** (4 / 3) * 0.96, 12);
    // N = 1 is plain gradient descent.
    expect(Array.from(preconditionedGradient([3, 4], [1, 0], 1))).toEqual([1, 0]);
  });

  it('a GD step of a balanced scalar depth-2 net (w = w1 w2, w1 = w2 = sqrt(w)) is the closed form plus eta^2 g^2 w, by hand', () => {
    // L(w) = w^2 / 2 on one example x = 1, y = 0; at w = 2, g = 2. w1' w2' = w - 2 eta |w| g + eta^2 g^2 w, so the
    // relative gap is eta^2 g^2 |w| / (2 eta |w| |g|) = eta |g| / 2 = eta.
    const data: Regression = { name: 'one', n: 1, dim: 1, x: Float64Array.of(1), y: Float64Array.of(0) };
    const net = balancedNet(Float64Array.of(2), 2, 1, new Rng(1));
    for (const eta of [0.1, 0.01, 0.001]) expect(theorem1Gap(data, 2, net, eta)).toBeCloseTo(eta, 12);
  });

  it('the general matrix form: by hand for a diagonal W and N = 2; equal to the vector form for one output', () => {
    // W = diag(2, 3): sum = G diag(|w|) + diag(|w|) G, entry (i, j) = G_ij (w_i + w_j).
    const g = Float64Array.from([1, 2, 3, 4]);
    const m = preconditionedGradientMatrix(Float64Array.from([2, 0, 0, 3]), g, 2, 2, 2);
    [4, 10, 15, 24].forEach((v, i) => expect(m[i]).toBeCloseTo(v, 10));
    const w = Float64Array.from([0.5, -1, 2, 0.25]);
    const gv = Float64Array.from([0.3, 0.1, -0.7, 2]);
    for (const depth of [1, 2, 3, 5]) {
      const general = preconditionedGradientMatrix(w, gv, 1, 4, depth);
      const vector = preconditionedGradient(w, gv, depth);
      general.forEach((v, i) => expect(v).toBeCloseTo(vector[i], 10));
    }
  });

  it('diagonalises symmetric matrices and takes their fractional powers', () => {
    const a = Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 5]);
    const { values } = symmetricEigen(a, 3);
    expect([...values].sort((x, y) => x - y).map((v) => Number(v.toFixed(12)))).toEqual([1, 3, 5]);
    // (A^{1/2})^2 = A.
    const r = psdPower(a, 3, 0.5);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += r[i * 3 + k] * r[k * 3 + j];
        expect(s).toBeCloseTo(a[i * 3 + j], 10);
      }
  });

  it('on real-looking data the gap of a balanced depth-2 and depth-3 net shrinks in proportion to the step', () => {
    const rng = new Rng(7);
    const n = 30;
    const dim = 4;
    const x = Float64Array.from({ length: n * dim }, () => rng.normal());
    const y = Float64Array.from({ length: n }, () => rng.normal());
    const data: Regression = { name: 'random', n, dim, x, y };
    for (const depth of [2, 3]) {
      const net = balancedNet(Float64Array.from([0.5, -0.2, 0.3, 0.1]), depth, 3, new Rng(depth));
      const a = theorem1Gap(data, 4, net, 1e-3);
      const b = theorem1Gap(data, 4, net, 1e-4);
      expect(a / b).toBeGreaterThan(9);
      expect(a / b).toBeLessThan(11);
    }
  });
});

describe("Theorem 2's line integral", () => {
  const rng = new Rng(3);
  const n = 20;
  const dim = 3;
  const data: Regression = {
    name: 'random',
    n,
    dim,
    x: Float64Array.from({ length: n * dim }, () => rng.normal()),
    y: Float64Array.from({ length: n }, () => rng.normal()),
  };
  const center = Float64Array.from([1, 0.5, -0.5]);
  const u = Float64Array.from([1, 0, 0]);
  const v = Float64Array.from([0, 1, 0]);

  it('vanishes for the gradient field (depth 1) and not for depth 2 or 3', () => {
    for (const p of [2, 4]) {
      const loop = { center, u, v, radius: 0.5, points: 512 };
      expect(normalisedCirculation(data, p, 1, loop)).toBeLessThan(1e-12);
      expect(normalisedCirculation(data, p, 2, loop)).toBeGreaterThan(1e-3);
      expect(normalisedCirculation(data, p, 3, loop)).toBeGreaterThan(1e-3);
    }
  });

  it('is the same integral at 256 and 512 points (converged)', () => {
    const c256 = normalisedCirculation(data, 4, 2, { center, u, v, radius: 0.5, points: 256 });
    const c512 = normalisedCirculation(data, 4, 2, { center, u, v, radius: 0.5, points: 512 });
    expect(Math.abs(c256 - c512)).toBeLessThan(1e-10 * c512 + 1e-14);
    expect(randomUnit(5, new Rng(1)).reduce((s, a) => s + a * a, 0)).toBeCloseTo(1, 14);
  });
});
