import { fileURLToPath } from 'node:url';
import { cliMain, runExperiment, runSweep, type ExperimentDefinition } from '@claimlab/core';
import { resolveCifar10Dir } from '@claimlab/datasets';
import { archName, type Arm, type ArmResult } from './arm.ts';
import { claim, COLUMNS, type ResultRow } from './claim.ts';
import { PROFILES, validateConfig, type LossLandscapeConfig } from './config.ts';
import { drawFigures } from './figures.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every depth with and without shortcuts, in table order (depth ascending, ResNet before noshort). */
export function armsOf(c: LossLandscapeConfig, seed: number, dataDir: string | null): Arm[] {
  return [...c.depths].sort((a, b) => a - b).flatMap((depth) => [true, false].map((shortcuts) => ({ depth, shortcuts, config: c, seed, dataDir })));
}

export function toRows(results: ArmResult[]): ResultRow[] {
  return results.flatMap((r) => r.rows);
}

export const experiment: ExperimentDefinition<LossLandscapeConfig, ResultRow> = {
  name: 'loss-landscape',
  description:
    'Li et al. (2018): loss surfaces of ResNets with and without skip connections along filter-normalized random directions, ' +
    'Hessian eigenvalue-ratio maps and test errors; checks that the no-shortcut surfaces become non-convex with depth.',
  profiles: PROFILES,
  claim,
  columns: COLUMNS,
  async procedure(ctx) {
    validateConfig(ctx.config);
    const c = ctx.config;
    // Fail before starting workers when CIFAR-10 is missing (the error says how to get it).
    if (c.dataset === 'cifar10') resolveCifar10Dir(ctx.dataDir);
    const arms = armsOf(c, ctx.seed, c.dataset === 'cifar10' ? (ctx.dataDir ?? null) : null);
    ctx.log(`[loss-landscape] ResNet-${c.depths.join('/')} (width x${c.widthMultiplier}) with and without shortcuts on ${c.trainSize} ${c.dataset} images; ${c.gridPoints}x${c.gridPoints} grid`);
    // Deepest arms first so the workers finish together; rows go back in table order.
    const order = arms.map((_, i) => i).sort((i, j) => arms[j].depth - arms[i].depth || i - j);
    const scheduled = await runSweep<LossLandscapeConfig, Arm, ArmResult>(ctx, {
      moduleUrl: new URL('./arm.ts', import.meta.url).href,
      arms: order.map((i) => arms[i]),
      label: 'networks',
      describeDone: (arm, r) => {
        const err = r.rows.find((x) => x.section === 'final' && x.metric === 'test_error')?.value ?? NaN;
        return `${archName(arm.depth, arm.shortcuts)} done: test error ${(100 * err).toFixed(2)}%, ${r.seconds.toFixed(0)}s`;
      },
    });
    const results: ArmResult[] = new Array(arms.length);
    order.forEach((armIndex, j) => (results[armIndex] = scheduled[j]));
    return toRows(results);
  },
  figures: (rows, ctx) => drawFigures(rows, ctx.figuresDir),
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await cliMain(async () => {
    await runExperiment(experiment, process.argv.slice(2), REPO_ROOT);
  });
}
