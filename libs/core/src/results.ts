import { readFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { integrityOf, type Integrity } from './integrity.ts';
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
  /**
   * The data the run read (name, source, files with their sha256), one entry per data source;
   * [] until a recorder is wired to summaryDataHook (experiment.ts).
   */
  data?: unknown[];
  /** SHA-256 of results.csv, of each figure and of every other field of this summary (integrity.ts); verify recomputes them. */
  integrity?: Integrity;
}

export const RESULTS_CSV = 'results.csv';
export const SUMMARY_JSON = 'summary.json';

/**
 * Serialises rows as a tidy CSV with a fixed column order. Every row must
 * have every column; a missing value is an error rather than a silently empty
 * cell, and so is a non-finite number, except in `nonFiniteColumns`: columns
 * whose non-finite values are measured outcomes (a loss that overflowed at a
 * grid point), written as NaN, Infinity or -Infinity and read back as numbers.
 */
export function toCsv(rows: Row[], columns: string[], nonFiniteColumns: readonly string[] = []): string {
  for (const c of nonFiniteColumns) if (!columns.includes(c)) throw new Error(`nonFiniteColumns names '${c}', which is not a column`);
  for (const [i, row] of rows.entries()) {
    for (const c of columns) {
      const v = row[c];
      if (v === undefined) throw new Error(`results row ${i} has no value for column '${c}'`);
      if (typeof v === 'number' && !Number.isFinite(v) && !nonFiniteColumns.includes(c)) {
        throw new Error(
          `results row ${i}, column '${c}': ${v} is not finite (a column that may hold non-finite outcomes must be declared in the experiment's nonFiniteColumns)`,
        );
      }
    }
    const extra = Object.keys(row).filter((k) => !columns.includes(k));
    if (extra.length) throw new Error(`results row ${i} has columns not in the header: ${extra.join(', ')}`);
  }
  // Numbers are written with full precision by String(); rows keep their order.
  return stringify(rows, { header: true, columns, cast: { number: (n) => String(n) } });
}

/** How toCsv writes non-finite numbers (String(n)). */
const NON_FINITE_CELLS = new Set(['NaN', 'Infinity', '-Infinity']);

/** Reads a results.csv written by toCsv, turning numeric cells (NaN and +-Infinity included) back into numbers. */
export function readResultsCsv(path: string): Row[] {
  if (!existsSync(path)) throw new Error(`No results table at ${path}: run the experiment first.`);
  const rows = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return rows.map((r) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(r)) {
      out[k] = (v !== '' && /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v)) || NON_FINITE_CELLS.has(v) ? Number(v) : v;
    }
    return out;
  });
}

/** Where a run stages its figures, results.csv and summary.json before moving them into the output directory. */
export const STAGING_DIR = '.staging';
export const FIGURES_DIR = 'figures';

/**
 * Writes results.csv and then summary.json (with the digests of results.csv, of the figures already
 * drawn into `stagingDir`/figures, and of its own fields) into the staging directory. Nothing in
 * the output directory changes yet: publishStaged moves them into place.
 */
export function stageResults(
  stagingDir: string,
  rows: Row[],
  columns: string[],
  summary: Summary,
  nonFiniteColumns: readonly string[] = [],
): Summary {
  mkdirSync(stagingDir, { recursive: true });
  writeFileSync(join(stagingDir, RESULTS_CSV), toCsv(rows, columns, nonFiniteColumns));
  const { integrity: _old, ...fields } = summary;
  const sealed: Summary = { ...fields, integrity: integrityOf(stagingDir, [summary.files.results, ...summary.files.figures], fields) };
  writeFileSync(join(stagingDir, SUMMARY_JSON), JSON.stringify(sealed, null, 2) + '\n');
  return sealed;
}

/**
 * Moves a staged run into its output directory, the figures folder first (replacing the previous
 * one whole: no figure of another run is left beside the new ones), then results.csv, then
 * summary.json last, each by a rename. A reader who finds summary.json finds the table and figures
 * it describes; one who reads during the moves, or after a kill between them, finds files whose
 * digests disagree with summary.json, which verify reports. Returns what it moved, in order.
 */
export function publishStaged(stagingDir: string, outDir: string): string[] {
  const moved: string[] = [];
  const staged = join(stagingDir, FIGURES_DIR);
  const old = join(stagingDir, `${FIGURES_DIR}.previous`);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(join(outDir, FIGURES_DIR))) renameSync(join(outDir, FIGURES_DIR), old);
  if (existsSync(staged)) {
    renameSync(staged, join(outDir, FIGURES_DIR));
    moved.push(FIGURES_DIR);
  }
  for (const f of [RESULTS_CSV, SUMMARY_JSON]) {
    renameSync(join(stagingDir, f), join(outDir, f));
    moved.push(f);
  }
  rmSync(stagingDir, { recursive: true, force: true });
  return moved;
}

export function readSummary(outDir: string): Summary {
  const path = join(outDir, SUMMARY_JSON);
  if (!existsSync(path)) throw new Error(`No summary at ${path}: run the experiment first.`);
  return JSON.parse(readFileSync(path, 'utf8')) as Summary;
}
