import { join } from 'node:path';
import { runSweep, type ExperimentDefinition, type RunContext } from '@claimlab/core';
import { defaultGamma, geometryScore } from '@claimlab/metrics';
import { persistenceStudy, type Arm, type ArmResult } from './arm.ts';
import { claim } from './claim.ts';
import { COLUMNS, METRICS, type ResultRow } from './results.ts';
import { PROFILES, validateConfig, type GeometryScoreConfig } from './config.ts';
import { drawFigures } from './figures.ts';
import { GAN_LOSSES, ganCostOf, ganLossOf, ganStepsOf } from './gan.ts';
import { featureNet } from './features.ts';
import { AUTHORS_EXAMPLE, EXAMPLE_MODELS, MNIST_MODELS, TOY_MODELS } from './data.ts';

type Ctx = RunContext<GeometryScoreConfig>;

function mrltRows(part: string, model: string, m: number[]): ResultRow[] {
  return m.map((value, i) => ({ part, model, metric: METRICS.mrlt, i, value }));
}

const scalarRow = (part: string, model: string, metric: string, value: number): ResultRow => ({ part, model, metric, i: -1, value });

/** Where the MNIST feature classifier is cached between runs (keyed by its config and seed). */
const cacheRootOf = (ctx: Ctx) => join(ctx.repoRoot, 'node_modules', '.cache', 'claimlab');

/** The sweep's arms: every toy data set, then (with `mnist`) the MNIST reference and generators. */
export function armsOf(ctx: Ctx): Arm[] {
  const c = ctx.config;
  const arms: Arm[] = TOY_MODELS.map((model) => ({ kind: 'toy', model, seed: ctx.seed, config: c }));
  if (c.authorsExample) for (const model of EXAMPLE_MODELS) arms.push({ kind: 'example', model, seed: ctx.seed, config: c });
  if (c.mnist) {
    const gans = GAN_LOSSES.filter((l) => ganStepsOf(c, l) > 0).map((l) => `gan-${l}` as const);
    const models = ['reference', ...MNIST_MODELS, ...gans] as const;
    for (const model of models)
      arms.push({ kind: 'mnist', model, seed: ctx.seed, config: c, cacheRoot: cacheRootOf(ctx), dataDir: ctx.dataDir ?? null });
  }
  return arms;
}

/**
 * The tidy rows of a part, in the arms' order: per model its MRLT, then its
 * geometry score against the part's reference (and FID, IS on MNIST).
 */
export function partRows(part: 'toy' | 'example' | 'mnist', results: ArmResult[], reference = 'reference'): ResultRow[] {
  const mine = results.filter((r) => r.part === part);
  const ref = mine.find((r) => r.model === reference);
  if (!ref) throw new Error(`the ${part} part has no reference MRLT`);
  const refMrlt = Float64Array.from(ref.mrlt);
  const rows: ResultRow[] = [];
  for (const r of mine) {
    const gs = geometryScore(refMrlt, Float64Array.from(r.mrlt));
    rows.push(...mrltRows(part, r.model, r.mrlt), scalarRow(part, r.model, METRICS.gs, gs), scalarRow(part, r.model, METRICS.fid, r.fid));
    if (part === 'mnist') rows.push(scalarRow(part, r.model, METRICS.isMean, r.isMean!), scalarRow(part, r.model, METRICS.isStd, r.isStd!));
  }
  return rows;
}

function describeDone(arm: Arm, r: ArmResult): string {
  const extra = r.isMean !== undefined ? `, IS ${r.isMean.toFixed(2)}, FID ${r.fid.toFixed(2)}` : '';
  return `${arm.kind} ${arm.model}: MRLT(0..3) ${r.mrlt
    .slice(0, 4)
    .map((v) => v.toFixed(3))
    .join(' ')}${extra} (${r.seconds.toFixed(1)}s)`;
}

type Samples = { model: string; images: number[] }[];
/**
 * Sample images of each MNIST generator, kept for the sample figure (not part of results.csv), per
 * run and seed. The framework hands each seed's procedure and the figures context objects of their
 * own, which share the run's config object: so the run is keyed by that object (never by the output
 * folder, which two runs in one process may share) and the seed within it.
 */
const samplesOfRun = new WeakMap<GeometryScoreConfig, Map<number, Samples>>();
const samplesOf = (ctx: Ctx): Samples => samplesOfRun.get(ctx.config)?.get(ctx.seed) ?? [];

export async function procedure(ctx: Ctx): Promise<ResultRow[]> {
  const c = ctx.config;
  const gamma = c.toyGamma > 0 ? c.toyGamma : defaultGamma(c.toyPoints);
  ctx.log(
    `[geometry-score] toy part: ${TOY_MODELS.length} planar data sets of ${c.toyPoints} points, L0 = ${c.landmarks}, gamma = ${gamma.toPrecision(4)}, ${c.repetitions} draws each`,
  );
  const rows: ResultRow[] = [];
  if (c.mnist && !c.inceptionModel) {
    // Trained (or loaded from the cache) once, before the sweep, so the arms only load it.
    const net = await featureNet(c, ctx.seed, cacheRootOf(ctx), ctx.log, ctx.dataDir);
    net.model.dispose();
    rows.push(scalarRow('mnist', 'feature-net', METRICS.accuracy, net.testAccuracy));
  }
  if (c.mnist) {
    const features = c.inceptionModel ? `the Inception-v3 graph model ${c.inceptionModel}` : 'the classifier trained here';
    ctx.log(
      `[geometry-score] MNIST part: ${c.mnistSamples} images per model, raw pixels for the geometry score (gamma = ${c.mnistGamma.toPrecision(4)}, ${c.mnistRepetitions} draws), IS and FID from ${features}`,
    );
  }
  const ex = AUTHORS_EXAMPLE;
  if (c.authorsExample)
    ctx.log(
      `[geometry-score] the authors' worked example: circle vs filled circle, ${ex.points} points, L0 = ${ex.landmarks}, gamma = ${ex.gamma}, i_max = ${ex.iMax}, ${ex.repetitions} draws`,
    );
  const arms = armsOf(ctx);
  const results = await runSweep(ctx, {
    runner: persistenceStudy,
    arms,
    label: 'models',
    describeDone,
    // The GANs first (the longest arms), so the other arms fill the second worker meanwhile.
    cost: (arm) => {
      const loss = arm.kind === 'mnist' ? ganLossOf(arm.model) : null;
      return loss ? ganCostOf(c, loss) : 0;
    },
  });
  const ofRun = samplesOfRun.get(c) ?? new Map<number, Samples>();
  samplesOfRun.set(c, ofRun);
  ofRun.set(
    ctx.seed,
    results.filter((r) => r.samples).map((r) => ({ model: r.model, images: r.samples! })),
  );
  return [
    ...partRows('toy', results),
    ...(c.authorsExample ? partRows('example', results, 'circle') : []),
    ...(c.mnist ? [...rows, ...partRows('mnist', results)] : []),
  ];
}

export const experiment: ExperimentDefinition<GeometryScoreConfig, ResultRow> = {
  name: 'geometry-score',
  description:
    'Khrulkov & Oseledets (2018): the geometry score. MRLTs of witness-complex persistence for planar toy data and MNIST "generators", compared with IS and FID.',
  profiles: PROFILES,
  validate: validateConfig,
  claim,
  columns: COLUMNS,
  procedure,
  // The framework passes the first seed's rows and context: its samples are drawn.
  figures: (rows, ctx) => drawFigures(rows, ctx.figuresDir, samplesOf(ctx)),
};
