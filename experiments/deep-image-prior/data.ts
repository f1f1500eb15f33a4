// The images of a run: the photograph (embedded or the user's file), cropped to a square, its
// noisy version, and the targets of Figure 2.
import { resolve } from 'node:path';
import { Rng } from '@claimlab/core';
import { isEmbeddedImage, loadImage, squareImage, type RgbImage } from '@claimlab/datasets';
import type { FitTarget } from './config.ts';

/** The clean square image of a run. */
export function cleanImage(s: { imageSource: string; imageSize: number; fit: string }): RgbImage {
  return squareImage(loadImage(s.imageSource), s.imageSize, s.fit as 'crop' | 'resize');
}

/** clean + N(0, sigma^2), clipped to [0, 1] (the authors' get_noisy_image); one draw per master seed. */
export function noisyImage(clean: RgbImage, sigma: number, masterSeed: number): RgbImage {
  const rng = new Rng(masterSeed).fork('noise');
  const data = new Float32Array(clean.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, clean.data[i] + sigma * rng.normal()));
  return { ...clean, name: `${clean.name}+N(0,${sigma.toFixed(4)}^2)`, data };
}

/** The Figure 2 targets: the image, the image with noise, its pixels shuffled (colours kept), uniform noise. */
export function fitTargetImage(target: FitTarget, clean: RgbImage, sigma: number, masterSeed: number): RgbImage {
  if (target === 'image') return clean;
  if (target === 'image+noise') return noisyImage(clean, sigma, masterSeed);
  const n = clean.width * clean.height;
  const data = new Float32Array(clean.data.length);
  if (target === 'shuffled') {
    const perm = new Rng(masterSeed).fork('shuffle').permutation(n);
    for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) data[3 * p + c] = clean.data[3 * perm[p] + c];
  } else if (target === 'noise') {
    data.set(new Rng(masterSeed).fork('uniform-noise').uniformArray(data.length));
  } else {
    throw new Error(`unknown fit target '${target as string}'`);
  }
  return { ...clean, name: `${clean.name}/${target}`, data };
}

/** The image source the arms load: an embedded name as is, a path made absolute (workers share the cwd, but be explicit). */
export function imageSourceOf(image: string): string {
  return isEmbeddedImage(image) ? image : resolve(process.cwd(), image);
}
