import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@claimlab/core';
import { glorotUniform, heNormal } from './init.ts';
import { batchNormalization } from './batch-norm.ts';

export interface CifarResNetOptions {
  /** Depth N = 6n + 2 (20, 32, 44, 56, 110, ...): 3 stages of n basic blocks. */
  depth: number;
  numClasses: number;
  rng: Rng;
  /** Input shape without the batch dimension; default 32x32x3 (CIFAR-10). */
  inputShape?: [number, number, number];
  /** Multiplies the stage widths 16/32/64 (1 = He et al.). */
  widthMultiplier?: number;
  /**
   * With identity shortcuts (He et al. 2016) or without them: the "noshort" twin of Li et al.
   * (2018), the same network with every residual addition removed (same parameters, since
   * option-A shortcuts have none; with 'projection' the projections are dropped too).
   */
  shortcuts?: boolean;
  /**
   * Shortcut where a stage changes width and resolution:
   *  - 'A' (default, He et al. 2016, CIFAR experiments): identity on a stride-2 subsample of the
   *    input, zero-padded with extra channels; no parameters.
   *  - 'projection' (option B): 1x1 stride-2 conv + batch norm.
   */
  shortcutType?: 'A' | 'projection';
  /**
   * Stride of the first convolution (default 1, He et al.'s CIFAR net). 2 halves every map, as the
   * stride-2 stem of the ImageNet ResNets does; an odd map size then needs 'projection' shortcuts.
   */
  stemStride?: 1 | 2;
}

/**
 * Option-A shortcut: x[:, ::s, ::s, :] followed by zero channels up to `filters`. Composed of
 * reshape / slice / pad, whose gradients tfjs has on every backend (no strided-slice gradient
 * needed). Requires even height and width when the stride is 2.
 */
export class OptionAShortcut extends tf.layers.Layer {
  static readonly className = 'ClaimlabOptionAShortcut';
  private readonly filters: number;
  private readonly stride: number;

  constructor(args: { filters: number; stride: number; name?: string }) {
    super({ name: args.name });
    this.filters = args.filters;
    this.stride = args.stride;
    if (this.stride !== 1 && this.stride !== 2) throw new Error(`OptionAShortcut: stride must be 1 or 2, got ${this.stride}`);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const [b, h, w] = s;
    const sub = (v: number | null) => (v == null ? null : Math.ceil(v / this.stride));
    return [b, sub(h), sub(w), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [b, h, w, c] = x.shape;
      let y: tf.Tensor4D = x;
      if (this.stride === 2) {
        if (h % 2 !== 0 || w % 2 !== 0) throw new Error(`OptionAShortcut: stride 2 needs even height and width, got ${h}x${w}`);
        // [B, H, W, C] -> [B*H/2, 2, W/2, 2C]: element [.., 0, .., 0:C] is x[b, 2i, 2j, :].
        y = x
          .reshape([(b * h) / 2, 2, w / 2, 2 * c])
          .slice([0, 0, 0, 0], [-1, 1, -1, c])
          .reshape([b, h / 2, w / 2, c]);
      }
      if (this.filters > c)
        y = y.pad([
          [0, 0],
          [0, 0],
          [0, 0],
          [0, this.filters - c],
        ]);
      else if (this.filters < c) throw new Error(`OptionAShortcut: cannot reduce channels ${c} -> ${this.filters}`);
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, stride: this.stride };
  }
}
tf.serialization.registerClass(OptionAShortcut);

type T = tf.SymbolicTensor;

function conv3x3(x: T, filters: number, stride: number, rng: Rng, name: string): T {
  return tf.layers
    .conv2d({ filters, kernelSize: 3, strides: stride, padding: 'same', useBias: false, kernelInitializer: heNormal(rng), name })
    .apply(x) as T;
}

/** Batch norm with PyTorch's defaults (momentum 0.1 there = 0.9 here, epsilon 1e-5). */
function bn(x: T, name: string): T {
  return batchNormalization({ momentum: 0.9, epsilon: 1e-5, name }).apply(x) as T;
}

function relu(x: T, name: string): T {
  return tf.layers.reLU({ name }).apply(x) as T;
}

/**
 * He et al. (2016), section 4.2: the CIFAR-10 ResNet. conv3x3(16) -> BN -> ReLU, then three
 * stages of n basic blocks (two 3x3 convs with BN, ReLU after the first and after the addition)
 * with 16, 32, 64 channels on 32x32, 16x16, 8x8 maps (the first block of stages 2 and 3 has
 * stride 2), global average pooling, a fully connected layer to logits. Convs have no bias
 * (batch norm follows) and He-normal initial weights.
 *
 * Parameter count (trainable, option A, width 1): 0.27M for ResNet-20 (269,722), 0.85M for
 * ResNet-56 (853,018), 1.7M for ResNet-110 (1,727,962), as in the paper's Table 6.
 */
export function cifarResNet({
  depth,
  numClasses,
  rng,
  inputShape = [32, 32, 3],
  widthMultiplier = 1,
  shortcuts = true,
  shortcutType = 'A',
  stemStride = 1,
}: CifarResNetOptions): tf.LayersModel {
  if (stemStride !== 1 && stemStride !== 2) throw new Error(`cifarResNet: stemStride must be 1 or 2, got ${String(stemStride)}`);
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) {
    throw new Error(`cifarResNet: depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110, ...), got ${depth}`);
  }
  const n = (depth - 2) / 6;
  const widths = [16, 32, 64].map((c) => Math.max(1, Math.round(c * widthMultiplier)));
  const input = tf.input({ shape: inputShape, name: 'input' });
  let x = relu(bn(conv3x3(input, widths[0], stemStride, rng, 'conv1'), 'bn1'), 'relu1');
  let channels = widths[0];
  for (let stage = 0; stage < 3; stage++) {
    for (let block = 0; block < n; block++) {
      const p = `s${stage + 1}b${block + 1}`;
      const filters = widths[stage];
      const stride = stage > 0 && block === 0 ? 2 : 1;
      let y = relu(bn(conv3x3(x, filters, stride, rng, `${p}_conv1`), `${p}_bn1`), `${p}_relu1`);
      y = bn(conv3x3(y, filters, 1, rng, `${p}_conv2`), `${p}_bn2`);
      if (shortcuts) {
        let s: T = x;
        if (stride !== 1 || filters !== channels) {
          if (shortcutType === 'A') {
            s = new OptionAShortcut({ filters, stride, name: `${p}_shortcut` }).apply(x) as T;
          } else {
            // Seeded from a side stream so the main path's initial weights do not depend on it.
            const projInit = heNormal(rng.fork(`${p}_proj`));
            s = tf.layers
              .conv2d({
                filters,
                kernelSize: 1,
                strides: stride,
                padding: 'same',
                useBias: false,
                kernelInitializer: projInit,
                name: `${p}_proj`,
              })
              .apply(x) as T;
            s = bn(s, `${p}_proj_bn`);
          }
        }
        y = tf.layers.add({ name: `${p}_add` }).apply([y, s]) as T;
      }
      x = relu(y, `${p}_relu2`);
      channels = filters;
    }
  }
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as T;
  const logits = tf.layers.dense({ units: numClasses, kernelInitializer: glorotUniform(rng), name: 'fc' }).apply(x) as T;
  return tf.model({ inputs: input, outputs: logits, name: `resnet${depth}${shortcuts ? '' : '_noshort'}` });
}
