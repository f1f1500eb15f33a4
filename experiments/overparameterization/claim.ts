import { fmt, meets, type Bound, type Check, type Claim } from '@claimlab/core';
import type { OverparameterizationConfig } from './config.ts';
import type { ResultRow } from './results.ts';
import { bestRate, DIVERGENCE_FACTOR, LEVEL_FRACTION, type RateOutcome } from './selection.ts';

// Thresholds, fixed from the paper's statements before any run (docs/REFERENCES.md).
/** "Converges much faster": depth 2 (and 3) reach the l_4 loss level in at most half the iterations of depth 1. */
export const MIN_L4_SPEEDUP = 2;
/** "Faster than AdaGrad and AdaDelta": strictly fewer iterations to the level (ratio > 1). */
export const MIN_ADAPTIVE_RATIO = 1;
/** "For p = 2 adding layers does not lead to a speedup": the best deep net is at most 1.5x faster than depth 1. */
export const MAX_L2_SPEEDUP = 1.5;
/** MNIST: mean training loss over the last MNIST_TAIL of the steps, overparameterized / original, at most this. */
export const MAX_MNIST_LOSS_RATIO = 0.9;
export const MNIST_TAIL = 0.2;
/** Theorem 1: at the smallest relative step, the GD step and the closed form agree to this relative gap. */
export const THEOREM1_TOLERANCE = 1e-3;
/** Theorem 1 is first-order in eta: the gap's slope against the step on log-log axes is 1 within this. */
export const FIRST_ORDER_SLOPE_TOLERANCE = 0.1;
/** Theorem 2: the normalised line integral of the depth >= 2 field around the loop is at least this (not conservative). */
export const MIN_CIRCULATION = 1e-4;
/** Depth 1 (a gradient field): the normalised line integral is at most this (round-off). */
export const MAX_GRADIENT_CIRCULATION = 1e-9;

const finite = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

function numeric(c: Omit<Check, 'value' | 'pass' | 'bound'> & { value: number | null | undefined; bound: Bound }): Check {
  const value = finite(c.value);
  return { ...c, value, pass: meets(value, c.bound) };
}

/** The per-rate outcomes of one method on one (data set, p), from the rows. */
export function outcomesOf(rows: ResultRow[], f: { dataset: string; p: number; method: string; depth: number }): RateOutcome[] {
  const byRate = new Map<number, Partial<RateOutcome>>();
  for (const r of rows) {
    if (r.part !== 'regression' || r.dataset !== f.dataset || r.p !== f.p || r.method !== f.method || r.depth !== f.depth) continue;
    const o = byRate.get(r.learning_rate) ?? { rate: r.learning_rate };
    if (r.metric === 'iterations_to_level') o.iterations = r.value;
    else if (r.metric === 'reached') o.reached = r.value === 1;
    else if (r.metric === 'diverged') o.diverged = r.value === 1;
    else if (r.metric === 'final_loss') o.finalLoss = r.value;
    else continue;
    byRate.set(r.learning_rate, o);
  }
  return [...byRate.values()]
    .filter((o) => o.iterations !== undefined && o.reached !== undefined && o.diverged !== undefined)
    .map((o) => ({ finalLoss: NaN, ...o }) as RateOutcome)
    .sort((a, b) => a.rate - b.rate);
}

/** The best rate's outcome of a method (null when it has no non-divergent run), with the grid's ends. */
export function bestOf(rows: ResultRow[], f: { dataset: string; p: number; method: string; depth: number }) {
  const all = outcomesOf(rows, f);
  const best = bestRate(all);
  return best ? { ...best, gridMin: all[0].rate, gridMax: all[all.length - 1].rate } : null;
}

const describe = (b: ReturnType<typeof bestOf>) =>
  b ? `${b.iterations}${b.reached ? '' : ' (censored)'} iterations at rate ${fmt(b.rate, 4)}` : 'no non-divergent run';

