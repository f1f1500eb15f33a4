import { Rng } from '@claimlab/core';
import { describe, expect, it } from 'vitest';
import {
  applyCorruption,
  corruptLabels,
  countChanged,
  gaussianImages,
  makePixelPermutation,
  pixelStats,
  randomPixels,
  shufflePixels,
  type CorruptionSpec,
} from '../src/corruptions.ts';
import type { ImageDataset } from '../src/types.ts';
import { randomDataset, sortedImage } from './helpers.ts';

const K = 10;

/** Label corruption changes each label with probability q = p(1 - 1/K); over N labels the fraction has sd sqrt(q(1-q)/N). */
function expectBinomialFraction(observed: number, q: number, n: number, sigmas = 4): void {
  const sd = Math.sqrt((q * (1 - q)) / n);
  expect(Math.abs(observed - q)).toBeLessThanOrEqual(sigmas * sd + 1e-12);
}

/** Recovers, for an image whose input pixels have distinct channel-0 values, the permutation the corruption applied (new j <- old perm[j]). */
function recoverPermutation(before: ImageDataset, after: ImageDataset, i: number): Int32Array {
  const P = before.height * before.width;
  const C = before.channels;
  const base = i * P * C;
  const where = new Map<number, number>();
  for (let j = 0; j < P; j++) where.set(before.images[base + j * C], j);
  const perm = new Int32Array(P);
  for (let j = 0; j < P; j++) {
    const src = where.get(after.images[base + j * C]);
    if (src === undefined) throw new Error(`pixel ${j} of image ${i} does not come from the input image`);
    perm[j] = src;
    // The channels of a pixel move together.
    for (let c = 1; c < C; c++) expect(after.images[base + j * C + c]).toBe(before.images[base + src * C + c]);
  }
  return perm;
}

const isIdentity = (perm: ArrayLike<number>) => Array.from(perm).every((v, j) => v === j);

describe('corruptLabels (Zhang et al. 2017: with probability p, a uniformly drawn class)', () => {
  const N = 5000;
  const labels = randomDataset(new Rng('labels'), N, 1, 1, 1, K).labels;

  it.each([0.1, 0.2, 0.5, 0.8, 1])('changes a fraction close to p(1-1/K) of labels at p = %s (4 binomial sigmas, N = 5000)', (p) => {
    const out = corruptLabels(labels, K, p, new Rng(`p${p}`));
    expectBinomialFraction(countChanged(out, labels) / N, p * (1 - 1 / K), N);
    for (const y of out) expect(y >= 0 && y < K).toBe(true);
  });

  it('p = 0 changes nothing and returns a new array', () => {
    const out = corruptLabels(labels, K, 0, new Rng(1));
    expect(out).not.toBe(labels);
    expect(Array.from(out)).toEqual(Array.from(labels));
  });

  it('p = 1 gives labels independent of the true ones (uniform even when all true labels are one class)', () => {
    const n = 10000;
    const allThree = new Int32Array(n).fill(3);
    const out = corruptLabels(allThree, K, 1, new Rng('random'));
    const counts = new Array(K).fill(0);
    for (const y of out) counts[y]++;
    // each count ~ Binomial(n, 1/K): sd = sqrt(n * 0.1 * 0.9) = 30
    const sd = Math.sqrt(n * (1 / K) * (1 - 1 / K));
    for (const c of counts) expect(Math.abs(c - n / K)).toBeLessThanOrEqual(4 * sd);
    // On random true labels, agreement with the truth is at chance level 1/K.
    const agree = N - countChanged(corruptLabels(labels, K, 1, new Rng('random2')), labels);
    expectBinomialFraction(agree / N, 1 / K, N);
  });

  it('is nested across p for one seed: labels corrupted at 0.3 stay corrupted, with the same class, at 0.6', () => {
    const a = corruptLabels(labels, K, 0.3, new Rng(7));
    const b = corruptLabels(labels, K, 0.6, new Rng(7));
    for (let i = 0; i < N; i++) if (a[i] !== labels[i]) expect(b[i]).toBe(a[i]);
    expect(countChanged(b, labels)).toBeGreaterThan(countChanged(a, labels));
  });

  it('rejects a probability outside [0, 1] or not finite', () => {
    expect(() => corruptLabels(labels, K, 1.5, new Rng(1))).toThrow('corruption probability must be in [0, 1], got 1.5');
    expect(() => corruptLabels(labels, K, -0.1, new Rng(1))).toThrow('corruption probability must be in [0, 1], got -0.1');
    expect(() => corruptLabels(labels, K, Number.NaN, new Rng(1))).toThrow('got NaN');
    expect(() => corruptLabels(labels, K, Infinity, new Rng(1))).toThrow('got Infinity');
    expect(() => corruptLabels(Int32Array.from([0, 10]), K, 0.5, new Rng(1))).toThrow(/label 10 at index 1 is outside 0\.\.9/);
  });
});

