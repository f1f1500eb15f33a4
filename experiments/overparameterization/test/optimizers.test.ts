import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ADADELTA_EPS, ADADELTA_RHO, ADAGRAD_EPS, adadelta, adagrad, gd } from '../optimizers.ts';
import { endToEnd, layerGradients, type LinearNet } from '../linear-net.ts';
import { lpLossAndGradient, type Regression } from '../losses.ts';

type Steps = { w0: number[]; grads: number[][]; lr: number; steps: number[][] };
const REFERENCE = JSON.parse(readFileSync(new URL('./fixtures/reference.json', import.meta.url), 'utf8')) as {
  adagrad: Steps;
  adadelta: Steps;
  linear_net: { x: number[]; y: number[]; dims: number[]; weights: number[][]; loss: number; grads: number[][] };
};

describe('optimizers, against steps computed by hand', () => {
  it('gradient descent: w - eta g', () => {
    const w = Float64Array.from([1, -2]);
    gd(0.5).step(w, [2, -4]);
    expect(Array.from(w)).toEqual([0, 0]);
  });

  it('AdaGrad: accumulates g^2 and divides by its root (first step moves each coordinate by eta)', () => {
    const w = Float64Array.from([1, 1]);
    const opt = adagrad(0.1, 2);
    opt.step(w, [3, -4]);
    // G = [9, 16]: w - 0.1 [3/3, -4/4] (eps 1e-10 is below the tolerance)
    expect(w[0]).toBeCloseTo(0.9, 9);
    expect(w[1]).toBeCloseTo(1.1, 9);
    opt.step(w, [4, 3]);
    // G = [25, 25]: w - 0.1 [4/5, 3/5]
    expect(w[0]).toBeCloseTo(0.9 - 0.08, 9);
    expect(w[1]).toBeCloseTo(1.1 - 0.06, 9);
    expect(ADAGRAD_EPS).toBe(1e-10);
  });

  it("AdaDelta: Zeiler's two running averages (rho 0.95, eps 1e-6), times the learning rate", () => {
    const rho = ADADELTA_RHO;
    const eps = ADADELTA_EPS;
    const w = Float64Array.from([0]);
    const opt = adadelta(2, 1);
    opt.step(w, [1]);
    // E[g^2] = 0.05; d = sqrt(0 + eps) / sqrt(0.05 + eps) * 1; E[dx^2] = 0.05 d^2; w = -2 d
    const eg1 = (1 - rho) * 1;
    const d1 = Math.sqrt(eps) / Math.sqrt(eg1 + eps);
    const ed1 = (1 - rho) * d1 * d1;
    expect(w[0]).toBeCloseTo(-2 * d1, 14);
    opt.step(w, [-2]);
    const eg2 = rho * eg1 + (1 - rho) * 4;
    const d2 = (Math.sqrt(ed1 + eps) / Math.sqrt(eg2 + eps)) * -2;
    expect(w[0]).toBeCloseTo(-2 * d1 - 2 * d2, 14);
    // The numbers themselves: d1 = sqrt(1e-6 / 0.050001).
    expect(d1).toBeCloseTo(0.0044721, 7);
  });
});

describe('optimizers and the depth-3 gradient, against numpy references (scripts/reference/overparameterization_fixtures.py)', () => {
  it('AdaGrad and AdaDelta match three reference steps to 1e-12; the layer gradients and the loss match to 1e-12 relative', () => {
    for (const name of ['adagrad', 'adadelta'] as const) {
      const ref = REFERENCE[name];
      const w = Float64Array.from(ref.w0);
      const opt = name === 'adagrad' ? adagrad(ref.lr, 3) : adadelta(ref.lr, 3);
      ref.grads.forEach((g, k) => {
        opt.step(w, g);
        w.forEach((v, i) => expect(Math.abs(v - ref.steps[k][i])).toBeLessThan(1e-12));
      });
    }
    const ln = REFERENCE.linear_net;
    const net: LinearNet = { dims: ln.dims, weights: ln.weights.map((w) => Float64Array.from(w)) };
    const data: Regression = { name: 'ref', n: ln.y.length, dim: 4, x: Float64Array.from(ln.x), y: Float64Array.from(ln.y) };
    const { loss, grad } = lpLossAndGradient(data, endToEnd(net), 4);
    expect(Math.abs(loss - ln.loss)).toBeLessThan(1e-12 * ln.loss);
    layerGradients(net, grad).forEach((g, j) =>
      g.forEach((v, i) => expect(Math.abs(v - ln.grads[j][i])).toBeLessThan(1e-12 * Math.max(1, Math.abs(ln.grads[j][i])))),
    );
  });
});
