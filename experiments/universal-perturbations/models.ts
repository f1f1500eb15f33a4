import { Rng } from '@claimlab/core';
import { tf } from '@claimlab/backend';
import { loadCifar10, loadMnist, subset, type ImageDataset } from '@claimlab/datasets';
import { cifarResNet, mlp, packTensors, smallCnn, unpackTensors } from '@claimlab/models';
import type { ModelSpec, UniversalConfig } from './config.ts';

/**
 * A classifier of the sweep (logits output), from libs/models. Its layers are
 * named (mlp: fc1, fc2, ..., logits; cnn: conv1, ..., fc1, logits) so a hidden
 * layer can be chosen by name in every process.
 */
export function buildModel(spec: ModelSpec, inputShape: [number, number, number], numClasses: number, rng: Rng): tf.LayersModel {
  switch (spec.kind) {
    case 'mlp':
      return mlp({ inputShape, hidden: spec.hidden, numClasses, rng, name: `mlp_${spec.name}`, namedLayers: true });
    case 'cnn':
      return smallCnn({ inputShape, numClasses, rng, channels: spec.channels, fcUnits: spec.fcUnits });
    case 'resnet':
      return cifarResNet({ depth: spec.depth, numClasses, rng, inputShape, widthMultiplier: spec.widthMultiplier });
    default:
      throw new Error(`unknown model kind '${(spec as ModelSpec).kind}' (use mlp, cnn or resnet)`);
  }
}

/** Throws a clear error if a spec names a layer its model does not have. */
export function checkLayers(spec: ModelSpec, inputShape: [number, number, number], numClasses: number): void {
  const model = buildModel(spec, inputShape, numClasses, new Rng(0));
  try {
    const names = model.layers.map((l) => l.name);
    const missing = spec.layers.filter((l) => !names.includes(l));
    if (missing.length) throw new Error(`model '${spec.name}' has no layer ${missing.map((m) => `'${m}'`).join(', ')} (its layers: ${names.join(', ')})`);
  } finally {
    model.dispose();
  }
}

export interface Data {
  train: ImageDataset;
  /** Held-out images on which fooling rates are measured. */
  test: ImageDataset;
  /** The pool perturbations are built from: the first n images for n images (nested sets), drawn from `train`. */
  build: ImageDataset;
  inputShape: [number, number, number];
}

/** The data of a run: the same seeded subsets in every arm of a seed. */
export function loadData(c: UniversalConfig, seed: number, dataDir: string | undefined): Data {
  const rng = new Rng(seed).fork('data');
  const load = (split: 'train' | 'test') => (c.dataset === 'mnist' ? loadMnist({ split }) : loadCifar10({ split, dir: dataDir }));
  const pick = (ds: ImageDataset, k: number, label: string) => {
    if (k > ds.n) throw new Error(`${label}=${k} exceeds the ${ds.n} images of ${ds.name}; lower it with --set ${label}=${ds.n}`);
    return subset(ds, rng.fork(label).sample(ds.n, k));
  };
  const train = pick(load('train'), c.trainSize, 'trainSize');
  const test = pick(load('test'), c.testSize, 'testSize');
  const build = subset(train, rng.fork('build').sample(train.n, Math.max(...c.nImages)), `${train.name}/build`);
  return { train, test, build, inputShape: [train.height, train.width, train.channels] };
}

/** The first n images of a dataset (a view, no copy). */
export function firstImages(ds: ImageDataset, n: number): Float32Array {
  const size = ds.height * ds.width * ds.channels;
  return ds.images.subarray(0, n * size);
}

/** Every weight of a model (trainable and batch-norm statistics) as base64 float32, in getWeights() order. */
export function encodeWeights(model: tf.LayersModel): { shapes: number[][]; data: string } {
  const ws = model.getWeights();
  const { shapes, values } = packTensors(ws);
  return { shapes, data: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64') };
}

export function decodeWeights(model: tf.LayersModel, enc: { shapes: number[][]; data: string }): void {
  const current = model.getWeights();
  if (current.length !== enc.shapes.length || current.some((w, i) => w.shape.join('x') !== enc.shapes[i].join('x'))) {
    throw new Error(`stored weights do not fit model '${model.name}' (${enc.shapes.length} tensors stored, ${current.length} in the model)`);
  }
  const buf = Buffer.from(enc.data, 'base64');
  const ts = unpackTensors(enc.shapes, new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
  model.setWeights(ts);
  tf.dispose(ts);
}
