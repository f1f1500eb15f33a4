// One unit of the sweep (a network measured along a path, a 2-D slice, the sawtooth) and the
// list of them. An arm runs in this process or in a worker process with identical results: every
// random draw comes from Rng streams named by the arm's own description.
import { defineArm, Rng } from '@claimlab/core';
import {
  countAlongPath,
  randomNetwork,
  regionMap2D,
  sawtoothNetwork,
  segmentPath,
  type PiecewiseLinearNet,
  type RegionMap,
} from '@claimlab/metrics';
import type { Condition, LinearRegionsConfig } from './config.ts';
import { inputCircle, planeOf } from './data.ts';
import type { ResultRow } from './results.ts';

export type Arm =
  | {
      kind: 'path';
      condition: Condition;
      width: number;
      depth: number;
      network: number;
      /** The seed of the replicate (ctx.seed): every network and plane is forked from it. */
      masterSeed: number;
      inputDim: number;
      radiusScale: number;
      circleVertices: number;
    }
  | {
      kind: 'slice';
      condition: Condition;
      width: number;
      depth: number;
      network: number;
      /** The seed of the replicate (ctx.seed): every network and plane is forked from it. */
      masterSeed: number;
      inputDim: number;
      radiusScale: number;
      resolution: number;
    }
  | { kind: 'sawtooth'; depth: number };

/** One measured value: a results.csv row. */
export type Measure = ResultRow;

export interface ArmResult {
  measures: Measure[];
  seconds: number;
}

/**
 * The random network of a (network, width): the weights of a depth-d net are the
 * first d layers of any deeper one (layers are drawn in order from one
 * stream), and the sigma_w / sigma_b conditions share the same standard
 * normal draws, scaled.
 */
export function buildNet(
  c: Condition,
  width: number,
  depth: number,
  inputDim: number,
  masterSeed: number,
  network: number,
): PiecewiseLinearNet {
  return randomNetwork({
    inputDim,
    width,
    depth,
    activation: c.activation,
    sigmaW2: c.sigmaW2,
    sigmaB2: c.sigmaB2,
    rng: new Rng(masterSeed).fork(`net/${network}/${width}`),
  });
}

export function sliceMap(arm: Extract<Arm, { kind: 'slice' }>): RegionMap {
  const net = buildNet(arm.condition, arm.width, arm.depth, arm.inputDim, arm.masterSeed, arm.network);
  const { u, v } = planeOf(arm.inputDim, arm.masterSeed, arm.network);
  return regionMap2D(net, {
    center: new Float64Array(arm.inputDim),
    u,
    v,
    extent: arm.radiusScale * Math.sqrt(arm.inputDim),
    resolution: arm.resolution,
  });
}

/** The sweep's arms at one seed: every condition x width x network (one deep net, measured after every layer), the 2-D slices, the sawtooth. */
export function armsOf(c: LinearRegionsConfig, masterSeed: number): Arm[] {
  const arms: Arm[] = [];
  const geo = { masterSeed, inputDim: c.inputDim, radiusScale: c.radiusScale };
  for (const condition of c.conditions) {
    for (const width of c.widths) {
      for (let network = 0; network < c.networks; network++) {
        const depth = c.budget % width === 0 ? Math.max(c.maxDepth, c.budget / width) : c.maxDepth;
        arms.push({ kind: 'path', condition, width, depth, network, ...geo, circleVertices: c.circleVertices });
      }
    }
  }
  // 2-D slices: shallow-wide vs deep-narrow at the neuron budget, for the chaotic hard-tanh and the He ReLU conditions.
  const sliceConds = c.conditions.filter(
    (k) => (k.activation === 'hard-tanh' && k.sigmaW2 === c.chaoticSigmaW2) || (k.activation === 'relu' && k.sigmaW2 === 2),
  );
  for (const condition of sliceConds) {
    for (const depth of c.sliceDepths) {
      for (let network = 0; network < c.networks; network++) {
        arms.push({ kind: 'slice', condition, width: c.budget / depth, depth, network, ...geo, resolution: c.sliceResolution });
      }
    }
  }
  arms.push({ kind: 'sawtooth', depth: c.sawtoothDepth });
  return arms;
}

/** Rough relative cost of an arm (pieces x width^2): the expensive ones are started first so the workers finish together. */
export function costOf(a: Arm): number {
  if (a.kind === 'sawtooth') return 2 ** a.depth;
  if (a.kind === 'slice') return a.resolution ** 2 * a.width * a.depth;
  const s = a.condition.sigmaW2;
  const g = a.condition.activation === 'hard-tanh' && s > 1 ? Math.sqrt((Math.sqrt(s) * a.width) / (Math.sqrt(s) + a.width)) : 1.1;
  return a.width * a.width * (a.circleVertices + a.width * g ** a.depth);
}

export async function runArm(arm: Arm, onProgress: (status: string) => void): Promise<ArmResult> {
  const t0 = Date.now();
  const measures: Measure[] = [];
  if (arm.kind === 'sawtooth') {
    const r = countAlongPath(sawtoothNetwork(arm.depth), segmentPath([0], [1]));
    for (const l of r.layers.slice(1)) {
      const base = {
        sweep: 'sawtooth' as const,
        activation: 'relu',
        sigma_w2: 0,
        sigma_b2: 0,
        width: 2,
        depth: arm.depth,
        layer: l.layer,
        network: 0,
      };
      measures.push({ ...base, metric: 'transitions', value: l.transitions }, { ...base, metric: 'regions', value: l.regions });
    }
    return { measures, seconds: (Date.now() - t0) / 1000 };
  }
  const c = arm.condition;
  const base = {
    activation: c.activation,
    sigma_w2: c.sigmaW2,
    sigma_b2: c.sigmaB2,
    width: arm.width,
    depth: arm.depth,
    network: arm.network,
  };
  if (arm.kind === 'slice') {
    onProgress(`slice ${c.activation} sw2=${c.sigmaW2} ${arm.depth}x${arm.width}`);
    const map = sliceMap(arm);
    map.regionsPerLayer.forEach((n, i) => measures.push({ sweep: 'slice', ...base, layer: i + 1, metric: 'regions_2d', value: n }));
    return { measures, seconds: (Date.now() - t0) / 1000 };
  }
  onProgress(`path ${c.activation} sw2=${c.sigmaW2} ${arm.depth}x${arm.width} network ${arm.network}`);
  const net = buildNet(c, arm.width, arm.depth, arm.inputDim, arm.masterSeed, arm.network);
  const path = inputCircle(arm.inputDim, arm.radiusScale, arm.circleVertices, arm.masterSeed, arm.network);
  const r = countAlongPath(net, path);
  for (const l of r.layers) {
    const b = { sweep: 'path' as const, ...base, layer: l.layer };
    measures.push({ ...b, metric: 'length', value: l.length });
    if (l.layer > 0) measures.push({ ...b, metric: 'transitions', value: l.transitions }, { ...b, metric: 'regions', value: l.regions });
  }
  return { measures, seconds: (Date.now() - t0) / 1000 };
}

/** The sweep's arm runner, imported by main.ts. */
export const networkMeasurement = defineArm(import.meta.url, runArm);
