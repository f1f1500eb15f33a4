/**
 * Universal adversarial perturbations (Moosavi-Dezfooli, Fawzi, Fawzi &
 * Frossard, CVPR 2017): one image-agnostic v with ||v||_p <= xi such that
 * k(x + v) != k(x) for most x. Algorithm 1 of the paper, following the
 * authors' reference (github.com/LTS4/universal, python/universal_pert.py):
 * passes over the images in a random order; for every image not yet fooled by
 * v, a DeepFool step from x + v (accepted only when DeepFool converged in
 * fewer than maxIterDeepFool - 1 iterations), then projection of v onto the
 * l_p ball of radius xi; stop when the fooling rate on the images reaches
 * 1 - delta or after maxPasses passes. Reference defaults: delta 0.2,
 * xi 10 (0-255 scale), p = inf, overshoot 0.02, 10 DeepFool iterations, the
 * l2 DeepFool step (the projection alone enforces the l_inf budget).
 *
 * Also: the fooling rate and random perturbations of the same norm (the baseline).
 */
import type { Rng } from '@claimlab/core';
import { deepFool, predictLabels, type DifferentiableClassifier } from './deepfool.ts';

/** Share of inputs whose predicted label changes: mean(clean[i] != perturbed[i]). */
export function foolingRate(clean: ArrayLike<number>, perturbed: ArrayLike<number>): number {
  if (clean.length !== perturbed.length)
    throw new Error(`foolingRate: ${clean.length} clean labels but ${perturbed.length} perturbed ones`);
  if (clean.length === 0) throw new Error('foolingRate: no inputs');
  let changed = 0;
  for (let i = 0; i < clean.length; i++) if (clean[i] !== perturbed[i]) changed++;
  return changed / clean.length;
}

/** Projection onto the l_p ball of radius xi centred at 0 (p = 2 or Infinity), in place; returns v. */
export function projectLp(v: Float32Array | Float64Array, xi: number, p: number): Float32Array | Float64Array {
  if (!(xi > 0)) throw new Error(`projectLp: xi must be > 0, got ${xi}`);
  if (p === Infinity) {
    for (let i = 0; i < v.length; i++) v[i] = Math.max(-xi, Math.min(xi, v[i]));
  } else if (p === 2) {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * v[i];
    const f = Math.min(1, xi / Math.sqrt(s));
    if (f < 1) for (let i = 0; i < v.length; i++) v[i] *= f;
  } else {
    throw new Error(`projectLp: p must be 2 or Infinity, got ${p}`);
  }
  return v;
}

/**
 * A random perturbation with the same norm as a universal one.
 *  - 'sign' (l_inf): every entry +-xi with probability 1/2, a random vertex of the l_inf ball:
 *    the strongest random noise of l_inf norm xi (largest l2 norm, xi sqrt(d)).
 *  - 'uniform' (l_inf): every entry uniform in [-xi, xi].
 *  - 'sphere' (l2): a uniform direction scaled to l2 norm xi.
 */
export function randomPerturbation(size: number, xi: number, kind: 'sign' | 'uniform' | 'sphere', rng: Rng): Float32Array {
  if (!(xi > 0)) throw new Error(`randomPerturbation: xi must be > 0, got ${xi}`);
  const v = new Float32Array(size);
  if (kind === 'sign') for (let i = 0; i < size; i++) v[i] = rng.uniform() < 0.5 ? -xi : xi;
  else if (kind === 'uniform') for (let i = 0; i < size; i++) v[i] = (2 * rng.uniform() - 1) * xi;
  else if (kind === 'sphere') {
    let s = 0;
    const g = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      g[i] = rng.normal();
      s += g[i] * g[i];
    }
    const f = xi / Math.sqrt(s);
    for (let i = 0; i < size; i++) v[i] = g[i] * f;
  } else throw new Error(`randomPerturbation: unknown kind '${kind as string}' (use sign, uniform or sphere)`);
  return v;
}

export interface UniversalOptions {
  /** Radius of the l_p ball (same scale as the inputs). */
  xi: number;
  /** 2 or Infinity (the paper's main setting). */
  p: number;
  /** Stop once the fooling rate on the images reaches 1 - delta (reference: 0.2). */
  delta: number;
  /** Maximum passes over the images (reference: unlimited; a cap keeps the cost bounded). */
  maxPasses: number;
  /** DeepFool overshoot (reference: 0.02). */
  overshoot: number;
  /** DeepFool iterations (reference: 10). */
  maxIterDeepFool: number;
  /** DeepFool candidate classes (reference: 10). */
  numCandidates?: number;
  /** Shuffles the images before every pass. */
  rng: Rng;
  onPass?(pass: number, foolingRate: number): void;
}

export interface UniversalResult {
  perturbation: Float32Array;
  /** Fooling rate on the images it was built from, after the last pass. */
  foolingRate: number;
  passes: number;
  /** Fooling rate after every pass. */
  history: number[];
  /** DeepFool calls, and those whose step was accepted (converged). */
  deepFoolCalls: number;
  accepted: number;
}

/**
 * Moosavi-Dezfooli et al.'s universal perturbation of `clf` from `images`
 * (n * inputSize values). Deterministic given `rng`.
 */
export function universalPerturbation(clf: DifferentiableClassifier, images: Float32Array, opts: UniversalOptions): UniversalResult {
  const { xi, p, delta, maxPasses, overshoot, maxIterDeepFool, rng } = opts;
  if (!(xi > 0)) throw new Error(`universalPerturbation: xi must be > 0, got ${xi}`);
  if (p !== 2 && p !== Infinity) throw new Error(`universalPerturbation: p must be 2 or Infinity, got ${p}`);
  if (!(delta >= 0 && delta < 1)) throw new Error(`universalPerturbation: delta must be in [0, 1), got ${delta}`);
  if (!Number.isInteger(maxPasses) || maxPasses < 1)
    throw new Error(`universalPerturbation: maxPasses must be a positive integer, got ${maxPasses}`);
  const d = clf.inputSize;
  const n = images.length / d;
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`universalPerturbation: ${images.length} values are not a whole number of images of ${d} values`);
  const v = new Float32Array(d);
  const clean = predictLabels(clf, images);
  const x = new Float32Array(d);
  const xv = new Float32Array(d);
  const history: number[] = [];
  let fooling = 0;
  let passes = 0;
  let calls = 0;
  let accepted = 0;
  while (fooling < 1 - delta && passes < maxPasses) {
    for (const k of rng.permutation(n)) {
      x.set(images.subarray(k * d, (k + 1) * d));
      for (let i = 0; i < d; i++) xv[i] = x[i] + v[i];
      const label = predictLabels(clf, xv)[0];
      if (label !== clean[k]) continue;
      const df = deepFool(clf, xv, { norm: 2, overshoot, maxIter: maxIterDeepFool, numCandidates: opts.numCandidates });
      calls++;
      // The reference accepts the step only when DeepFool converged (iter < max_iter_df - 1).
      if (df.iterations < maxIterDeepFool - 1) {
        accepted++;
        for (let i = 0; i < d; i++) v[i] += df.r[i];
        projectLp(v, xi, p);
      }
    }
    passes++;
    fooling = foolingRate(clean, predictLabels(clf, images, v));
    history.push(fooling);
    opts.onPass?.(passes, fooling);
  }
  return { perturbation: v, foolingRate: fooling, passes, history, deepFoolCalls: calls, accepted };
}
