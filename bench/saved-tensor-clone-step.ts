/**
 * Training steps with tfjs's engine cloning the tensors a backward pass saves through an
 * Identity kernel call (as it does) and without one, one process, in rounds of A then B
 * (ab-rounds.ts; not a test; issue 19):
 *   npx tsx bench/saved-tensor-clone-step.ts [--quick] [--rounds N] [workload ...]
 *
 * Every kernel whose gradient saves inputs or outputs has the engine `clone` each of them
 * (engine.saveTensorsForBackwardMode), and `clone` runs the Identity kernel through runKernel
 * with its bookkeeping, then adds a tape node (x -> clone, gradient a Cast) so that a gradient
 * of a gradient still reaches x. The backend's Identity only shares the data (wasm-kernels.ts),
 * so the kernel itself costs nothing; what this measures is the runKernel around it. Arm B
 * makes the same shared-data tensor without a kernel call (the reference count raised as the
 * Identity kernel raises it) and adds the tape node only where a gradient of a gradient is being
 * recorded, so gradients and bits are unchanged (checked on one such gradient below).
 * A prototype measured here before any change to @claimlab/backend.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@claimlab/backend';
import { abOptions, abRounds, sameBits } from './ab-rounds.ts';
import { build, profileStep, type WorkloadSpec } from './harness.ts';

/** The parts of tfjs's Engine this script touches (not in its public types). */
interface EngineInternals {
  clone(x: tf.Tensor): tf.Tensor;
  makeTensorFromTensorInfo(info: { dataId: object; shape: number[]; dtype: tf.DataType }): tf.Tensor;
  addTapeNode(
    name: string,
    inputs: { x: tf.Tensor },
    outputs: tf.Tensor[],
    grad: (dy: tf.Tensor) => { x: () => tf.Tensor },
    saved: tf.Tensor[],
    attrs: object,
  ): void;
  backend: { incRef(dataId: object): void };
  state: { activeScope: { name: string }; gradientDepth: number };
  profile(f: () => unknown): Promise<unknown>;
}

const { specs, timing, rounds } = abOptions(['dip64-c16-b1', 'dip128-c32-b1', 'resnet20-b32', 'mlp-b64']);

await selectBackend('wasm', () => {});
const engine = tf.engine() as unknown as EngineInternals;
const cloneWithKernel = engine.clone;

/**
 * engine.clone without the Identity kernel call: the same tensor and reference, and clone's tape
 * node where a gradient of a gradient can need it. A tensor saved at gradient depth d is read by
 * the backward pass, which runs at depth d - 1 and is itself recorded only when that is >= 1; so
 * at depth 1 (a plain training step) the node is never on a path from x to y, and the engine
 * would only filter it out again.
 */
function cloneWithoutKernel(this: EngineInternals, x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'string') return cloneWithKernel.call(this, x);
  const y = this.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype });
  this.backend.incRef(x.dataId);
  if (this.state.gradientDepth > 1) {
    this.addTapeNode(this.state.activeScope.name, { x }, [y], (dy) => ({ x: () => tf.cast(dy, 'float32') }), [], {});
  }
  return y;
}

/** A gradient of a gradient (as WGAN-GP's penalty takes): it runs through the clones' tape nodes. */
function secondOrderGradient(): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor1d([0.3, -1.2, 2.0, 0.7]);
    const inner = (v: tf.Tensor) =>
      tf
        .grad((u: tf.Tensor) => u.square().sum().mul(u.exp().sum()))(v)
        .square()
        .sum();
    return tf.grad(inner)(x).dataSync() as Float32Array;
  });
}
engine.clone = cloneWithKernel;
const withKernel = secondOrderGradient();
engine.clone = cloneWithoutKernel;
const withoutKernel = secondOrderGradient();
if (!sameBits(withKernel, withoutKernel)) {
  throw new Error(`second-order gradients differ: [${withKernel.join(', ')}] with the kernel, [${withoutKernel.join(', ')}] without`);
}
console.log(
  `second-order gradient identical with and without the kernel call: [${Array.from(withKernel, (v) => v.toFixed(5)).join(', ')}]`,
);

/** The profiled step's Identity kernel calls, and how many of them engine.clone made. */
async function identityCalls(spec: WorkloadSpec): Promise<{ identity: number; clones: number }> {
  let clones = 0;
  let counting = false;
  const profile = engine.profile;
  engine.clone = function (this: EngineInternals, x: tf.Tensor) {
    if (counting) clones++;
    return cloneWithKernel.call(this, x);
  };
  engine.profile = async function (this: EngineInternals, f: () => unknown) {
    counting = true;
    try {
      return await profile.call(this, f);
    } finally {
      counting = false;
    }
  };
  try {
    const { rows } = await profileStep(spec);
    return { identity: rows.find((r) => r.kernel === 'Identity')?.calls ?? 0, clones };
  } finally {
    engine.clone = cloneWithKernel;
    engine.profile = profile;
  }
}

/** The losses of a workload's first three training steps (a plain gradient, depth 1). */
function losses(spec: WorkloadSpec): number[] {
  const b = build(spec, 0);
  try {
    return [0, 1, 2].map(() => {
      const l = b.step();
      const v = l.dataSync()[0];
      l.dispose();
      return v;
    });
  } finally {
    b.dispose();
  }
}

for (const spec of specs) {
  engine.clone = cloneWithKernel;
  const a = losses(spec);
  engine.clone = cloneWithoutKernel;
  const b = losses(spec);
  engine.clone = cloneWithKernel;
  if (!sameBits(a, b)) throw new Error(`${spec.id}: training losses differ: [${a}] with the kernel, [${b}] without`);
  const { identity, clones } = await identityCalls(spec);
  console.log(
    `${spec.id}: 3 training steps' losses identical; ${identity} Identity kernel calls in a step, ${clones} of them engine.clone's`,
  );
  abRounds(
    spec,
    timing,
    rounds,
    { name: 'Identity kernel', use: () => (engine.clone = cloneWithKernel) },
    { name: 'no kernel', use: () => (engine.clone = cloneWithoutKernel) },
  );
}
