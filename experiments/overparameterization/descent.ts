// One full-batch run of one method at one learning rate on an l_p regression: gradient descent on
// the layers of a depth-N linear net, or AdaGrad / AdaDelta on the linear model itself. The loss
// is always that of the end-to-end vector.
import type { Rng } from '@claimlab/core';
import { balancedNet, endToEnd, gaussianNet, gdStep, type LinearNet } from './linear-net.ts';
import { lpLoss, lpLossAndGradient, type Regression } from './losses.ts';
import { optimizerOf, type OptimizerName } from './optimizers.ts';
import { DIVERGENCE_FACTOR, recordedIterations, type RateOutcome } from './selection.ts';

export interface DescentSpec {
  optimizer: OptimizerName;
  /** Depth of the linear net (gd only; AdaGrad and AdaDelta run on the depth-1 model). */
  depth: number;
  rate: number;
  p: number;
  iterations: number;
  /** The loss level of "iterations to level". */
  level: number;
}

export interface DescentResult extends RateOutcome {
  /** Loss at the recorded iterations (up to divergence). */
  curve: { iteration: number; loss: number }[];
}

/** The net of a gd run: a balanced net with end-to-end vector w0, or the given (gaussian) start net. */
export function startNet(
  w0: Float64Array,
  depth: number,
  hiddenWidth: number,
  init: 'balanced' | 'gaussian',
  gaussian: LinearNet | null,
  rng: Rng,
): LinearNet {
  if (depth === 1) return { dims: [w0.length, 1], weights: [w0.slice()] };
  if (init === 'gaussian') {
    if (!gaussian) throw new Error('startNet: the gaussian init needs its start net');
    return gaussian;
  }
  return balancedNet(w0, depth, hiddenWidth, rng);
}

/** Runs one spec from the net `start` (gd) or from the vector endToEnd(start) (AdaGrad, AdaDelta). */
export function descend(data: Regression, start: LinearNet, spec: DescentSpec): DescentResult {
  const { p, iterations, level } = spec;
  const record = new Set(recordedIterations(iterations));
  const curve: { iteration: number; loss: number }[] = [];
  let net = start;
  const w = endToEnd(start);
  const opt = spec.optimizer === 'gd' ? null : optimizerOf(spec.optimizer, spec.rate, data.dim);
  let reachedAt = -1;
  let diverged = false;
  let loss = lpLoss(data, w, p);
  const initial = loss;
  for (let t = 0; ; t++) {
    const current = opt ? w : endToEnd(net);
    const lg = lpLossAndGradient(data, current, p);
    loss = lg.loss;
    if (!Number.isFinite(loss) || loss > DIVERGENCE_FACTOR * initial) {
      diverged = true;
      break;
    }
    if (record.has(t)) curve.push({ iteration: t, loss });
    if (reachedAt < 0 && loss <= level) reachedAt = t;
    if (t === iterations) break;
    if (opt) opt.step(w, lg.grad);
    else net = gdStep(net, lg.grad, spec.rate);
  }
  return {
    rate: spec.rate,
    iterations: reachedAt >= 0 ? reachedAt : iterations,
    reached: reachedAt >= 0,
    diverged,
    finalLoss: diverged ? NaN : loss,
    curve,
  };
}
