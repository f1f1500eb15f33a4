// One fit of the deep image prior: the hourglass maps a fixed random input z to an image and is
// trained (Adam) to reproduce one target. It runs in this process or in a worker process
// (runSweep) with identical results: every random draw comes from Rng streams named by
// the run's master seed and the arm.
import { defineArm, Rng } from '@claimlab/core';
import { tf } from '@claimlab/backend';
import { encodePng } from '@claimlab/datasets';
import { mse, psnrFromMse, ssim } from '@claimlab/metrics';
import { Adam, skipHourglass } from '@claimlab/models';
import type { ResultRow } from './results.ts';
import type { DeepImagePriorConfig, FitTarget } from './config.ts';
import { cleanImage, fitTargetImage, noisyImage } from './data.ts';

/** The settings an arm needs (a subset of the config), plus the resolved image source. */
export type NetSettings = Pick<
  DeepImagePriorConfig,
  | 'imageSize'
  | 'fit'
  | 'noiseSigma'
  | 'channelsDown'
  | 'channelsUp'
  | 'channelsSkip'
  | 'upsampling'
  | 'inputDepth'
  | 'inputScale'
  | 'learningRate'
> & {
  /** Embedded image name or absolute path. */
  imageSource: string;
  masterSeed: number;
};

export type Arm =
  | ({
      kind: 'denoise';
      iterations: number;
      regNoiseStd: number;
      expWeight: number;
      recordEvery: number;
      stopIteration: number;
      snapshotAt: number[];
    } & NetSettings)
  | ({ kind: 'fit'; target: FitTarget; iterations: number; regNoiseStd: number } & NetSettings);

/** An output image saved at an iteration, as base64 PNG (compact over IPC and in the .sweep store). */
export interface Snapshot {
  iteration: number;
  /** 'output': the network's output at that step; 'average': the exponential average of outputs. */
  kind: 'output' | 'average';
  png: string;
}

export interface ArmResult {
  rows: ResultRow[];
  snapshots: Snapshot[];
  seconds: number;
}

/**
 * The network and its input: the same initial weights and the same z for every arm of a run
 * (streams 'net' and 'input' of the master seed), so the targets are fitted by the same network.
 */
export function buildNet(s: NetSettings): { model: tf.LayersModel; z: tf.Tensor4D } {
  const root = new Rng(s.masterSeed);
  const model = skipHourglass({
    rng: root.fork('net'),
    size: [s.imageSize, s.imageSize],
    inputDepth: s.inputDepth,
    outputChannels: 3,
    channelsDown: s.channelsDown,
    channelsUp: s.channelsUp,
    channelsSkip: s.channelsSkip,
    upsampling: s.upsampling as 'bilinear' | 'nearest',
  });
  // The authors' get_noise(input_depth, 'noise', ...): U(0, 1) scaled by var = 1/10.
  const z = tf.tensor4d(root.fork('input').uniformArray(s.imageSize * s.imageSize * s.inputDepth, 0, s.inputScale), [
    1,
    s.imageSize,
    s.imageSize,
    s.inputDepth,
  ]);
  return { model, z };
}

const toPng = (data: Float32Array, size: number): string =>
  encodePng({ name: 'snapshot', width: size, height: size, data }).toString('base64');

/**
 * Fits the network to `target` for `iterations` Adam steps. Each step: z' = z + N(0, regNoiseStd^2)
 * (fresh noise, seeded), out = net(z') with batch norm in training mode (as the authors' code,
 * which never switches to eval), loss = MSE(out, target). `onStep` sees the step's output (before
 * the update) and its loss; iteration numbers start at 1.
 */
