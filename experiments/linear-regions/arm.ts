// One unit of the sweep. Loaded by URL so it runs in this process or in a
// worker process (runArmsParallel) with identical results: every random draw
// comes from Rng streams named by the arm's own description.
import { Rng } from '@claimlab/core';
import {
  circlePath,
  countAlongPath,
  randomNetwork,
  randomPlane,
  regionMap2D,
  sawtoothNetwork,
  segmentPath,
  type PiecewiseLinearNet,
  type RegionMap,
} from '@claimlab/metrics';
import type { Condition } from './config.ts';
import type { ResultRow } from './claim.ts';

export type Arm =
  | { kind: 'path'; condition: Condition; width: number; depth: number; seed: number; masterSeed: number; inputDim: number; radiusScale: number; circleVertices: number }
  | { kind: 'slice'; condition: Condition; width: number; depth: number; seed: number; masterSeed: number; inputDim: number; radiusScale: number; resolution: number }
  | { kind: 'sawtooth'; depth: number };

/** One measured value: a results.csv row. */
export type Measure = ResultRow;

export interface ArmResult {
  measures: Measure[];
  seconds: number;
}

/**
 * The random network of a (seed, width): the weights of a depth-d net are the
 * first d layers of any deeper one (layers are drawn in order from one
 * stream), and the sigma_w / sigma_b conditions share the same standard
 * normal draws, scaled.
 */
export function buildNet(c: Condition, width: number, depth: number, inputDim: number, masterSeed: number, seed: number): PiecewiseLinearNet {
  return randomNetwork({
    inputDim,
    width,
    depth,
    activation: c.activation,
    sigmaW2: c.sigmaW2,
    sigmaB2: c.sigmaB2,
    rng: new Rng(masterSeed).fork(`net/${seed}/${width}`),
  });
}

/** The random plane (through the origin) holding the circle and the 2-D slice of a seed. */
export function planeOf(inputDim: number, masterSeed: number, seed: number) {
  return randomPlane(inputDim, new Rng(masterSeed).fork(`plane/${seed}`));
}

export function sliceMap(arm: Extract<Arm, { kind: 'slice' }>): RegionMap {
  const net = buildNet(arm.condition, arm.width, arm.depth, arm.inputDim, arm.masterSeed, arm.seed);
  const { u, v } = planeOf(arm.inputDim, arm.masterSeed, arm.seed);
  return regionMap2D(net, { center: new Float64Array(arm.inputDim), u, v, extent: arm.radiusScale * Math.sqrt(arm.inputDim), resolution: arm.resolution });
}

export async function runArm(arm: Arm, onProgress: (status: string) => void): Promise<ArmResult> {
  const t0 = Date.now();
  const measures: Measure[] = [];
  if (arm.kind === 'sawtooth') {
    const r = countAlongPath(sawtoothNetwork(arm.depth), segmentPath([0], [1]));
    for (const l of r.layers.slice(1)) {
      const base = { sweep: 'sawtooth' as const, activation: 'relu', sigma_w2: 0, sigma_b2: 0, width: 2, depth: arm.depth, layer: l.layer, seed: 0 };
      measures.push({ ...base, metric: 'transitions', value: l.transitions }, { ...base, metric: 'regions', value: l.regions });
    }
    return { measures, seconds: (Date.now() - t0) / 1000 };
  }
  const c = arm.condition;
  const base = { activation: c.activation, sigma_w2: c.sigmaW2, sigma_b2: c.sigmaB2, width: arm.width, depth: arm.depth, seed: arm.seed };
  if (arm.kind === 'slice') {
    onProgress(`slice ${c.activation} sw2=${c.sigmaW2} ${arm.depth}x${arm.width}`);
    const map = sliceMap(arm);
    map.regionsPerLayer.forEach((n, i) => measures.push({ sweep: 'slice', ...base, layer: i + 1, metric: 'regions_2d', value: n }));
    return { measures, seconds: (Date.now() - t0) / 1000 };
  }
  onProgress(`path ${c.activation} sw2=${c.sigmaW2} ${arm.depth}x${arm.width} seed ${arm.seed}`);
  const net = buildNet(c, arm.width, arm.depth, arm.inputDim, arm.masterSeed, arm.seed);
  const { u, v } = planeOf(arm.inputDim, arm.masterSeed, arm.seed);
  const path = circlePath(new Float64Array(arm.inputDim), u, v, arm.radiusScale * Math.sqrt(arm.inputDim), arm.circleVertices);
  const r = countAlongPath(net, path);
  for (const l of r.layers) {
    const b = { sweep: 'path' as const, ...base, layer: l.layer };
    measures.push({ ...b, metric: 'length', value: l.length });
    if (l.layer > 0) measures.push({ ...b, metric: 'transitions', value: l.transitions }, { ...b, metric: 'regions', value: l.regions });
  }
  return { measures, seconds: (Date.now() - t0) / 1000 };
}
