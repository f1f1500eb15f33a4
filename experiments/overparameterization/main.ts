import { recordDataSource, runSweep, type ExperimentDefinition } from '@claimlab/core';
import { describeMnist } from '@claimlab/datasets';
import { armsOf, costOf, overparameterizationArm, type ArmResult, type Arm } from './arm.ts';
import { claim } from './claim.ts';
import { COLUMNS, type ResultRow } from './results.ts';
import { PROFILES, validateConfig, type OverparameterizationConfig } from './config.ts';
import { loadRegression } from './data.ts';
import { drawFigures } from './figures.ts';

/** The rows of a seed: every arm's rows, and one set of reference rows (start, optimum, level) per (data set, p). */
export function toRows(arms: Arm[], results: ArmResult[]): ResultRow[] {
  const rows: ResultRow[] = [];
  const seen = new Set<string>();
  arms.forEach((arm, i) => {
    const r = results[i];
    if (arm.kind === 'regression' && r.reference && !seen.has(`${arm.dataset}/${arm.p}`)) {
      seen.add(`${arm.dataset}/${arm.p}`);
      const base = { part: 'regression', dataset: arm.dataset, p: arm.p, method: 'reference', depth: 0, learning_rate: 0, iteration: 0 };
      rows.push(
        { ...base, metric: 'initial_loss', value: r.reference.initialLoss },
        { ...base, metric: 'optimum_loss', value: r.reference.optimumLoss },
        { ...base, metric: 'level', value: r.reference.level },
      );
    }
    rows.push(...r.rows);
  });
  return rows;
}

export const experiment: ExperimentDefinition<OverparameterizationConfig, ResultRow> = {
  name: 'overparameterization',
  description:
    'Arora, Cohen & Hazan (2018): overparameterizing a linear model as a depth-N linear network turns gradient descent into a ' +
    'preconditioned, momentum-like method. l_2 and l_4 regression (Boston / Gas Sensor and a synthetic set) with depths 1-3 ' +
    "against AdaGrad and AdaDelta, each at its best learning rate; Theorems 1 and 2 checked exactly; TensorFlow's MNIST " +
    'tutorial convnet with its fc layers factorised.',
  profiles: PROFILES,
  validate: validateConfig,
  claim,
  columns: COLUMNS,
  async procedure(ctx) {
    const c = ctx.config;
    // The data are read here first (recorded for summary.json, and a missing directory fails before any work).
    for (const d of new Set(c.datasets)) if (d !== 'synthetic') loadRegression(d, c, ctx.seed, ctx.dataDir ?? null);
    if (c.mnist) recordDataSource(describeMnist({ split: 'train' }));
    const arms = armsOf(c, ctx.seed, ctx.dataDir);
    ctx.log(
      `[overparameterization] ${c.datasets.join('/')}, p = ${c.losses.join('/')}, depths ${c.depths.join('/')}, ${c.iterations} iterations` +
        (c.mnist ? `; MNIST tutorial net ${c.mnistSteps} steps` : ''),
    );
    const results = await runSweep(ctx, {
      runner: overparameterizationArm,
      arms,
      cost: costOf,
      label: 'arms',
      describeDone: (arm, r) =>
        `${arm.kind === 'regression' ? `${arm.dataset} p=${arm.p} ${arm.optimizer}${arm.depth}` : arm.kind === 'mnist' ? `mnist ${arm.net}` : 'theory'} done in ${r.seconds.toFixed(1)}s`,
    });
    return toRows(arms, results);
  },
  figures: (rows, ctx) => drawFigures(rows, ctx.figuresDir),
};
