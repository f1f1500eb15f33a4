import { fileURLToPath } from 'node:url';
import { cliMain, runExperiment, runSweep, type ExperimentDefinition } from '@claimlab/core';
import type { Arm, ArmResult } from './arm.ts';
import { claim, COLUMNS, type ResultRow } from './claim.ts';
import { PROFILES, validateConfig, type LinearRegionsConfig } from './config.ts';
import { drawFigures } from './figures.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The sweep's arms: every condition x width x seed (one deep net, measured after every layer), the 2-D slices, the sawtooth. */
export function armsOf(c: LinearRegionsConfig, masterSeed: number): Arm[] {
  const arms: Arm[] = [];
  const geo = { masterSeed, inputDim: c.inputDim, radiusScale: c.radiusScale };
  for (const condition of c.conditions) {
    for (const width of c.widths) {
      for (let seed = 0; seed < c.seeds; seed++) {
        const depth = c.budget % width === 0 ? Math.max(c.maxDepth, c.budget / width) : c.maxDepth;
        arms.push({ kind: 'path', condition, width, depth, seed, ...geo, circleVertices: c.circleVertices });
      }
    }
  }
  // 2-D slices: shallow-wide vs deep-narrow at the neuron budget, for the chaotic hard-tanh and the He ReLU conditions.
  const sliceConds = c.conditions.filter((k) => (k.activation === 'hard-tanh' && k.sigmaW2 === c.chaoticSigmaW2) || (k.activation === 'relu' && k.sigmaW2 === 2));
  for (const condition of sliceConds) {
    for (const depth of c.sliceDepths) {
      for (let seed = 0; seed < c.seeds; seed++) {
        arms.push({ kind: 'slice', condition, width: c.budget / depth, depth, seed, ...geo, resolution: c.sliceResolution });
      }
    }
  }
  arms.push({ kind: 'sawtooth', depth: c.sawtoothDepth });
  return arms;
}

/** Rough relative cost of an arm (pieces x width^2): the expensive ones are started first so the workers finish together. */
function costOf(a: Arm): number {
  if (a.kind === 'sawtooth') return 2 ** a.depth;
  if (a.kind === 'slice') return a.resolution ** 2 * a.width * a.depth;
  const s = a.condition.sigmaW2;
  const g = a.condition.activation === 'hard-tanh' && s > 1 ? Math.sqrt((Math.sqrt(s) * a.width) / (Math.sqrt(s) + a.width)) : 1.1;
  return a.width * a.width * (a.circleVertices + a.width * g ** a.depth);
}

export function toRows(results: ArmResult[]): ResultRow[] {
  return results.flatMap((r) => r.measures.map((m) => ({ ...m })));
}

export const experiment: ExperimentDefinition<LinearRegionsConfig, ResultRow> = {
  name: 'linear-regions',
  description:
    'Raghu et al. (2017) with Hanin & Rolnick (2019): linear regions, transitions and trajectory length of random ReLU / hard-tanh networks against depth, width and sigma_w, counted exactly along a circle; 2-D region maps; Telgarsky\'s sawtooth.',
  profiles: PROFILES,
  claim,
  columns: COLUMNS,
  async procedure(ctx) {
    validateConfig(ctx.config);
    const arms = armsOf(ctx.config, ctx.seed);
    ctx.log(`[linear-regions] ${ctx.config.conditions.length} conditions, widths ${ctx.config.widths.join('/')}, depth ${ctx.config.maxDepth}, ${ctx.config.seeds} seeds`);
    // Run the expensive arms first; results are put back in the arms' order, so rows do not depend on the schedule.
    const order = arms.map((_, i) => i).sort((i, j) => costOf(arms[j]) - costOf(arms[i]) || i - j);
    const scheduled = await runSweep<LinearRegionsConfig, Arm, ArmResult>(ctx, {
      moduleUrl: new URL('./arm.ts', import.meta.url).href,
      arms: order.map((i) => arms[i]),
      label: 'networks',
      describeDone: (arm, r) => `${arm.kind} done in ${r.seconds.toFixed(1)}s`,
    });
    const results: ArmResult[] = new Array(arms.length);
    order.forEach((armIndex, j) => (results[armIndex] = scheduled[j]));
    return toRows(results);
  },
  figures: (rows, ctx) => drawFigures(rows, ctx.config, ctx.seed, ctx.figuresDir),
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await cliMain(async () => {
    await runExperiment(experiment, process.argv.slice(2), REPO_ROOT);
  });
}
