import type { Config, ProfileName } from './run-context.ts';

/**
 * A claim from a paper and the machine checks that decide whether our
 * results reproduce it. Checks are pure functions of the results table, so
 * `verify` can re-run them on a saved results.csv without re-training.
 */
export interface Check {
  id: string;
  /** What is checked, in words a reviewer reads in the summary. */
  description: string;
  /** The paper's value or statement this check stands for, with its source (table/figure). */
  paper: string;
  /** Our measured value(s), formatted. */
  ours: string;
  /** The pass condition, e.g. ">= 0.99". */
  threshold: string;
  pass: boolean;
}

export interface Claim<C extends Config, Row> {
  paper: { title: string; authors: string; venue: string; year: number };
  /** The claim in one or two sentences. */
  statement: string;
  /** Why the thresholds are what they are, and how the quick profile departs from the paper. */
  notes: string[];
  /** Computes every check from the results rows and the config they were made with. */
  checks(rows: Row[], context: { profile: ProfileName; config: C }): Check[];
}

export type Verdict = 'PASS' | 'FAIL';

export function verdictOf(checks: Check[]): Verdict {
  return checks.length > 0 && checks.every((c) => c.pass) ? 'PASS' : 'FAIL';
}

/** Formats a number for the summary: fixed digits, or '-' for missing values. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '-';
  return x.toFixed(digits);
}
