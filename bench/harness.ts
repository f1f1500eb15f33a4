/**
 * Training-step throughput harness (a benchmark, not a test: nothing here asserts a speed).
 *
 * A workload is a serialisable description of a model, its input and its batch size, so the
 * same list can be handed to bench/torch_bench.py. Throughput is samples per second of full
 * SGD steps (forward, backward, optimizer update) on one fixed batch, after warm-up steps,
 * as the median over several timed windows; the only host sync is at the end of a window.
 * FLOPs are counted analytically from the model's conv and dense layers (multiply-adds of
 * the forward pass), and a training step counts as 3 x forward (forward + two backward
 * products: input gradient and weight gradient) x 2 FLOPs per multiply-add. Batch norm,
 * activations, pooling, padding, upsampling and the optimizer update are not counted.
 */
import { performance } from 'node:perf_hooks';
import { Rng } from '@claimlab/core';
import { tf } from '@claimlab/backend';
import { Adam, cifarResNet, glorotUniform, MomentumSgd, mlp, skipHourglass } from '@claimlab/models';

export type WorkloadSpec =
  | { id: string; kind: 'mlp'; batch: number; inputShape: number[]; hidden: number[]; classes: number }
  | {
      id: string;
      kind: 'cnn';
      batch: number;
      inputShape: [number, number, number];
      filters: [number, number];
      kernel: number;
      fc: number;
      classes: number;
    }
  | { id: string; kind: 'resnet'; batch: number; depth: number; width: number; shortcuts: boolean; classes: number }
  | { id: string; kind: 'dip'; batch: number; size: number; inputDepth: number; channels: number; skip: number; scales: number };

const mlpSpec = (batch: number): WorkloadSpec => ({
  id: `mlp-b${batch}`,
  kind: 'mlp',
  batch,
  inputShape: [28, 28, 1],
  hidden: [512],
  classes: 10,
});

/** The bench workloads (issue 3): what the experiments train. */
export const WORKLOADS: WorkloadSpec[] = [
  mlpSpec(64),
  mlpSpec(256),
  mlpSpec(1024),
  // conv16-pool-conv32-pool-fc512 on 28x28x1: 5x5 'same' convs with ReLU, 2x2 max-pools.
  { id: 'cnn-b64', kind: 'cnn', batch: 64, inputShape: [28, 28, 1], filters: [16, 32], kernel: 5, fc: 512, classes: 10 },
  { id: 'resnet20-b32', kind: 'resnet', batch: 32, depth: 20, width: 1, shortcuts: true, classes: 10 },
  { id: 'resnet20-noshort-b32', kind: 'resnet', batch: 32, depth: 20, width: 1, shortcuts: false, classes: 10 },
  // Ulyanov et al.'s skip hourglass (5 scales, 128/128/4, input depth 32) on one 128x128 image.
  { id: 'dip128-b1', kind: 'dip', batch: 1, size: 128, inputDepth: 32, channels: 128, skip: 4, scales: 5 },
  // The hourglasses deep-image-prior trains: quick (16 channels at 64 px) and extended (32 at 128 px).
  { id: 'dip64-c16-b1', kind: 'dip', batch: 1, size: 64, inputDepth: 32, channels: 16, skip: 4, scales: 5 },
  { id: 'dip128-c32-b1', kind: 'dip', batch: 1, size: 128, inputDepth: 32, channels: 32, skip: 4, scales: 5 },
];

export function findWorkloads(ids: string[] | undefined): WorkloadSpec[] {
  if (!ids || ids.length === 0) return WORKLOADS;
  return ids.map((id) => {
    const w = WORKLOADS.find((x) => x.id === id);
    if (!w) throw new Error(`Unknown workload '${id}'. Known: ${WORKLOADS.map((x) => x.id).join(', ')}`);
    return w;
  });
}

export interface Built {
  model: tf.LayersModel;
  x: tf.Tensor;
  /** One-hot labels for classifiers, the target image for the DIP. */
  y: tf.Tensor;
  optimizer: tf.Optimizer;
  /** One training step; returns the loss (the caller disposes it; reading it is a host sync). */
  step(): tf.Scalar;
  dispose(): void;
}

