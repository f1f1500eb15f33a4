import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { selectBackend } from '@claimlab/backend';
import { fmt, type Claim } from './claims.ts';
import { checkOutcomes, experimentOutcome, type CheckOutcome, type Outcome } from './outcomes.ts';
import { collectProvenance } from './provenance.ts';
import { checkDataRecords, clearDataSources, dataSources, type DataRecord } from './data-record.ts';
import { integrityProblems } from './integrity.ts';
import {
  FIGURES_DIR,
  publishStaged,
  readResultsCsv,
  readSummary,
  RESULTS_CSV,
  stageResults,
  STAGING_DIR,
  type Row,
  type Summary,
} from './results.ts';
import { acquireRunLock } from './run-lock.ts';
import { Rng } from './rng.ts';
import { stalenessProblems } from './staleness.ts';
import { ShardComplete, sweepStoreDir } from './sweep.ts';
import {
  parseRunArgs,
  REPO_ROOT,
  usageOfAliases,
  USAGE_COMMON,
  type OptionAlias,
  type ProfileName,
  type Profiles,
  type RunContext,
  type RunOptions,
  type SeededConfig,
} from './run-context.ts';

export interface ExperimentDefinition<C extends SeededConfig, R extends Row> {
  /** Folder name under experiments/ and results/. */
  name: string;
  description: string;
  /** quick and paper always; extended where quick is too small to show the claim. */
  profiles: Profiles<C>;
  /** Throws a UsageError naming every problem of a resolved config; runs before the backend loads. */
  validate(config: C): void;
  claim: Claim<C, R>;
  /** Column order of results.csv. */
  columns: (keyof R & string)[];
  /**
   * Columns whose non-finite numbers are measured outcomes (e.g. a loss or curvature that
   * overflowed at one grid point) and are written as NaN / Infinity rather than refused; the
   * claim must say how it treats them. Default: none, so a stray NaN anywhere stops the run.
   */
  nonFiniteColumns?: (keyof R & string)[];
  /** Experiment-specific shorthands for config keys, e.g. { image: { key: 'image', ... } } makes `--image P` mean `--set image=P`. */
  optionAliases?: Record<string, OptionAlias>;
  /** Runs the experiment and returns the tidy results rows. */
  procedure(ctx: RunContext<C>): Promise<R[]>;
  /** Draws the figures from the rows; returns the files written. */
  figures?(rows: R[], ctx: RunContext<C>): Promise<string[]>;
}

function log(line: string): void {
  process.stderr.write(line + '\n');
}

/**
 * Where summary.json's `data` field comes from: the data sets this process read during the run
 * (name, source, files with size, record count and sha256), recorded by the readers of
 * @claimlab/datasets (data-record.ts). Every procedure loads its data in the main process (arms
 * in worker processes read the same files), so the main process's record covers the run.
 */
let summaryDataHook: () => unknown[] = () => dataSources();

/** Replaces the hook that gives summary.json's `data` field at the end of a run (tests). */
export function setSummaryDataHook(hook: () => unknown[]): void {
  summaryDataHook = hook;
}

/** The seeds of a run: `count` consecutive seeds from `first`, one full replicate each. */
export function seedsOf(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => first + k);
}

/** Where a seed's sweep keeps its completed arms (for --resume and --shard). */
export const seedSweepDir = (outDir: string, seed: number) => join(sweepStoreDir(outDir), `seed-${seed}`);

const rowsOfSeed = <R extends Row>(rows: (R & { seed: number })[], seed: number): R[] =>
  rows.filter((r) => r.seed === seed).map(({ seed: _seed, ...rest }) => rest as unknown as R);

/** Each seed's checks, then every check over the seeds (checks are computed from one seed's rows each). */
export function judge<C extends SeededConfig, R extends Row>(
  claim: Claim<C, R>,
  seeds: number[],
  rowsBySeed: R[][],
  context: { profile: ProfileName; config: C },
): { checks: CheckOutcome[]; outcome: Outcome; core: Summary['core'] } {
  const checks = checkOutcomes(
    seeds,
    rowsBySeed.map((rows) => claim.checks(rows, context)),
  );
  const core = checks.filter((c) => c.role === 'core');
  return {
    checks,
    outcome: experimentOutcome(checks),
    core: { asExpected: core.filter((c) => c.outcome === c.expected).length, total: core.length },
  };
}

