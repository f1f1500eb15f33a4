import * as tf from '@tensorflow/tfjs';
import { batchNormTraining, movingAverageUpdate } from '@claimlab/backend';

type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;

interface LayerVariable {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

/** The parts of tfjs-layers' BatchNormalization used here (set by its constructor and build). */
interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: LayerVariable | null;
  beta?: LayerVariable | null;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

// tfjs-layers exports the layer only through its factory.
const TfBatchNormalization = tf.layers.batchNormalization({}).constructor as new (args: BatchNormArgs) => tf.layers.Layer;

/**
 * variable <- variable - (variable - value) * (1 - momentum), as tfjs-layers updates its moving
 * statistics: in one kernel where the backend has it (the same bits), else in tfjs's three.
 */
function movingAverage(variable: LayerVariable, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const orig = variable.read();
    variable.write(movingAverageUpdate(orig, value, momentum) ?? tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - momentum)));
  });
}

/**
 * tf.layers' BatchNormalization (same config, weights and inference), with its training mode
 * (channels last) computed by batchNormTraining where the native kernels serve the backend:
 * three kernels instead of ~20 element-wise ops and reductions forward and backward. The
 * composite it falls back to is tfjs's own (tf.moments, then tf.batchNorm, then the moving
 * averages). Unlike tfjs 4.22's, its training mode also works without a scale or a center
 * (scale: false threw "Cannot read properties of undefined (reading 'read')").
 */
export class ClaimlabBatchNormalization extends TfBatchNormalization {
  static readonly className = 'ClaimlabBatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const f = this as unknown as BatchNormFields;
    const axis = f.axis >= 0 ? f.axis : f.axis + x.rank;
    if (kwargs['training'] !== true || axis !== x.rank - 1 || x.rank < 2) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const channels = x.shape[axis];
      const scale = f.gamma ? f.gamma.read() : tf.ones([channels]);
      const offset = f.beta ? f.beta.read() : tf.zeros([channels]);
      const fast = batchNormTraining(x, scale, offset, f.epsilon);
      let y: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor;
      if (fast !== null) {
        ({ y, mean, variance } = fast);
      } else {
        ({ mean, variance } = tf.moments(x, [...Array(x.rank - 1).keys()]));
        y = tf.batchNorm(x, mean, variance, offset, scale, f.epsilon);
      }
      movingAverage(f.movingMean, mean, f.momentum);
      movingAverage(f.movingVariance, variance, f.momentum);
      return y;
    });
  }
}
tf.serialization.registerClass(ClaimlabBatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>);

/** A BatchNormalization layer (tf.layers' arguments) that trains through batchNormTraining. */
export function batchNormalization(args: BatchNormArgs = {}): tf.layers.Layer {
  return new ClaimlabBatchNormalization(args);
}
