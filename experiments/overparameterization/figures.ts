import { join } from 'node:path';
import { lineChart, saveFigure, type Datum } from '@claimlab/plots';
import { datasetsOf } from './claim.ts';
import type { ResultRow } from './results.ts';

/** The legend label of a regression method. */
export const methodLabel = (method: string, depth: number) =>
  method === 'gd' ? (depth === 1 ? 'GD, depth 1 (linear model)' : `GD, depth ${depth}`) : method === 'adagrad' ? 'AdaGrad' : 'AdaDelta';

/** Moving average over a trailing window (the first points average what there is). */
export function movingAverage(values: number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  values.forEach((v, i) => {
    sum += v;
    if (i >= window) sum -= values[i - window];
    out.push(sum / Math.min(i + 1, window));
  });
  return out;
}

/** The figures from one seed's rows: loss curves per data set (p = 2 and 4), the MNIST training loss, Theorem 1's gap. */
export async function drawFigures(rows: ResultRow[], dir: string): Promise<string[]> {
  const files: string[] = [];
  const save = async (name: string, spec: Parameters<typeof saveFigure>[0]) =>
    files.push(...(await saveFigure(spec, join(dir, name))).files);

  for (const dataset of datasetsOf(rows)) {
    const optimum = new Map(
      rows.filter((r) => r.dataset === dataset && r.method === 'reference' && r.metric === 'optimum_loss').map((r) => [r.p, r.value]),
    );
    const data: Datum[] = rows
      .filter((r) => r.part === 'regression' && r.dataset === dataset && r.metric === 'loss' && optimum.has(r.p))
      .map((r) => ({
        method: methodLabel(r.method, r.depth),
        loss: `l_${r.p} loss`,
        iteration: r.iteration,
        excess: Math.max(r.value - optimum.get(r.p)!, 1e-12),
      }));
    if (!data.length) continue;
    await save(
      `loss-vs-iterations-${dataset}`,
      lineChart({
        data,
        x: 'iteration',
        y: 'excess',
        color: 'method',
        colorTitle: 'method',
        column: 'loss',
        columnTitle: '',
        yScale: 'log',
        width: 300,
        title: `${dataset}: training loss above the optimum vs iterations`,
        subtitle:
          'cf. Arora, Cohen & Hazan 2018, experiments; each method at the rate the rule picked (results.csv); floor 1e-12; first seed',
        xTitle: 'iteration (full batch)',
        yTitle: 'L(w) - L* (log)',
      }),
    );
  }

  const mnist: Datum[] = [];
  for (const net of ['original', 'overparameterized']) {
    const losses = rows
      .filter((r) => r.part === 'mnist' && r.method === net && r.metric === 'step_loss')
      .sort((a, b) => a.iteration - b.iteration);
    const smooth = movingAverage(
      losses.map((r) => r.value),
      20,
    );
    losses.forEach((r, i) =>
      mnist.push({
        net: net === 'original' ? 'original (tutorial)' : 'fc layers as products of two matrices',
        step: r.iteration,
        loss: smooth[i],
      }),
    );
  }
  if (mnist.length) {
    await save(
      'mnist-training-loss',
      lineChart({
        data: mnist,
        x: 'step',
        y: 'loss',
        color: 'net',
        colorTitle: 'network',
        yScale: 'log',
        title: "MNIST, TensorFlow's tutorial convnet: training loss vs steps",
        subtitle: 'mini-batch loss with the L2 term, moving average over 20 steps; first seed',
        xTitle: 'SGD step (batch 64)',
        yTitle: 'training loss (log)',
      }),
    );
  }

  const gaps: Datum[] = rows
    .filter((r) => r.part === 'theory' && r.metric === 'theorem1_relative_gap')
    .map((r) => ({ case: `p = ${r.p}, depth ${r.depth}`, step: r.learning_rate, gap: Math.max(r.value, 1e-16) }));
  if (gaps.length) {
    await save(
      'theorem1-gap',
      lineChart({
        data: gaps,
        x: 'step',
        y: 'gap',
        color: 'case',
        colorTitle: 'loss and depth',
        xScale: 'log',
        yScale: 'log',
        points: true,
        title: 'Theorem 1: one GD step vs the closed-form end-to-end update',
        subtitle: '|actual - closed form| / |closed-form step|, against the relative step size; first seed',
        xTitle: 'relative step size eta |F(w)| / |w|',
        yTitle: 'relative gap',
      }),
    );
  }
  return files;
}
