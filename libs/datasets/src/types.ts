import type { Rng } from '@claimlab/core';

/**
 * An in-memory image classification dataset as plain typed arrays (no tfjs),
 * so loaders and corruptions are fast and independent of the compute backend.
 *
 * Convention: datasets are treated as immutable. Functions in this library
 * never modify their inputs, and may return datasets that share arrays with
 * their inputs where nothing changed (e.g. the images of a label corruption).
 */
export interface ImageDataset {
  /** Human-readable name, e.g. "mnist-test" or "cifar10-train/labels-p0.5". */
  name: string;
  /** n * height * width * channels values, NHWC, in [0, 1] (except Gaussian-corrupted images, which are not clipped). */
  images: Float32Array;
  /** n class indices in 0..numClasses-1. */
  labels: Int32Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
}

/** Number of values in one image (height * width * channels). */
export function imageSize(ds: ImageDataset): number {
  return ds.height * ds.width * ds.channels;
}

/** Throws if the arrays disagree with the declared shape, or a label is out of range. */
export function checkDataset(ds: ImageDataset): void {
  const size = imageSize(ds);
  if (ds.images.length !== ds.n * size) {
    throw new Error(
      `dataset ${ds.name}: images has ${ds.images.length} values, expected n*height*width*channels = ${ds.n}*${ds.height}*${ds.width}*${ds.channels} = ${ds.n * size}`,
    );
  }
  if (ds.labels.length !== ds.n) {
    throw new Error(`dataset ${ds.name}: labels has ${ds.labels.length} entries, expected n = ${ds.n}`);
  }
  for (let i = 0; i < ds.n; i++) {
    const y = ds.labels[i];
    if (!(y >= 0 && y < ds.numClasses)) {
      throw new Error(`dataset ${ds.name}: label ${y} at index ${i} is outside 0..${ds.numClasses - 1}`);
    }
  }
}

/**
 * A new dataset holding the examples at `indices` (in that order; repeats allowed).
 * Images and labels are copied.
 */
export function subset(ds: ImageDataset, indices: ArrayLike<number>, name = `${ds.name}/subset${indices.length}`): ImageDataset {
  const size = imageSize(ds);
  const k = indices.length;
  const images = new Float32Array(k * size);
  const labels = new Int32Array(k);
  for (let j = 0; j < k; j++) {
    const i = indices[j];
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) {
      throw new RangeError(`subset(${ds.name}): index ${i} at position ${j} is not an integer in 0..${ds.n - 1}`);
    }
    images.set(ds.images.subarray(i * size, (i + 1) * size), j * size);
    labels[j] = ds.labels[i];
  }
  return { ...ds, name, images, labels, n: k };
}

/**
 * A seeded random subset of k images (drawn without replacement by `rng`, in draw order), for
 * the config key `configKey` that sets k: asking for more images than the dataset has is an
 * error that names the key and the largest value it can take.
 */
export function drawSubset(ds: ImageDataset, k: number, rng: Rng, configKey: string): ImageDataset {
  if (k > ds.n) throw new Error(`${configKey}=${k} exceeds the ${ds.n} images of ${ds.name}; lower it with --set ${configKey}=${ds.n}`);
  return subset(ds, rng.sample(ds.n, k));
}

/** A new dataset holding the first `k` examples (all of them if k >= n). Arrays are copied. */
export function takeFirst(ds: ImageDataset, k: number): ImageDataset {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`takeFirst(${ds.name}): k must be a non-negative integer, got ${k}`);
  const m = Math.min(k, ds.n);
  const size = imageSize(ds);
  return {
    ...ds,
    name: m === ds.n ? ds.name : `${ds.name}/first${m}`,
    images: ds.images.slice(0, m * size),
    labels: ds.labels.slice(0, m),
    n: m,
  };
}
