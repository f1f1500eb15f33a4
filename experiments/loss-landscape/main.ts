import { runSweep, type ExperimentDefinition } from '@claimlab/core';
import { resolveCifar10Dir, resolveMnistDir } from '@claimlab/datasets';
import { archName, armsOf, costOf, resnetStudy, type ArmResult } from './arm.ts';
import { claim } from './claim.ts';
import { COLUMNS, NON_FINITE_COLUMNS, type ResultRow } from './results.ts';
import { PROFILES, validateConfig, type LossLandscapeConfig } from './config.ts';
import { drawFigures } from './figures.ts';

export function toRows(results: ArmResult[]): ResultRow[] {
  return results.flatMap((r) => r.rows);
}

export const experiment: ExperimentDefinition<LossLandscapeConfig, ResultRow> = {
  name: 'loss-landscape',
  description:
    'Li et al. (2018): loss surfaces of ResNets with and without skip connections along filter-normalized random directions, ' +
    'Hessian eigenvalue-ratio maps and test errors; checks that the no-shortcut surfaces become non-convex with depth.',
  profiles: PROFILES,
  validate: validateConfig,
  claim,
  columns: COLUMNS,
  nonFiniteColumns: NON_FINITE_COLUMNS,
  async procedure(ctx) {
    const c = ctx.config;
    // Fail before starting workers when the data directory is missing (the error says how to get the data).
    if (c.dataset === 'cifar10') resolveCifar10Dir(ctx.dataDir);
    else resolveMnistDir(ctx.dataDir);
    const arms = armsOf(c, ctx.seed, ctx.dataDir ?? null);
    ctx.log(
      `[loss-landscape] ResNet-${c.depths.join('/')} (width x${c.widthMultiplier}) with and without shortcuts on ${c.trainSize} ${c.dataset} images; ${c.gridPoints}x${c.gridPoints} grid`,
    );
    const results = await runSweep(ctx, {
      runner: resnetStudy,
      arms,
      cost: costOf,
      label: 'networks',
      describeDone: (arm, r) => {
        const err = r.rows.find((x) => x.section === 'final' && x.metric === 'test_error')?.value ?? NaN;
        return `${archName(arm.depth, arm.shortcuts)} done: test error ${(100 * err).toFixed(2)}%, ${r.seconds.toFixed(0)}s`;
      },
    });
    return toRows(results);
  },
  figures: (rows, ctx) => drawFigures(rows, ctx.figuresDir),
};
