import type { Rng } from '@claimlab/core';
import type { ImageDataset } from './types.ts';

/**
 * Data corruptions of Zhang et al. 2017, "Understanding deep learning requires
 * rethinking generalization", section 2:
 *   - partially corrupted labels: each training label independently, with
 *     probability p, replaced by a class drawn uniformly (it may coincide with the true one);
 *     p = 1 gives random labels;
 *   - shuffled pixels: one random permutation of pixel positions, applied to all train and test images;
 *   - random pixels: an independent random permutation for each image;
 *   - Gaussian: every image replaced by Gaussian noise with the dataset's mean and variance.
 * Test labels are never corrupted; pixel corruptions apply to train and test alike.
 *
 * Only the `Rng` type comes from @claimlab/core (type-only import), so this
 * module loads no tfjs. Inputs are never modified; arrays a corruption leaves
 * unchanged are shared between input and output rather than copied.
 */

export type CorruptionSpec =
  { kind: 'none' } | { kind: 'labels'; p: number } | { kind: 'shuffled-pixels' } | { kind: 'random-pixels' } | { kind: 'gaussian' };

export type CorruptionKind = CorruptionSpec['kind'];
export const CORRUPTION_KINDS: readonly CorruptionKind[] = ['none', 'labels', 'shuffled-pixels', 'random-pixels', 'gaussian'];

/** Throws unless p is a finite number in [0, 1]. */
export function checkProbability(p: number): void {
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) {
    throw new RangeError(`corruption probability must be in [0, 1], got ${p}`);
  }
}

/**
 * Returns new labels: each one independently, with probability p, replaced by a
 * class drawn uniformly from 0..numClasses-1 (possibly the true one), so the
 * expected fraction of changed labels is p * (1 - 1/numClasses).
 *
 * Two draws (a uniform and a class) are taken for every label whatever p is, so
 * with the same rng seed the labels corrupted at p are a subset of those
 * corrupted at any larger p, with the same replacement classes: a sweep over p
 * with one seed corrupts incrementally.
 */
export function corruptLabels(labels: Int32Array, numClasses: number, p: number, rng: Rng): Int32Array {
  checkProbability(p);
  if (!Number.isInteger(numClasses) || numClasses < 1)
    throw new RangeError(`corruptLabels: numClasses must be a positive integer, got ${numClasses}`);
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!(y >= 0 && y < numClasses)) throw new RangeError(`corruptLabels: label ${y} at index ${i} is outside 0..${numClasses - 1}`);
    const u = rng.uniform();
    const c = rng.int(numClasses);
    out[i] = u < p ? c : y;
  }
  return out;
}

/** Number of positions where a and b differ. */
export function countChanged(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`countChanged: lengths differ (${a.length} vs ${b.length})`);
  let k = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) k++;
  return k;
}

/** A uniformly random permutation of the `numPixels` (= height * width) pixel positions. */
export function makePixelPermutation(numPixels: number, rng: Rng): Int32Array {
  return rng.permutation(numPixels);
}

function checkPermutation(perm: ArrayLike<number>, numPixels: number): void {
  if (perm.length !== numPixels) throw new RangeError(`pixel permutation has length ${perm.length}, expected height*width = ${numPixels}`);
  const seen = new Uint8Array(numPixels);
  for (let j = 0; j < numPixels; j++) {
    const s = perm[j];
    if (!Number.isInteger(s) || s < 0 || s >= numPixels || seen[s]) {
      throw new RangeError(`pixel permutation is not a permutation of 0..${numPixels - 1} (entry ${j} = ${s})`);
    }
    seen[s] = 1;
  }
}

/** Writes image `i` of `src`, permuted by `perm`, into `dst` at the same place: new pixel j = old pixel perm[j], channels together. */
function permuteImage(src: Float32Array, dst: Float32Array, i: number, perm: ArrayLike<number>, numPixels: number, channels: number): void {
  const base = i * numPixels * channels;
  if (channels === 1) {
    for (let j = 0; j < numPixels; j++) dst[base + j] = src[base + perm[j]];
    return;
  }
  if (channels === 3) {
    for (let j = 0, to = base; j < numPixels; j++, to += 3) {
      const from = base + perm[j] * 3;
      dst[to] = src[from];
      dst[to + 1] = src[from + 1];
      dst[to + 2] = src[from + 2];
    }
    return;
  }
  for (let j = 0; j < numPixels; j++) {
    const to = base + j * channels;
    const from = base + perm[j] * channels;
    for (let c = 0; c < channels; c++) dst[to + c] = src[from + c];
  }
}

/**
 * Shuffled pixels: every image's pixels rearranged by the same permutation
 * `perm` of the height*width positions (new pixel j = old pixel perm[j]; the
 * channels of a pixel move together). Use one `makePixelPermutation` for both
 * train and test. Labels are shared with the input.
 */
export function shufflePixels(ds: ImageDataset, perm: ArrayLike<number>): ImageDataset {
  const numPixels = ds.height * ds.width;
  checkPermutation(perm, numPixels);
  const images = new Float32Array(ds.images.length);
  for (let i = 0; i < ds.n; i++) permuteImage(ds.images, images, i, perm, numPixels, ds.channels);
  return { ...ds, name: `${ds.name}/shuffled-pixels`, images };
}

/** Random pixels: each image's pixel positions permuted by its own independent random permutation. Labels are shared. */
export function randomPixels(ds: ImageDataset, rng: Rng): ImageDataset {
  const numPixels = ds.height * ds.width;
  const images = new Float32Array(ds.images.length);
  for (let i = 0; i < ds.n; i++) permuteImage(ds.images, images, i, rng.permutation(numPixels), numPixels, ds.channels);
  return { ...ds, name: `${ds.name}/random-pixels`, images };
}

