import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { barChart, heatmap, lineChart, saveFigure, saveImagePanels, type Datum } from '@claimlab/plots';
import { defendedOf, mainLayerOf, mainXiOf, modelsOf, rateOf, transferTable } from './claim.ts';
import { perturbationsFileOf, timingsFileOf, type ResultRow } from './results.ts';
import type { UniversalConfig } from './config.ts';
import { defendedName } from './models.ts';

const METHOD_LABEL: Record<string, string> = { sv: 'singular vector (K&O)', uap: 'iterative UAP (M-D)', random: 'random sign noise' };

type Stored = {
  inputShape: [number, number, number];
  mainXi: number;
  models: { model: string; sv: Record<string, number[]>; uap: number[] }[];
};

/** A perturbation of budget xi shown in [0, 1]: -xi black, 0 grey, +xi white. */
const show = (v: number[], xi: number) => Float32Array.from(v, (x) => 0.5 + x / (2 * xi));

/** Draws the figures of one seed: its rows, and its perturbations and timings files beside results.csv in `outDir`. */
export async function drawFigures(
  rows: ResultRow[],
  config: UniversalConfig,
  outDir: string,
  dir: string,
  seed: number,
): Promise<string[]> {
  const files: string[] = [];
  const save = async (name: string, spec: Parameters<typeof saveFigure>[0]) => {
    files.push(...(await saveFigure(spec, join(dir, name))).files);
  };
  const models = modelsOf(rows);
  const defended = defendedOf(rows);
  const xi = mainXiOf(rows);

  // Fooling rate against the budget xi, per model and per defended model (an adaptive attacker):
  // both methods and the random baseline; the rule's budget is the main one.
  const xiData: Datum[] = [];
  for (const m of [...models, ...defended]) {
    for (const x of config.xis) {
      for (const method of ['sv', 'uap'] as const) {
        const v = rateOf(rows, config, { method, source: m, attacked: m, xi: x });
        if (Number.isFinite(v)) xiData.push({ model: m, method: METHOD_LABEL[method], xi: x, fooling: v });
      }
      const rnd = rows.find((r) => r.method === 'random' && r.attacked === m && r.xi === x);
      if (rnd) xiData.push({ model: m, method: METHOD_LABEL.random, xi: x, fooling: rnd.value });
    }
  }
  if (xiData.length) {
    await save(
      'fooling-vs-xi',
      lineChart({
        data: xiData,
        x: 'xi',
        y: 'fooling',
        color: 'method',
        colorTitle: 'perturbation',
        column: 'model',
        columnTitle: 'model',
        points: true,
        width: 220,
        yDomain: [0, 1],
        title: 'Fooling rate on held-out images vs l_inf budget',
        subtitle: `built from ${config.mainImages} images, against each model (defended ones: an adaptive attacker); budget rule's xi = ${xi}`,
        xTitle: 'xi (l_inf norm, input scale [0, 1])',
        yTitle: 'fooling rate',
      }),
    );
  }

  // The defended model without and with each defense: clean held-out accuracy and the rates of the
  // old perturbations (built on the undefended model). Short labels (the defense), so they do not overlap.
  const accData: Datum[] = [];
  if (defended.length) {
    const source = config.defenses.model;
    const label = (m: string) => config.defenses.kinds.find((k) => defendedName(source, k) === m) ?? 'none';
    for (const m of [source, ...defended]) {
      const acc = rows.find((r) => r.method === 'clean' && r.attacked === m && r.eval_set === 'test' && r.metric === 'accuracy');
      if (acc) accData.push({ defense: label(m), what: 'clean accuracy', value: acc.value });
      for (const method of ['sv', 'uap'] as const) {
        const v = rateOf(rows, config, { method, source, attacked: m });
        if (Number.isFinite(v)) accData.push({ defense: label(m), what: `old ${METHOD_LABEL[method]} fooling`, value: v });
      }
    }
    if (accData.length) {
      await save(
        'defenses',
        barChart({
          data: accData,
          x: 'defense',
          y: 'value',
          color: 'what',
          colorTitle: 'measure',
          yDomain: [0, 1],
          title: `Defenses of ${source}: clean accuracy and the fooling rate of the perturbations built on the undefended model`,
          subtitle: `accuracy on the whole test split; fooling on ${config.testSize} held-out images at xi = ${xi}; the adaptive attacker's rates are in fooling-vs-xi`,
          xTitle: `defense of ${source}`,
          yTitle: 'accuracy or fooling rate',
        }),
      );
    }
  }

  // Fooling rate against the layer whose singular vector is used.
  const layerData: Datum[] = rows
    .filter(
      (r) =>
        r.method === 'sv' &&
        r.source === r.attacked &&
        models.includes(r.source) &&
        r.n_images === config.mainImages &&
        r.xi === xi &&
        r.eval_set === 'test' &&
        r.metric === 'fooling_rate',
    )
    .map((r) => ({ layer: `${r.source}: ${r.layer}`, model: r.source, fooling: r.value }));
  if (layerData.length) {
    await save(
      'fooling-vs-layer',
      barChart({
        data: layerData,
        x: 'layer',
        y: 'fooling',
        color: 'model',
        colorTitle: 'model',
        yDomain: [0, 1],
        title: 'Singular-vector perturbation: fooling rate vs hidden layer used',
        subtitle: `xi = ${xi}, ${config.mainImages} images, held-out images; cf. Khrulkov & Oseledets Table 1`,
        xTitle: 'model: layer (input side first)',
        yTitle: 'fooling rate',
      }),
    );
  }

  // Fooling rate against the number of images the perturbation is built from (held-out and build images).
  const nData: Datum[] = [];
  for (const m of models) {
    for (const method of ['sv', 'uap'] as const) {
      for (const r of rows.filter(
        (q) =>
          q.source === m &&
          q.attacked === m &&
          q.method === method &&
          q.xi === xi &&
          q.metric === 'fooling_rate' &&
          (method === 'uap' || q.layer === mainLayerOf(config, m)),
      )) {
        nData.push({
          model: m,
          curve: `${method === 'sv' ? 'singular vector' : 'iterative UAP'}: ${r.eval_set === 'test' ? 'held-out' : 'build set'}`,
          images: r.n_images,
          fooling: r.value,
        });
      }
    }
  }
  if (nData.length) {
    await save(
      'fooling-vs-images',
      lineChart({
        data: nData,
        x: 'images',
        y: 'fooling',
        color: 'curve',
        colorTitle: 'perturbation: images',
        column: 'model',
        columnTitle: 'model',
        xScale: 'log',
        points: true,
        width: 220,
        yDomain: [0, 1],
        title: 'Fooling rate vs number of images the perturbation is built from',
        subtitle: `xi = ${xi}; held-out test images vs the images it was built from; cf. Moosavi-Dezfooli et al. Fig. 6`,
        xTitle: 'images used to build it',
        yTitle: 'fooling rate',
      }),
    );
  }

  // Transfer tables as heat maps (rows: source model, columns: attacked model), with the random baseline as a last row.
  for (const method of ['sv', 'uap'] as const) {
    const t = transferTable(rows, config, method);
    const data: Datum[] = [];
    t.models.forEach((s, i) =>
      t.models.forEach((a, j) => Number.isFinite(t.rates[i][j]) && data.push({ source: s, attacked: a, fooling: t.rates[i][j] })),
    );
    for (const a of t.models) {
      const rnd = rows.find((r) => r.method === 'random' && r.attacked === a && r.xi === xi);
      if (rnd) data.push({ source: 'random noise', attacked: a, fooling: rnd.value });
    }
    if (data.length) {
      await save(
        `transfer-${method}`,
        heatmap({
          data,
          x: 'attacked',
          y: 'source',
          value: 'fooling',
          valueTitle: 'fooling rate',
          text: true,
          domain: [0, 1],
          scheme: 'blues',
          cellSize: 70,
          title: `Transfer: ${METHOD_LABEL[method]}`,
          subtitle: `xi = ${xi}, built from ${config.mainImages} images; held-out images of the attacked model`,
          xTitle: 'attacked model',
          yTitle: 'perturbation built on',
        }),
      );
    }
  }

  // Time to compute each perturbation (wall clock, from the seed's timings file: not part of the compared results).
  const timingsFile = join(outDir, timingsFileOf(seed));
  if (existsSync(timingsFile)) {
    const t = parse(readFileSync(timingsFile, 'utf8'), { columns: true, cast: true }) as {
      model: string;
      method: string;
      layer: string;
      n_images: number;
      xi: number;
      seconds: number;
    }[];
    const data: Datum[] = t
      .filter(
        (r) =>
          r.method === 'train' ||
          (r.n_images === config.mainImages && r.xi === xi && (r.method === 'uap' || r.layer === mainLayerOf(config, r.model))),
      )
      .map((r) => ({ model: r.model, what: r.method === 'train' ? 'training' : METHOD_LABEL[r.method], seconds: r.seconds }));
    if (data.length) {
      await save(
        'time-per-perturbation',
        barChart({
          data,
          x: 'model',
          y: 'seconds',
          color: 'what',
          colorTitle: 'computation',
          title: 'Wall time: training and one perturbation per method',
          subtitle: `${config.mainImages} images, xi = ${xi}; this machine, one worker each`,
          xTitle: 'model',
          yTitle: 'seconds',
        }),
      );
    }
  }

  // The perturbations as images (grey = 0, white = +xi, black = -xi): one row per model, the singular
  // vector of every layer (input side first), then the iterative algorithm's perturbation.
  const pertFile = join(outDir, perturbationsFileOf(seed));
  if (existsSync(pertFile)) {
    const stored = JSON.parse(readFileSync(pertFile, 'utf8')) as Stored;
    const [height, width, channels] = stored.inputShape;
    const image = (v: number[]) => ({ data: show(v, stored.mainXi), width, height, channels: channels as 1 | 3 });
    const rows = stored.models.map((m) => ({
      title: m.model,
      panels: [
        ...Object.entries(m.sv).map(([layer, v]) => ({ label: `sv ${layer}`, image: image(v) })),
        ...(m.uap.length ? [{ label: 'iterative UAP', image: image(m.uap) }] : []),
      ],
    }));
    files.push(
      ...saveImagePanels(rows, join(dir, 'perturbations'), {
        zoom: 3,
        title: `Universal perturbations at xi = ${stored.mainXi}, seed ${seed} (grey 0, white +xi, black -xi)`,
      }).files,
    );
  }
  return files;
}
