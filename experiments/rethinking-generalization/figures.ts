import { join } from 'node:path';
import { barChart, lineChart, saveFigure } from '@claimlab/plots';
import { FIT_ACCURACY, isLabelCondition, summariseConditions } from './claim.ts';
import { type ResultRow } from './results.ts';

/** Figure 1 of Zhang et al. (2017), panels a-c, from one seed's results rows (the run's first seed). */
export async function drawFigures(rows: ResultRow[], dir: string): Promise<string[]> {
  const files: string[] = [];
  const save = async (name: string, spec: Parameters<typeof saveFigure>[0]) => {
    files.push(...(await saveFigure(spec, join(dir, name))).files);
  };

  // 1a: training loss against steps, one curve per condition.
  await save(
    'fig1a-learning-curves',
    lineChart({
      data: rows.map((r) => ({ condition: r.condition, steps: r.steps, loss: Math.max(r.loss, 1e-4) })),
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
      data: rows.map((r) => ({ condition: r.condition, steps: r.steps, accuracy: r.train_accuracy })),
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

  // 1b: steps to fit against label corruption. A run that never fit is plotted at the steps it
  // ran (a lower bound), named in the subtitle.
  const unfit = labelConds.filter((c) => c.stepsToFit === null).map((c) => c.p);
  await save(
    'fig1b-convergence-slowdown',
    lineChart({
      data: labelConds.map((c) => ({ p: c.p, steps: c.stepsToFit ?? c.stepsRun })),
      x: 'p',
      y: 'steps',
      points: true,
      title: 'Convergence slowdown (cf. Fig. 1b)',
      subtitle: unfit.length
        ? `never reached the threshold, plotted at the steps run (a lower bound): p = ${unfit.join(', ')}`
        : 'one run per corruption level (first seed)',
      xTitle: 'label corruption p',
      yTitle: `steps to training accuracy >= ${FIT_ACCURACY}`,
    }),
  );
  // 1c: test error against label corruption, with chance level.
  await save(
    'fig1c-test-error',
    lineChart({
      data: labelConds.map((c) => ({ p: c.p, error: 1 - c.finalTest })),
      x: 'p',
      y: 'error',
      points: true,
      yDomain: [0, 1],
      hlines: [{ y: 0.9, label: 'chance (0.9)' }],
      title: 'Test error at the end of training (cf. Fig. 1c)',
      subtitle: 'one run per corruption level (first seed)',
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
