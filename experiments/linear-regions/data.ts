// The inputs of the measurements: a random plane through the origin per network, holding the
// circle that the networks are measured along and the 2-D slice of the region maps.
import { Rng } from '@claimlab/core';
import { circlePath, randomPlane } from '@claimlab/metrics';

/** The random plane (through the origin) holding the circle and the 2-D slice of a network. */
export function planeOf(inputDim: number, masterSeed: number, network: number) {
  return randomPlane(inputDim, new Rng(masterSeed).fork(`plane/${network}`));
}

/** The circle of a path arm: radius radiusScale * sqrt(inputDim), in the network's random plane, as a closed polygon. */
export function inputCircle(inputDim: number, radiusScale: number, vertices: number, masterSeed: number, network: number) {
  const { u, v } = planeOf(inputDim, masterSeed, network);
  return circlePath(new Float64Array(inputDim), u, v, radiusScale * Math.sqrt(inputDim), vertices);
}
