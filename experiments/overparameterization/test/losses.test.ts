import { describe, expect, it } from 'vitest';
import { lpLoss, lpLossAndGradient, lpOptimum, solveSpd, type Regression } from '../losses.ts';

// x = [[1, 0], [0, 1], [1, 1]], y = [1, 2, 0].
const data: Regression = { name: 'toy', n: 3, dim: 2, x: Float64Array.from([1, 0, 0, 1, 1, 1]), y: Float64Array.from([1, 2, 0]) };

describe('l_p loss', () => {
  it('is (1/n) sum |x.w - y|^p / p (hand-computed)', () => {
    // w = [1, 1]: residuals [0, -1, 2].
    expect(lpLoss(data, [1, 1], 2)).toBeCloseTo((0 + 1 + 4) / (2 * 3), 15);
    expect(lpLoss(data, [1, 1], 4)).toBeCloseTo((0 + 1 + 16) / (4 * 3), 15);
    // Its gradient (1/n) sum |r|^{p-2} r x: p = 4: (1/3)(0 + (-1)[0,1] + 8[1,1]) = [8/3, 7/3].
    const { loss, grad } = lpLossAndGradient(data, [1, 1], 4);
    expect(loss).toBeCloseTo(17 / 12, 15);
    expect(grad[0]).toBeCloseTo(8 / 3, 15);
    expect(grad[1]).toBeCloseTo(7 / 3, 15);
  });

  it('has the gradient of finite differences (p = 3 with odd residual signs, p = 4)', () => {
    for (const p of [3, 4]) {
      const w = [0.3, -0.7];
      const { grad } = lpLossAndGradient(data, w, p);
      for (let j = 0; j < 2; j++) {
        const up = [...w];
        const down = [...w];
        up[j] += 1e-6;
        down[j] -= 1e-6;
        expect(grad[j]).toBeCloseTo((lpLoss(data, up, p) - lpLoss(data, down, p)) / 2e-6, 7);
      }
    }
  });

  it('solves symmetric positive definite systems and refuses singular ones', () => {
    const z = solveSpd(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1]), 2);
    expect(z[0]).toBeCloseTo(0.5, 14);
    expect(z[1]).toBeCloseTo(0, 14);
    expect(() => solveSpd(Float64Array.from([1, 1, 1, 1]), Float64Array.from([1, 1]), 2)).toThrow(/not positive definite/);
  });

  it('finds the optimum: least squares in closed form for p = 2, a zero gradient and a lower loss than any nearby point for p = 4', () => {
    // Normal equations: X^T X = [[2, 1], [1, 2]], X^T y = [1, 2] -> w = [0, 1].
    const l2 = lpOptimum(data, 2);
    expect(l2.w[0]).toBeCloseTo(0, 12);
    expect(l2.w[1]).toBeCloseTo(1, 12);
    const l4 = lpOptimum(data, 4);
    const g = lpLossAndGradient(data, l4.w, 4).grad;
    expect(Math.hypot(...g)).toBeLessThan(1e-10);
    for (const [a, b] of [
      [1e-3, 0],
      [0, -1e-3],
      [1e-3, 1e-3],
    ])
      expect(lpLoss(data, [l4.w[0] + a, l4.w[1] + b], 4)).toBeGreaterThan(l4.loss);
    expect(() => lpOptimum(data, 1)).toThrow(/p must be >= 2/);
  });
});
