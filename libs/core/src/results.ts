import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { writeFileAtomic } from './atomic.ts';
import type { CheckOutcome, Outcome } from './outcomes.ts';
import type { Provenance } from './provenance.ts';

export type Cell = number | string;
export type Row = Record<string, Cell>;

export interface Summary {
  experiment: string;
  profile: string;
  claim: { paper: string; statement: string; notes: string[] };
  /** The experiment's outcome from its core checks (see experimentOutcome). */
  outcome: Outcome;
  /** Core checks that came out as their expectation says, of all core checks. */
  core: { asExpected: number; total: number };
  /** Every check over every seed. */
  checks: CheckOutcome[];
  /** The seeds of the run, one full replicate each; results.csv's first column. */
  seeds: number[];
  config: unknown;
  overrides: string[];
  provenance: Provenance;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  files: { results: string; figures: string[] };
}

export const RESULTS_CSV = 'results.csv';
export const SUMMARY_JSON = 'summary.json';

/**
 * Serialises rows as a tidy CSV with a fixed column order. Every row must
 * have every column; a missing or non-finite number is an error rather than
 * a silently empty cell.
 */
export function toCsv(rows: Row[], columns: string[]): string {
  for (const [i, row] of rows.entries()) {
    for (const c of columns) {
      const v = row[c];
      if (v === undefined) throw new Error(`results row ${i} has no value for column '${c}'`);
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`results row ${i}, column '${c}': ${v} is not finite`);
    }
    const extra = Object.keys(row).filter((k) => !columns.includes(k));
    if (extra.length) throw new Error(`results row ${i} has columns not in the header: ${extra.join(', ')}`);
  }
  // Numbers are written with full precision by String(); rows keep their order.
  return stringify(rows, { header: true, columns, cast: { number: (n) => String(n) } });
}

/** Reads a results.csv written by toCsv, turning numeric cells back into numbers. */
export function readResultsCsv(path: string): Row[] {
  if (!existsSync(path)) throw new Error(`No results table at ${path}: run the experiment first.`);
  const rows = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return rows.map((r) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(r)) out[k] = v !== '' && /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v) ? Number(v) : v;
    return out;
  });
}

/** Writes results.csv and summary.json into `outDir`, each atomically. */
export function writeResults(outDir: string, rows: Row[], columns: string[], summary: Summary): void {
  writeFileAtomic(join(outDir, RESULTS_CSV), toCsv(rows, columns));
  writeFileAtomic(join(outDir, SUMMARY_JSON), JSON.stringify(summary, null, 2) + '\n');
}

export function readSummary(outDir: string): Summary {
  const path = join(outDir, SUMMARY_JSON);
  if (!existsSync(path)) throw new Error(`No summary at ${path}: run the experiment first.`);
  return JSON.parse(readFileSync(path, 'utf8')) as Summary;
}
