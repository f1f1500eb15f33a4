import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import { cifarResNet } from '@claimlab/models';
import {
  convexityDefect,
  disposeEvalData,
  evaluateLossAccuracy,
  filterNormalizedDirection,
  gridCoordinates,
  lossSlice1D,
  lossSurface2D,
  normalizeDirection,
  randomNormalizedDirection,
  snapshotWeights,
  surfaceNonConvexity,
  windowedConvexityDefect,
  toEvalData,
  weightShapes,
} from '../src/index.ts';

beforeAll(async () => {
  await selectBackend('wasm', () => {});
});

const rand = (n: number, rng: Rng) => Float32Array.from({ length: n }, () => rng.normal());
/** Norm of the slice j of the last axis (size out). */
const filterNorm = (a: Float32Array, out: number, j: number) => Math.sqrt(a.reduce((s, v, i) => (i % out === j ? s + v * v : s), 0));

function tinyNet(seed = 0, shortcuts = true) {
  return cifarResNet({ depth: 8, numClasses: 3, rng: new Rng(seed), inputShape: [8, 8, 2], widthMultiplier: 0.25, shortcuts });
}
function tinyData(n = 12) {
  const rng = new Rng('data');
  return toEvalData({
    images: rand(n * 8 * 8 * 2, rng),
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
    n,
    height: 8,
    width: 8,
    channels: 2,
    numClasses: 3,
  });
}

describe('filter normalization (Li et al. 2018, section 4)', () => {
  it('scales every conv filter (output channel) and dense neuron to the norm of the matching weights', () => {
    const rng = new Rng(1);
    for (const shape of [
      [3, 3, 2, 4],
      [5, 3],
    ]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const w = rand(n, rng.fork('w'));
      const d = rand(n, rng.fork('d'));
      normalizeDirection(d, w, shape, 'filter');
      const out = shape[shape.length - 1];
      for (let j = 0; j < out; j++) expect(filterNorm(d, out, j)).toBeCloseTo(filterNorm(w, out, j), 4);
    }
    const w = rand(24, rng.fork('w2'));
    const d = rand(24, rng.fork('d2'));
    normalizeDirection(d, w, [2, 3, 4], 'layer');
    expect(Math.hypot(...d)).toBeCloseTo(Math.hypot(...w), 4);
  });

  it('zeroes biases and BN parameters with ignore=biasbn, copies them with ignore=none, and is seeded', () => {
    const m = tinyNet();
    const w = snapshotWeights(m);
    const shapes = weightShapes(m);
    const d = filterNormalizedDirection(m, new Rng(3));
    const again = filterNormalizedDirection(m, new Rng(3));
    expect(d.map((x) => Array.from(x))).toEqual(again.map((x) => Array.from(x)));
    const names = m.trainableWeights.map((v) => v.originalName);
    expect(names.some((n) => /bn.*gamma/.test(n))).toBe(true);
    d.forEach((dk, k) => {
      if (shapes[k].length <= 1)
        expect(
          dk.every((v) => v === 0),
          names[k],
        ).toBe(true);
      else {
        const out = shapes[k][shapes[k].length - 1];
        expect(filterNorm(dk, out, 0)).toBeCloseTo(filterNorm(w[k], out, 0), 4);
      }
    });
    const keep = randomNormalizedDirection(w, shapes, new Rng(3), { ignore: 'none' });
    shapes.forEach((s, k) => {
      if (s.length <= 1) expect(Array.from(keep[k])).toEqual(Array.from(w[k]));
    });
    // The twin without shortcuts has the same weight shapes, so it gets the same direction for the same seed.
    const twin = tinyNet(0, false);
    expect(filterNormalizedDirection(twin, new Rng(3)).map((x) => Array.from(x))).toEqual(d.map((x) => Array.from(x)));
    m.dispose();
    twin.dispose();
  });
});

