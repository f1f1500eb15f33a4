import * as tf from '@tensorflow/tfjs';
import { NATIVE_BATCH_NORM_GRAD } from './native-kernels.ts';

/**
 * The gradient of FusedBatchNorm (tf.batchNorm, used by tf.layers
 * BatchNormalization), with the same arithmetic as tfjs 4.22's own but without
 * its `tile`: tfjs materialises 1/sqrt(var + eps) at the full activation shape
 * before multiplying, which profiling showed as ~35% of a ResNet-20 training
 * step on the wasm backend. Broadcasting multiplies every element by the same
 * value, so the gradients are bit-identical (tested against tfjs's own).
 * Where the native addon serves the backend (native-kernels.ts) the per-channel
 * case is one kernel that reads x and dy once and sums in double instead.
 */
export const fusedBatchNormGradConfig: tf.GradConfig = {
  kernelName: tf.FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const dyT = dy as tf.Tensor;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved;
    const scaleValue = scale == null ? tf.scalar(1) : scale;
    const perChannel = mean.rank === 1;
    // The native kernel has no gradient of its own: while a tape records this backward pass (a
    // gradient of a gradient, e.g. a double VJP), the differentiable composite below is used.
    const taped = (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
    if (
      !taped &&
      perChannel &&
      x.rank >= 2 &&
      mean.shape[0] === x.shape[x.rank - 1] &&
      tf.getKernel(NATIVE_BATCH_NORM_GRAD, tf.getBackend()) != null
    ) {
      // One pass over x and dy (native-kernels.ts) instead of ~10 element-wise ops and reductions.
      const inputs = { x, dy: dyT, mean, variance, ...(scale == null ? {} : { scale }) } as unknown as tf.NamedTensorMap;
      const [dx, dmean, dvar, dscale, doffset] = tf
        .engine()
        .runKernel(NATIVE_BATCH_NORM_GRAD, inputs, { varianceEpsilon } as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return { x: () => dx, mean: () => dmean, variance: () => dvar, scale: () => dscale, offset: () => doffset };
    }
    const reductionAxes = tf.broadcast_util.getReductionAxes(mean.shape, x.shape);
    // Shared terms are computed here, not in the closures: the engine runs each closure in its own tidy.
    const xMinusMean = tf.sub(x, mean);
    const dyTimesScaleValue = tf.mul(dyT, scaleValue);
    const oneOverSqrtVariance = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const minusHalfRCube = tf.mul(tf.mul(tf.mul(oneOverSqrtVariance, oneOverSqrtVariance), oneOverSqrtVariance), tf.scalar(-0.5));
    const reduce = (t: tf.Tensor) => tf.reshape(perChannel ? tf.sum(t, reductionAxes) : t, mean.shape);
    return {
      x: () => {
        // [1, ..., 1, C] broadcasts over x, where tfjs tiles it to x's shape first.
        const r = perChannel
          ? tf.reshape(oneOverSqrtVariance, [...new Array<number>(x.rank - 1).fill(1), mean.shape[0]])
          : oneOverSqrtVariance;
        return tf.reshape(tf.mul(tf.mul(dyT, r), scaleValue), x.shape);
      },
      mean: () => reduce(tf.mul(tf.mul(oneOverSqrtVariance, tf.scalar(-1)), dyTimesScaleValue)),
      variance: () => reduce(tf.mul(tf.mul(minusHalfRCube, xMinusMean), dyTimesScaleValue)),
      scale: () => reduce(tf.mul(dyT, tf.mul(xMinusMean, oneOverSqrtVariance))),
      offset: () => reduce(dyT),
    };
  },
};

/**
 * Comparisons are piecewise constant: their gradient is zero (tfjs defines it
 * for GreaterEqual only). Needed to differentiate a gradient that went through
 * LeakyReLU / PReLU (whose own gradient uses Greater), e.g. WGAN-GP's penalty.
 */
const COMPARISONS = [tf.Greater, tf.Less, tf.LessEqual, tf.Equal, tf.NotEqual];

function zeroGradConfig(kernelName: string): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy, saved) => {
      const [a, b] = saved;
      return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
    },
  };
}

let registered = false;

/** Replaces tfjs gradients that have a faster exact equivalent, and adds the missing zero gradients of comparisons (all backends). */
export function registerFastGradients(): void {
  if (registered) return;
  tf.registerGradient(fusedBatchNormGradConfig);
  for (const k of COMPARISONS) if (!tf.getGradient(k)) tf.registerGradient(zeroGradConfig(k));
  registered = true;
}
