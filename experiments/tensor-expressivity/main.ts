import { runSweep, type ExperimentDefinition } from '@claimlab/core';
import { armsOf, costOf, expressivityArm, type ArmResult } from './arm.ts';
import { claim } from './claim.ts';
import { COLUMNS, type ResultRow } from './results.ts';
import { PROFILES, validateConfig, type TensorExpressivityConfig } from './config.ts';
import { drawFigures } from './figures.ts';

export function toRows(results: ArmResult[]): ResultRow[] {
  return results.flatMap((r) => r.rows.map((row) => ({ ...row })));
}

export const experiment: ExperimentDefinition<TensorExpressivityConfig, ResultRow> = {
  name: 'tensor-expressivity',
  description:
    'Khrulkov, Novikov & Oseledets (2018) with Cohen, Sharir & Shashua (2016): odd/even matricization ranks of random TT, shared-core TT, HT and CP tensors against the bound q^(d/2) (exact float64 linear algebra), CP-ALS of a TT tensor, and recurrent TT networks against shallow CP networks on MNIST patches at matched parameter budgets.',
  profiles: PROFILES,
  validate: validateConfig,
  claim,
  columns: COLUMNS,
  async procedure(ctx) {
    const arms = armsOf(ctx.config, ctx.seed, ctx.dataDir);
    const c = ctx.config;
    ctx.log(
      `[tensor-expressivity] orders ${c.orders.join('/')}, (n, r) ${c.modeRanks.map((x) => `(${x.n}, ${x.r})`).join(' ')}, ${c.draws} draws; TT-ranks ${c.ttRanks.join('/')} on ${c.trainSize} MNIST images`,
    );
    const results = await runSweep(ctx, {
      runner: expressivityArm,
      arms,
      cost: costOf,
      label: 'arms',
      describeDone: (arm, r) =>
        arm.kind === 'train'
          ? `${arm.net}-net rank ${arm.rank} done in ${r.seconds.toFixed(0)}s`
          : `${arm.kind} d=${arm.d} done in ${r.seconds.toFixed(1)}s`,
    });
    return toRows(results);
  },
  figures: (rows, ctx) => drawFigures(rows, ctx.figuresDir),
};
