import * as tf from '@tensorflow/tfjs';

export interface LrnOptions {
  depthRadius?: number;
  bias?: number;
  alpha?: number;
  beta?: number;
}

/**
 * Local response normalization as a layer (tf.layers has none). Defaults are
 * those of the TensorFlow CIFAR-10 tutorial model that Zhang et al.'s small
 * AlexNet follows: depth_radius 4, bias 1, alpha 0.001/9, beta 0.75.
 */
export class LocalResponseNormalization extends tf.layers.Layer {
  static readonly className = 'ClaimlabLRN';
  private readonly opts: Required<LrnOptions>;

  constructor(opts: LrnOptions & { name?: string } = {}) {
    super({ name: opts.name });
    this.opts = { depthRadius: 4, bias: 1, alpha: 0.001 / 9, beta: 0.75, ...opts };
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const { depthRadius, bias, alpha, beta } = this.opts;
    return tf.localResponseNormalization(x as tf.Tensor4D, depthRadius, bias, alpha, beta);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.opts };
  }
}
tf.serialization.registerClass(LocalResponseNormalization);
