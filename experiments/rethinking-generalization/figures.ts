import { join } from 'node:path';
import { barChart, lineChart, saveFigure } from '@claimlab/plots';
import { FIT_ACCURACY, isLabelCondition, summariseConditions } from './claim.ts';
import { type ResultRow } from './results.ts';

/** Figure 1 of Zhang et al. (2017), panels a-c, from our results rows. */
export async function drawFigures(rows: ResultRow[], dir: string): Promise<string[]> {
  const files: string[] = [];
  const save = async (name: string, spec: Parameters<typeof saveFigure>[0]) => {
    files.push(...(await saveFigure(spec, join(dir, name))).files);
  };
  const firstRepeat = rows.filter((r) => r.repeat === 0);

  // 1a: training loss against steps, one curve per condition.
  await save(
    'fig1a-learning-curves',
    lineChart({
      data: firstRepeat.map((r) => ({ condition: r.condition, steps: r.steps, loss: Math.max(r.loss, 1e-4) })),
      x: 'steps',
      y: 'loss',
      color: 'condition',
      colorTitle: 'condition',
      yScale: 'log',
      title: 'Learning curves (cf. Zhang et al. 2017, Fig. 1a)',
      xTitle: 'SGD steps',
      yTitle: 'mean training loss per epoch',
    }),
  );
  await save(
    'fig1a-train-accuracy',
    lineChart({
      data: firstRepeat.map((r) => ({ condition: r.condition, steps: r.steps, accuracy: r.train_accuracy })),
      x: 'steps',
      y: 'accuracy',
      color: 'condition',
      colorTitle: 'condition',
      yDomain: [0, 1],
      hlines: [{ y: FIT_ACCURACY, label: `fit (${FIT_ACCURACY})` }],
      title: 'Training accuracy on the (corrupted) training set',
      xTitle: 'SGD steps',
      yTitle: 'training accuracy',
    }),
  );

  const summary = summariseConditions(rows);
  // One entry per label corruption level p, in increasing p.
  const labelConds = summary.filter((s) => isLabelCondition(s.condition)).sort((a, b) => a.p - b.p);
  const spread = (xs: number[]) => ({ mean: xs.reduce((a, b) => a + b, 0) / xs.length, lower: Math.min(...xs), upper: Math.max(...xs) });

  // 1b: steps to fit against label corruption: mean over repeats, band from min to max.
  // A repeat that never fit counts with the steps it ran (a lower bound), named in the subtitle.
  const unfit = labelConds.flatMap((c) => c.repeats.filter((r) => r.fitSteps === null).map(() => c.p));
  await save(
    'fig1b-convergence-slowdown',
    lineChart({
      data: labelConds.map((c) => {
        const s = spread(c.repeats.map((r) => r.fitSteps ?? r.stepsRun));
        return { p: c.p, steps: s.mean, lower: s.lower, upper: s.upper };
      }),
      x: 'p',
      y: 'steps',
      band: { lower: 'lower', upper: 'upper' },
      points: true,
      title: 'Convergence slowdown (cf. Fig. 1b)',
      subtitle: unfit.length
        ? `never reached the threshold, plotted at the steps run (a lower bound): p = ${unfit.join(', ')}`
        : `mean over repeats; band: min to max`,
      xTitle: 'label corruption p',
      yTitle: `steps to training accuracy >= ${FIT_ACCURACY}`,
    }),
  );
  // 1c: test error against label corruption, with chance level.
  await save(
    'fig1c-test-error',
    lineChart({
      data: labelConds.map((c) => {
        const s = spread(c.repeats.map((r) => 1 - r.finalTest));
        return { p: c.p, error: s.mean, lower: s.lower, upper: s.upper };
      }),
      x: 'p',
      y: 'error',
      band: { lower: 'lower', upper: 'upper' },
      points: true,
      yDomain: [0, 1],
      hlines: [{ y: 0.9, label: 'chance (0.9)' }],
      title: 'Test error at the end of training (cf. Fig. 1c)',
      subtitle: 'mean over repeats; band: min to max',
      xTitle: 'label corruption p',
      yTitle: 'test error',
    }),
  );
  // Steps to fit for every condition, pixel corruptions included.
  await save(
    'steps-to-fit-by-condition',
    barChart({
      data: summary.map((s) => ({ condition: s.condition, steps: s.stepsToFit ?? 0 })),
      x: 'condition',
      y: 'steps',
      title: 'Steps to fit, every condition',
      xTitle: 'condition',
      yTitle: `steps to training accuracy >= ${FIT_ACCURACY} (0 = never)`,
    }),
  );
  return files;
}
