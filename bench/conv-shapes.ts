/**
 * The three convolution kernels of a ResNet-20 training step on our backend, one kernel at a time
 * (not a test; issue 19's baseline for oneDNN, measured against bench/onednn-conv.c):
 *   npx tsx bench/conv-shapes.ts
 * Batch 32, 3x3, stride 1, 'same' padding, C -> C channels at the three stages' sizes (32x32x16,
 * 16x16x32, 8x8x64), NHWC; prints ms per call and GFLOP/s (2 * N * H * W * C * C * 9 per call).
 */
import { selectBackend, tf } from '@claimlab/backend';

const info = await selectBackend(undefined, () => {});
console.log(`backend: ${info.provider}`);
const N = 32;
for (const [H, C] of [
  [32, 16],
  [16, 32],
  [8, 64],
]) {
  const x = tf.randomNormal([N, H, H, C]);
  const filter = tf.randomNormal([3, 3, C, C]);
  const dy = tf.randomNormal([N, H, H, C]);
  const conv = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] };
  const run = (kernel: string, inputs: Record<string, tf.Tensor>, attrs: object) => () =>
    tf.engine().runKernel(kernel, inputs as never, attrs as never) as tf.Tensor;
  const kernels: [string, () => tf.Tensor][] = [
    ['forward', run('Conv2D', { x, filter }, conv)],
    ['input gradient', run('Conv2DBackpropInput', { dy, filter }, { ...conv, inputShape: [N, H, H, C] })],
    ['filter gradient', run('Conv2DBackpropFilter', { x, dy }, { ...conv, filterShape: [3, 3, C, C] })],
  ];
  const flops = 2 * N * H * H * C * C * 9;
  const cells = kernels.map(([name, f]) => {
    for (let i = 0; i < 3; i++) f().dispose();
    let reps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 1000) {
      const y = f();
      y.dataSync();
      y.dispose();
      reps++;
    }
    const ms = (performance.now() - t0) / reps;
    return `${name} ${ms.toFixed(2)} ms ${(flops / ms / 1e6).toFixed(1)} GFLOP/s`;
  });
  console.log(`${H}x${H}x${C}: ${cells.join(', ')}`);
  tf.dispose([x, filter, dy]);
}