describe('pixel corruptions', () => {
  const train = randomDataset(new Rng('train'), 20, 6, 5, 3, K, 'train');
  const test = randomDataset(new Rng('test'), 7, 6, 5, 3, K, 'test');
  const P = 30;

  it("shufflePixels applies one permutation to every image, keeping each image's multiset and moving channels together", () => {
    const perm = makePixelPermutation(P, new Rng('perm'));
    expect(isIdentity(perm)).toBe(false);
    const out = shufflePixels(train, perm);
    for (let i = 0; i < train.n; i++) {
      expect(Array.from(recoverPermutation(train, out, i))).toEqual(Array.from(perm));
      expect(sortedImage(out, i)).toEqual(sortedImage(train, i));
    }
    expect(out.labels).toBe(train.labels);
    expect(() =>
      shufflePixels(
        train,
        Int32Array.from({ length: P }, () => 0),
      ),
    ).toThrow(/not a permutation/);
    expect(() => shufflePixels(train, new Int32Array(P - 1))).toThrow(/length 29, expected height\*width = 30/);
  });

  it('shuffled pixels via applyCorruption: train and test share the permutation', () => {
    const r = applyCorruption(train, test, { kind: 'shuffled-pixels' }, new Rng(3));
    const perm = r.permutation!;
    expect(isIdentity(perm)).toBe(false);
    for (let i = 0; i < train.n; i++) expect(Array.from(recoverPermutation(train, r.train, i))).toEqual(Array.from(perm));
    for (let i = 0; i < test.n; i++) expect(Array.from(recoverPermutation(test, r.test, i))).toEqual(Array.from(perm));
    expect(r.train.labels).toBe(train.labels);
    expect(r.test.labels).toBe(test.labels);
    expect(r.changedFraction).toBe(0);
    expect(r.train.name).toBe('train/shuffled-pixels');
  });

  it('randomPixels permutes each image by its own permutation, keeping its multiset', () => {
    const r = applyCorruption(train, test, { kind: 'random-pixels' }, new Rng(4));
    const perms = new Set<string>();
    for (const [before, after] of [
      [train, r.train],
      [test, r.test],
    ] as const) {
      for (let i = 0; i < before.n; i++) {
        expect(sortedImage(after, i)).toEqual(sortedImage(before, i));
        const perm = recoverPermutation(before, after, i);
        expect(isIdentity(perm)).toBe(false);
        perms.add(Array.from(perm).join(','));
      }
    }
    expect(perms.size).toBe(train.n + test.n); // all different
    expect(r.train.labels).toBe(train.labels);
    expect(r.test.labels).toBe(test.labels);
    // Direct call, single channel.
    const gray = randomDataset(new Rng('gray'), 5, 4, 4, 1);
    const g = randomPixels(gray, new Rng(5));
    for (let i = 0; i < gray.n; i++) expect(sortedImage(g, i)).toEqual(sortedImage(gray, i));
  });

  it('pixelStats computes per-channel mean and population std', () => {
    const ds: ImageDataset = {
      name: 'tiny',
      images: Float32Array.from([0, 1, 0.5, 1, 0.5, 0.5, 1, 1, 0.5, 0, 0.5, 0.5]), // 2 images, 1x2, 3 channels
      labels: Int32Array.from([0, 1]),
      n: 2,
      height: 1,
      width: 2,
      channels: 3,
      numClasses: 2,
    };
    const s = pixelStats(ds);
    expect(s.mean).toEqual([0.5, 0.75, 0.5]);
    expect(s.std[0]).toBeCloseTo(0.5, 12);
    expect(s.std[1]).toBeCloseTo(0.25, 12);
    expect(s.std[2]).toBe(0);
  });

  it("gaussian images match the training set's per-channel mean and std (train and test), labels unchanged, not clipped", () => {
    // Channels with clearly different statistics: c0 ~ U[0,1], c1 ~ U[0.2,0.4], c2 = 0.9 constant-ish.
    const rng = new Rng('gauss-data');
    const n = 200;
    const H = 8;
    const W = 8;
    const images = new Float32Array(n * H * W * 3);
    for (let k = 0; k < images.length; k += 3) {
      images[k] = rng.uniform();
      images[k + 1] = 0.2 + 0.2 * rng.uniform();
      images[k + 2] = 0.9 + 0.01 * rng.uniform();
    }
    const tr: ImageDataset = {
      name: 'g-train',
      images,
      labels: randomDataset(rng, n, 1, 1, 1).labels,
      n,
      height: H,
      width: W,
      channels: 3,
      numClasses: K,
    };
    // A test set with very different pixels: its Gaussian images must still follow the training statistics.
    const te: ImageDataset = { ...tr, name: 'g-test', images: new Float32Array(images.length) };
    const stats = pixelStats(tr);
    const r = applyCorruption(tr, te, { kind: 'gaussian' }, new Rng(6));
    expect(r.stats).toEqual(stats);
    const M = n * H * W; // draws per channel
    for (const ds of [r.train, r.test]) {
      const got = pixelStats(ds);
      for (let c = 0; c < 3; c++) {
        // mean: sd = std / sqrt(M); std: relative sd ~ 1 / sqrt(2M). 4 sigmas each.
        expect(Math.abs(got.mean[c] - stats.mean[c])).toBeLessThanOrEqual((4 * stats.std[c]) / Math.sqrt(M) + 1e-7);
        expect(Math.abs(got.std[c] / stats.std[c] - 1)).toBeLessThanOrEqual(4 / Math.sqrt(2 * M));
      }
      expect(ds.labels).toBe(ds === r.train ? tr.labels : te.labels);
    }
    let outside = 0;
    for (const v of r.train.images) if (v < 0 || v > 1) outside++;
    expect(outside).toBeGreaterThan(0); // c0 has mean 0.5, std 0.29: a few percent fall outside [0, 1]
    expect(() => gaussianImages(tr, { mean: [0.5], std: [0.1] }, new Rng(1))).toThrow(/expected 3 \(one per channel\)/);
  });
});

