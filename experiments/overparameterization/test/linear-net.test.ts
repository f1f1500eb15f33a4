import { describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import { balancedNet, endToEnd, gaussianNet, gdStep, imbalance, layerGradients, type LinearNet } from '../linear-net.ts';
import { lpLoss, lpLossAndGradient, type Regression } from '../losses.ts';

const data: Regression = {
  name: 'toy',
  n: 4,
  dim: 3,
  x: Float64Array.from([1, 0, 2, 0, 1, -1, 1, 1, 1, -2, 0.5, 0]),
  y: Float64Array.from([1, -1, 0.5, 2]),
};

/** The loss of a net as a function of its layers. */
const lossOfNet = (net: LinearNet, p: number) => lpLoss(data, endToEnd(net), p);

describe('depth-N linear net', () => {
  it('multiplies its layers into the end-to-end vector (hand-computed depth 2)', () => {
    // W1 = [[1, 2, 0], [0, 1, -1]] (2 x 3), W2 = [[3, -1]] (1 x 2): w_e = [3, 5, 1].
    const net: LinearNet = { dims: [3, 2, 1], weights: [Float64Array.from([1, 2, 0, 0, 1, -1]), Float64Array.from([3, -1])] };
    expect(Array.from(endToEnd(net))).toEqual([3, 5, 1]);
  });

  it('gives each layer the gradient of the loss of its end-to-end vector (central finite differences, rel. 1e-6)', () => {
    for (const depth of [1, 2, 3]) {
      for (const p of [2, 4]) {
        const net = gaussianNet(3, depth, 4, 0.7, new Rng(depth * 10 + p));
        const g = lpLossAndGradient(data, endToEnd(net), p).grad;
        const grads = layerGradients(net, g);
        net.weights.forEach((w, j) => {
          for (let i = 0; i < w.length; i++) {
            const h = 1e-6;
            const orig = w[i];
            w[i] = orig + h;
            const up = lossOfNet(net, p);
            w[i] = orig - h;
            const down = lossOfNet(net, p);
            w[i] = orig;
            const fd = (up - down) / (2 * h);
            expect(Math.abs(grads[j][i] - fd)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fd)));
          }
        });
      }
    }
  });

  it('starts balanced with exactly the given end-to-end vector, and a GD step keeps it balanced to second order', () => {
    const w = Float64Array.from([0.3, -0.4, 1.2]);
    for (const depth of [2, 3, 4]) {
      const net = balancedNet(w, depth, 5, new Rng(depth));
      const e = endToEnd(net);
      e.forEach((v, i) => expect(v).toBeCloseTo(w[i], 14));
      expect(imbalance(net)).toBeLessThan(1e-14);
      // Gradient flow conserves the imbalance; a GD step of size eta changes it by O(eta^2).
      const g = lpLossAndGradient(data, e, 4).grad;
      const a = imbalance(gdStep(net, g, 1e-3));
      const b = imbalance(gdStep(net, g, 1e-4));
      expect(b / a).toBeCloseTo(0.01, 3);
    }
    expect(() => balancedNet(new Float64Array(3), 2, 4, new Rng(1))).toThrow(/nonzero/);
  });

  it('a Gaussian start is not balanced', () => {
    expect(imbalance(gaussianNet(3, 2, 4, 0.1, new Rng(3)))).toBeGreaterThan(1e-3);
  });
});
