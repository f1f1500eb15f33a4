import { join } from 'node:path';
import { barChart, lineChart, saveFigure, saveImagePanels } from '@claimlab/plots';
import { mrltOf, scalar } from './claim.ts';
import { METRICS, type ResultRow } from './results.ts';

const MRLT_X_TITLE = 'i (number of one-dimensional holes alive)';

/** MRLT curves of several models, i = 0..top (a line chart: MNIST's pixels have many holes). */
function mrltCurves(mrlts: { m: string; v: number[] }[], top: number, title: string, subtitle: string) {
  return lineChart({
    data: mrlts.flatMap(({ m, v }) => v.slice(0, top + 1).map((x, i) => ({ i, model: m, mrlt: x }))),
    x: 'i',
    y: 'mrlt',
    color: 'model',
    colorTitle: 'model',
    width: 720,
    title,
    subtitle,
    xTitle: MRLT_X_TITLE,
    yTitle: 'MRLT(i)',
  });
}

/**
 * The paper's MRLT bar plots (its Figures of MRLTs per data set / model) and
 * score bars, from the results rows; and, given the MNIST generators' first
 * samples, a panel of them (what each "generator" produces).
 */
export async function drawFigures(rows: ResultRow[], dir: string, samples: { model: string; images: number[] }[] = []): Promise<string[]> {
  const files: string[] = [];
  if (samples.length) {
    const panelRows = samples.map(({ model, images }) => ({
      title: model,
      panels: Array.from({ length: Math.floor(images.length / 784) }, (_, k) => ({
        label: '',
        image: { data: images.slice(k * 784, (k + 1) * 784), width: 28, height: 28, channels: 1 as const },
      })),
    }));
    files.push(
      ...saveImagePanels(panelRows, join(dir, 'samples-mnist'), {
        zoom: 2,
        title: 'First samples of each MNIST model (the reference is real training digits)',
      }).files,
    );
  }
  const save = async (name: string, spec: Parameters<typeof saveFigure>[0]) => {
    files.push(...(await saveFigure(spec, join(dir, name))).files);
  };
  const partTitles: Record<string, string> = {
    toy: 'planar toy data',
    example: "the authors' worked example: circle vs filled circle",
    mnist: 'MNIST (raw pixels)',
  };
  for (const part of ['toy', 'example', 'mnist']) {
    const models = [...new Set(rows.filter((r) => r.part === part && r.metric === METRICS.mrlt).map((r) => r.model))];
    if (models.length === 0) continue;
    const mrlts = models.map((m) => ({ m, v: mrltOf(rows, part, m) }));
    // show i up to the last index where some model has MRLT > 0.005 (at least 0..4)
    let top = 4;
    for (const { v } of mrlts) v.forEach((x, i) => (x > 0.005 ? (top = Math.max(top, i)) : null));
    const title = `Mean relative living times, ${partTitles[part]} (cf. Khrulkov & Oseledets 2018, MRLT figures)`;
    if (top <= 12) {
      await save(
        `mrlt-${part}`,
        barChart({
          data: mrlts.flatMap(({ m, v }) => v.slice(0, top + 1).map((x, i) => ({ i: String(i), model: m, mrlt: x }))),
          x: 'i',
          y: 'mrlt',
          color: 'model',
          colorTitle: 'model',
          yDomain: [0, 1],
          width: Math.max(360, (top + 1) * models.length * 9),
          title,
          xTitle: MRLT_X_TITLE,
          yTitle: 'MRLT(i)',
        }),
      );
    } else {
      // many holes (e.g. MNIST pixels): curves over the whole range; the share of time with >= i_max holes is 1 - sum
      await save(
        `mrlt-${part}`,
        mrltCurves(mrlts, top, title, 'the share of [0, alpha_max] with i_max or more holes alive is 1 - sum of the curve'),
      );
    }
    const pair = ['reference', 'gan-wgan', 'gan-wgan-gp'];
    if (part === 'mnist' && pair.every((m) => models.includes(m))) {
      // The paper's MNIST comparison on its own: real digits, WGAN and WGAN-GP.
      await save(
        'mrlt-mnist-wgan-pair',
        mrltCurves(
          mrlts.filter(({ m }) => pair.includes(m)),
          top,
          'MRLT of real digits, WGAN and WGAN-GP (cf. Khrulkov & Oseledets 2018, Section 5.2)',
          'the closer a curve to the reference, the lower its geometry score',
        ),
      );
    }
    if (part === 'example') continue; // one score, checked against the authors' in the verdict
    const gens = models.filter((m) => m !== 'reference');
    await save(
      `geometry-score-${part}`,
      barChart({
        data: gens.map((m) => ({ model: m, gs: Math.max(scalar(rows, part, m, METRICS.gs) ?? NaN, 1e-6) })),
        x: 'model',
        y: 'gs',
        yScale: 'log',
        yDomain: [1e-6, 3],
        title: `Geometry score against the reference, ${part}`,
        subtitle: 'lower is better; values below 1e-6 drawn at 1e-6',
        xTitle: 'generator',
        yTitle: 'geometry score',
        width: 120 * gens.length,
      }),
    );
    if (part === 'mnist') {
      const table = gens.flatMap((m) => [
        { model: m, metric: 'IS (higher is better)', value: scalar(rows, part, m, METRICS.isMean) ?? NaN },
        { model: m, metric: 'FID (lower is better)', value: scalar(rows, part, m, METRICS.fid) ?? NaN },
      ]);
      for (const metric of ['IS (higher is better)', 'FID (lower is better)']) {
        await save(
          `${metric.startsWith('IS') ? 'inception-score' : 'fid'}-${part}`,
          barChart({
            data: table.filter((t) => t.metric === metric),
            x: 'model',
            y: 'value',
            title: `${metric}, MNIST generators (classifier trained here)`,
            xTitle: 'generator',
            yTitle: metric,
            width: 120 * gens.length,
          }),
        );
      }
    }
  }
  return files;
}
