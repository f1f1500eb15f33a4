import { runSweep, type ExperimentDefinition } from '@claimlab/core';
import { armsOf, trainingRun, type ArmResult } from './arm.ts';
import { claim } from './claim.ts';
import { COLUMNS, type ResultRow } from './results.ts';
import { PROFILES, validateConfig, type RethinkingConfig } from './config.ts';
import { drawFigures } from './figures.ts';

export function toRows(results: ArmResult[]): ResultRow[] {
  return results.flatMap((r) =>
    r.epochs.map((e) => ({
      condition: r.condition,
      label_corruption: r.labelCorruption,
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
  validate: validateConfig,
  claim,
  columns: COLUMNS,
  async procedure(ctx) {
    const arms = armsOf(ctx.config, ctx.seed, ctx.dataDir);
    ctx.log(`[rethinking-generalization] ${ctx.config.model} on ${ctx.config.trainSize} ${ctx.config.dataset} training images`);
    const results = await runSweep(ctx, {
      runner: trainingRun,
      arms,
      label: 'runs',
      describeDone: (_arm, r) => {
        const last = r.epochs[r.epochs.length - 1];
        return `${r.condition} done: ${last.epoch} epochs, train ${last.trainAccuracy.toFixed(3)}, test ${last.testAccuracy.toFixed(3)}, ${r.seconds.toFixed(0)}s`;
      },
    });
    return toRows(results);
  },
  figures: (rows, ctx) => drawFigures(rows, ctx.figuresDir),
};
