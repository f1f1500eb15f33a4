/**
 * Training steps of the hourglass workloads with reflection padding composed of slice / reverse /
 * concat (24 kernel calls per padding) and as the two kernels of @claimlab/backend's
 * reflectionPad2d, one process, in rounds of A then B (ab-rounds.ts; not a test; issue 19):
 *   npx tsx bench/reflection-pad-step.ts [--quick] [--rounds N] [workload ...]
 * The composite runs where the backward kernel is not registered (ReflectionPad2D falls back to it).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { REFLECTION_PAD_GRAD, registerReflectionPadGrad, selectBackend } from '@claimlab/backend';
import { findWorkloads, FULL_TIMING, QUICK_TIMING } from './harness.ts';
import { abRounds } from './ab-rounds.ts';

const { values, positionals } = parseArgs({
  options: { quick: { type: 'boolean' }, rounds: { type: 'string', default: '5' } },
  allowPositionals: true,
});
const ids = positionals.length ? positionals : ['dip64-c16-b1', 'dip128-c32-b1', 'dip128-b1'];
const timing = values.quick ? QUICK_TIMING : FULL_TIMING;

await selectBackend('wasm', () => {});
for (const spec of findWorkloads(ids)) {
  console.log(spec.id);
  abRounds(
    spec,
    timing,
    Number(values.rounds),
    {
      name: 'composite',
      use: () => {
        if (tf.getKernel(REFLECTION_PAD_GRAD, 'wasm') != null) tf.unregisterKernel(REFLECTION_PAD_GRAD, 'wasm');
      },
    },
    { name: 'kernels', use: registerReflectionPadGrad },
  );
}
