import { join } from 'node:path';
import { barChart, lineChart, saveFigure, scatterChart } from '@claimlab/plots';
import { FIT_ACCURACY, summariseConditions, type ResultRow } from './claim.ts';

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
  const labelConds = summary.filter((s) => s.condition.includes('labels')).sort((a, b) => a.p - b.p);
  // 1b: steps to fit against label corruption; a condition that never fit is
  // drawn at the steps it ran for, marked as such.
  const lastSteps = (c: string) => Math.max(...rows.filter((r) => r.condition === c).map((r) => r.steps));
  await save(
    'fig1b-convergence-slowdown',
    scatterChart({
      data: labelConds.map((s) => ({
        p: s.p,
        steps: s.stepsToFit ?? lastSteps(s.condition),
        status: s.stepsToFit === null ? 'never fit (budget)' : 'fit',
      })),
      x: 'p',
      y: 'steps',
      color: 'status',
      title: 'Convergence slowdown (cf. Fig. 1b)',
      xTitle: 'label corruption p',
      yTitle: `steps to training accuracy >= ${FIT_ACCURACY}`,
    }),
  );
  // 1c: test error against label corruption, with chance level.
  await save(
    'fig1c-test-error',
    lineChart({
      data: labelConds.map((s) => ({ p: s.p, error: 1 - s.finalTest })),
      x: 'p',
      y: 'error',
      points: true,
      yDomain: [0, 1],
      hlines: [{ y: 0.9, label: 'chance (0.9)' }],
      title: 'Test error at the end of training (cf. Fig. 1c)',
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
