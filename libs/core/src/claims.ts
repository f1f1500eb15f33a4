import type { Config, ProfileName } from './run-context.ts';

/**
 * What a check is to the claim: `core`, a statement in the paper's abstract, headline figure or
 * table (the experiment's outcome rests on these); `supporting`, detail, sanity or diagnostics.
 */
export type Role = 'core' | 'supporting';

/** A statement that later published work refuted: the check is expected NOT to reproduce. */
export interface Refutation {
  /** Authors, year, title and venue of the refuting work. */
  citation: string;
  /** The sentence of that work that refutes the statement, quoted. */
  sentence: string;
}

/** A numeric threshold: the check passes when `value op bound.value`. */
export interface Bound {
  op: '>=' | '<=' | '>' | '<';
  value: number;
}

/**
 * A claim from a paper and the machine checks that decide whether our results reproduce it.
 * Checks are pure functions of one seed's rows (and the config), so `verify` can re-run them on a
 * saved results.csv without re-training; the framework runs them at every seed of a run.
 */
export interface Check {
  id: string;
  /** What is checked, in words a reviewer reads in the summary. */
  description: string;
  /** The paper's value or statement this check stands for, with its source (table/figure). */
  paper: string;
  role: Role;
  /** Present only for a statement refuted by named later work (cited in the claim file). */
  refutedBy?: Refutation;
  /**
   * The statistic this check measures at this seed: a number, compared with `bound`; a boolean
   * only where no number fits; null when its inputs are missing (the check then fails).
   */
  value: number | boolean | null;
  /** The numeric threshold of `value` (absent for boolean statistics). */
  bound?: Bound;
  /** Our measured value(s), formatted, with the context a reader needs. */
  ours: string;
  /** The pass condition in words, e.g. ">= 0.99". */
  threshold: string;
  pass: boolean;
}

/** Whether `value` meets `bound` (false for a missing or non-finite value). */
export function meets(value: number | null | undefined, bound: Bound): boolean {
  if (value === null || value === undefined || !Number.isFinite(value)) return false;
  switch (bound.op) {
    case '>=':
      return value >= bound.value;
    case '<=':
      return value <= bound.value;
    case '>':
      return value > bound.value;
    case '<':
      return value < bound.value;
  }
}

export interface Claim<C extends Config, Row> {
  paper: { title: string; authors: string; venue: string; year: number };
  /** The claim in one or two sentences. */
  statement: string;
  /** Why the thresholds are what they are, and how the quick profile departs from the paper. */
  notes: string[];
  /**
   * Computes every check from one seed's rows and the config they were made with. Every seed
   * must return the same checks in the same order; a check whose inputs are missing fails with
   * value null, never passes vacuously.
   */
  checks(rows: Row[], context: { profile: ProfileName; config: C }): Check[];
}

/** Formats a number for the summary: fixed digits, or '-' for missing values. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '-';
  return x.toFixed(digits);
}
