import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Rng } from '@claimlab/core';
import type { ImageDataset } from '../src/types.ts';

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `claimlab-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A synthetic dataset with uniform random pixels (all distinct with overwhelming probability) and uniform random labels. */
export function randomDataset(
  rng: Rng,
  n: number,
  height: number,
  width: number,
  channels: number,
  numClasses = 10,
  name = 'synthetic',
): ImageDataset {
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = rng.int(numClasses);
  return { name, images: rng.uniformArray(n * height * width * channels), labels, n, height, width, channels, numClasses };
}

/** Values of image i as a sorted array (its multiset). */
export function sortedImage(ds: ImageDataset, i: number): Float32Array {
  const size = ds.height * ds.width * ds.channels;
  return ds.images.slice(i * size, (i + 1) * size).sort();
}
