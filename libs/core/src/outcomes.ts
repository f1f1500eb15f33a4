import { bootstrapMeanInterval, type MeanInterval } from './bootstrap.ts';
import { meets, type Check, type Refutation, type Role } from './claims.ts';
import { Rng } from './rng.ts';

/**
 * What happened to a statement over the seeds of a run: it held at every seed (REPRODUCED), at
 * none (NOT REPRODUCED), or at some (INCONCLUSIVE).
 */
export type Outcome = 'REPRODUCED' | 'NOT REPRODUCED' | 'INCONCLUSIVE';

/** A check over every seed of a run: its per-seed values, their spread and its outcome. */
export interface CheckOutcome {
  id: string;
  description: string;
  paper: string;
  role: Role;
  threshold: string;
  bound?: Check['bound'];
  refutedBy?: Refutation;
  /** One entry per seed, in the run's seed order. */
  seeds: number[];
  values: (number | boolean | null)[];
  ours: string[];
  passes: boolean[];
  /** Mean, range and 95% percentile-bootstrap interval of the mean of the numeric values (absent when a seed has none). */
  stats?: { mean: number; min: number; max: number; interval: MeanInterval };
  outcome: Outcome;
  /** The outcome the claim file expects: NOT REPRODUCED for a statement refuted by later work, else REPRODUCED. */
  expected: Outcome;
}

/** REPRODUCED when every seed passes, NOT REPRODUCED when none does, INCONCLUSIVE otherwise. */
export function outcomeOf(passes: readonly boolean[]): Outcome {
  if (passes.length === 0) throw new Error('outcomeOf: no seeds');
  const k = passes.filter(Boolean).length;
  return k === passes.length ? 'REPRODUCED' : k === 0 ? 'NOT REPRODUCED' : 'INCONCLUSIVE';
}

/**
 * A check's pass must be what its statistic says: value meets bound for a number, the value for a
 * boolean, false for a missing value. A claim that breaks this is a bug (the forest plot and the
 * intervals would misstate it), so it is an error, not a silent mismatch.
 */
export function assertConsistent(c: Check, seed: number): void {
  const v = c.value;
  const expected = v === null ? false : typeof v === 'boolean' ? v : c.bound ? meets(v, c.bound) : null;
  if (expected === null) throw new Error(`check '${c.id}' (seed ${seed}): a numeric value needs a bound`);
  if (c.pass !== expected) {
    throw new Error(
      `check '${c.id}' (seed ${seed}): pass is ${c.pass} but its value ${String(v)} ${c.bound ? `${c.bound.op} ${c.bound.value}` : ''} says ${expected}`,
    );
  }
}

const opposite = (o: Outcome): Outcome | null => (o === 'REPRODUCED' ? 'NOT REPRODUCED' : o === 'NOT REPRODUCED' ? 'REPRODUCED' : null);

/**
 * Collects each check's per-seed results into its outcome. `perSeed[j]` holds the checks computed
 * from seed `seeds[j]`'s rows; every seed must report the same checks, in the same order. The
 * bootstrap stream is seeded from the check's id, so the interval is the same on every re-derivation.
 */
export function checkOutcomes(seeds: readonly number[], perSeed: readonly Check[][], opts: { resamples?: number } = {}): CheckOutcome[] {
  if (seeds.length === 0 || seeds.length !== perSeed.length)
    throw new Error(`checkOutcomes: ${seeds.length} seeds but ${perSeed.length} sets of checks`);
  const ids = perSeed[0].map((c) => c.id);
  for (const [j, checks] of perSeed.entries()) {
    for (const c of checks) assertConsistent(c, seeds[j]);
    const got = checks.map((c) => c.id);
    if (got.join('\n') !== ids.join('\n'))
      throw new Error(
        `seed ${seeds[j]} reports checks [${got.join(', ')}], seed ${seeds[0]} [${ids.join(', ')}]: every seed must compute the same checks`,
      );
  }
  return ids.map((id, i) => {
    const at = perSeed.map((checks) => checks[i]);
    const first = at[0];
    const values = at.map((c) => c.value);
    const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const passes = at.map((c) => c.pass);
    return {
      id,
      description: first.description,
      paper: first.paper,
      role: first.role,
      threshold: first.threshold,
      ...(first.bound ? { bound: first.bound } : {}),
      ...(first.refutedBy ? { refutedBy: first.refutedBy } : {}),
      seeds: [...seeds],
      values,
      ours: at.map((c) => c.ours),
      passes,
      ...(numbers.length === values.length
        ? {
            stats: {
              mean: numbers.reduce((s, v) => s + v, 0) / numbers.length,
              min: Math.min(...numbers),
              max: Math.max(...numbers),
              interval: bootstrapMeanInterval(numbers, { rng: new Rng(`bootstrap/${id}`), resamples: opts.resamples }),
            },
          }
        : {}),
      outcome: outcomeOf(passes),
      expected: first.refutedBy ? 'NOT REPRODUCED' : 'REPRODUCED',
    };
  });
}

/**
 * The outcome of an experiment from its core checks: REPRODUCED when every core check comes out as
 * its expectation says, NOT REPRODUCED when any comes out against it (the opposite definite
 * outcome), INCONCLUSIVE otherwise. Supporting checks never decide it. A claim without core checks
 * is an error, never a vacuous REPRODUCED.
 */
export function experimentOutcome(outcomes: readonly CheckOutcome[]): Outcome {
  const core = outcomes.filter((o) => o.role === 'core');
  if (core.length === 0) throw new Error('experimentOutcome: the claim has no core check');
  if (core.some((o) => o.outcome === opposite(o.expected))) return 'NOT REPRODUCED';
  return core.every((o) => o.outcome === o.expected) ? 'REPRODUCED' : 'INCONCLUSIVE';
}
