// One training run of the sweep (a condition at one seed). It runs in this process or in a
// worker process (runSweep's workers) with identical results.
import { defineArm, Rng, type ArmSession } from '@claimlab/core';
import { tf } from '@claimlab/backend';
import { applyCorruption, type CorruptionSpec } from '@claimlab/datasets';
import { mlp, smallAlexNet, smallInception, trainClassifier, type EpochRecord } from '@claimlab/models';
import type { ModelName, PixelCondition, RethinkingConfig } from './config.ts';
import { loadCleanData } from './data.ts';

/** One training run of the sweep: a condition (corruption) at the seed of the replicate. */
export interface Arm {
  condition: string;
  /** Label corruption probability; 0 for pixel conditions (they keep true labels). */
  labelCorruption: number;
  corruption: CorruptionSpec;
  /** The seed of the replicate (ctx.seed): data subset, corruption, weights and batches derive from it. */
  seed: number;
  dataDir: string | null;
  config: RethinkingConfig;
}

export function conditionName(p: number): string {
  if (p === 0) return 'true-labels';
  if (p === 1) return 'random-labels';
  return `partial-labels-${p}`;
}

/** Every condition of the sweep (one run each at this seed), in a fixed order. */
export function armsOf(config: RethinkingConfig, seed: number, dataDir: string | undefined): Arm[] {
  const specs: { condition: string; p: number; corruption: CorruptionSpec }[] = [
    ...config.labelCorruption.map((p) => ({
      condition: conditionName(p),
      p,
      corruption: (p === 0 ? { kind: 'none' } : { kind: 'labels', p }) as CorruptionSpec,
    })),
    ...config.pixelConditions.map((k: PixelCondition) => ({ condition: k, p: 0, corruption: { kind: k } as CorruptionSpec })),
  ];
  return specs.map((s) => ({
    condition: s.condition,
    labelCorruption: s.p,
    corruption: s.corruption,
    seed,
    dataDir: dataDir ?? null,
    config,
  }));
}

export interface ArmResult {
  condition: string;
  labelCorruption: number;
  /** Share of training labels actually changed by the corruption. */
  changedFraction: number;
  epochs: EpochRecord[];
  seconds: number;
}

function buildModel(name: ModelName, shape: [number, number, number], numClasses: number, rng: Rng): tf.LayersModel {
  switch (name) {
    case 'mlp-1x512':
      return mlp({ inputShape: shape, hidden: [512], numClasses, rng });
    case 'mlp-3x512':
      return mlp({ inputShape: shape, hidden: [512, 512, 512], numClasses, rng });
    case 'small-alexnet':
      return smallAlexNet({ inputShape: shape, numClasses, rng });
    case 'small-inception':
      return smallInception({ inputShape: shape, numClasses, rng });
  }
}

export async function runArm(arm: Arm, onProgress: (status: string) => void, session?: ArmSession): Promise<ArmResult> {
  const t0 = Date.now();
  const { config } = arm;
  const root = new Rng(arm.seed);
  const clean = loadCleanData(config, arm.seed, arm.dataDir);
  const corrupted = applyCorruption(clean.train, clean.test, arm.corruption, root.fork(`corruption/${arm.condition}`));
  // Same initial weights and batch order for every condition of a seed: the
  // conditions differ only in their data.
  const model = buildModel(
    config.model,
    [clean.train.height, clean.train.width, clean.train.channels],
    clean.train.numClasses,
    root.fork('weights'),
  );
  try {
    const { epochs } = trainClassifier({
      model,
      train: corrupted.train,
      test: corrupted.test,
      schedule: { learningRate: config.learningRate, momentum: config.momentum, decayPerEpoch: config.decayPerEpoch },
      batchSize: config.batchSize,
      maxEpochs: config.maxEpochs,
      stopAtTrainAccuracy: config.stopAtTrainAccuracy,
      rng: root.fork('batches'),
      onEpoch: (e) => onProgress(`${arm.condition}: epoch ${e.epoch}, train acc ${e.trainAccuracy.toFixed(3)}`),
      // Checkpointed every epoch: a killed run continues mid-training with --resume.
      checkpoint: session && {
        file: session.checkpointFile,
        identity: JSON.stringify({ arm, backend: session.backend }),
        resume: session.resume,
      },
    });
    return {
      condition: arm.condition,
      labelCorruption: arm.labelCorruption,
      changedFraction: corrupted.changedFraction,
      epochs,
      seconds: (Date.now() - t0) / 1000,
    };
  } catch (e) {
    throw new Error(`condition ${arm.condition} (seed ${arm.seed}): ${(e as Error).message}`);
  } finally {
    model.dispose();
  }
}

/** The sweep's arm runner, imported by main.ts. */
export const trainingRun = defineArm(import.meta.url, runArm);
