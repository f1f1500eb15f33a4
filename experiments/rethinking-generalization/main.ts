import { fileURLToPath } from 'node:url';
import { cliMain, createProgress, defaultWorkers, runArmsParallel, runExperiment, type ExperimentDefinition } from '@claimlab/core';
import type { ArmResult } from './arm.ts';
import { claim, COLUMNS, type ResultRow } from './claim.ts';
import { armsOf } from './conditions.ts';
import { PROFILES, validateConfig, type RethinkingConfig } from './config.ts';
import { drawFigures } from './figures.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function toRows(results: ArmResult[]): ResultRow[] {
  return results.flatMap((r) =>
    r.epochs.map((e) => ({
      condition: r.condition,
      label_corruption: r.labelCorruption,
      repeat: r.repeat,
      labels_changed: r.changedFraction,
      epoch: e.epoch,
      steps: e.steps,
      learning_rate: e.learningRate,
      loss: e.loss,
      train_accuracy: e.trainAccuracy,
      test_accuracy: e.testAccuracy,
    })),
  );
}

export const experiment: ExperimentDefinition<RethinkingConfig, ResultRow> = {
  name: 'rethinking-generalization',
  description:
    'Zhang et al. (2017): networks memorise random labels and random inputs. Trains one network per corruption condition to 100% training accuracy and checks the claim.',
  profiles: PROFILES,
  claim,
  columns: COLUMNS,
  async procedure(ctx) {
    validateConfig(ctx.config);
    const arms = armsOf(ctx.config, ctx.seed, ctx.dataDir);
    const workers = ctx.workers ?? defaultWorkers();
    ctx.log(`[rethinking-generalization] ${arms.length} runs (${ctx.config.model}, ${ctx.config.dataset}, ${ctx.config.trainSize} training images) on ${Math.min(workers, arms.length)} worker(s)`);
    const progress = createProgress('runs', arms.length);
    let done = 0;
    const results = await runArmsParallel<unknown, ArmResult>({
      moduleUrl: new URL('./arm.ts', import.meta.url).href,
      arms,
      workers,
      backend: ctx.backendInfo.name,
      onArmProgress: (_i, status) => progress.update(done, status),
      onArmDone: (_i, r) => {
        done++;
        const last = r.epochs[r.epochs.length - 1];
        progress.update(done, `${r.condition} done: ${last.epoch} epochs, train ${last.trainAccuracy.toFixed(3)}, test ${last.testAccuracy.toFixed(3)}, ${r.seconds.toFixed(0)}s`);
      },
    });
    progress.stop();
    return toRows(results);
  },
  figures: (rows, ctx) => drawFigures(rows, ctx.figuresDir),
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await cliMain(async () => {
    await runExperiment(experiment, process.argv.slice(2), REPO_ROOT);
  });
}
