/**
 * Speed check for the kernels in wasm-kernels.ts (not a test):
 *   node --import tsx bench/wasm-kernels-bench.ts [matmul] [batched] [conv] [pool] [train] [--cpu]
 * (no section named: all; --cpu also times the cpu backend on the conv cases, several minutes).
 * Prints ms per call and GFLOP/s (2*M*N*K per matmul, 2*outputs*fh*fw*Cin per conv) for the
 * original wasm kernels against the claimlab ones, alternative GEMM routes, and ms per
 * training step of a small MLP and CNN with and without the claimlab kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { originalWasmKernels, registerWasmKernels } from '@claimlab/backend/wasm-kernels';

registerWasmKernels();
await tf.setBackend('wasm');
await tf.ready();
const args = process.argv.slice(2);
const sections = args.filter((a) => !a.startsWith('--'));
const want = (name: string) => sections.length === 0 || sections.includes(name);
const withCpu = args.includes('--cpu');
const backend = tf.backend() as tf.KernelBackend & { disposeData(id: object): boolean };

function time(f: () => void, minMs = 300, maxReps = 50): number {
  f();
  f();
  let reps = 0;
  const t0 = performance.now();
  while (reps < maxReps && (reps < 3 || performance.now() - t0 < minMs)) {
    f();
    reps++;
  }
  return (performance.now() - t0) / reps;
}
/** One timed call, no warm-up (for the very slow cpu kernel). */
function once(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}
function report(name: string, flops: number, ms: number): void {
  console.log(`${name.padEnd(58)} ${ms.toFixed(2).padStart(8)} ms ${(flops / ms / 1e6).toFixed(2).padStart(7)} GFLOP/s`);
}
/** Calls a kernelFunc directly and frees its output. */
function callKernel(f: tf.KernelFunc, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): void {
  const out = f({ inputs, attrs, backend }) as tf.TensorInfo;
  backend.disposeData(out.dataId);
}
/** Runs an op (a fresh operand each call, as in training, where weights change every step). */
function op(f: () => tf.Tensor): () => void {
  return () => tf.tidy(() => f()).dispose();
}

