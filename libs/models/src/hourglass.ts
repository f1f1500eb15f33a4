import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@claimlab/core';
import { reflectionPad2d } from '@claimlab/backend';
import { batchNormalization } from './batch-norm.ts';

/**
 * Reflection padding of the two spatial axes of an NHWC tensor (PyTorch's ReflectionPad2d,
 * tf.mirrorPad 'reflect'). tf.layers has no such layer, and tf.mirrorPad's gradient in tfjs
 * 4.22 only slices dy (it drops the gradient that flows into the reflected border pixels).
 * Where the backend has the project's backward kernel (wasm) it runs as two kernels
 * (reflectionPad2d); elsewhere it is composed of slice / reverse / concat, whose gradients are
 * exact. Both give the same bits.
 */
export class ReflectionPad2D extends tf.layers.Layer {
  static readonly className = 'ClaimlabReflectionPad2D';
  private readonly pad: number;

  constructor(args: { pad: number; name?: string }) {
    super({ name: args.name });
    if (!Number.isInteger(args.pad) || args.pad < 0)
      throw new Error(`ReflectionPad2D: pad must be a non-negative integer, got ${args.pad}`);
    this.pad = args.pad;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const grow = (v: number | null) => (v == null ? null : v + 2 * this.pad);
    return [s[0], grow(s[1]), grow(s[2]), s[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const p = this.pad;
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    if (p === 0) return x.clone();
    const fast = reflectionPad2d(x, p);
    if (fast !== null) return fast;
    return tf.tidy(() => {
      let y: tf.Tensor4D = x;
      for (const axis of [1, 2] as const) {
        const n = y.shape[axis];
        if (p >= n) throw new Error(`ReflectionPad2D: pad ${p} must be smaller than the size ${n} of axis ${axis}`);
        const begin = (i: number) => (axis === 1 ? [0, i, 0, 0] : [0, 0, i, 0]);
        const size = axis === 1 ? [-1, p, -1, -1] : [-1, -1, p, -1];
        const before = y.slice(begin(1), size).reverse(axis);
        const after = y.slice(begin(n - 1 - p), size).reverse(axis);
        y = tf.concat([before, y, after], axis);
      }
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), pad: this.pad };
  }
}
tf.serialization.registerClass(ReflectionPad2D);

export interface SkipHourglassOptions {
  rng: Rng;
  /** Spatial size of the input (each must be divisible by 2^scales); null leaves it open. */
  size?: [number | null, number | null];
  /** Channels of the input noise (Ulyanov et al.: 32). */
  inputDepth?: number;
  outputChannels?: number;
  /** One entry per scale, outermost first; all three lists must have the same length. */
  channelsDown?: number[];
  channelsUp?: number[];
  /** 0 at a scale: no skip connection there. */
  channelsSkip?: number[];
  filterSizeDown?: number;
  filterSizeUp?: number;
  filterSizeSkip?: number;
  padding?: 'reflection' | 'zero';
  upsampling?: 'bilinear' | 'nearest';
  /** Slope of LeakyReLU for negative inputs (the DIP code: 0.2). */
  leakyAlpha?: number;
  /** A 1x1 conv block after each up conv (the DIP code: need1x1_up=True). */
  need1x1Up?: boolean;
  needSigmoid?: boolean;
}

type T = tf.SymbolicTensor;

/**
 * The deep image prior "skip" hourglass (Ulyanov et al. 2018; the `skip` network of their code,
 * with the denoising/inpainting defaults: 5 scales of 128 down / 128 up / 4 skip channels,
 * stride-2 3x3 downsampling convs, bilinear upsampling, reflection padding, LeakyReLU(0.2),
 * batch norm, a 1x1 output conv and a sigmoid; input depth 32).
 *
 * At scale i: skip = [conv_k_skip -> BN -> act]; deeper = [conv_3 stride 2 -> BN -> act ->
 * conv_3 -> BN -> act -> (scale i+1) -> upsample x2]; then concat(skip, deeper) -> BN ->
 * conv_3 -> BN -> act -> conv_1 -> BN -> act.
 *
 * Every conv pads explicitly (reflection or zero, (k-1)/2 on every side, as in PyTorch) and then
 * runs 'valid'; weights and biases are drawn like PyTorch's default Conv2d initialisation
 * (uniform within +-1/sqrt(fan_in)), seeded from `rng`.
 * Upsampling is tf.layers.upSampling2d, whose bilinear mode is TF1's resize (align_corners and
 * half_pixel_centers both false), not PyTorch's (half-pixel centres): interior values agree,
 * the last row/column differ slightly.
 *
 * Sources of the defaults: Ulyanov, Vedaldi & Lempitsky, "Deep Image Prior" (CVPR 2018), the
 * supplementary material's architecture figure (encoder-decoder with skip connections: d_i, u_i,
 * s_i channels, k_d, k_u, k_s filter sizes; strided-conv downsampling, bilinear/nearest upsampling,
 * reflection padding, LeakyReLU, batch norm, sigmoid output) and the authors' code
 * (github.com/DmitryUlyanov/deep-image-prior): denoising.ipynb builds
 * get_net(32, 'skip', 'reflection', skip_n33d=128, skip_n33u=128, skip_n11=4, num_scales=5,
 * upsample_mode='bilinear') -> models/skip.py with filter_size_down=3, filter_size_up=3,
 * filter_skip_size=1, need1x1_up=True, need_sigmoid=True, act_fun='LeakyReLU' (slope 0.2).
 * The input (noise depth 32, U(0, 1) / 10, input noise regularisation std 1/30), Adam lr 0.01
 * and the output averaging (0.99) belong to the fitting procedure, not the network: see
 * experiments/deep-image-prior.
 */
export function skipHourglass({
  rng,
  size = [null, null],
  inputDepth = 32,
  outputChannels = 3,
  channelsDown = [128, 128, 128, 128, 128],
  channelsUp = [128, 128, 128, 128, 128],
  channelsSkip = [4, 4, 4, 4, 4],
  filterSizeDown = 3,
  filterSizeUp = 3,
  filterSizeSkip = 1,
  padding = 'reflection',
  upsampling = 'bilinear',
  leakyAlpha = 0.2,
  need1x1Up = true,
  needSigmoid = true,
}: SkipHourglassOptions): tf.LayersModel {
  const scales = channelsDown.length;
  if (scales < 1 || channelsUp.length !== scales || channelsSkip.length !== scales) {
    throw new Error(
      `skipHourglass: channelsDown, channelsUp and channelsSkip must have the same non-zero length, got ${channelsDown.length}, ${channelsUp.length}, ${channelsSkip.length}`,
    );
  }
  for (const s of size) {
    if (s != null && s % 2 ** scales !== 0) throw new Error(`skipHourglass: image size ${size.join('x')} must be divisible by 2^${scales}`);
    // Reflection padding needs a map larger than the pad at the deepest scale (as in PyTorch).
    if (s != null && padding === 'reflection' && s / 2 ** scales <= (filterSizeDown - 1) / 2) {
      throw new Error(
        `skipHourglass: image size ${size.join('x')} is too small for reflection padding at ${scales} scales (deepest map ${s / 2 ** scales}x${s / 2 ** scales}); use at least ${2 ** scales * ((filterSizeDown + 1) / 2)}`,
      );
    }
  }
  for (const k of [filterSizeDown, filterSizeUp, filterSizeSkip]) {
    if (k % 2 !== 1) throw new Error(`skipHourglass: filter sizes must be odd, got ${k}`);
  }

  const conv = (x: T, inCh: number, filters: number, k: number, stride: number): T => {
    const p = (k - 1) / 2;
    if (p > 0) {
      x = (padding === 'reflection' ? new ReflectionPad2D({ pad: p }) : tf.layers.zeroPadding2d({ padding: p })).apply(x) as T;
    }
    const limit = 1 / Math.sqrt(inCh * k * k);
    return tf.layers
      .conv2d({
        filters,
        kernelSize: k,
        strides: stride,
        padding: 'valid',
        kernelInitializer: tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed: rng.int(2 ** 31) }),
        biasInitializer: tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed: rng.int(2 ** 31) }),
      })
      .apply(x) as T;
  };
  const bn = (x: T): T => batchNormalization({ momentum: 0.9, epsilon: 1e-5 }).apply(x) as T;
  const act = (x: T): T => tf.layers.leakyReLU({ alpha: leakyAlpha }).apply(x) as T;

  const level = (x: T, inCh: number, i: number): T => {
    let skip: T | null = null;
    if (channelsSkip[i] > 0) skip = act(bn(conv(x, inCh, channelsSkip[i], filterSizeSkip, 1)));
    let d = act(bn(conv(x, inCh, channelsDown[i], filterSizeDown, 2)));
    d = act(bn(conv(d, channelsDown[i], channelsDown[i], filterSizeDown, 1)));
    const deeperCh = i < scales - 1 ? channelsUp[i + 1] : channelsDown[i];
    if (i < scales - 1) d = level(d, channelsDown[i], i + 1);
    d = tf.layers.upSampling2d({ size: [2, 2], interpolation: upsampling }).apply(d) as T;
    let y = skip ? (tf.layers.concatenate({ axis: -1 }).apply([skip, d]) as T) : d;
    y = bn(y);
    y = act(bn(conv(y, channelsSkip[i] + deeperCh, channelsUp[i], filterSizeUp, 1)));
    if (need1x1Up) y = act(bn(conv(y, channelsUp[i], channelsUp[i], 1, 1)));
    return y;
  };

  const input = tf.input({ shape: [size[0], size[1], inputDepth] });
  let out = conv(level(input, inputDepth, 0), channelsUp[0], outputChannels, 1, 1);
  if (needSigmoid) out = tf.layers.activation({ activation: 'sigmoid' }).apply(out) as T;
  return tf.model({ inputs: input, outputs: out, name: 'dip_skip_hourglass' });
}
