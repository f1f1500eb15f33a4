import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliMain, createProgress, runExperiment, Rng, type ExperimentDefinition, type RunContext } from '@claimlab/core';
import { defaultGamma, fid, geometryScore, inceptionScore, mrlt, type PointCloud } from '@claimlab/metrics';
import { claim, COLUMNS, METRICS, type ResultRow } from './claim.ts';
import { PROFILES, validateConfig, type GeometryScoreConfig } from './config.ts';
import { drawFigures } from './figures.ts';
import { GAN_LOSSES, trainGan } from './gan.ts';
import { classify, featureNet, MNIST_MODELS, mnistSets } from './mnist.ts';
import { TOY_MODELS, toySample } from './toy.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

type Ctx = RunContext<GeometryScoreConfig>;

function mrltRows(part: string, model: string, m: Float64Array): ResultRow[] {
  return Array.from(m, (value, i) => ({ part, model, metric: METRICS.mrlt, i, value }));
}

const scalarRow = (part: string, model: string, metric: string, value: number): ResultRow => ({ part, model, metric, i: -1, value });

function computeMrlt(ctx: Ctx, label: string, x: PointCloud, gamma: number, repetitions: number): { m: Float64Array; seconds: number } {
  const c = ctx.config;
  const progress = createProgress(`MRLT ${label}`, repetitions);
  const t0 = Date.now();
  const m = mrlt(x, {
    landmarks: c.landmarks,
    gamma,
    iMax: c.iMax,
    repetitions,
    rng: ctx.rng.fork(`landmarks/${label}`),
    onProgress: (done) => {
      if (done % 50 === 0 || done === repetitions) progress.update(done, `${label}`);
    },
  });
  progress.stop();
  return { m, seconds: (Date.now() - t0) / 1000 };
}

export async function toyPart(ctx: Ctx): Promise<ResultRow[]> {
  const c = ctx.config;
  const n = c.toyPoints;
  const gamma = c.toyGamma > 0 ? c.toyGamma : defaultGamma(n);
  ctx.log(`[geometry-score] toy part: ${TOY_MODELS.length} planar data sets of ${n} points, L0 = ${c.landmarks}, gamma = ${gamma.toPrecision(4)}, ${c.repetitions} draws each`);
  const rows: ResultRow[] = [];
  const samples = new Map(TOY_MODELS.map((m) => [m, toySample(m, n, new Rng(ctx.seed).fork(`toy/${m}`))]));
  const ref = samples.get('reference')!;
  let refMrlt: Float64Array | null = null;
  for (const model of TOY_MODELS) {
    const data = samples.get(model)!;
    const { m, seconds } = computeMrlt(ctx, `toy/${model}`, { data, n, d: 2 }, gamma, c.repetitions);
    if (model === 'reference') refMrlt = m;
    rows.push(...mrltRows('toy', model, m));
    rows.push(scalarRow('toy', model, METRICS.gs, geometryScore(refMrlt!, m)));
    rows.push(scalarRow('toy', model, METRICS.fid, fid({ data: ref, n, d: 2 }, { data, n, d: 2 })));
    ctx.log(`[geometry-score] toy ${model}: GS ${geometryScore(refMrlt!, m).toExponential(3)}, MRLT(0..3) ${Array.from(m.slice(0, 4), (v) => v.toFixed(3)).join(' ')} (${seconds.toFixed(1)}s)`);
  }
  return rows;
}