function buildModel(spec: WorkloadSpec, rng: Rng): tf.LayersModel {
  switch (spec.kind) {
    case 'mlp':
      return mlp({ inputShape: spec.inputShape, hidden: spec.hidden, numClasses: spec.classes, rng });
    case 'cnn': {
      const m = tf.sequential({ name: 'bench_cnn' });
      spec.filters.forEach((filters, i) => {
        m.add(
          tf.layers.conv2d({
            ...(i === 0 ? { inputShape: spec.inputShape } : {}),
            filters,
            kernelSize: spec.kernel,
            padding: 'same',
            activation: 'relu',
            kernelInitializer: glorotUniform(rng),
          }),
        );
        m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
      });
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: spec.fc, activation: 'relu', kernelInitializer: glorotUniform(rng) }));
      m.add(tf.layers.dense({ units: spec.classes, kernelInitializer: glorotUniform(rng) }));
      return m;
    }
    case 'resnet':
      return cifarResNet({ depth: spec.depth, numClasses: spec.classes, rng, widthMultiplier: spec.width, shortcuts: spec.shortcuts });
    case 'dip': {
      const c = (v: number) => new Array<number>(spec.scales).fill(v);
      return skipHourglass({
        rng,
        size: [spec.size, spec.size],
        inputDepth: spec.inputDepth,
        channelsDown: c(spec.channels),
        channelsUp: c(spec.channels),
        channelsSkip: c(spec.skip),
      });
    }
  }
}

/** Input shape of one sample (NHWC without the batch). */
export function sampleShape(spec: WorkloadSpec): number[] {
  switch (spec.kind) {
    case 'mlp':
    case 'cnn':
      return spec.inputShape;
    case 'resnet':
      return [32, 32, 3];
    case 'dip':
      return [spec.size, spec.size, spec.inputDepth];
  }
}

/** Builds the model, a fixed random batch and the optimizer the experiments use (SGD+momentum; Adam for the DIP). */
export function build(spec: WorkloadSpec, seed = 0): Built {
  const rng = new Rng(seed);
  const model = buildModel(spec, rng.fork('model'));
  const shape = [spec.batch, ...sampleShape(spec)];
  const dataRng = rng.fork('data');
  const size = shape.reduce((a, b) => a * b, 1);
  const x = spec.kind === 'dip' ? tf.tensor(dataRng.uniformArray(size, 0, 0.1), shape) : tf.tensor(dataRng.normalArray(size), shape);
  let y: tf.Tensor;
  if (spec.kind === 'dip') {
    y = tf.tensor(dataRng.uniformArray(spec.batch * spec.size * spec.size * 3), [spec.batch, spec.size, spec.size, 3]);
  } else {
    const labels = Int32Array.from({ length: spec.batch }, () => dataRng.int(spec.classes));
    y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), spec.classes));
  }
  // The experiments' optimizers (libs/models: tfjs's, one kernel per variable and step).
  const optimizer = spec.kind === 'dip' ? new Adam(0.01, 0.9, 0.999) : new MomentumSgd(0.01, 0.9);
  const lossFn =
    spec.kind === 'dip'
      ? (pred: tf.Tensor) => tf.losses.meanSquaredError(y, pred) as tf.Scalar
      : (pred: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, pred) as tf.Scalar;
  return {
    model,
    x,
    y,
    optimizer,
    step: () => tf.tidy(() => optimizer.minimize(() => lossFn(model.apply(x, { training: true }) as tf.Tensor), true)!),
    dispose() {
      optimizer.dispose();
      // tfjs 4.22's Momentum/Adam dispose() leave scalars they keep (learning rate, betas) behind.
      for (const k of ['c', 'accBeta1', 'accBeta2']) (optimizer as unknown as Record<string, tf.Tensor | undefined>)[k]?.dispose?.();
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}

/**
 * Multiply-adds of one forward pass for one sample, from the conv2d and dense layers
 * (conv: out_h * out_w * k_h * k_w * c_in * c_out; dense: in * out per position).
 */
export function forwardMacsPerSample(model: tf.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'Conv2D' && cls !== 'Dense') continue;
    const kernel = layer.getWeights()[0];
    const out = layer.outputShape as (number | null)[];
    const positions = out.slice(1, -1).reduce<number>((a, b) => a * (b ?? NaN), 1);
    macs += positions * kernel.shape.reduce((a, b) => a * b, 1);
  }
  if (!Number.isFinite(macs)) throw new Error(`forwardMacsPerSample: model ${model.name} has layers of unknown output size`);
  return macs;
}

