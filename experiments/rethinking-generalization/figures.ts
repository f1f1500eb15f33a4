import { join } from 'node:path';
import { barChart, lineChart, saveFigure } from '@claimlab/plots';
import { FIT_ACCURACY, isLabelCondition, summariseConditions, type ResultRow } from './claim.ts';

/** Figure 1 of Zhang et al. (2017), panels a-c, from our results rows. */
export async function drawFigures(rows: ResultRow[], dir: string): Promise<string[]> {
  const files: string[] = [];
  const save = async (name: string, spec: Parameters<typeof saveFigure>[0]) => {
    const out = await saveFigure(spec, join(dir, name));
    files.push(out.svg, ...(out.png ? [out.png] : []));
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
  const labelPs = [...new Set(rows.filter((r) => isLabelCondition(r.condition)).map((r) => r.label_corruption))].sort((a, b) => a - b);
  const perRepeat = (p: number) => {
    const rs = rows.filter((r) => isLabelCondition(r.condition) && r.label_corruption === p);
    return [...new Set(rs.map((r) => r.repeat))].map((k) => {
      const epochs = rs.filter((r) => r.repeat === k).sort((a, b) => a.epoch - b.epoch);
      const last = epochs[epochs.length - 1];
      return { fitSteps: epochs.find((r) => r.train_accuracy >= FIT_ACCURACY)?.steps ?? null, stepsRun: last.steps, finalTest: last.test_accuracy };
    });
  };
  const spread = (xs: number[]) => ({ mean: xs.reduce((a, b) => a + b, 0) / xs.length, lower: Math.min(...xs), upper: Math.max(...xs) });

  // 1b: steps to fit against label corruption: mean over repeats, band from min to max.
  // A repeat that never fit counts with the steps it ran (a lower bound), named in the subtitle.
  const unfit = labelPs.flatMap((p) => perRepeat(p).filter((r) => r.fitSteps === null).map(() => p));
  await save(
    'fig1b-convergence-slowdown',
    lineChart({
      data: labelPs.map((p) => {
        const s = spread(perRepeat(p).map((r) => r.fitSteps ?? r.stepsRun));
        return { p, steps: s.mean, lower: s.lower, upper: s.upper };
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
      data: labelPs.map((p) => {
        const s = spread(perRepeat(p).map((r) => 1 - r.finalTest));
        return { p, error: s.mean, lower: s.lower, upper: s.upper };
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