describe('applyCorruption', () => {
  const train = randomDataset(new Rng('ac-train'), 3000, 4, 4, 3, K, 'train');
  const test = randomDataset(new Rng('ac-test'), 500, 4, 4, 3, K, 'test');
  const specs: CorruptionSpec[] = [
    { kind: 'none' },
    { kind: 'labels', p: 0.5 },
    { kind: 'labels', p: 1 },
    { kind: 'shuffled-pixels' },
    { kind: 'random-pixels' },
    { kind: 'gaussian' },
  ];
  const snapshot = (ds: ImageDataset) => ({ images: ds.images.slice(), labels: ds.labels.slice() });
  // Element-wise equality without vitest's (slow, for 50k-element arrays) deep diff.
  const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && countChanged(a, b) === 0;
  const sameSnapshot = (x: ReturnType<typeof snapshot>, ds: ImageDataset) => same(x.images, ds.images) && same(x.labels, ds.labels);

  it.each(specs)('$kind: leaves inputs unchanged, never touches test labels, is deterministic per seed', (spec) => {
    const before = [snapshot(train), snapshot(test)];
    const a = applyCorruption(train, test, spec, new Rng(11));
    const b = applyCorruption(train, test, spec, new Rng(11));
    const c = applyCorruption(train, test, spec, new Rng(12));
    expect(sameSnapshot(before[0], train) && sameSnapshot(before[1], test)).toBe(true);
    expect(a.train === train || a.test === test).toBe(false); // new objects (not.toBe would deep-compare big arrays)
    expect(same(a.test.labels, test.labels)).toBe(true);
    expect(a.train.n).toBe(train.n);
    expect(a.test.n).toBe(test.n);
    // same seed: identical
    expect(same(a.train.images, b.train.images)).toBe(true);
    expect(same(a.train.labels, b.train.labels)).toBe(true);
    expect(same(a.test.images, b.test.images)).toBe(true);
    expect(a.changedFraction).toBe(b.changedFraction);
    // different seed: differs (except for 'none', which has no randomness)
    const differs = countChanged(a.train.labels, c.train.labels) > 0 || countChanged(a.train.images, c.train.images) > 0;
    expect(differs).toBe(spec.kind !== 'none');
  });

  it('labels: reports the changed fraction, close to p(1-1/K); images are untouched', () => {
    const r = applyCorruption(train, test, { kind: 'labels', p: 0.5 }, new Rng(13));
    expect(r.changedCount).toBe(countChanged(r.train.labels, train.labels));
    expect(r.changedFraction).toBe(r.changedCount / train.n);
    expectBinomialFraction(r.changedFraction, 0.5 * 0.9, train.n);
    expect(r.train.images).toBe(train.images);
    expect(r.test.images).toBe(test.images);
    expect(r.train.name).toBe('train/labels-p0.5');
    const none = applyCorruption(train, test, { kind: 'labels', p: 0 }, new Rng(13));
    expect(none.changedFraction).toBe(0);
    expect(Array.from(none.train.labels)).toEqual(Array.from(train.labels));
  });

  it('rejects bad probabilities and mismatched train/test shapes', () => {
    expect(() => applyCorruption(train, test, { kind: 'labels', p: 1.5 }, new Rng(1))).toThrow(
      'corruption probability must be in [0, 1], got 1.5',
    );
    const other = randomDataset(new Rng('o'), 2, 5, 4, 3);
    expect(() => applyCorruption(train, other, { kind: 'shuffled-pixels' }, new Rng(1))).toThrow(/differ in shape/);
    expect(() => applyCorruption(train, test, { kind: 'blur' } as unknown as CorruptionSpec, new Rng(1))).toThrow(/unknown corruption/);
  });
});