/** Human-readable outcome table for the terminal. */
export function formatChecks(checks: CheckOutcome[]): string {
  return checks
    .map((c) => {
      const k = c.passes.filter(Boolean).length;
      const expect = c.refutedBy
        ? ` (refuted by ${c.refutedBy.citation}: ${c.outcome === c.expected ? 'as expected' : 'NOT as expected'})`
        : '';
      const ours = c.stats
        ? `mean ${fmt(c.stats.mean, 4)} [95% CI ${fmt(c.stats.interval.low, 4)}, ${fmt(c.stats.interval.high, 4)}], range ${fmt(c.stats.min, 4)}-${fmt(c.stats.max, 4)}`
        : c.values.map(String).join(', ');
      return (
        `  [${c.outcome}, ${k} of ${c.passes.length} seeds] (${c.role}) ${c.description}${expect}\n` +
        `         ours: ${ours}   need: ${c.threshold}   paper: ${c.paper}`
      );
    })
    .join('\n');
}

/**
 * Runs one experiment from its command line: parse options, validate the config, take the output
 * directory's lock (a second run into it is refused; run-lock.ts), select the backend, run the
 * procedure once per seed (each a full replicate, its arms on the sweep's workers), check the claim
 * at every seed, stage figures, results.csv (a `seed` column first) and summary.json (with the
 * digests of the table, the figures and its own fields) in <out>/.staging, then move them into
 * place, summary.json last. Returns the summary, or null for --help and for a shard that stored its arms.
 */
export async function runExperiment<C extends SeededConfig, R extends Row>(
  def: ExperimentDefinition<C, R>,
  argv: string[],
  repoRoot: string = REPO_ROOT,
): Promise<Summary | null> {
  const opts = parseRunArgs(argv, def.name, def.profiles, repoRoot, def.optionAliases);
  if (opts === 'help') {
    const extra = usageOfAliases(def.optionAliases);
    process.stdout.write(
      `${def.description}\n\nUsage: npx nx run exp-${def.name}:run [-- options]\n\n${USAGE_COMMON}\n${extra ? `\n${extra}\n` : ''}`,
    );
    return null;
  }
  // A bad config fails here, before the backend loads or any work starts.
  def.validate(opts.config);
  // One run at a time per output directory (shards of one sweep excepted): a second is refused here.
  const lock = acquireRunLock(opts.outDir, { what: `${def.name} (${opts.profile})`, shard: opts.shard, log });
  try {
    return await runLocked(def, opts, repoRoot);
  } finally {
    lock.release();
  }
}

