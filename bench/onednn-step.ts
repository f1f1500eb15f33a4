/**
 * Training steps of the convolutional workloads with the wasm backend's convolutions on OpenBLAS
 * (im2col + sgemm) and on oneDNN (@claimlab/onednn, which selectBackend uses where it loads), one
 * process, in rounds of A then B (ab-rounds.ts: the speed-up is the median of the rounds' ratios;
 * not a test; issue 19):
 *   npx tsx bench/onednn-step.ts [--quick] [--rounds N] [workload ...]
 * Prints ms per step for each round, the median, smallest and largest ratio, and which convolution
 * shapes went to oneDNN (withOneDnnConvolutions' channel rule) with oneDNN's implementation.
 */
import { selectBackend } from '@claimlab/backend';
import { loadNativeBlas, lastNativeError, type NativeBlas } from '@claimlab/native';
import { lastOneDnnError, loadOneDnn, prefersOneDnn, withOneDnnConvolutions } from '@claimlab/onednn';
// Switching kernels inside one process is for benchmarks; @claimlab/backend does not export it.
import { registerNativeWasmKernels, unregisterNativeWasmKernels } from '../libs/backend/src/native-kernels.ts';
import { build } from './harness.ts';
import { abOptions, abRounds } from './ab-rounds.ts';

const { specs, timing, rounds } = abOptions([
  'cnn-b64',
  'resnet20-b32',
  'resnet20-noshort-b32',
  'dip128-b1',
  'dip64-c16-b1',
  'dip128-c32-b1',
]);

await selectBackend('wasm', () => {});
const blas = loadNativeBlas();
const dnnl = loadOneDnn();
if (blas === null) throw new Error(`native BLAS unavailable: ${lastNativeError()}`);
if (dnnl === null) throw new Error(`oneDNN unavailable: ${lastOneDnnError()} (apt-get install -y libdnnl-dev)`);
console.log(
  `oneDNN ${dnnl.info().version}, ${dnnl.getThreads()} thread(s); OpenBLAS ${blas.info().corename}, ${blas.getThreads()} thread(s)`,
);

for (const spec of specs) {
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

  const use = (kernels: NativeBlas) => () => {
    unregisterNativeWasmKernels();
    registerNativeWasmKernels(kernels);
  };
  abRounds(spec, timing, rounds, { name: 'OpenBLAS', use: use(blas) }, { name: 'oneDNN', use: use(withOneDnnConvolutions(blas, dnnl)) });
}
