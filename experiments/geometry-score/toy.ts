// The synthetic 2-D datasets of the toy part: a reference with two loops and
// "generators" that keep, drop, merge or fill them (cf. Khrulkov & Oseledets
// 2018, section 5.1 and its Figure of planar datasets with their MRLTs).
import { Rng } from '@claimlab/core';

export const TOY_MODELS = ['reference', 'resampled', 'one-loop', 'merged-loop', 'filled-disks', 'gaussian-matched'] as const;
export type ToyModel = (typeof TOY_MODELS)[number];

export const TOY_DESCRIPTIONS: Record<ToyModel, string> = {
  reference: 'two circles of radius 1 centred at (-1.5, 0) and (1.5, 0), Gaussian noise 0.03 (the "real" data, beta_1 = 2)',
  resampled: 'a fresh sample of the reference distribution (a perfect generator)',
  'one-loop': 'all mass on the left circle (mode dropping: one loop missed)',
  'merged-loop': 'one ellipse with semi-axes 2.5 and 1 around both circles (the two loops merged into one)',
  'filled-disks': 'two filled disks at the circles\' places (the holes filled in, beta_1 = 0)',
  'gaussian-matched': 'a Gaussian with the reference\'s mean and covariance (no loops; FID on the 2-D coordinates is ~0)',
};

export const NOISE = 0.03;

function circlePoint(rng: Rng, cx: number, cy: number, rx: number, ry: number): [number, number] {
  const t = 2 * Math.PI * rng.uniform();
  return [cx + rx * Math.cos(t) + NOISE * rng.normal(), cy + ry * Math.sin(t) + NOISE * rng.normal()];
}

function twoCircles(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [x, y] = circlePoint(rng, i % 2 === 0 ? -1.5 : 1.5, 0, 1, 1);
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}

/** Mean and covariance (2x2) of the reference distribution, in closed form. */
export function referenceMoments(): { mean: [number, number]; cov: [number, number, number, number] } {
  // x = +-1.5 + cos t + e, y = sin t + e: var x = 1.5^2 + 1/2 + s^2, var y = 1/2 + s^2, cov 0
  return { mean: [0, 0], cov: [2.25 + 0.5 + NOISE ** 2, 0, 0, 0.5 + NOISE ** 2] };
}

/** n points of a toy model, seeded. */
export function toySample(model: ToyModel, n: number, rng: Rng): Float64Array {
  switch (model) {
    case 'reference':
    case 'resampled':
      return twoCircles(rng, n);
    case 'one-loop': {
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) [out[2 * i], out[2 * i + 1]] = circlePoint(rng, -1.5, 0, 1, 1);
      return out;
    }
    case 'merged-loop': {
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) [out[2 * i], out[2 * i + 1]] = circlePoint(rng, 0, 0, 2.5, 1);
      return out;
    }
    case 'filled-disks': {
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const r = Math.sqrt(rng.uniform());
        const t = 2 * Math.PI * rng.uniform();
        out[2 * i] = (i % 2 === 0 ? -1.5 : 1.5) + r * Math.cos(t);
        out[2 * i + 1] = r * Math.sin(t);
      }
      return out;
    }
    case 'gaussian-matched': {
      const { cov } = referenceMoments();
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        out[2 * i] = Math.sqrt(cov[0]) * rng.normal();
        out[2 * i + 1] = Math.sqrt(cov[3]) * rng.normal();
      }
      return out;
    }
  }
}

/**
 * The authors' worked example (KhrulkovV/geometry-score, examples-basic.ipynb, with gs/top_utils.py's
 * `circle` and `filled_circle`): 5,000 points at uniform angles on the unit circle, or uniform in the
 * unit disk, each plus 0.05 * N(0, 1) per coordinate, compared with L0 = 32, gamma = 1/8, i_max = 10
 * and 100 landmark draws. The notebook prints a geometry score of 1.830 for its one draw.
 */
export const AUTHORS_EXAMPLE = { points: 5000, noise: 0.05, landmarks: 32, gamma: 1 / 8, iMax: 10, repetitions: 100 } as const;
export const EXAMPLE_MODELS = ['circle', 'filled-circle'] as const;
export type ExampleModel = (typeof EXAMPLE_MODELS)[number];

export function exampleSample(model: ExampleModel, rng: Rng): Float64Array {
  const { points: n, noise } = AUTHORS_EXAMPLE;
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    let x: number;
    let y: number;
    if (model === 'circle') {
      const phi = 2 * Math.PI * rng.uniform();
      [x, y] = [Math.sin(phi), Math.cos(phi)];
    } else {
      // Rejection from the square, as filled_circle does.
      do {
        x = 2 * rng.uniform() - 1;
        y = 2 * rng.uniform() - 1;
      } while (x * x + y * y >= 1);
    }
    out[2 * i] = x + noise * rng.normal();
    out[2 * i + 1] = y + noise * rng.normal();
  }
  return out;
}
