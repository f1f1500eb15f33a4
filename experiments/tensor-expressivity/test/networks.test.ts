// The multiplicative networks' forward pass against the dense contraction of their coefficient
// tensors (float64, libs/tensors): l_c = sum_i W^c[i_1..i_d] f(x_1)[i_1] ... f(x_d)[i_d].
import { describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import { countParams } from '@claimlab/models';
import { cpToDense, ttToDense, type Core, type DenseTensor } from '@claimlab/tensors';
import { multiplicativeNet, parameterCount, sequenceLength, type MultiplicativeNetSpec } from '../networks.ts';
import { cpRankForBudget } from '../arm.ts';

await selectBackend('cpu', () => {});

const spec = (kind: 'tt' | 'cp', rank: number): MultiplicativeNetSpec => ({
  kind,
  rank,
  imageSize: 4,
  patchSize: 2,
  featureDim: 2,
  numClasses: 3,
});

/** Features of every patch in float64: patches in row-major order, f = [1, ReLU(A^T x + b)]. */
function featuresOf(img: Float32Array, s: MultiplicativeNetSpec, A: Float32Array, b: Float32Array): number[][] {
  const g = s.imageSize / s.patchSize;
  const p = s.patchSize * s.patchSize;
  const out: number[][] = [];
  for (let pi = 0; pi < g; pi++)
    for (let pj = 0; pj < g; pj++) {
      const x: number[] = [];
      for (let u = 0; u < s.patchSize; u++)
        for (let v = 0; v < s.patchSize; v++) x.push(img[(pi * s.patchSize + u) * s.imageSize + pj * s.patchSize + v]);
      const f = [1];
      for (let j = 0; j < s.featureDim; j++) {
        let z = b[j];
        for (let k = 0; k < p; k++) z += x[k] * A[k * s.featureDim + j];
        f.push(Math.max(z, 0));
      }
      out.push(f);
    }
  return out;
}

/** sum over all multi-indices of W[i] prod_t f_t[i_t]. */
function contract(W: DenseTensor, f: number[][]): number {
  let total = 0;
  const d = W.shape.length;
  const idx = new Array<number>(d).fill(0);
  for (let flat = 0; flat < W.data.length; flat++) {
    let p = W.data[flat];
    for (let t = 0; t < d; t++) p *= f[t][idx[t]];
    total += p;
    for (let k = d - 1; k >= 0; k--) {
      if (++idx[k] < W.shape[k]) break;
      idx[k] = 0;
    }
  }
  return total;
}

/** The class-c coefficient tensor of a network, from its weights, in float64. */
function coefficientTensor(s: MultiplicativeNetSpec, w: Float32Array[], c: number): DenseTensor {
  const d = sequenceLength(s);
  const m1 = s.featureDim + 1;
  const r = s.rank;
  const C = s.numClasses;
  if (s.kind === 'tt') {
    const [, , first, inner, last] = w;
    const cores: Core[] = [{ shape: [1, m1, r], data: Float64Array.from(first) }];
    for (let t = 0; t < d - 2; t++)
      cores.push({ shape: [r, m1, r], data: Float64Array.from(inner.subarray(t * r * m1 * r, (t + 1) * r * m1 * r)) });
    const lastC = new Float64Array(r * m1);
    for (let a = 0; a < r; a++) for (let j = 0; j < m1; j++) lastC[a * m1 + j] = last[(a * m1 + j) * C + c];
    cores.push({ shape: [r, m1, 1], data: lastC });
    return ttToDense({ cores });
  }
  const [, , factors, readout] = w;
  const fs = Array.from({ length: d }, (_, t) => {
    const data = Float64Array.from(factors.subarray(t * m1 * r, (t + 1) * m1 * r));
    // The read-out weight of class c scales each rank-one term (folded into the first factor).
    if (t === 0) for (let j = 0; j < m1; j++) for (let k = 0; k < r; k++) data[j * r + k] *= readout[k * C + c];
    return { rows: m1, cols: r, data };
  });
  return cpToDense({ factors: fs });
}

describe('multiplicative networks', () => {
  for (const [kind, rank] of [
    ['tt', 2],
    ['cp', 3],
  ] as const) {
    it(`${kind}: the forward pass equals the dense contraction of the coefficient tensor with the patch features`, () => {
      const s = spec(kind, rank);
      const model = multiplicativeNet(s, new Rng(11));
      // Perturb the weights away from the near-identity start so every entry matters.
      const rng = new Rng(12);
      const layer = model.layers[0];
      layer.setWeights(layer.getWeights().map((t) => tf.add(t, tf.tensor(rng.normalArray(t.size, 0, 0.5), t.shape))));
      const w = layer.getWeights().map((t) => t.dataSync() as Float32Array);
      const B = 3;
      const images = new Rng(13).uniformArray(B * 16);
      const logits = (model.predict(tf.tensor4d(images, [B, 4, 4, 1])) as tf.Tensor).arraySync() as number[][];
      for (let i = 0; i < B; i++) {
        const f = featuresOf(images.subarray(i * 16, (i + 1) * 16), s, w[0], w[1]);
        for (let c = 0; c < s.numClasses; c++) {
          const expected = contract(coefficientTensor(s, w, c), f);
          expect(Math.abs(logits[i][c] - expected)).toBeLessThan(1e-4 * Math.max(1, Math.abs(expected)));
        }
      }
      expect(countParams(model)).toBe(parameterCount(s));
      model.dispose();
    });
  }

  it('sizes CP networks to a parameter budget: the largest R within it', () => {
    const s = { patchSize: 7, featureDim: 4 };
    const full = (kind: 'tt' | 'cp', rank: number) =>
      parameterCount({ kind, rank, imageSize: 28, patchSize: 7, featureDim: 4, numClasses: 10 });
    // 16 positions x 5 features + 10 read-out weights per unit, 49 x 4 + 4 for the feature map.
    expect(full('cp', 1) - full('cp', 0)).toBe(90);
    expect(full('tt', 2)).toBe(200 + 5 * 2 + 14 * 2 * 5 * 2 + 2 * 5 * 10);
    const R = cpRankForBudget(s, full('tt', 4));
    expect(full('cp', R)).toBeLessThanOrEqual(full('tt', 4));
    expect(full('cp', R + 1)).toBeGreaterThan(full('tt', 4));
    expect(cpRankForBudget(s, 100)).toBe(0);
    expect(() => multiplicativeNet({ ...spec('tt', 2), patchSize: 3 }, new Rng(0))).toThrow(/patchSize 3 must divide the image side 4/);
  });
});
