import { runSweep, type ExperimentDefinition } from '@claimlab/core';
import { armsOf, costOf, networkMeasurement, type ArmResult } from './arm.ts';
import { claim } from './claim.ts';
import { COLUMNS, type ResultRow } from './results.ts';
import { PROFILES, validateConfig, type LinearRegionsConfig } from './config.ts';
import { drawFigures } from './figures.ts';

export function toRows(results: ArmResult[]): ResultRow[] {
  return results.flatMap((r) => r.measures.map((m) => ({ ...m })));
}

export const experiment: ExperimentDefinition<LinearRegionsConfig, ResultRow> = {
  name: 'linear-regions',
  description:
    "Raghu et al. (2017) with Hanin & Rolnick (2019): linear regions, transitions and trajectory length of random ReLU / hard-tanh networks against depth, width and sigma_w, counted exactly along a circle; 2-D region maps; Telgarsky's sawtooth.",
  profiles: PROFILES,
  validate: validateConfig,
  claim,
  columns: COLUMNS,
  async procedure(ctx) {
    const arms = armsOf(ctx.config, ctx.seed);
    ctx.log(
      `[linear-regions] ${ctx.config.conditions.length} conditions, widths ${ctx.config.widths.join('/')}, depth ${ctx.config.maxDepth}, ${ctx.config.networks} networks per setting`,
    );
    const results = await runSweep(ctx, {
      runner: networkMeasurement,
      arms,
      cost: costOf,
      label: 'networks',
      describeDone: (arm, r) => `${arm.kind} done in ${r.seconds.toFixed(1)}s`,
    });
    return toRows(results);
  },
  figures: (rows, ctx) => drawFigures(rows, ctx.config, ctx.seed, ctx.figuresDir),
};