const shapes: [number, number, number][] = [
  [128, 784, 512],
  [512, 128, 784],
  [128, 512, 10],
  [64, 256, 256],
];
const bmm = originalWasmKernels[tf.BatchMatMul]!;
const fmm = originalWasmKernels[tf._FusedMatMul]!;
for (const [m, k, n] of want('matmul') ? shapes : []) {
  console.log(`\n[${m},${k}] x [${k},${n}]`);
  const F = 2 * m * k * n;
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  const aT = tf.transpose(a);
  const bT = tf.transpose(b);
  const a3 = a.reshape([1, m, k]);
  const b3 = b.reshape([1, k, n]);
  const aT3 = aT.reshape([1, k, m]);
  const bT3 = bT.reshape([1, n, k]);
  for (const [tA, tB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const A = tA ? aT : a;
    const B = tB ? bT : b;
    const flags = `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;
    report(
      `BatchMatMul ${flags} original`,
      F,
      time(() => callKernel(bmm, { a: A, b: B }, { transposeA: tA, transposeB: tB })),
    );
    if (tA || tB) report(`BatchMatMul ${flags} wrapper (transpose first)`, F, time(op(() => tf.matMul(A, B, tA, tB))));
  }
  for (const [tA, tB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const A = tA ? aT3 : a3;
    const B = tB ? bT3 : b3;
    const flags = `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;
    const attrs = { transposeA: tA, transposeB: tB, activation: 'linear' } as unknown as tf.NamedAttrMap;
    report(
      `_FusedMatMul ${flags} original`,
      F,
      time(() => callKernel(fmm, { a: A, b: B }, attrs)),
    );
    if (tA || tB)
      report(
        `_FusedMatMul ${flags} wrapper (transpose first)`,
        F,
        time(op(() => tf.fused.matMul({ a: A, b: B, transposeA: tA, transposeB: tB }))),
      );
  }
  // Fresh right operand each call: XNNPACK packs the weights of every new b.
  report(`matMul NN, fresh b each call (+ copy)`, F, time(op(() => tf.matMul(a, tf.add(b, 0)))));
  report(`copy of b alone`, F, time(op(() => tf.add(b, 0))));
  const x4 = a.reshape([1, 1, m, k]) as tf.Tensor4D;
  const w4 = b.reshape([1, 1, k, n]) as tf.Tensor4D;
  report(`conv2d 1x1 as GEMM`, F, time(op(() => tf.conv2d(x4, w4, 1, 'valid'))));
  const x4b = a.reshape([m, 1, 1, k]) as tf.Tensor4D;
  report(`conv2d 1x1 as GEMM (batch = rows)`, F, time(op(() => tf.conv2d(x4b, w4, 1, 'valid'))));
  tf.dispose([a, b, aT, bT, a3, b3, aT3, bT3, x4, w4, x4b]);
}

for (const [ba, bb, m, k, n] of [
  [8, 8, 128, 256, 128],
  [32, 32, 64, 64, 64],
  [64, 64, 16, 64, 16],
  [16, 16, 64, 64, 64],
  [256, 256, 16, 16, 16],
  [8, 1, 128, 256, 128],
] as const) {
  if (!want('batched')) break;
  console.log(`\nbatched [${ba},${m},${k}] x [${bb},${k},${n}]`);
  const F = 2 * Math.max(ba, bb) * m * k * n;
  const a = tf.randomNormal([ba, m, k]);
  const b = tf.randomNormal([bb, k, n]);
  const aT = tf.transpose(a, [0, 2, 1]);
  const bT = tf.transpose(b, [0, 2, 1]);
  for (const [tA, tB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const A = tA ? aT : a;
    const B = tB ? bT : b;
    const flags = `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;
    report(
      `BatchMatMul ${flags} original`,
      F,
      time(() => callKernel(bmm, { a: A, b: B }, { transposeA: tA, transposeB: tB })),
    );
    report(`BatchMatMul ${flags} wrapper`, F, time(op(() => tf.matMul(A, B, tA, tB))));
  }
  tf.dispose([a, b, aT, bT]);
}

if (want('conv')) console.log('\nconv2d forward / backprop (fresh filter each call)');
const convCases: [[number, number, number, number], [number, number, number, number], number, 'same' | 'valid'][] = [
  [[64, 28, 28, 16], [3, 3, 16, 32], 1, 'same'],
  [[64, 28, 28, 1], [5, 5, 1, 32], 1, 'same'],
  [[64, 12, 12, 32], [5, 5, 32, 64], 1, 'valid'],
  [[64, 14, 14, 32], [3, 3, 32, 64], 2, 'same'],
  [[32, 32, 32, 3], [3, 3, 3, 32], 1, 'same'],
  [[128, 8, 8, 64], [3, 3, 64, 64], 1, 'same'],
];
const bpi = originalWasmKernels[tf.Conv2DBackpropInput]!;
for (const [xs, fs, s, pad] of want('conv') ? convCases : []) {
  const x = tf.randomNormal(xs) as tf.Tensor4D;
  const w = tf.randomNormal(fs) as tf.Tensor4D;
  const y = tf.conv2d(x, w, s, pad);
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const F = 2 * y.size * fs[0] * fs[1] * fs[2];
  console.log(`x[${xs}] w[${fs}] stride ${s} ${pad}`);
  const fAttrs = { strides: s, pad, dataFormat: 'NHWC', filterShape: fs } as unknown as tf.NamedAttrMap;
  const iAttrs = { strides: s, pad, dataFormat: 'NHWC', inputShape: xs } as unknown as tf.NamedAttrMap;
  report(`  conv2d forward`, F, time(op(() => tf.conv2d(x, tf.add(w, 0) as tf.Tensor4D, s, pad))));
  report(
    `  Conv2DBackpropInput original wasm`,
    F,
    time(() => callKernel(bpi, { dy, filter: w }, iAttrs)),
  );
  report(
    `  Conv2DBackpropInput claimlab (conv2d of flipped filter)`,
    F,
    time(op(() => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, iAttrs) as tf.Tensor)),
  );
  report(
    `  Conv2DBackpropFilter claimlab (conv route; im2col if Cin<=4)`,
    F,
    time(op(() => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, fAttrs) as tf.Tensor)),
  );
  if (!withCpu) {
    tf.dispose([x, w, y, dy]);
    continue;
  }
  await tf.setBackend('cpu');
  const xc = tf.tensor(x.dataSync(), x.shape) as tf.Tensor4D;
  const dyc = tf.tensor(dy.dataSync(), dy.shape) as tf.Tensor4D;
  report(
    `  Conv2DBackpropFilter cpu backend`,
    F,
    once(op(() => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: xc, dy: dyc }, fAttrs) as tf.Tensor)),
  );
  tf.dispose([xc, dyc]);
  await tf.setBackend('wasm');
  tf.dispose([x, w, y, dy]);
}

if (want('pool')) {
  console.log('\nMaxPoolGrad: original wasm kernel (wrong where a window is all <= 0) vs claimlab JS');
  const mpg = originalWasmKernels[tf.MaxPoolGrad]!;
  for (const [xs, k, s] of [
    [[64, 28, 28, 32], 2, 2],
    [[64, 14, 14, 64], 2, 2],
    [[32, 15, 15, 16], 3, 2],
  ] as [[number, number, number, number], number, number][]) {
    const x = tf.randomNormal(xs) as tf.Tensor4D;
    const y = tf.maxPool(x, k, s, 'valid');
    const dy = tf.randomNormal(y.shape);
    const attrs = { filterSize: k, strides: s, pad: 'valid' } as unknown as tf.NamedAttrMap;
    const t0 = time(() => callKernel(mpg, { dy, input: x, output: y }, attrs));
    const t1 = time(op(() => tf.engine().runKernel(tf.MaxPoolGrad, { dy, input: x, output: y }, attrs) as tf.Tensor));
    console.log(`  x[${xs}] pool ${k} stride ${s}: original ${t0.toFixed(2)} ms, claimlab ${t1.toFixed(2)} ms`);
    tf.dispose([x, y, dy]);
  }
}

/** Swaps the registered wasm kernels for the given kernelFuncs; returns the previous ones. */
function swapKernels(funcs: Record<string, tf.KernelFunc>): Record<string, tf.KernelFunc> {
  const previous: Record<string, tf.KernelFunc> = {};
  for (const [name, kernelFunc] of Object.entries(funcs)) {
    previous[name] = tf.getKernel(name, 'wasm').kernelFunc;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
  return previous;
}

if (want('train')) {
  console.log('\ntraining steps (tf.layers, SGD, trainOnBatch), ms per step');
  const mlp = () => {
    const m = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }),
        tf.layers.dense({ units: 512, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
    return { model: m, x: tf.randomNormal([128, 784]), y: tf.oneHot(tf.randomUniform([128], 0, 10, 'int32') as tf.Tensor1D, 10) };
  };
  const cnn = () => {
    const m = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 64, kernelSize: 5, padding: 'same', activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 512, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
    return { model: m, x: tf.randomNormal([64, 28, 28, 1]), y: tf.oneHot(tf.randomUniform([64], 0, 10, 'int32') as tf.Tensor1D, 10) };
  };
  const step = async (make: typeof mlp, reps: number) => {
    const { model, x, y } = make();
    await model.trainOnBatch(x, y);
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await model.trainOnBatch(x, y);
    const ms = (performance.now() - t0) / reps;
    model.dispose();
    tf.dispose([x, y]);
    return ms;
  };
  console.log(`  MLP 784-512-512-10, batch 128, wasm + claimlab kernels: ${(await step(mlp, 10)).toFixed(1)}`);
  console.log(`  CNN (LeNet-like: 5x5x32, 5x5x64, 512), batch 64, wasm + claimlab kernels: ${(await step(cnn, 5)).toFixed(1)}`);
  const ours = swapKernels({
    [tf.BatchMatMul]: originalWasmKernels[tf.BatchMatMul]!,
    [tf._FusedMatMul]: originalWasmKernels[tf._FusedMatMul]!,
    [tf.Conv2DBackpropInput]: originalWasmKernels[tf.Conv2DBackpropInput]!,
    [tf.MaxPoolGrad]: originalWasmKernels[tf.MaxPoolGrad]!,
  });
  console.log(`  MLP, wasm with the original matmul kernels: ${(await step(mlp, 5)).toFixed(1)}`);
  console.log(
    `  CNN, wasm with the original matmul/Conv2DBackpropInput/MaxPoolGrad (claimlab Conv2DBackpropFilter): ${(await step(cnn, 3)).toFixed(1)}`,
  );
  swapKernels(ours);
  await tf.setBackend('cpu');
  console.log(`  MLP, cpu backend: ${(await step(mlp, 3)).toFixed(1)}`);
  if (withCpu) console.log(`  CNN, cpu backend: ${(await step(cnn, 1)).toFixed(1)}`);
  await tf.setBackend('wasm');
}
