import * as tf from '@tensorflow/tfjs';
import { NATIVE_BATCH_NORM_TRAINING_GRAD, NATIVE_MOMENTS } from './native-kernels.ts';

export interface BatchNormTrainingResult {
  /** (x - mean) * scale / sqrt(variance + eps) + offset. */
  y: tf.Tensor;
  /** The batch statistics per channel, [C] (variance biased, as tf.moments); not differentiable. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

interface EngineState {
  state: { gradientDepth: number };
  isTapeOn(): boolean;
}

/** Whether batchNormTraining can run here: the native kernels serve the current backend. */
export function batchNormTrainingAvailable(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(NATIVE_MOMENTS, backend) != null && tf.getKernel(NATIVE_BATCH_NORM_TRAINING_GRAD, backend) != null;
}

/**
 * Batch normalization in training mode over every axis but the last (channels last), as
 * tf.layers' BatchNormalization computes it (tf.moments, then tf.batchNorm), in three
 * kernels: the statistics, the normalization, and one backward kernel that differentiates
 * through the statistics too. tfjs composes the same with ~20 element-wise ops and
 * reductions forward and backward, each of which its tape records and saves.
 *
 * Returns null where the composite must be used instead: the native kernels are not
 * registered for the current backend, x is not float32 with rank >= 2, scale/offset are not
 * [C], or a gradient of a gradient is being recorded (the backward kernel has no gradient of
 * its own).
 */
export function batchNormTraining(
  x: tf.Tensor,
  scale: tf.Tensor,
  offset: tf.Tensor,
  varianceEpsilon: number,
): BatchNormTrainingResult | null {
  const engine = tf.engine() as unknown as EngineState;
  if (!batchNormTrainingAvailable() || engine.state.gradientDepth > 1) return null;
  const cols = x.shape[x.rank - 1];
  const perChannel = (t: tf.Tensor) => t.rank === 1 && t.shape[0] === cols && t.dtype === 'float32';
  if (x.dtype !== 'float32' || x.rank < 2 || !perChannel(scale) || !perChannel(offset)) return null;

  const [mean, variance] = tf.engine().runKernel(NATIVE_MOMENTS, { x }) as [tf.Tensor1D, tf.Tensor1D];
  const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, scaleIn, offsetIn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([xIn, mean, variance, scaleIn]);
    return {
      value: tf.batchNorm(xIn, mean, variance, offsetIn, scaleIn, varianceEpsilon),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        if (engine.isTapeOn()) {
          throw new Error(
            'batchNormTraining: its gradient cannot be differentiated again (it is only used when no gradient of a gradient is recorded)',
          );
        }
        const [xs, m, v, s] = saved;
        const inputs = { x: xs, dy, mean: m, variance: v, scale: s } as unknown as tf.NamedTensorMap;
        return tf
          .engine()
          .runKernel(NATIVE_BATCH_NORM_TRAINING_GRAD, inputs, { varianceEpsilon } as unknown as tf.NamedAttrMap) as tf.Tensor[];
      },
    };
  });
  // A named op scope: profiles list the op as 'batchNormTraining__op' around its kernels.
  const y = tf.op({ batchNormTraining: normalize })(x, scale, offset) as tf.Tensor;
  return { y, mean, variance };
}
