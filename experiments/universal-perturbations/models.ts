import { Rng } from '@claimlab/core';
import { tf } from '@claimlab/backend';
import { bitDepthReduction, tfClassifier, transformedClassifier, type DifferentiableClassifier } from '@claimlab/metrics';
import { cifarResNet, mlp, packTensors, smallCnn, unpackTensors, vggNet } from '@claimlab/models';
import type { DefenseName, ModelSpec, UniversalConfig } from './config.ts';

/** A model's weights as stored with its arm: shapes and base64 float32 values. */
export type Weights = { shapes: number[][]; data: string };

/**
 * A classifier of the sweep (logits output), from libs/models. Its layers are
 * named (mlp: fc1, fc2, ..., logits; vgg and cnn: conv1, ..., fc1, logits; resnet: relu1,
 * s<stage>b<block>_relu2, ...) so a hidden
 * layer can be chosen by name in every process.
 */
export function buildModel(spec: ModelSpec, inputShape: [number, number, number], numClasses: number, rng: Rng): tf.LayersModel {
  switch (spec.kind) {
    case 'mlp':
      return mlp({ inputShape, hidden: spec.hidden, numClasses, rng, name: `mlp_${spec.name}`, namedLayers: true });
    case 'vgg':
      return vggNet({ inputShape, numClasses, rng, stages: spec.stages, fcUnits: spec.fcUnits });
    case 'cnn':
      return smallCnn({ inputShape, numClasses, rng, channels: spec.channels, fcUnits: spec.fcUnits });
    case 'resnet':
      return cifarResNet({
        depth: spec.depth,
        numClasses,
        rng,
        inputShape,
        widthMultiplier: spec.widthMultiplier,
        stemStride: spec.stemStride,
        shortcutType: spec.shortcutType,
      });
    default:
      throw new Error(`unknown model kind '${(spec as ModelSpec).kind}' (use vgg, resnet, cnn or mlp)`);
  }
}

/** Throws a clear error if a spec names a layer its model does not have. */
export function checkLayers(spec: ModelSpec, inputShape: [number, number, number], numClasses: number): void {
  const model = buildModel(spec, inputShape, numClasses, new Rng(0));
  try {
    const names = model.layers.map((l) => l.name);
    const missing = spec.layers.filter((l) => !names.includes(l));
    if (missing.length)
      throw new Error(`model '${spec.name}' has no layer ${missing.map((m) => `'${m}'`).join(', ')} (its layers: ${names.join(', ')})`);
  } finally {
    model.dispose();
  }
}

/** Every weight of a model (trainable and batch-norm statistics) as base64 float32, in getWeights() order. */
export function encodeWeights(model: tf.LayersModel): Weights {
  const ws = model.getWeights();
  const { shapes, values } = packTensors(ws);
  return { shapes, data: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64') };
}

export function decodeWeights(model: tf.LayersModel, enc: Weights): void {
  const current = model.getWeights();
  if (current.length !== enc.shapes.length || current.some((w, i) => w.shape.join('x') !== enc.shapes[i].join('x'))) {
    throw new Error(
      `stored weights do not fit model '${model.name}' (${enc.shapes.length} tensors stored, ${current.length} in the model)`,
    );
  }
  const buf = Buffer.from(enc.data, 'base64');
  const ts = unpackTensors(enc.shapes, new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
  model.setWeights(ts);
  tf.dispose(ts);
}

/** The name of a defended model in the tables: model+defense. */
export const defendedName = (model: string, defense: DefenseName) => `${model}+${defense}`;

/** The bit-depth defense's input transform. */
export const squeeze = (x: Float32Array, c: UniversalConfig) => bitDepthReduction(x, c.defenses.bits);

/**
 * The classifier of a model, behind its defense's input transform where it has one (bit-depth;
 * gradients through it by BPDA). Noise training and fine-tuning change the weights only.
 */
export function classifierOf(
  model: tf.LayersModel,
  inputShape: [number, number, number],
  defense?: DefenseName,
  c?: UniversalConfig,
): DifferentiableClassifier {
  const clf = tfClassifier(model, inputShape);
  if (defense !== 'bit-depth') return clf;
  if (!c) throw new Error('classifierOf: the bit-depth defense needs the config');
  return transformedClassifier(clf, (x) => squeeze(x, c));
}