async function runLocked<C extends SeededConfig, R extends Row>(
  def: ExperimentDefinition<C, R>,
  opts: RunOptions<C>,
  repoRoot: string,
): Promise<Summary | null> {
  const started = new Date();
  clearDataSources(); // this run's data only, when one process runs several
  const backendInfo = await selectBackend(opts.backend, log, { verbose: opts.verbose });
  // Provenance is taken before the run: it describes the code that ran, even if
  // the work tree changes while a long run goes on.
  const provenance = collectProvenance(backendInfo, repoRoot);
  // Figures, results.csv and summary.json are staged here and moved into the output directory
  // together at the end (publishStaged). The figure writer creates the folder when the figures are drawn.
  const stagingDir = join(opts.outDir, STAGING_DIR);
  const figuresDir = join(stagingDir, FIGURES_DIR);
  const seeds = seedsOf(opts.seed, opts.config.seeds);
  const contextOf = (seed: number): RunContext<C> => ({
    ...opts,
    seed,
    rng: new Rng(seed),
    sweepDir: seedSweepDir(opts.outDir, seed),
    backendInfo,
    figuresDir,
    repoRoot,
    log,
  });
  log(
    `[${def.name}] profile=${opts.profile} seeds=${seeds.join(',')} backend=${backendInfo.name} out=${relative(repoRoot, opts.outDir) || '.'}`,
  );
  if (opts.overrides.length) log(`[${def.name}] overrides: ${opts.overrides.join(', ')}`);
  if (!opts.resume && !opts.shard) rmSync(sweepStoreDir(opts.outDir), { recursive: true, force: true });
  // What a killed run left staged is never published: this run holds the lock, so it is nobody's.
  if (!opts.shard) rmSync(stagingDir, { recursive: true, force: true });

  // One context per seed, kept: the figures get the very object the first seed's procedure saw.
  const contexts = seeds.map(contextOf);
  const rowsBySeed: R[][] = [];
  let shardsPending = false;
  for (const [k, seed] of seeds.entries()) {
    if (seeds.length > 1) log(`[${def.name}] seed ${seed} (${k + 1} of ${seeds.length})`);
    try {
      rowsBySeed.push(await def.procedure(contexts[k]));
    } catch (e) {
      if (!(e instanceof ShardComplete)) throw e;
      log(`[${def.name}] seed ${seed}: ${e.message}`);
      shardsPending = true;
    }
  }
  if (shardsPending) return null;
  const context = { profile: opts.profile, config: opts.config };
  const { checks, outcome, core } = judge(def.claim, seeds, rowsBySeed, context);
  let summary: Summary;
  try {
    // The experiment's figures show the first seed; the report draws every check over all seeds.
    const figures = def.figures ? await def.figures(rowsBySeed[0], contexts[0]) : [];
    const finished = new Date();
    const unsealed: Summary = {
      experiment: def.name,
      profile: opts.profile,
      claim: {
        paper: `${def.claim.paper.authors} (${def.claim.paper.year}). ${def.claim.paper.title}. ${def.claim.paper.venue}.`,
        statement: def.claim.statement,
        notes: def.claim.notes,
      },
      outcome,
      core,
      checks,
      seeds,
      config: opts.config,
      overrides: opts.overrides,
      provenance,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      wallSeconds: Math.round((finished.getTime() - started.getTime()) / 100) / 10,
      files: { results: RESULTS_CSV, figures: figures.map((f) => relative(stagingDir, f)) },
      data: summaryDataHook(),
    };
    const rows = seeds.flatMap((seed, k) => rowsBySeed[k].map((r) => ({ seed, ...r })));
    // Staged whole (table, then the summary with the digests of the table, figures and its own
    // fields), then moved into place, summary.json last.
    summary = stageResults(stagingDir, rows, ['seed', ...def.columns], unsealed, def.nonFiniteColumns);
    publishStaged(stagingDir, opts.outDir);
  } finally {
    rmSync(stagingDir, { recursive: true, force: true });
  }
  // The table is written: the per-arm store of --resume / --shard is no longer needed.
  rmSync(sweepStoreDir(opts.outDir), { recursive: true, force: true });
  log(`\n${def.claim.paper.authors} (${def.claim.paper.year}): ${def.claim.statement}\n${formatChecks(checks)}`);
  log(
    `\nOutcome: ${outcome} (core checks as expected: ${core.asExpected} of ${core.total}; ${seeds.length} seeds; ${summary.wallSeconds}s; results in ${relative(repoRoot, opts.outDir)})`,
  );
  return summary;
}

export interface VerifyOutcome {
  /** No problem: nothing missing, stale or edited, and no core check against its expectation. */
  ok: boolean;
  problems: string[];
  /** What verify could not check, e.g. data recorded from a directory absent here. */
  notes: string[];
  /** The outcome re-derived from results.csv (null when it could not be). */
  outcome: Outcome | null;
  core: Summary['core'] | null;
  seeds: number[];
  checks: CheckOutcome[];
}

/** The fields of a saved check outcome that results.csv decides (the bootstrap stream is seeded, so the interval too). */
const DERIVED_FIELDS = ['role', 'refutedBy', 'bound', 'seeds', 'values', 'ours', 'passes', 'stats', 'outcome', 'expected'] as const;