export async function mnistPart(ctx: Ctx): Promise<ResultRow[]> {
  const c = ctx.config;
  const n = c.mnistSamples;
  const rows: ResultRow[] = [];
  const net = await featureNet(c, ctx.seed, join(ctx.repoRoot, 'node_modules', '.cache', 'claimlab'), ctx.log);
  rows.push(scalarRow('mnist', 'feature-net', METRICS.accuracy, net.testAccuracy));
  const sets = mnistSets(c, ctx.seed);
  const refFeat = classify(net.model, sets.reference.images, n);
  ctx.log(`[geometry-score] MNIST part: ${n} images per model, raw pixels for the geometry score (gamma = ${c.mnistGamma.toPrecision(4)}, ${c.mnistRepetitions} draws), classifier features (d = ${refFeat.d}) for FID`);
  const refIs = inceptionScore(refFeat.probs, n, 10);
  const { m: refMrlt, seconds: refSec } = computeMrlt(ctx, 'mnist/reference', { data: sets.reference.images, n, d: 784 }, c.mnistGamma, c.mnistRepetitions);
  rows.push(...mrltRows('mnist', 'reference', refMrlt));
  rows.push(scalarRow('mnist', 'reference', METRICS.isMean, refIs.mean), scalarRow('mnist', 'reference', METRICS.isStd, refIs.std));
  rows.push(scalarRow('mnist', 'reference', METRICS.gs, 0), scalarRow('mnist', 'reference', METRICS.fid, 0));
  ctx.log(`[geometry-score] mnist reference MRLT in ${refSec.toFixed(1)}s`);
  const generators: [string, Float32Array][] = MNIST_MODELS.map((m) => [m, sets.generators[m]]);
  if (c.ganSteps > 0) {
    for (const loss of GAN_LOSSES) {
      const progress = createProgress(`GAN (${loss})`, c.ganSteps);
      const gan = trainGan({
        loss,
        images: sets.ganTrain.images,
        n: sets.ganTrain.n,
        steps: c.ganSteps,
        batchSize: 64,
        zDim: 32,
        hidden: 256,
        learningRate: c.ganLearningRate,
        rng: ctx.rng.fork(`gan/${loss}`),
        onProgress: (step, d, g) => progress.update(step, `D loss ${d.toFixed(3)}, G loss ${g.toFixed(3)}`),
      });
      progress.stop();
      generators.push([`gan-${loss}`, gan.sample(n, ctx.rng.fork(`gan-samples/${loss}`))]);
      ctx.log(`[geometry-score] GAN (${loss} loss) trained for ${c.ganSteps} steps in ${gan.seconds.toFixed(0)}s`);
      gan.dispose();
    }
  }
  for (const [model, images] of generators) {
    const feat = classify(net.model, images, n);
    const is = inceptionScore(feat.probs, n, 10);
    const f = fid({ data: refFeat.features, n, d: refFeat.d }, { data: feat.features, n, d: feat.d });
    const { m, seconds } = computeMrlt(ctx, `mnist/${model}`, { data: images, n, d: 784 }, c.mnistGamma, c.mnistRepetitions);
    const gs = geometryScore(refMrlt, m);
    rows.push(...mrltRows('mnist', model, m));
    rows.push(
      scalarRow('mnist', model, METRICS.gs, gs),
      scalarRow('mnist', model, METRICS.fid, f),
      scalarRow('mnist', model, METRICS.isMean, is.mean),
      scalarRow('mnist', model, METRICS.isStd, is.std),
    );
    ctx.log(`[geometry-score] mnist ${model}: IS ${is.mean.toFixed(2)} +- ${is.std.toFixed(2)}, FID ${f.toFixed(2)}, GS ${gs.toExponential(3)} (${seconds.toFixed(1)}s)`);
  }
  net.model.dispose();
  return rows;
}

export const experiment: ExperimentDefinition<GeometryScoreConfig, ResultRow> = {
  name: 'geometry-score',
  description:
    'Khrulkov & Oseledets (2018): the geometry score. MRLTs of witness-complex persistence for planar toy data and MNIST "generators", compared with IS and FID.',
  profiles: PROFILES,
  claim,
  columns: COLUMNS,
  async procedure(ctx) {
    validateConfig(ctx.config);
    const rows = await toyPart(ctx);
    if (ctx.config.mnist) rows.push(...(await mnistPart(ctx)));
    return rows;
  },
  figures: (rows, ctx) => drawFigures(rows, ctx.figuresDir),
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await cliMain(async () => {
    await runExperiment(experiment, process.argv.slice(2), REPO_ROOT);
  });
}
