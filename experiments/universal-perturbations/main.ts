import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { Rng, runSweep, writeFileAtomic, type ExperimentDefinition } from '@claimlab/core';
import { tf } from '@claimlab/backend';
import { foolingRate, predictLabels } from '@claimlab/metrics';
import { costOf, perturbationStudy, type Arm, type ArmResult } from './arm.ts';
import { chooseBudget } from './budget.ts';
import { claim } from './claim.ts';
import { COLUMNS, perturbationsFileOf, timingsFileOf, type ResultRow } from './results.ts';
import { PROFILES, validateConfig, type UniversalConfig } from './config.ts';
import { drawFigures } from './figures.ts';
import { buildModel, checkLayers, classifierOf, decodeWeights } from './models.ts';
import { loadData, type Data } from './data.ts';

/**
 * The transfer table: every model and every defended model (rebuilt from the weights its arm
 * returned) attacked with every undefended model's main perturbations at the main budget, on the
 * held-out images. Rows from a model to a defended one are the "old perturbation" of the defenses.
 * The diagonal is in the arms' own rows.
 */
export function transferRows(config: UniversalConfig, data: Data, sources: ArmResult[], targets: ArmResult[], xi: number): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const target of targets) {
    const [base, defense] = target.model.split('+') as [string, (typeof config.defenses.kinds)[number] | undefined];
    const spec = config.models.find((m) => m.name === base)!;
    const model = buildModel(spec, data.inputShape, data.test.numClasses, new Rng(0));
    try {
      decodeWeights(model, target.weights);
      const clf = classifierOf(model, data.inputShape, defense, config);
      const clean = predictLabels(clf, data.test.images);
      const rate = (v: number[]) => foolingRate(clean, predictLabels(clf, data.test.images, Float32Array.from(v)));
      for (const source of sources) {
        if (source.model === target.model) continue;
        const srcSpec = config.models.find((m) => m.name === source.model)!;
        const key = {
          source: source.model,
          n_images: config.mainImages,
          xi,
          attacked: target.model,
          eval_set: 'test',
          metric: 'fooling_rate',
        };
        rows.push(
          { ...key, method: 'sv', layer: srcSpec.mainLayer, value: rate(source.perturbations.sv[srcSpec.mainLayer]) },
          { ...key, method: 'uap', layer: '-', value: rate(source.perturbations.uap) },
        );
      }
    } finally {
      model.dispose();
    }
  }
  return rows;
}

export function timingsCsv(results: ArmResult[]): string {
  return stringify(
    results.flatMap((r) => r.timings),
    { header: true, columns: ['model', 'method', 'layer', 'n_images', 'xi', 'seconds'] },
  );
}

export const experiment: ExperimentDefinition<UniversalConfig, ResultRow> = {
  name: 'universal-perturbations',
  description:
    'Moosavi-Dezfooli et al. (2017) and Khrulkov & Oseledets (2018): universal adversarial perturbations. Trains convolutional ' +
    "classifiers of different families to a target accuracy, picks the budget by the papers' criterion (random noise of that norm " +
    "rarely changes a label), builds perturbations with the iterative DeepFool algorithm and with (inf, q)-singular vectors of a hidden layer's " +
    'Jacobian, and measures fooling rates against budget, layer and number of images, the cross-model transfer table, a random ' +
    'baseline of the same norm, and three defenses (noise training, bit-depth reduction, fine-tuning) against an adaptive attacker.',
  profiles: PROFILES,
  validate: validateConfig,
  claim,
  columns: COLUMNS,
  async procedure(ctx) {
    const c = ctx.config;
    const data = loadData(c, ctx.seed, ctx.dataDir);
    for (const spec of c.models) checkLayers(spec, data.inputShape, data.train.numClasses);
    const dataDir = ctx.dataDir ?? null;
    ctx.log(
      `[universal-perturbations] ${c.models.map((m) => m.name).join(', ')} trained on ${c.trainSize} ${c.dataset} images to ` +
        `${c.targetAccuracy} held-out accuracy; xi ${c.xis.join('/')} (main: the budget rule); ${c.nImages.join('/')} images ` +
        `(main ${c.mainImages}); fooling on ${c.testSize} held-out images; defenses of ${c.defenses.model}: ${c.defenses.kinds.join(', ')}`,
    );
    const base = { config: c, seed: ctx.seed, dataDir };
    // Two sweeps, each in its own store (train/, attack/), so --resume and --shard work for both.
    const trained = await runSweep(ctx, {
      store: 'train',
      runner: perturbationStudy,
      arms: c.models.map((spec): Arm => ({ ...base, spec, task: 'train' })),
      cost: costOf,
      label: 'models trained',
      describeDone: (arm, r) => `${arm.spec.name} trained in ${r.seconds.toFixed(0)}s`,
    });
    const trainRows = trained.flatMap((r) => r.rows);
    const budget = chooseBudget(trainRows, c);
    ctx.log(`[universal-perturbations] ${budget.explanation}`);
    const xi = budget.xi;
    const weightsOf = (name: string) => trained.find((r) => r.model === name)!.weights;
    const defended = c.models.find((m) => m.name === c.defenses.model)!;
    const attacks = await runSweep(ctx, {
      store: 'attack',
      runner: perturbationStudy,
      arms: [
        ...c.models.map((spec): Arm => ({ ...base, spec, task: 'attack', xi, weights: weightsOf(spec.name) })),
        ...c.defenses.kinds.map((defense): Arm => ({
          ...base,
          spec: defended,
          task: 'defend',
          defense,
          xi,
          weights: weightsOf(defended.name),
        })),
      ],
      cost: costOf,
      label: 'attacks and defenses',
      describeDone: (arm, r) => `${r.model} ${arm.task === 'defend' ? 'defended and attacked' : 'attacked'} in ${r.seconds.toFixed(0)}s`,
    });
    const undefended = attacks.slice(0, c.models.length);
    ctx.log(`[universal-perturbations] transfer table: ${undefended.length} models onto ${attacks.length} models and defended models`);
    const transfer = transferRows(c, data, undefended, attacks, xi);
    const all = [...trained, ...attacks];
    const times = all.flatMap((r) =>
      r.timings.map(
        (t) => `${t.model} ${t.method}${t.layer !== '-' ? `/${t.layer}` : ''} n=${t.n_images} xi=${t.xi}: ${t.seconds.toFixed(1)}s`,
      ),
    );
    ctx.log(`[universal-perturbations] time per training and perturbation:\n  ${times.join('\n  ')}`);
    // One file of each per seed, so that a later seed does not overwrite an earlier one's.
    writeFileAtomic(join(ctx.outDir, timingsFileOf(ctx.seed)), timingsCsv(all));
    writeFileAtomic(
      join(ctx.outDir, perturbationsFileOf(ctx.seed)),
      JSON.stringify({
        inputShape: data.inputShape,
        mainXi: xi,
        mainImages: c.mainImages,
        models: attacks.map((r) => ({ model: r.model, ...r.perturbations })),
      }),
    );
    if (tf.memory().numTensors > 0) ctx.log(`[universal-perturbations] note: ${tf.memory().numTensors} tensors still allocated`);
    return [...trainRows, budget.row, ...attacks.flatMap((r) => r.rows), ...transfer];
  },
  // The framework passes the first seed's rows and context: the figures read that seed's perturbations and timings.
  figures: (rows, ctx) => drawFigures(rows, ctx.config, ctx.outDir, ctx.figuresDir, ctx.seed),
};