/** FLOPs of one training step: 3 x forward multiply-adds x 2 x batch. */
export function trainFlopsPerStep(model: tf.LayersModel, batch: number): number {
  return 3 * 2 * forwardMacsPerSample(model) * batch;
}

export interface TimingOptions {
  warmupSteps: number;
  windows: number;
  /** Each window runs at least this long (and at least one step). */
  minWindowMs: number;
}

export const FULL_TIMING: TimingOptions = { warmupSteps: 3, windows: 5, minWindowMs: 1500 };
export const QUICK_TIMING: TimingOptions = { warmupSteps: 2, windows: 3, minWindowMs: 500 };

export interface Measurement {
  workload: string;
  kind: string;
  batch: number;
  forwardMacsPerSample: number;
  trainFlopsPerStep: number;
  params: number;
  warmupSteps: number;
  windows: number;
  stepsPerWindow: number;
  stepMsMedian: number;
  stepMsMin: number;
  stepMsMax: number;
  samplesPerS: number;
  gflops: number;
  /**
   * CPU seconds this process used per wall-clock second over the timed windows: below 1 (for one
   * thread) when other processes took the core part of the time.
   */
  cpuPerWall: number;
  /** tf.memory().numTensors after the warm-up minus after the last window: 0 = no leak. */
  leakedTensors: number;
  /** numTensors after each window (constant when nothing leaks). */
  tensorsPerWindow: number[];
}

export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `steps` training steps and syncs once on the last loss. */
function runSteps(b: Built, steps: number): void {
  let last: tf.Scalar | null = null;
  for (let i = 0; i < steps; i++) {
    last?.dispose();
    last = b.step();
  }
  last?.dataSync();
  last?.dispose();
}

export function measure(spec: WorkloadSpec, timing: TimingOptions, seed = 0): Measurement {
  const b = build(spec, seed);
  try {
    const flops = trainFlopsPerStep(b.model, spec.batch);
    const t0 = performance.now();
    runSteps(b, timing.warmupSteps);
    const warmMs = (performance.now() - t0) / Math.max(1, timing.warmupSteps);
    // Steps per window from the warm-up speed, so every window lasts about minWindowMs.
    const stepsPerWindow = Math.max(1, Math.ceil(timing.minWindowMs / Math.max(warmMs, 1e-3)));
    const before = tf.memory().numTensors;
    const stepMs: number[] = [];
    const tensorsPerWindow: number[] = [];
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    for (let w = 0; w < timing.windows; w++) {
      const s = performance.now();
      runSteps(b, stepsPerWindow);
      stepMs.push((performance.now() - s) / stepsPerWindow);
      tensorsPerWindow.push(tf.memory().numTensors);
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuPerWall = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
    const ms = median(stepMs);
    return {
      cpuPerWall,
      workload: spec.id,
      kind: spec.kind,
      batch: spec.batch,
      forwardMacsPerSample: forwardMacsPerSample(b.model),
      trainFlopsPerStep: flops,
      params: b.model.countParams(),
      warmupSteps: timing.warmupSteps,
      windows: timing.windows,
      stepsPerWindow,
      stepMsMedian: ms,
      stepMsMin: Math.min(...stepMs),
      stepMsMax: Math.max(...stepMs),
      samplesPerS: (spec.batch * 1000) / ms,
      gflops: flops / ms / 1e6,
      leakedTensors: tensorsPerWindow[tensorsPerWindow.length - 1] - before,
      tensorsPerWindow,
    };
  } finally {
    b.dispose();
  }
}

export interface ProfileRow {
  kernel: string;
  calls: number;
  total_ms: number;
  /** Share of the step's wall time; rows with nested = 1 are not part of the sum. */
  share: number;
  /**
   * 1 for custom-gradient ops (names ending in '__op', e.g. fusedConv2d__op): tfjs records them
   * like kernels, but their time includes the kernels they run (FusedConv2D, ...), which are
   * recorded too. Their share overlaps the other rows'.
   */
  nested: number;
}

/**
 * Per-kernel time of one training step (after one warm-up step) with tf.profile. Kernels the
 * project registers that call other kernels directly appear under their own name. The row
 * '(outside kernels)' is the step's wall time not spent in any kernel (JS, autograd, tidy,
 * profiling itself); the shares of the rows with nested = 0 add up to 1.
 */
export async function profileStep(spec: WorkloadSpec, seed = 0): Promise<{ rows: ProfileRow[]; wallMs: number }> {
  const b = build(spec, seed);
  try {
    runSteps(b, 1);
    const t0 = performance.now();
    const info = await tf.profile(() => {
      const l = b.step();
      l.dataSync();
      l.dispose();
    });
    const wallMs = performance.now() - t0;
    const agg = new Map<string, { calls: number; ms: number }>();
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0; // {error} when the backend has no timer
      const e = agg.get(k.name) ?? { calls: 0, ms: 0 };
      e.calls++;
      e.ms += Number.isFinite(ms) ? ms : 0;
      agg.set(k.name, e);
    }
    const isNested = (name: string) => name.endsWith('__op');
    const kernelMs = [...agg.entries()].filter(([n]) => !isNested(n)).reduce((s, [, e]) => s + e.ms, 0);
    const total = Math.max(wallMs, kernelMs);
    const rows: ProfileRow[] = [...agg.entries()]
      .map(([kernel, e]) => ({
        kernel,
        calls: e.calls,
        total_ms: round(e.ms, 3),
        share: round(e.ms / total, 4),
        nested: isNested(kernel) ? 1 : 0,
      }))
      .sort((a, b2) => b2.total_ms - a.total_ms);
    rows.push({
      kernel: '(outside kernels)',
      calls: 0,
      total_ms: round(total - kernelMs, 3),
      share: round((total - kernelMs) / total, 4),
      nested: 0,
    });
    return { rows, wallMs };
  } finally {
    b.dispose();
  }
}