export function fitNetwork(
  s: NetSettings,
  target: Float32Array,
  iterations: number,
  regNoiseStd: number,
  streamLabel: string,
  onStep: (iteration: number, loss: number, out: Float32Array) => void,
): void {
  const { model, z } = buildNet(s);
  const targetT = tf.tensor4d(target, [1, s.imageSize, s.imageSize, 3]);
  const opt = new Adam(s.learningRate, 0.9, 0.999); // tf.train.adam's defaults, one kernel per variable
  const regRng = new Rng(s.masterSeed).fork(`reg-noise/${streamLabel}`);
  try {
    for (let it = 1; it <= iterations; it++) {
      const seed = regRng.int(2 ** 31);
      let out: Float32Array | null = null;
      const lossT = tf.tidy((): tf.Scalar => {
        const l = opt.minimize(() => {
          const input = regNoiseStd > 0 ? z.add(tf.randomNormal(z.shape, 0, regNoiseStd, 'float32', seed)) : z;
          const y = model.apply(input, { training: true }) as tf.Tensor;
          out = y.dataSync() as Float32Array;
          return tf.losses.meanSquaredError(targetT, y) as tf.Scalar;
        }, true);
        if (!l) throw new Error('optimizer returned no loss');
        return l;
      });
      const loss = lossT.dataSync()[0];
      lossT.dispose();
      if (!Number.isFinite(loss)) {
        throw new Error(
          `the loss became ${loss} at iteration ${it} (${streamLabel}); lower learningRate (now ${s.learningRate}) with --set learningRate=...`,
        );
      }
      onStep(it, loss, out!);
    }
  } finally {
    opt.dispose();
    targetT.dispose();
    z.dispose();
    model.dispose();
  }
}

export async function runArm(arm: Arm, onProgress: (status: string) => void): Promise<ArmResult> {
  const t0 = Date.now();
  const clean = cleanImage(arm);
  const rows: ResultRow[] = [];
  const snapshots: Snapshot[] = [];
  const size = arm.imageSize;
  const every = (it: number, n: number) => it === 1 || it === arm.iterations || it % n === 0;

  if (arm.kind === 'fit') {
    const target = fitTargetImage(arm.target, clean, arm.noiseSigma, arm.masterSeed);
    fitNetwork(arm, target.data, arm.iterations, arm.regNoiseStd, `fit/${arm.target}`, (it, loss) => {
      rows.push({ run: 'fit', target: arm.target, iteration: it, metric: 'loss', value: loss });
      if (every(it, 50)) onProgress(`fit ${arm.target} ${it}/${arm.iterations} mse ${loss.toFixed(5)}`);
    });
    return { rows, snapshots, seconds: (Date.now() - t0) / 1000 };
  }

  const noisy = noisyImage(clean, arm.noiseSigma, arm.masterSeed);
  const row = (iteration: number, metric: string, value: number) =>
    rows.push({ run: 'denoise', target: 'image+noise', iteration, metric, value });
  const ssimOf = (x: Float32Array) => ssim(clean.data, x, size, size, 3);
  row(0, 'psnr_input', psnrFromMse(mse(clean.data, noisy.data)));
  row(0, 'ssim_input', ssimOf(noisy.data));
  let avg: Float32Array | null = null;
  const w = arm.expWeight;
  fitNetwork(arm, noisy.data, arm.iterations, arm.regNoiseStd, 'denoise', (it, loss, out) => {
    if (avg === null) avg = out.slice();
    else for (let i = 0; i < avg.length; i++) avg[i] = w * avg[i] + (1 - w) * out[i];
    const snapshot = arm.snapshotAt.includes(it) || it === arm.stopIteration;
    if (every(it, arm.recordEvery) || snapshot) {
      row(it, 'loss', loss);
      row(it, 'psnr_gt', psnrFromMse(mse(clean.data, out)));
      row(it, 'psnr_noisy', psnrFromMse(mse(noisy.data, out)));
      row(it, 'psnr_gt_avg', psnrFromMse(mse(clean.data, avg)));
    }
    if (it === arm.stopIteration) {
      row(it, 'ssim_gt', ssimOf(out));
      row(it, 'ssim_gt_avg', ssimOf(avg));
    }
    if (snapshot) {
      snapshots.push({ iteration: it, kind: 'output', png: toPng(out, size) });
      if (it === arm.stopIteration) snapshots.push({ iteration: it, kind: 'average', png: toPng(avg, size) });
    }
    if (every(it, 50)) onProgress(`denoise ${it}/${arm.iterations} psnr ${psnrFromMse(mse(clean.data, out)).toFixed(2)} dB`);
  });
  return { rows, snapshots, seconds: (Date.now() - t0) / 1000 };
}

/** The sweep's arm runner, imported by main.ts. */
export const imageFit = defineArm(import.meta.url, runArm);
