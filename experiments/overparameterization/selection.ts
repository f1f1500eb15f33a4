// The protocol of the regression comparison, fixed before the runs: the loss level, what counts
// as divergence, and the one rule that picks the learning rate of every method.

/**
 * The loss level of "iterations to a loss level": the optimum plus this fraction of the initial
 * excess loss, L* + LEVEL_FRACTION (L(w_0) - L*), i.e. 99.9% of the reducible loss removed.
 */
export const LEVEL_FRACTION = 1e-3;
/** A run diverged when its loss is not finite or exceeds this multiple of the initial loss; it is stopped and excluded. */
export const DIVERGENCE_FACTOR = 1e3;

export const levelOf = (initialLoss: number, optimumLoss: number) => optimumLoss + LEVEL_FRACTION * (initialLoss - optimumLoss);

/** The outcome of one learning rate of one method. */
export interface RateOutcome {
  rate: number;
  /** First iteration at which the loss is <= the level; the budget when never reached (censored). */
  iterations: number;
  reached: boolean;
  diverged: boolean;
  finalLoss: number;
}

/**
 * The learning-rate rule, the same for every method: divergent runs are excluded; the rate that
 * reaches the level in the fewest iterations wins; among runs that never reach it (censored at
 * the budget), the lowest final loss; remaining ties go to the smaller rate. Null when every rate
 * diverged (or none was run).
 */
export function bestRate(outcomes: RateOutcome[]): RateOutcome | null {
  const ok = outcomes.filter((o) => !o.diverged && Number.isFinite(o.finalLoss));
  if (ok.length === 0) return null;
  const key = (o: RateOutcome): [number, number, number] => [o.reached ? 0 : 1, o.reached ? o.iterations : o.finalLoss, o.rate];
  return ok.reduce((best, o) => {
    const a = key(o);
    const b = key(best);
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? o : best;
    return best;
  });
}

/** Iterations at which a curve is recorded: every one up to 10, then ~25 per decade up to the budget (and the budget). */
export function recordedIterations(budget: number): number[] {
  const out = new Set<number>();
  for (let t = 0; t <= Math.min(10, budget); t++) out.add(t);
  for (let k = 25; 10 ** (k / 25) < budget; k++) out.add(Math.round(10 ** (k / 25)));
  out.add(budget);
  return [...out].sort((a, b) => a - b);
}
