/**
 * tfjs's momentum SGD, Adam and RMSProp, each variable's update in one kernel where the backend
 * has it (@claimlab/backend's fused updates: wasm), computed in the same float32 operations as
 * tfjs's, so the weights come out bit for bit as with tfjs's 4-20 kernels per variable and step
 * (the tests compare them). Elsewhere, and for what is not fused (centered RMSProp), the update is
 * tfjs's own. Slots, getWeights / setWeights and checkpoints (checkpoint.ts reads momentum's
 * `accumulations`) are tfjs's: these classes only replace applyGradients.
 */
import * as tf from '@tensorflow/tfjs';
import { adamUpdate, fusedUpdatesAvailable, momentumUpdate, rmspropUpdate } from '@claimlab/backend';

type Slot = { originalName: string; variable: tf.Variable };
type Gradients = Parameters<tf.Optimizer['applyGradients']>[0];

/** The variables and gradients of an applyGradients call, in order (tfjs accepts a map or a list). */
function entries(g: Gradients): { name: string; value: tf.Variable; gradient: tf.Tensor | null }[] {
  const list: { name: string; tensor: tf.Tensor | null }[] = Array.isArray(g)
    ? g
    : Object.keys(g).map((name) => ({ name, tensor: g[name] }));
  return list.map(({ name, tensor }) => ({ name, value: tf.engine().registeredVariables[name], gradient: tensor ?? null }));
}

/** slots[i], created as zeros like `value` (named name/suffix, as tfjs names them) on first use. */
function slot(slots: Slot[], i: number, value: tf.Variable, name: string, suffix: string): tf.Variable {
  slots[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
  return slots[i].variable;
}

/** Assigns each new tensor to its variable and disposes it (the variable keeps the data). */
function assignAll(pairs: [tf.Variable, tf.Tensor][]): void {
  for (const [variable, t] of pairs) variable.assign(t);
  tf.dispose(pairs.map(([, t]) => t));
}

/** tf.train.momentum with fused updates (tfjs 4.22's private fields read through a cast). */
export class MomentumSgd extends tf.MomentumOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    if (!fusedUpdatesAvailable()) return super.applyGradients(variableGradients as never);
    const self = this as unknown as { accumulations: Slot[]; momentum: number; useNesterov: boolean; learningRate: number };
    const attrs = { momentum: self.momentum, learningRate: self.learningRate, nesterov: self.useNesterov };
    entries(variableGradients).forEach(({ name, value, gradient }, i) => {
      const accumulation = slot(self.accumulations, i, value, name, 'momentum');
      if (gradient == null) return;
      const next = momentumUpdate(value, accumulation, gradient, attrs)!;
      assignAll([
        [accumulation, next.accumulation],
        [value, next.value],
      ]);
    });
    this.incrementIterations();
  }
}

/** tf.train.adam with fused updates. */
export class Adam extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    if (!fusedUpdatesAvailable()) return super.applyGradients(variableGradients as never);
    const self = this as unknown as {
      accumulatedFirstMoment: Slot[];
      accumulatedSecondMoment: Slot[];
      accBeta1: tf.Variable;
      accBeta2: tf.Variable;
      beta1: number;
      beta2: number;
      epsilon: number;
      learningRate: number;
    };
    // 1 - beta^t as tfjs computes it (float32), read once per step.
    const [c1, c2] = tf.tidy(() => [tf.sub(1, self.accBeta1), tf.sub(1, self.accBeta2)].map((t) => t.dataSync()[0]));
    const attrs = {
      beta1: self.beta1,
      beta2: self.beta2,
      oneMinusAccBeta1: c1,
      oneMinusAccBeta2: c2,
      epsilon: self.epsilon,
      learningRate: self.learningRate,
    };
    entries(variableGradients).forEach(({ name, value, gradient }, i) => {
      const m = slot(self.accumulatedFirstMoment, i, value, name, 'm');
      const v = slot(self.accumulatedSecondMoment, i, value, name, 'v');
      if (gradient == null) return;
      const next = adamUpdate(value, m, v, gradient, attrs)!;
      assignAll([
        [m, next.firstMoment],
        [v, next.secondMoment],
        [value, next.value],
      ]);
    });
    tf.tidy(() => {
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    this.incrementIterations();
  }
}

/** tf.train.rmsprop with fused updates (not centered; the centered variant is tfjs's). */
export class RmsProp extends tf.RMSPropOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    const self = this as unknown as {
      accumulatedMeanSquares: Slot[];
      accumulatedMoments: Slot[];
      centered: boolean;
      decay: number;
      momentum: number;
      epsilon: number;
      learningRate: number;
    };
    if (self.centered || !fusedUpdatesAvailable()) return super.applyGradients(variableGradients as never);
    const attrs = { decay: self.decay, momentum: self.momentum, epsilon: self.epsilon, learningRate: self.learningRate };
    entries(variableGradients).forEach(({ name, value, gradient }, i) => {
      const s = slot(self.accumulatedMeanSquares, i, value, name, 'rms');
      const a = slot(self.accumulatedMoments, i, value, name, 'momentum');
      if (gradient == null) return;
      const next = rmspropUpdate(value, s, a, gradient, attrs)!;
      assignAll([
        [s, next.meanSquare],
        [a, next.moment],
        [value, next.value],
      ]);
    });
    this.incrementIterations();
  }
}