/** Per-channel mean and (population) standard deviation of pixel values. */
export interface PixelStats {
  mean: number[];
  std: number[];
}

/** Per-channel mean and population standard deviation over all images and pixel positions (two passes, float64). */
export function pixelStats(ds: ImageDataset): PixelStats {
  const C = ds.channels;
  const count = ds.n * ds.height * ds.width;
  if (count === 0) throw new RangeError(`pixelStats(${ds.name}): the dataset is empty`);
  const sum = new Float64Array(C);
  const x = ds.images;
  for (let k = 0; k < x.length; k += C) for (let c = 0; c < C; c++) sum[c] += x[k + c];
  const mean = Array.from(sum, (s) => s / count);
  const ss = new Float64Array(C);
  for (let k = 0; k < x.length; k += C) {
    for (let c = 0; c < C; c++) {
      const d = x[k + c] - mean[c];
      ss[c] += d * d;
    }
  }
  return { mean, std: Array.from(ss, (s) => Math.sqrt(s / count)) };
}

/**
 * Gaussian images: every value replaced by an independent draw from
 * N(stats.mean[c], stats.std[c]^2) for its channel c. Compute `stats` once with
 * pixelStats(train) and use them for train and test. Values are NOT clipped to
 * [0, 1] (clipping would change the mean and variance the construction is meant
 * to match), so these images leave the usual [0, 1] range. Labels are shared.
 */
export function gaussianImages(ds: ImageDataset, stats: PixelStats, rng: Rng): ImageDataset {
  const C = ds.channels;
  if (stats.mean.length !== C || stats.std.length !== C) {
    throw new RangeError(
      `gaussianImages(${ds.name}): stats have ${stats.mean.length} means and ${stats.std.length} stds, expected ${C} (one per channel)`,
    );
  }
  const images = new Float32Array(ds.images.length);
  for (let k = 0; k < images.length; k += C) {
    for (let c = 0; c < C; c++) images[k + c] = stats.mean[c] + stats.std[c] * rng.normal();
  }
  return { ...ds, name: `${ds.name}/gaussian`, images };
}

/** Short tag for names and results, e.g. "none", "labels-p0.5", "shuffled-pixels". */
export function describeCorruption(spec: CorruptionSpec): string {
  return spec.kind === 'labels' ? `labels-p${spec.p}` : spec.kind;
}

export interface CorruptionResult {
  train: ImageDataset;
  test: ImageDataset;
  spec: CorruptionSpec;
  /** Training labels actually changed (0 unless kind is 'labels'). */
  changedCount: number;
  /** changedCount / train.n; expected p * (1 - 1/numClasses) for label corruption. */
  changedFraction: number;
  /** The shared permutation, for 'shuffled-pixels'. */
  permutation?: Int32Array;
  /** The training-set statistics used, for 'gaussian'. */
  stats?: PixelStats;
}

/**
 * Applies one corruption of Zhang et al. 2017 to a train/test pair and returns
 * new datasets (the inputs are unchanged; untouched arrays are shared).
 * Test labels are never corrupted; pixel corruptions apply to train and test
 * alike (one shared permutation for shuffled pixels, training-set statistics
 * for Gaussian). Randomness comes from named forks of `rng`, so the result
 * depends only on rng's seed, not on draws made from it before.
 */
export function applyCorruption(train: ImageDataset, test: ImageDataset, spec: CorruptionSpec, rng: Rng): CorruptionResult {
  if (
    train.height !== test.height ||
    train.width !== test.width ||
    train.channels !== test.channels ||
    train.numClasses !== test.numClasses
  ) {
    throw new RangeError(
      `applyCorruption: train ${train.name} (${train.height}x${train.width}x${train.channels}, ${train.numClasses} classes) and test ${test.name} ` +
        `(${test.height}x${test.width}x${test.channels}, ${test.numClasses} classes) differ in shape`,
    );
  }
  const tag = describeCorruption(spec);
  const base = { spec, changedCount: 0, changedFraction: 0 };
  switch (spec.kind) {
    case 'none':
      return { ...base, train: { ...train }, test: { ...test } };
    case 'labels': {
      checkProbability(spec.p);
      const labels = corruptLabels(train.labels, train.numClasses, spec.p, rng.fork('corrupt-labels'));
      const changedCount = countChanged(labels, train.labels);
      return {
        spec,
        train: { ...train, name: `${train.name}/${tag}`, labels },
        test: { ...test },
        changedCount,
        changedFraction: train.n === 0 ? 0 : changedCount / train.n,
      };
    }
    case 'shuffled-pixels': {
      const permutation = makePixelPermutation(train.height * train.width, rng.fork('pixel-permutation'));
      return { ...base, train: shufflePixels(train, permutation), test: shufflePixels(test, permutation), permutation };
    }
    case 'random-pixels':
      return {
        ...base,
        train: randomPixels(train, rng.fork('random-pixels/train')),
        test: randomPixels(test, rng.fork('random-pixels/test')),
      };
    case 'gaussian': {
      const stats = pixelStats(train);
      return {
        ...base,
        train: gaussianImages(train, stats, rng.fork('gaussian/train')),
        test: gaussianImages(test, stats, rng.fork('gaussian/test')),
        stats,
      };
    }
    default: {
      const bad: never = spec;
      throw new Error(`applyCorruption: unknown corruption ${JSON.stringify(bad)}; expected one of ${CORRUPTION_KINDS.join(', ')}`);
    }
  }
}