const shown = (v: unknown) => {
  const text = JSON.stringify(v ?? null);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

/** The fields of a saved check that differ from the re-derived one, each with both values. */
function checkDifferences(saved: CheckOutcome, derived: CheckOutcome): string[] {
  return DERIVED_FIELDS.filter((f) => JSON.stringify(saved[f] ?? null) !== JSON.stringify(derived[f] ?? null)).map(
    (f) => `${f}: summary.json has ${shown(saved[f])}, results.csv gives ${shown(derived[f])}`,
  );
}

/**
 * Re-checks a saved run: re-derives every check at every seed from results.csv, the outcomes and
 * the experiment's outcome, and compares them with summary.json field by field, and recomputes the
 * digests of results.csv, the figures and every field of summary.json (integrity.ts). A problem is
 * reported when files are missing, when the summary disagrees with the table or a digest (edited,
 * naming the field or file), when a core
 * check comes out against its expectation (the outcome is NOT REPRODUCED), and (given the
 * repository root) when the run is stale. INCONCLUSIVE is reported, not a problem.
 */
export function verifyExperiment<C extends SeededConfig, R extends Row>(
  def: ExperimentDefinition<C, R>,
  outDir: string,
  opts: { repoRoot?: string } = {},
): VerifyOutcome {
  const problems: string[] = [];
  let summary: Summary;
  let table: (R & { seed: number })[];
  const notes: string[] = [];
  const failed = (message: string): VerifyOutcome => ({
    ok: false,
    problems: [message],
    notes,
    outcome: null,
    core: null,
    seeds: [],
    checks: [],
  });
  try {
    summary = readSummary(outDir);
    table = readResultsCsv(join(outDir, RESULTS_CSV)) as (R & { seed: number })[];
  } catch (e) {
    return failed((e as Error).message);
  }
  if (!Array.isArray(summary.seeds) || !Array.isArray(summary.checks) || summary.outcome === undefined) {
    return failed(`${join(outDir, 'summary.json')} predates multi-seed outcomes (no seeds/outcome): re-run the experiment`);
  }
  // The digests: results.csv, the figures and every field of summary.json as the run wrote them.
  problems.push(...integrityProblems(outDir, summary));
  const seeds = [...new Set(table.map((r) => r.seed))];
  if (JSON.stringify(seeds) !== JSON.stringify(summary.seeds)) {
    problems.push(`results.csv holds seeds [${seeds.join(', ')}] but summary.json lists [${summary.seeds.join(', ')}]`);
  }
  if (seeds.length === 0 || seeds.some((s) => typeof s !== 'number')) return failed(`results.csv has no numeric seed column in ${outDir}`);
  const profile = summary.profile as ProfileName;
  let judged;
  try {
    // The config the saved run was made with: a config of another shape is reported as stale below.
    judged = judge(
      def.claim,
      seeds,
      seeds.map((s) => rowsOfSeed(table, s)),
      { profile, config: summary.config as C },
    );
  } catch (e) {
    return failed(`the checks cannot be re-derived from results.csv: ${(e as Error).message}`);
  }
  const { checks, outcome, core } = judged;
  for (const c of checks) {
    const saved = summary.checks.find((s) => s.id === c.id);
    if (!saved) problems.push(`check '${c.id}' is not in summary.json: the run predates this check; re-run the experiment`);
    else {
      const differences = checkDifferences(saved, c);
      if (differences.length)
        problems.push(
          `check '${c.id}': summary.json differs from what results.csv gives (${c.outcome}, ${c.passes.filter(Boolean).length} of ${c.passes.length} seeds) in ${differences.join('; ')}`,
        );
    }
  }
  for (const s of summary.checks)
    if (!checks.some((c) => c.id === s.id)) problems.push(`summary.json reports check '${s.id}', which the claim no longer computes`);
  if (summary.outcome !== outcome) problems.push(`summary.json says ${summary.outcome} but results.csv gives ${outcome}`);
  if (JSON.stringify(summary.core) !== JSON.stringify(core))
    problems.push(`summary.json's core count differs from what results.csv gives (${core.asExpected} of ${core.total})`);
  for (const c of checks) {
    if (c.role === 'core' && c.outcome !== c.expected && c.outcome !== 'INCONCLUSIVE') {
      problems.push(
        `core check '${c.id}' is ${c.outcome} (${c.passes.filter(Boolean).length} of ${c.passes.length} seeds), expected ${c.expected}: ${c.description}`,
      );
    }
  }
  const currentConfig = def.profiles[profile];
  if (currentConfig === undefined)
    problems.push(`\`${def.name}\` no longer defines the ${profile} profile: these results have no config to be judged against`);
  else if (opts.repoRoot) {
    problems.push(
      ...stalenessProblems(
        opts.repoRoot,
        def.name,
        { ...summary.provenance, config: summary.config, overrides: summary.overrides },
        currentConfig,
      ),
    );
  }
  // The data the run read, against the data present here: other data makes the result stale.
  if (opts.repoRoot && Array.isArray(summary.data)) {
    for (const d of checkDataRecords(summary.data as DataRecord[], opts.repoRoot)) {
      if (d.status === 'differs') problems.push(`stale: data ${d.name} (${d.source}) differs from what the run read: ${d.detail}`);
      else if (d.status === 'cannot-check') notes.push(`data ${d.name} (${d.source}) cannot be checked here: ${d.detail}`);
    }
  }
  return { ok: problems.length === 0, problems, notes, outcome, core, seeds, checks };
}
