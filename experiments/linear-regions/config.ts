import { ConfigProblems, type Profiles } from '@claimlab/core';
import { ACTIVATIONS } from '@claimlab/metrics';

/** One weight/bias initialisation regime of a random network. */
export type Condition = { activation: string; sigmaW2: number; sigmaB2: number };

export type LinearRegionsConfig = {
  /** Input dimension m; the circle and the 2-D slice lie in a random plane through the origin. */
  inputDim: number;
  /** Radius of the circle (and half-side of the 2-D slice) in units of sqrt(inputDim), so each input coordinate is O(1). */
  radiusScale: number;
  /** The circle is an inscribed regular polygon with this many corners; counts are exact for the polygon. */
  circleVertices: number;
  /** Initialisation regimes swept (activation, sigma_w^2, sigma_b^2). */
  conditions: Condition[];
  /** Hidden widths k; every width is built at max(maxDepth, budget / k) layers and measured after every layer. */
  widths: number[];
  maxDepth: number;
  /** Total neurons for the equal-budget comparison (depth x width = budget, from the swept widths). */
  budget: number;
  /** sigma_w^2 of the hard-tanh condition used for the "large sigma_w" checks (the paper's figures use 8). */
  chaoticSigmaW2: number;
  /** Independent random networks (and circle planes) per setting within one seed's run; the checks use their mean. */
  networks: number;
  /** Depth of Telgarsky's sawtooth network (2^L regions on [0, 1]). */
  sawtoothDepth: number;
  /** Grid points per side of the 2-D region maps. */
  sliceResolution: number;
  /** Shallow-wide and deep-narrow nets with `budget` neurons for the 2-D maps: depths (width = budget / depth). */
  sliceDepths: number[];
  /** Seeds of a run (the framework's replicates): each seed draws its own networks and planes (masterSeed = the seed). */
  seeds: number;
};

const CONDITIONS: Condition[] = [
  // hard-tanh, sigma_b = 0 (the setting of Raghu et al. Theorem 3b): ordered phase for sigma_w^2 < 1, chaotic above.
  { activation: 'hard-tanh', sigmaW2: 0.5, sigmaB2: 0 },
  { activation: 'hard-tanh', sigmaW2: 1, sigmaB2: 0 },
  { activation: 'hard-tanh', sigmaW2: 2, sigmaB2: 0 },
  { activation: 'hard-tanh', sigmaW2: 4, sigmaB2: 0 },
  { activation: 'hard-tanh', sigmaW2: 8, sigmaB2: 0 },
  { activation: 'hard-tanh', sigmaW2: 16, sigmaB2: 0 },
  // ReLU at He initialisation with tiny biases (Hanin & Rolnick 2019).
  { activation: 'relu', sigmaW2: 2, sigmaB2: 1e-6 },
];

/**
 * quick: input dimension 32, a 256-gon circle, widths 8-128 (128 is the
 * paper's k) up to depth 10, 3 networks per setting; equal budget 128 neurons (1x128, 2x64,
 * 4x32, 8x16, 16x8). About two minutes on 2 cores. Large enough that geometric
 * growth is visible over 10 layers (transitions reach ~10^4-10^5 at sigma_w^2 = 8).
 *
 * paper: the paper's figure setting k = 128 neurons per layer and sigma_w^2 = 8
 * (Raghu et al. 2017's figures use k = 128 and sigma_w^2 = 8; their depth range, up to ~12 or more, is unverified); input
 * dimension 128, finer polygon, 5 networks per setting, budget 256 (1x256 ... 32x8). Pure
 * TypeScript on the CPU: hours, not minutes (cost grows with the transitions).
 *
 * Both profiles run 3 seeds: each seed is a full replicate (every network and plane drawn
 * from that seed), and the checks are computed at every seed.
 */
export const PROFILES: Profiles<LinearRegionsConfig> = {
  quick: {
    inputDim: 32,
    radiusScale: 1,
    circleVertices: 256,
    conditions: CONDITIONS,
    widths: [8, 16, 32, 64, 128],
    maxDepth: 10,
    budget: 128,
    chaoticSigmaW2: 8,
    networks: 3,
    sawtoothDepth: 14,
    sliceResolution: 120,
    sliceDepths: [1, 16],
    seeds: 3,
  },
  paper: {
    inputDim: 128,
    radiusScale: 1,
    circleVertices: 1000,
    conditions: CONDITIONS,
    widths: [8, 16, 32, 64, 128, 256],
    maxDepth: 12,
    budget: 256,
    chaoticSigmaW2: 8,
    networks: 5,
    sawtoothDepth: 18,
    sliceResolution: 300,
    sliceDepths: [1, 32],
    seeds: 3,
  },
};

/** Validates a resolved config; each problem is named. */
export function validateConfig(c: LinearRegionsConfig): void {
  const problems = new ConfigProblems();
  const { inputDim, maxDepth, networks, budget, sawtoothDepth, sliceResolution, seeds } = c;
  problems.positiveIntegers({ inputDim, maxDepth, networks, budget, sawtoothDepth, sliceResolution, seeds });
  if (Number.isInteger(c.inputDim) && c.inputDim < 2) problems.push('inputDim must be >= 2 (the circle needs a plane)');
  if (!(Number.isInteger(c.circleVertices) && c.circleVertices >= 3))
    problems.push(`circleVertices must be an integer >= 3, got ${c.circleVertices}`);
  if (!(c.radiusScale > 0)) problems.push(`radiusScale must be > 0, got ${c.radiusScale}`);
  if (!Array.isArray(c.widths) || c.widths.length === 0) problems.push('widths must be a non-empty list');
  else for (const width of c.widths) problems.positiveIntegers({ width });
  if (!Array.isArray(c.sliceDepths)) problems.push('sliceDepths must be a list');
  else
    for (const d of c.sliceDepths) {
      problems.positiveIntegers({ 'slice depth': d });
      if (Number.isInteger(d) && d >= 1 && c.budget % d !== 0) problems.push(`slice depth ${d} does not divide budget ${c.budget}`);
    }
  if (!Array.isArray(c.conditions) || c.conditions.length === 0) problems.push('conditions must be a non-empty list');
  else
    for (const k of c.conditions) {
      if (!(ACTIVATIONS as readonly string[]).includes(k.activation))
        problems.push(`unknown activation '${k.activation}' (use ${ACTIVATIONS.join(' or ')})`);
      if (!(k.sigmaW2 > 0)) problems.push(`sigmaW2 must be > 0, got ${k.sigmaW2}`);
      if (!(k.sigmaB2 >= 0)) problems.push(`sigmaB2 must be >= 0, got ${k.sigmaB2}`);
    }
  problems.throwIfAny();
}
