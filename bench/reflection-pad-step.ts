/**
 * Training steps of the hourglass workloads with reflection padding composed of slice / reverse /
 * concat (24 kernel calls per padding) and as the two kernels of @claimlab/backend's
 * reflectionPad2d, one process, in rounds of A then B (ab-rounds.ts; not a test; issue 19):
 *   npx tsx bench/reflection-pad-step.ts [--quick] [--rounds N] [workload ...]
 * The composite runs where the backward kernel is not registered (ReflectionPad2D falls back to it).
 */
import * as tf from '@tensorflow/tfjs';
import { REFLECTION_PAD_GRAD, registerReflectionPadGrad, selectBackend } from '@claimlab/backend';
import { abOptions, abRounds } from './ab-rounds.ts';

const { specs, timing, rounds } = abOptions(['dip64-c16-b1', 'dip128-c32-b1', 'dip128-b1']);

await selectBackend('wasm', () => {});
for (const spec of specs) {
  console.log(spec.id);
  abRounds(
    spec,
    timing,
    rounds,
    {
      name: 'composite',
      use: () => {
        if (tf.getKernel(REFLECTION_PAD_GRAD, 'wasm') != null) tf.unregisterKernel(REFLECTION_PAD_GRAD, 'wasm');
      },
    },
    { name: 'kernels', use: registerReflectionPadGrad },
  );
}
