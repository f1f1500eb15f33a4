/**
 * Training steps of the convolutional workloads with the wasm backend's convolutions on OpenBLAS
 * (im2col + sgemm) and on oneDNN (@claimlab/onednn, which selectBackend uses where it loads), one
 * process, in rounds of A then B, so that both halves of a round see the same machine; the speed-up
 * is the median over rounds of each round's ratio, which a drift in the machine's speed (this VM's
 * varies by 20% from minute to minute) moves less than a ratio of medians (not a test; issue 19):
 *   npx tsx bench/onednn-step.ts [--quick] [--rounds N] [workload ...]
 * Prints ms per step for each round, the median, smallest and largest ratio, and which convolution
 * shapes went to oneDNN (withOneDnnConvolutions' channel rule) with oneDNN's implementation.
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '@claimlab/backend';
import { loadNativeBlas, lastNativeError, type NativeBlas } from '@claimlab/native';
import { lastOneDnnError, loadOneDnn, prefersOneDnn, withOneDnnConvolutions } from '@claimlab/onednn';
// Switching kernels inside one process is for benchmarks; @claimlab/backend does not export it.
import { registerNativeWasmKernels, unregisterNativeWasmKernels } from '../libs/backend/src/native-kernels.ts';
import { build, findWorkloads, FULL_TIMING, measure, median, QUICK_TIMING } from './harness.ts';

const { values, positionals } = parseArgs({
  options: { quick: { type: 'boolean' }, rounds: { type: 'string', default: '5' } },
  allowPositionals: true,
});
const ids = positionals.length
  ? positionals
  : ['cnn-b64', 'resnet20-b32', 'resnet20-noshort-b32', 'dip128-b1', 'dip64-c16-b1', 'dip128-c32-b1'];
const timing = values.quick ? QUICK_TIMING : FULL_TIMING;
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds must be an integer >= 1, got '${values.rounds}'`);

await selectBackend('wasm', () => {});
const blas = loadNativeBlas();
const dnnl = loadOneDnn();
if (blas === null) throw new Error(`native BLAS unavailable: ${lastNativeError()}`);
if (dnnl === null) throw new Error(`oneDNN unavailable: ${lastOneDnnError()} (apt-get install -y libdnnl-dev)`);
const modes: [string, NativeBlas][] = [
  ['openblas', blas],
  ['onednn', withOneDnnConvolutions(blas, dnnl)],
];
console.log(
  `oneDNN ${dnnl.info().version}, ${dnnl.getThreads()} thread(s); OpenBLAS ${blas.info().corename}, ${blas.getThreads()} thread(s)`,
);

for (const spec of findWorkloads(ids)) {
  // The convolutions of one step, and where each goes.
  const shapes = new Map<string, string>();
  const spy: NativeBlas = {
    ...blas,
    conv2d: (kind, geom, ...rest) => {
      const where = prefersOneDnn(geom) ? `oneDNN ${dnnl.convImpl(kind, geom, rest[3] !== null, rest[4], rest[5])}` : 'OpenBLAS';
      shapes.set(`kind ${kind} ${geom.slice(0, 9).join('x')} s${geom[9]}`, where);
      blas.conv2d(kind, geom, ...rest);
    },
  };
  unregisterNativeWasmKernels();
  registerNativeWasmKernels(spy);
  const b = build(spec);
  b.step().dispose();
  b.dispose();
  const toOneDnn = [...shapes.values()].filter((w) => w.startsWith('oneDNN')).length;
  const impls = [...new Set([...shapes.values()].filter((w) => w.startsWith('oneDNN')))].join(', ');
  console.log(`${spec.id}: ${shapes.size} distinct convolutions per step, ${toOneDnn} to oneDNN (${impls || 'none'})`);

  const ms: Record<string, number[]> = { openblas: [], onednn: [] };
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, kernels] of modes) {
      unregisterNativeWasmKernels();
      registerNativeWasmKernels(kernels);
      ms[name].push(measure(spec, timing).stepMsMedian);
    }
    ratios.push(ms.openblas[round] / ms.onednn[round]);
    console.log(
      `  round ${round + 1}: OpenBLAS ${ms.openblas[round].toFixed(1)} ms/step, oneDNN ${ms.onednn[round].toFixed(1)}, ratio ${ratios[round].toFixed(2)}`,
    );
  }
  console.log(
    `  median: OpenBLAS ${median(ms.openblas).toFixed(1)} ms, oneDNN ${median(ms.onednn).toFixed(1)} ms; speed-up ${median(ratios).toFixed(2)}x ` +
      `(rounds ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
  );
}
