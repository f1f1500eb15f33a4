import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@claimlab/core';
import { encodePng } from '@claimlab/datasets';
import { lineChart, saveFigure, saveImagePanels, type Datum } from '@claimlab/plots';
import type { NetSettings, Snapshot } from './arm.ts';
import { cleanImage, noisyImage } from './data.ts';
import { PAPER, series } from './claim.ts';
import { type ResultRow } from './results.ts';
import { FIT_TARGETS, type DeepImagePriorConfig } from './config.ts';

export async function drawFigures(
  rows: ResultRow[],
  config: DeepImagePriorConfig,
  settings: NetSettings,
  snapshots: Snapshot[],
  dir: string,
): Promise<string[]> {
  const files: string[] = [];
  const save = async (name: string, spec: Parameters<typeof saveFigure>[0]) =>
    files.push(...(await saveFigure(spec, join(dir, name))).files);
  const stop = config.stopIteration;

  // PSNR against iteration (denoising).
  const input = series(rows, 'denoise', 'psnr_input')[0]?.value;
  const pData: Datum[] = [
    ...series(rows, 'denoise', 'psnr_gt').map((p) => ({ curve: 'output vs clean image', iteration: p.iteration, psnr: p.value })),
    ...series(rows, 'denoise', 'psnr_gt_avg').map((p) => ({
      curve: 'averaged output vs clean image',
      iteration: p.iteration,
      psnr: p.value,
    })),
    ...series(rows, 'denoise', 'psnr_noisy').map((p) => ({ curve: 'output vs noisy target', iteration: p.iteration, psnr: p.value })),
  ];
  if (pData.length) {
    await save(
      'psnr-vs-iteration',
      lineChart({
        data: pData,
        x: 'iteration',
        y: 'psnr',
        color: 'curve',
        colorTitle: 'PSNR of',
        hlines: input === undefined ? [] : [{ y: input, label: `noisy input ${input.toFixed(2)} dB` }],
        title: `Denoising by fitting a random network (sigma = 25/255, ${config.imageSize}x${config.imageSize})`,
        subtitle: `stopping iteration ${stop}; paper (512 px, full net): ${PAPER.dipDb} dB, ${PAPER.dipAveragedDb} dB averaged`,
        xTitle: 'iteration (Adam step)',
        yTitle: 'PSNR (dB)',
      }),
    );
  }

  // Figure 2: loss against iteration for the four targets (log iteration axis, as the paper).
  const lData: Datum[] = FIT_TARGETS.flatMap((t) =>
    series(rows, 'fit', 'loss', t).map((p) => ({ target: t, iteration: p.iteration, mse: p.value })),
  );
  if (lData.length) {
    await save(
      'fitting-loss',
      lineChart({
        data: lData,
        x: 'iteration',
        y: 'mse',
        color: 'target',
        colorTitle: 'target',
        xScale: 'log',
        hlines: [{ y: config.fitMseThreshold, label: `MSE ${config.fitMseThreshold}` }],
        title: 'Fitting the same random network to four targets (cf. Ulyanov et al. 2018, Fig. 2)',
        subtitle: 'the paper (Fig. 2): natural image fastest, then image + noise, shuffled pixels, uniform noise slowest',
        xTitle: 'iteration (log)',
        yTitle: 'MSE to the target',
      }),
    );
    await save(
      'fitting-loss-log',
      lineChart({
        data: lData.map((d) => ({ ...d, mse: Math.max(d.mse as number, 1e-8) })),
        x: 'iteration',
        y: 'mse',
        color: 'target',
        colorTitle: 'target',
        yScale: 'log',
        hlines: [{ y: config.fitMseThreshold, label: `MSE ${config.fitMseThreshold}` }],
        title: 'Fitting loss, log scale',
        xTitle: 'iteration',
        yTitle: 'MSE to the target (log)',
      }),
    );
  }

  // Image panels: clean, noisy, outputs at several iterations, the averaged output at the stop.
  const outputs = snapshots.filter((s) => s.kind === 'output').sort((a, b) => a.iteration - b.iteration);
  if (outputs.length) {
    const clean = cleanImage(settings);
    const noisy = noisyImage(clean, settings.noiseSigma, settings.masterSeed);
    const png = (d: Float32Array) => encodePng({ ...clean, data: d }).toString('base64');
    const image = (b64: string) => ({ png: Buffer.from(b64, 'base64'), width: clean.width, height: clean.height });
    const psnrAt = (metric: string, it: number) => series(rows, 'denoise', metric).find((p) => p.iteration === it)?.value;
    const label = (metric: string, it: number, what: string) => {
      const v = psnrAt(metric, it);
      return `${what} ${v === undefined ? '' : `${v.toFixed(1)} dB`}`;
    };
    const panels = [
      { label: 'clean', image: image(png(clean.data)) },
      { label: `noisy ${input === undefined ? '' : `${input.toFixed(1)} dB`}`, image: image(png(noisy.data)) },
      ...outputs.map((s) => ({ label: label('psnr_gt', s.iteration, `it ${s.iteration}:`), image: image(s.png) })),
      ...snapshots
        .filter((s) => s.kind === 'average')
        .map((s) => ({ label: label('psnr_gt_avg', s.iteration, `avg @${s.iteration}:`), image: image(s.png) })),
    ];
    const zoom = Math.max(1, Math.min(4, Math.ceil(192 / config.imageSize)));
    files.push(
      ...saveImagePanels([{ title: '', panels }], join(dir, 'denoising-panels'), {
        zoom,
        title: `Deep image prior: the output during the fit (PSNR vs clean); stopping iteration ${stop}`,
      }).files,
    );
    // The images themselves, at their own resolution (the folder is rewritten: no stale snapshots of an earlier config).
    rmSync(join(dir, 'images'), { recursive: true, force: true });
    const write = (name: string, b64: string) => {
      writeFileAtomic(join(dir, 'images', name), Buffer.from(b64, 'base64'));
      files.push(join(dir, 'images', name));
    };
    write('clean.png', png(clean.data));
    write('noisy.png', png(noisy.data));
    for (const s of snapshots) write(`${s.kind}-${String(s.iteration).padStart(5, '0')}.png`, s.png);
  }
  return files;
}