describe('convexity defect of 1-D slices', () => {
  it('is 0 for convex and constant slices, the barrier height over the range otherwise', () => {
    const xs = gridCoordinates(-1, 1, 21);
    expect(xs[0]).toBe(-1);
    expect(xs[20]).toBe(1);
    expect(convexityDefect(xs.map((x) => x * x))).toBeCloseTo(0, 12);
    expect(convexityDefect(xs.map((x) => Math.abs(x) + Math.exp(x)))).toBeCloseTo(0, 12);
    expect(convexityDefect(xs.map(() => 2))).toBe(0);
    // Double well with equal minima at +-1/sqrt(2) ... sampled: barrier at 0 of height 1/4 over the range.
    expect(convexityDefect([0, 1, 0, 1, 0])).toBe(1);
    expect(convexityDefect([1, 0, 0.5, 0, 1])).toBeCloseTo(0.5, 12);
    expect(() => convexityDefect([0, NaN, 1])).toThrow(/non-finite/);
  });

  it('windowed defect: only the part of the slice under the cap, around its minimum, counts', () => {
    // A bump near the minimum, then a huge wall: the wall swamps the whole-slice range, not the window.
    const v = [1e7, 1e4, 50, 3, 1, 2.5, 2, 4, 9, 1e3, 1e6];
    expect(convexityDefect(v)).toBeLessThan(1e-3);
    // Window [3, 1, 2.5, 2, 4, 9]: 2.5 lies 1 above the envelope from (4, 1) to (6, 2)... range 8.
    expect(windowedConvexityDefect(v, 10)).toBeCloseTo((2.5 - 1.5) / 8, 12);
    expect(windowedConvexityDefect([50, 20, 1, 30, 60], 10)).toBeNaN();
    expect(windowedConvexityDefect([50, 20, 15, 30, 60], 10)).toBeNaN();
    const s = surfaceNonConvexity([100, 100, 100, 100, 1, 2, 100, 2, 3], 3, 3, 0.05, 10);
    expect(s.slices).toBe(0);
    expect(s.meanDefect).toBeNaN();
  });

  it('a non-finite loss (overflow far from the minimizer) ends a window like a loss above the cap, and leaves whole slices out', () => {
    expect(windowedConvexityDefect([NaN, 3, 1, 2.5, 2, 4, Infinity], 10)).toBeCloseTo(windowedConvexityDefect([3, 1, 2.5, 2, 4], 10), 12);
    expect(windowedConvexityDefect([NaN, NaN, NaN], 10)).toBeNaN();
    // 3x3 grid, one corner overflowed: whole-slice means leave out its row and column (4 of 6 slices count).
    const grid = [4, 1, 4, 1, 0, 1, 4, 1, NaN];
    const whole = surfaceNonConvexity(grid, 3, 3);
    expect(whole.slices).toBe(4);
    expect(whole.meanDefect).toBe(0);
    // Capped: the overflowed corner ends its row's and column's windows after 2 points, too few to count.
    expect(surfaceNonConvexity(grid, 3, 3, 0.05, 10).slices).toBe(4);
  });

  it('summarises a 2-D surface by its row and column slices', () => {
    const xs = gridCoordinates(-1, 1, 9);
    const bowl = xs.flatMap((y) => xs.map((x) => x * x + 2 * y * y + 0.5 * x * y));
    const s = surfaceNonConvexity(bowl, 9, 9);
    expect(s.slices).toBe(18);
    expect(s.meanDefect).toBeCloseTo(0, 10);
    expect(s.nonConvexShare).toBe(0);
    const egg = xs.flatMap((y) => xs.map((x) => Math.sin(6 * x) * Math.cos(6 * y) + x * x));
    const e = surfaceNonConvexity(egg, 9, 9);
    expect(e.meanDefect).toBeGreaterThan(0.1);
    expect(e.nonConvexShare).toBeGreaterThan(0.5);
  });
});

describe('loss surfaces of a tiny ResNet', () => {
  it('evaluates the grid in inference mode, restores the weights and leaks no tensors', () => {
    const m = tinyNet(4);
    const data = tinyData();
    const before = snapshotWeights(m);
    const moving = m.weights.filter((w) => /moving/.test(w.originalName)).map((w) => Array.from(w.read().dataSync()));
    const dirs: [Float32Array[], Float32Array[]] = [filterNormalizedDirection(m, new Rng('x')), filterNormalizedDirection(m, new Rng('y'))];
    const center = evaluateLossAccuracy(m, data, 5);
    expect(evaluateLossAccuracy(m, data, 100).loss).toBeCloseTo(center.loss, 5);
    const tensors = tf.memory().numTensors;
    const xs = gridCoordinates(-1, 1, 3);
    const s = lossSurface2D(m, dirs, xs, xs, { data, batchSize: 8 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(s.loss).toHaveLength(9);
    expect(s.loss[4]).toBeCloseTo(center.loss, 5);
    expect(s.accuracy[4]).toBeCloseTo(center.accuracy, 10);
    expect(new Set(Array.from(s.loss).map((v) => v.toFixed(6))).size).toBeGreaterThan(1);
    for (const v of s.loss) expect(Number.isFinite(v)).toBe(true);
    expect(snapshotWeights(m).map((x) => Array.from(x))).toEqual(before.map((x) => Array.from(x)));
    expect(m.weights.filter((w) => /moving/.test(w.originalName)).map((w) => Array.from(w.read().dataSync()))).toEqual(moving);
    // The 1-D slice along d1 is the middle row of the surface.
    const slice = lossSlice1D(m, dirs[0], xs, { data, batchSize: 8 });
    for (let i = 0; i < 3; i++) expect(slice.loss[i]).toBeCloseTo(s.loss[3 + i], 5);
    disposeEvalData(data);
    m.dispose();
  });
});
