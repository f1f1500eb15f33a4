import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { Rng, runSweep, writeFileAtomic, type ExperimentDefinition } from '@claimlab/core';
import { tf } from '@claimlab/backend';
import { foolingRate, predictLabels, tfClassifier } from '@claimlab/metrics';
import { costOf, perturbationStudy, type Arm, type ArmResult, type Timing } from './arm.ts';
import { claim } from './claim.ts';
import { COLUMNS, perturbationsFileOf, timingsFileOf, type ResultRow } from './results.ts';
import { PROFILES, validateConfig, type UniversalConfig } from './config.ts';
import { drawFigures } from './figures.ts';
import { buildModel, checkLayers, decodeWeights } from './models.ts';
import { loadData } from './data.ts';

/**
 * The transfer table: every model (rebuilt from the weights its arm returned)
 * attacked with every other model's main perturbations at mainXi, on the
 * held-out images. The diagonal is in the arms' own rows.
 */
export function transferRows(config: UniversalConfig, seed: number, dataDir: string | undefined, results: ArmResult[]): ResultRow[] {
  const data = loadData(config, seed, dataDir);
  const rows: ResultRow[] = [];
  for (const target of results) {
    const spec = config.models.find((m) => m.name === target.model)!;
    const model = buildModel(spec, data.inputShape, data.test.numClasses, new Rng(seed).fork(`weights/${spec.name}`));
    try {
      decodeWeights(model, target.weights);
      const clf = tfClassifier(model, data.inputShape);
      const clean = predictLabels(clf, data.test.images);
      for (const source of results) {
        if (source.model === target.model) continue;
        const srcSpec = config.models.find((m) => m.name === source.model)!;
        const base = {
          source: source.model,
          n_images: config.mainImages,
          xi: config.mainXi,
          attacked: target.model,
          eval_set: 'test',
          metric: 'fooling_rate',
        };
        const sv = Float32Array.from(source.perturbations.sv[srcSpec.mainLayer]);
        const uap = Float32Array.from(source.perturbations.uap);
        rows.push(
          { ...base, method: 'sv', layer: srcSpec.mainLayer, value: foolingRate(clean, predictLabels(clf, data.test.images, sv)) },
          { ...base, method: 'uap', layer: '-', value: foolingRate(clean, predictLabels(clf, data.test.images, uap)) },
        );
      }
    } finally {
      model.dispose();
    }
  }
  return rows;
}

export function timingsCsv(results: ArmResult[]): string {
  const t: (Timing | { model: string; method: string; layer: string; n_images: number; xi: number; seconds: number })[] = [];
  for (const r of results) {
    t.push({ model: r.model, method: 'train', layer: '-', n_images: 0, xi: 0, seconds: r.trainSeconds });
    t.push(...r.timings);
  }
  return stringify(t, { header: true, columns: ['model', 'method', 'layer', 'n_images', 'xi', 'seconds'] });
}

export const experiment: ExperimentDefinition<UniversalConfig, ResultRow> = {
  name: 'universal-perturbations',
  description:
    'Moosavi-Dezfooli et al. (2017) and Khrulkov & Oseledets (2018): universal adversarial perturbations. Trains several classifiers, builds ' +
    "perturbations on each with the iterative DeepFool algorithm and with (inf, q)-singular vectors of a hidden layer's Jacobian, and measures " +
    'fooling rates against budget, layer and number of images, the cross-model transfer table, and a random baseline of the same norm.',
  profiles: PROFILES,
  validate: validateConfig,
  claim,
  columns: COLUMNS,
  async procedure(ctx) {
    const c = ctx.config;
    const data = loadData(c, ctx.seed, ctx.dataDir);
    for (const spec of c.models) checkLayers(spec, data.inputShape, data.train.numClasses);
    ctx.log(
      `[universal-perturbations] ${c.models.map((m) => m.name).join(', ')} on ${c.trainSize} ${c.dataset} images; xi ${c.xis.join('/')} (main ${c.mainXi}); ` +
        `${c.nImages.join('/')} images (main ${c.mainImages}); fooling on ${c.testSize} held-out images`,
    );
    const arms: Arm[] = c.models.map((spec) => ({ spec, config: c, seed: ctx.seed, dataDir: ctx.dataDir ?? null }));
    const results = await runSweep(ctx, {
      runner: perturbationStudy,
      arms,
      cost: costOf,
      label: 'models',
      describeDone: (arm, r) => `${arm.spec.name} done in ${r.seconds.toFixed(0)}s (training ${r.trainSeconds.toFixed(0)}s)`,
    });
    ctx.log(`[universal-perturbations] transfer table: ${results.length} x ${results.length} models`);
    const transfer = transferRows(c, ctx.seed, ctx.dataDir, results);
    const times = results.flatMap((r) => [
      `${r.model}: train ${r.trainSeconds.toFixed(1)}s`,
      ...r.timings.map((t) => `${t.method}${t.layer !== '-' ? `/${t.layer}` : ''} n=${t.n_images} xi=${t.xi}: ${t.seconds.toFixed(1)}s`),
    ]);
    ctx.log(`[universal-perturbations] time per perturbation:\n  ${times.join('\n  ')}`);
    // One file of each per seed, so that a later seed does not overwrite an earlier one's.
    writeFileAtomic(join(ctx.outDir, timingsFileOf(ctx.seed)), timingsCsv(results));
    writeFileAtomic(
      join(ctx.outDir, perturbationsFileOf(ctx.seed)),
      JSON.stringify({
        inputShape: data.inputShape,
        mainXi: c.mainXi,
        mainImages: c.mainImages,
        models: results.map((r) => ({ model: r.model, ...r.perturbations })),
      }),
    );
    if (tf.memory().numTensors > 0) ctx.log(`[universal-perturbations] note: ${tf.memory().numTensors} tensors still allocated`);
    return [...results.flatMap((r) => r.rows), ...transfer];
  },
  // The framework passes the first seed's rows and context: the figures read that seed's perturbations and timings.
  figures: (rows, ctx) => drawFigures(rows, ctx.config, ctx.outDir, ctx.figuresDir, ctx.seed),
};