export const datasetsOf = (rows: ResultRow[]) => [...new Set(rows.filter((r) => r.part === 'regression').map((r) => r.dataset))];

/** The data set of the core regression checks: the first real one (not synthetic) in the rows. */
export const realDatasetOf = (rows: ResultRow[]) => datasetsOf(rows).find((d) => d !== 'synthetic') ?? null;

function mnistTailMean(rows: ResultRow[], net: string): number | null {
  const losses = rows
    .filter((r) => r.part === 'mnist' && r.method === net && r.metric === 'step_loss')
    .sort((a, b) => a.iteration - b.iteration)
    .map((r) => r.value);
  if (losses.length < 5) return null;
  const tail = losses.slice(Math.floor(losses.length * (1 - MNIST_TAIL)));
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

/** Least-squares slope of log(gap) against log(step) for one (p, depth). */
function gapSlope(points: { step: number; gap: number }[]): number {
  const pts = points.filter((q) => q.gap > 0 && q.step > 0).map((q) => [Math.log(q.step), Math.log(q.gap)]);
  if (pts.length < 2) return NaN;
  const mx = pts.reduce((s, q) => s + q[0], 0) / pts.length;
  const my = pts.reduce((s, q) => s + q[1], 0) / pts.length;
  const sxy = pts.reduce((s, q) => s + (q[0] - mx) * (q[1] - my), 0);
  const sxx = pts.reduce((s, q) => s + (q[0] - mx) ** 2, 0);
  return sxy / sxx;
}

const REGRESSION_PAPER =
  'Experiments section (Section 6 as the issue cites it; section and figure numbers not checked against the paper text): ' +
  'l_4 regression on the Gas Sensor ethanol data, depth-2 and depth-3 linear nets converge much faster than the linear ' +
  'model (depth 1) with plain gradient descent, each at its best learning rate (no number given)';

export const claim: Claim<OverparameterizationConfig, ResultRow> = {
  paper: {
    authors: 'Arora, Cohen & Hazan',
    title: 'On the Optimization of Deep Networks: Implicit Acceleration by Overparameterization',
    venue: 'ICML',
    year: 2018,
  },
  statement:
    'Overparameterizing a linear model as a depth-N linear network turns gradient descent into a preconditioned, ' +
    'momentum-like method on the end-to-end model (Theorem 1), an update that is no gradient of any function (Theorem 2); ' +
    'for l_4 regression it converges much faster than the original model and faster than AdaGrad and AdaDelta, for l_2 ' +
    'the effect is negligible; factorising the fc layers of a convnet speeds up its training (experiments section).',
  notes: [
    `Loss level: L* + ${LEVEL_FRACTION} (L(w_0) - L*), with L* the l_p optimum (Newton's method, losses.ts) and w_0 the common ` +
      'start, i.e. 99.9% of the reducible loss removed. A run that never reaches it counts as the iteration budget ' +
      '(censored: speedups over a censored depth-1 run are lower bounds). A run whose loss is not finite or exceeds ' +
      `${DIVERGENCE_FACTOR}x the initial loss diverged and is excluded.`,
    'Learning rates, one rule for every method (selection.ts): the rate reaching the level in the fewest iterations, ' +
      'among runs that never reach it the lowest final loss, ties to the smaller rate. One grid for every method, ' +
      '0.001 x 2^k (k = 0..14), fixed after a pilot on seed 100 (no run seed) showed an older grid (factor 3.16) too coarse ' +
      "and the deep nets' best rates at its low end; best-rates-inside-grids reports any best rate at a grid end.",
    'Initialisation. The paper (as our sources say) initialises near zero, so that the layers are nearly balanced, the ' +
      'hypothesis of Theorem 1; its exact scheme is not in our sources. We start every method from the same end-to-end ' +
      'vector w_0 = 1e-3 x a random unit vector (per seed); a depth-N net starts exactly balanced with that end-to-end ' +
      'vector (rank-one layers s u_j u_{j-1}^T, s = |w_0|^{1/N}, random hidden directions; linear-net.ts). With this start ' +
      'the end-to-end trajectory does not depend on the hidden width. `--set init=gaussian` starts the deep nets from ' +
      'i.i.d. N(0, gaussianStd^2) entries instead (unbalanced; an independent 2024 reimplementation found the outcome to ' +
      'depend on the initialisation).',
    'Data: features and target standardised (z-scores), no intercept. quick: Boston house prices (506 x 13) for the core ' +
      'checks and a synthetic set (500 x 20, correlated features) for the supporting ones; paper: the Gas Sensor ethanol ' +
      "examples (the paper's data) and the synthetic set. Full-batch gradient descent, AdaGrad (eps 1e-10, G_0 = 0) and " +
      'AdaDelta (rho 0.95, eps 1e-6, a learning rate on its step), formulas in optimizers.ts.',
    `Thresholds: "much faster" is a speedup >= ${MIN_L4_SPEEDUP}x in iterations to the level; "faster than AdaGrad / ` +
      `AdaDelta" a ratio > ${MIN_ADAPTIVE_RATIO}; "no speedup for l_2" a speedup <= ${MAX_L2_SPEEDUP}x; MNIST "falls faster" ` +
      `a mean training loss over the last ${MNIST_TAIL * 100}% of the steps at most ${MAX_MNIST_LOSS_RATIO}x the original's; ` +
      `Theorem 1 a relative gap <= ${THEOREM1_TOLERANCE} at the smallest step and a log-log slope within ` +
      `${FIRST_ORDER_SLOPE_TOLERANCE} of 1; Theorem 2 a normalised circulation >= ${MIN_CIRCULATION} for depth >= 2 and ` +
      `<= ${MAX_GRADIENT_CIRCULATION} for depth 1.`,
    "Theorem 1 check: at a random point w at the l_p optimum's distance from 0, a balanced depth-N net through w takes one " +
      'GD step; its end-to-end vector is compared with w - eta |w|^{2-2/N} (g + (N-1) w^ w^T g) at relative step sizes ' +
      '(eta |F(w)| / |w|) 0.1 to 1e-4. Theorem 2 check: the line integral of that field around a circle of radius |c|/2 ' +
      'about a random center c in a random plane (512-point trapezoid rule), over the integral of |F| |dr|.',
    "MNIST: TensorFlow's tutorial net (conv 5x5x32, pool, conv 5x5x64, pool, fc 512, dropout 0.5, fc 10; truncated normal " +
      'std 0.1; momentum 0.9, lr 0.01 x 0.95 per epoch, batch 64, L2 5e-4 on the fc weights and biases). Overparameterized: ' +
      'each fc kernel W becomes A B with A drawn as W and B = identity (so both nets start as the same function and the ' +
      "same regularised loss; B is not decayed): our choice, the paper's is not in our sources. Both nets see the same " +
      "batches and dropout masks. quick: 200 steps (0.21 epoch) of the paper's 10 epochs; the training loss is the " +
      'mini-batch loss with the L2 term, as the tutorial reports it.',
    'Changed after a run (budget, not outcome): the first full quick run trained 500 MNIST steps (0.53 epoch) and took ' +
      '1,073 s on 2 cores shared with other jobs (load 6-8), over the 10-minute goal; its MNIST ratio was 0.991-0.994 at ' +
      'seeds 0-2 (NOT REPRODUCED against 0.9). quick now trains 200 steps; the regression and theory parts did not ' +
      'change (that run: Boston l_4 speedups 1.81-1.87x for depth 2 and 1.56-1.76x for depth 3, below 2x; depth 2 over ' +
      'AdaGrad 2.88-2.97x and over AdaDelta 5.68-5.85x; l_2 speedup at most 0.64-0.67x).',
    'Roles: core are the l_4 speedups of depth 2 and 3 over depth 1, depth 2 over AdaGrad and AdaDelta, the l_2 ' +
      "no-speedup (all on the real data set: the experiments section's statements), the MNIST comparison and Theorems 1 and 2 " +
      "(the abstract and Sections 4-5); supporting are the synthetic set's speedups, the first-order rate of Theorem 1's gap, the depth-1 " +
      'field being conservative (a sanity check of the integral) and the grids containing every best rate.',
  ],
  checks(rows): Check[] {
    const checks: Check[] = [];
    const real = realDatasetOf(rows);
    const best = (dataset: string | null, p: number, method: string, depth: number) =>
      dataset === null ? null : bestOf(rows, { dataset, p, method, depth });
    const ratio = (a: ReturnType<typeof bestOf>, b: ReturnType<typeof bestOf>) => (a && b ? a.iterations / b.iterations : null);

    const speedupChecks = (dataset: string | null, prefix: string, role: 'core' | 'supporting') => {
      const d1 = best(dataset, 4, 'gd', 1);
      for (const depth of [2, 3]) {
        const dn = best(dataset, 4, 'gd', depth);
        const s = ratio(d1, dn);
        checks.push(
          numeric({
            id: `${prefix}l4-depth${depth}-faster-than-depth1`,
            description: `${dataset ?? '-'}, l_4 loss: gradient descent on a depth-${depth} linear net reaches the loss level in fewer iterations than on the linear model (speedup = depth-1 / depth-${depth} iterations, best rate each)`,
            paper: REGRESSION_PAPER,
            role,
            value: s,
            bound: { op: '>=', value: MIN_L4_SPEEDUP },
            ours: `depth 1: ${describe(d1)}; depth ${depth}: ${describe(dn)}; speedup ${fmt(s, 2)}x`,
            threshold: `speedup >= ${MIN_L4_SPEEDUP}x`,
          }),
        );
      }
      if (role === 'core') {
        const d2 = best(dataset, 4, 'gd', 2);
        for (const opt of ['adagrad', 'adadelta'] as const) {
          const a = best(dataset, 4, opt, 1);
          const r = ratio(a, d2);
          checks.push(
            numeric({
              id: `${prefix}l4-depth2-faster-than-${opt}`,
              description: `${dataset ?? '-'}, l_4 loss: the depth-2 net with plain gradient descent reaches the level in fewer iterations than ${opt === 'adagrad' ? 'AdaGrad' : 'AdaDelta'} on the linear model (ratio = ${opt} / depth-2 iterations, best rate each)`,
              paper: `Experiments section (Section 6 as cited): overparameterization converges faster than AdaGrad and AdaDelta with tuned learning rates; offconvex blog 2018-03-02: depth 2 beat AdaGrad and AdaDelta (no number given)`,
              role,
              value: r,
              bound: { op: '>', value: MIN_ADAPTIVE_RATIO },
              ours: `depth 2: ${describe(d2)}; ${opt}: ${describe(a)}; ratio ${fmt(r, 2)}`,
              threshold: `ratio > ${MIN_ADAPTIVE_RATIO}`,
            }),
          );
        }
      }
      const l2d1 = best(dataset, 2, 'gd', 1);
      const deep = [2, 3].map((depth) => ({ depth, b: best(dataset, 2, 'gd', depth) }));
      const speedups = deep.map((x) => ratio(l2d1, x.b));
      const l2 = speedups.some((s) => s === null) ? null : Math.max(...(speedups as number[]));
      checks.push(
        numeric({
          id: `${prefix}l2-no-speedup-from-depth`,
          description: `${dataset ?? '-'}, l_2 loss: depth 2 and 3 are not much faster than the linear model (largest speedup over depth 1, best rate each)`,
          paper:
            'Experiments section (Section 6 as cited): for p = 2 the acceleration is negligible; offconvex blog 2018-03-02: for l_2 "adding layers does not lead to a speedup"',
          role,
          value: l2,
          bound: { op: '<=', value: MAX_L2_SPEEDUP },
          ours: `depth 1: ${describe(l2d1)}; ${deep.map((x, i) => `depth ${x.depth}: ${describe(x.b)} (${fmt(speedups[i], 2)}x)`).join('; ')}`,
          threshold: `largest speedup <= ${MAX_L2_SPEEDUP}x`,
        }),
      );
    };
    speedupChecks(real, '', 'core');

    // MNIST: the factorised net's training loss falls faster.
    const orig = mnistTailMean(rows, 'original');
    const over = mnistTailMean(rows, 'overparameterized');
    const steps = rows.filter((r) => r.part === 'mnist' && r.method === 'original' && r.metric === 'step_loss').length;
    const params = (net: string) => rows.find((r) => r.part === 'mnist' && r.method === net && r.metric === 'parameters')?.value;
    const mnistRatio = orig !== null && over !== null ? over / orig : null;
    checks.push(
      numeric({
        id: 'mnist-overparameterized-loss-falls-faster',
        description: `MNIST tutorial convnet: with each fc weight matrix a product of two matrices, the training loss is lower over the last ${MNIST_TAIL * 100}% of ${steps} steps (mean loss, overparameterized / original)`,
        paper:
          'Section 6 (as the issue cites it), convolutional network experiment: overparameterizing the fc layers (~15% more parameters, offconvex blog) accelerates the decrease of the training loss (no number given)',
        role: 'core',
        value: mnistRatio,
        bound: { op: '<=', value: MAX_MNIST_LOSS_RATIO },
        ours: `mean loss ${fmt(over, 4)} vs ${fmt(orig, 4)} (ratio ${fmt(mnistRatio, 3)}); parameters ${params('overparameterized') ?? '-'} vs ${params('original') ?? '-'}`,
        threshold: `ratio <= ${MAX_MNIST_LOSS_RATIO}`,
      }),
    );

    // Theorem 1.
    const theory = rows.filter((r) => r.part === 'theory');
    const gaps = theory.filter((r) => r.metric === 'theorem1_relative_gap');
    const cases = [...new Set(gaps.map((r) => `${r.p}/${r.depth}`))];
    const smallest = gaps.length ? Math.min(...gaps.map((r) => r.learning_rate)) : NaN;
    const atSmallest = gaps.filter((r) => r.learning_rate === smallest).map((r) => r.value);
    const worstGap = atSmallest.length ? Math.max(...atSmallest) : null;
    checks.push(
      numeric({
        id: 'theorem1-closed-form',
        description: `Theorem 1: one gradient step of a balanced depth-N net (N = 2, 3) moves the end-to-end vector as w - eta |w|^(2-2/N) (g + (N-1) w^ w^T g), within ${THEOREM1_TOLERANCE} relative at the smallest step (${smallest}), for every p and depth`,
        paper:
          'Theorem 1 and its single-output form: the end-to-end update under gradient flow from a balanced start (exact identity, no tolerance in the paper)',
        role: 'core',
        value: worstGap,
        bound: { op: '<=', value: THEOREM1_TOLERANCE },
        ours: `largest relative gap ${worstGap === null ? '-' : worstGap.toExponential(2)} over ${cases.length} (p, depth) cases`,
        threshold: `<= ${THEOREM1_TOLERANCE}`,
      }),
    );
    const slopes = cases.map((k) =>
      gapSlope(gaps.filter((r) => `${r.p}/${r.depth}` === k).map((r) => ({ step: r.learning_rate, gap: r.value }))),
    );
    const worstSlope = slopes.length && slopes.every(Number.isFinite) ? Math.max(...slopes.map((s) => Math.abs(s - 1))) : null;
    checks.push(
      numeric({
        id: 'theorem1-gap-first-order',
        description:
          'Theorem 1 is first order in the step: the gap between the GD step and the closed form shrinks in proportion to the step (log-log slope 1)',
        paper: 'Theorem 1 holds for gradient flow; a GD step follows it up to O(eta^2), i.e. a relative gap O(eta)',
        role: 'supporting',
        value: worstSlope,
        bound: { op: '<=', value: FIRST_ORDER_SLOPE_TOLERANCE },
        ours: `slopes ${slopes.map((s) => fmt(s, 3)).join(', ')}`,
        threshold: `|slope - 1| <= ${FIRST_ORDER_SLOPE_TOLERANCE}`,
      }),
    );

    // Theorem 2.
    const circ = theory.filter((r) => r.metric === 'circulation');
    const deepCirc = circ.filter((r) => r.depth >= 2).map((r) => r.value);
    const flatCirc = circ.filter((r) => r.depth === 1).map((r) => r.value);
    const minDeep = deepCirc.length ? Math.min(...deepCirc) : null;
    const maxFlat = flatCirc.length ? Math.max(...flatCirc) : null;
    checks.push(
      numeric({
        id: 'theorem2-not-conservative',
        description:
          'Theorem 2: the end-to-end update field of a depth >= 2 net has a nonzero line integral around a closed loop (smallest normalised circulation over p and depths), so it is no gradient of any function',
        paper:
          'Theorem 2 and the abstract: "it is mathematically impossible to obtain the acceleration effect of overparametrization via gradients of any regularizer"',
        role: 'core',
        value: minDeep,
        bound: { op: '>=', value: MIN_CIRCULATION },
        ours: `normalised circulation ${circ
          .filter((r) => r.depth >= 2)
          .map((r) => `p=${r.p} N=${r.depth}: ${fmt(r.value, 3)}`)
          .join(', ')}`,
        threshold: `>= ${MIN_CIRCULATION}`,
      }),
    );
    checks.push(
      numeric({
        id: 'theorem2-depth1-conservative',
        description:
          'Depth 1 (plain gradient of the loss): the same line integral vanishes to round-off (the integral is computed correctly)',
        paper: 'a gradient field is conservative (the contrast Theorem 2 draws)',
        role: 'supporting',
        value: maxFlat,
        bound: { op: '<=', value: MAX_GRADIENT_CIRCULATION },
        ours: `normalised circulation ${flatCirc.map((v) => v.toExponential(1)).join(', ')}`,
        threshold: `<= ${MAX_GRADIENT_CIRCULATION}`,
      }),
    );

    // Synthetic set: the same speedups, supporting.
    const synthetic = datasetsOf(rows).includes('synthetic') ? 'synthetic' : null;
    speedupChecks(synthetic, 'synthetic-', 'supporting');

    // Every best rate strictly inside its grid (else the grid may have been too narrow).
    const methods = [
      ...new Map(
        rows
          .filter((r) => r.part === 'regression' && r.metric === 'iterations_to_level')
          .map((r) => [`${r.dataset}/${r.p}/${r.method}/${r.depth}`, { dataset: r.dataset, p: r.p, method: r.method, depth: r.depth }]),
      ).values(),
    ];
    const atEdge = methods.filter((m) => {
      const b = bestOf(rows, m);
      return !b || b.rate === b.gridMin || b.rate === b.gridMax;
    });
    checks.push(
      numeric({
        id: 'best-rates-inside-grids',
        description:
          "Every method's chosen learning rate lies strictly inside its grid (number of (data set, p, method) at a grid end or with every rate divergent)",
        paper: 'experiments section: each method at its best (tuned) learning rate',
        role: 'supporting',
        value: methods.length ? atEdge.length : null,
        bound: { op: '<=', value: 0 },
        ours: atEdge.length
          ? `at an end: ${atEdge.map((m) => `${m.dataset} p=${m.p} ${m.method}${m.depth}`).join(', ')}`
          : `all ${methods.length} inside`,
        threshold: '0 at a grid end',
      }),
    );
    return checks;
  },
};