export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** GFLOP/s of an n x n by n x n matmul (2 n^3 FLOPs), median of windows. */
export function matmulGflops(n: number, timing: TimingOptions): number {
  const rng = new Rng('matmul');
  const a = tf.tensor2d(rng.normalArray(n * n), [n, n]);
  const bm = tf.tensor2d(rng.normalArray(n * n), [n, n]);
  const once = () => tf.matMul(a, bm).dispose();
  try {
    const t0 = performance.now();
    for (let i = 0; i < timing.warmupSteps; i++) once();
    tf.matMul(a, bm).dataSync();
    const warm = (performance.now() - t0) / Math.max(1, timing.warmupSteps);
    const reps = Math.max(1, Math.ceil(timing.minWindowMs / Math.max(warm, 1e-3)));
    const ms: number[] = [];
    for (let w = 0; w < timing.windows; w++) {
      const s = performance.now();
      for (let i = 0; i < reps - 1; i++) once();
      tf.matMul(a, bm).dataSync();
      ms.push((performance.now() - s) / reps);
    }
    return (2 * n ** 3) / median(ms) / 1e6;
  } finally {
    tf.dispose([a, bm]);
  }
}

/** Columns of results/bench/results.csv, in order. */
export const RESULT_COLUMNS = [
  'workload',
  'kind',
  'backend',
  'threads',
  'batch',
  'processes',
  'params',
  'forward_macs_per_sample',
  'train_flops_per_step',
  'warmup_steps',
  'windows',
  'steps_per_window',
  'step_ms_median',
  'samples_per_s',
  'ours_1thread_samples_per_s',
  'gflops',
  'fraction_of_matmul_peak',
  'torch_samples_per_s',
  'torch_gflops',
  'torch_threads',
  'torch_1thread_samples_per_s',
  'torch_all_threads_samples_per_s',
  'cpu_per_wall',
  'torch_cpu_per_wall',
  'ratio',
  'ratio_1thread',
  'torch_sweep_samples_per_s',
  'ratio_to_torch_sweep',
  'leaked_tensors',
  'loadavg_1m',
];

export const PROFILE_COLUMNS = ['kernel', 'calls', 'total_ms', 'share', 'nested'];
