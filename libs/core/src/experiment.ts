import { rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '@claimlab/backend';
import { verdictOf, type Check, type Claim } from './claims.ts';
import { collectProvenance } from './provenance.ts';
import { readResultsCsv, readSummary, writeResults, RESULTS_CSV, type Row, type Summary } from './results.ts';
import { Rng } from './rng.ts';
import { stalenessProblems } from './staleness.ts';
import { ShardComplete, sweepStoreDir } from './sweep.ts';
import { parseProfile, parseRunArgs, usageOfAliases, UsageError, USAGE_COMMON, type Config, type OptionAlias, type ProfileName, type RunContext } from './run-context.ts';

export interface ExperimentDefinition<C extends Config, R extends Row> {
  /** Folder name under experiments/ and results/. */
  name: string;
  description: string;
  profiles: Record<ProfileName, C>;
  claim: Claim<R>;
  /** Column order of results.csv. */
  columns: (keyof R & string)[];
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

/** Human-readable verdict table for the terminal. */
export function formatChecks(checks: Check[]): string {
  return checks
    .map((c) => `  [${c.pass ? 'PASS' : 'FAIL'}] ${c.description}\n         ours: ${c.ours}   need: ${c.threshold}   paper: ${c.paper}`)
    .join('\n');
}

/**
 * Runs one experiment from its command line: parse options, select the
 * backend, run the procedure, check the claim, write figures, results.csv and
 * summary.json (each atomically, summary last). Returns the summary.
 */
export async function runExperiment<C extends Config, R extends Row>(
  def: ExperimentDefinition<C, R>,
  argv: string[],
  repoRoot: string,
): Promise<Summary | null> {
  const opts = parseRunArgs(argv, def.name, def.profiles, repoRoot, def.optionAliases);
  if (opts === 'help') {
    const extra = usageOfAliases(def.optionAliases);
    process.stdout.write(`${def.description}\n\nUsage: npx nx run exp-${def.name}:run [-- options]\n\n${USAGE_COMMON}\n${extra ? `\n${extra}\n` : ''}`);
    return null;
  }
  const started = new Date();
  const backendInfo = await selectBackend(opts.backend, log);
  // Provenance is taken before the run: it describes the code that ran, even if
  // the work tree changes while a long run goes on.
  const provenance = collectProvenance(backendInfo, repoRoot);
  // Created by the figure writer when the figures are drawn, so a run that fails earlier leaves nothing behind.
  const figuresDir = join(opts.outDir, 'figures');
  const ctx: RunContext<C> = { ...opts, backendInfo, rng: new Rng(opts.seed), figuresDir, repoRoot, log };
  log(`[${def.name}] profile=${opts.profile} seed=${opts.seed} backend=${backendInfo.name} out=${relative(repoRoot, opts.outDir) || '.'}`);
  if (opts.overrides.length) log(`[${def.name}] overrides: ${opts.overrides.join(', ')}`);

  let rows: R[];
  try {
    rows = await def.procedure(ctx);
  } catch (e) {
    if (e instanceof ShardComplete) {
      log(`[${def.name}] ${e.message}`);
      return null;
    }
    throw e;
  }
  const checks = def.claim.checks(rows, { profile: opts.profile, config: opts.config });
  const figures = def.figures ? await def.figures(rows, ctx) : [];
  const finished = new Date();
  const summary: Summary = {
    experiment: def.name,
    profile: opts.profile,
    claim: {
      paper: `${def.claim.paper.authors} (${def.claim.paper.year}). ${def.claim.paper.title}. ${def.claim.paper.venue}.`,
      statement: def.claim.statement,
      notes: def.claim.notes,
    },
    verdict: verdictOf(checks),
    checks,
    seed: opts.seed,
    config: opts.config,
    overrides: opts.overrides,
    provenance,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    wallSeconds: Math.round((finished.getTime() - started.getTime()) / 100) / 10,
    files: { results: RESULTS_CSV, figures: figures.map((f) => relative(opts.outDir, f)) },
  };
  writeResults(opts.outDir, rows, def.columns, summary);
  // The table is written: the per-arm store of --resume / --shard is no longer needed.
  rmSync(sweepStoreDir(opts.outDir), { recursive: true, force: true });
  log(`\n${def.claim.paper.authors} (${def.claim.paper.year}): ${def.claim.statement}\n${formatChecks(checks)}`);
  log(`\nVerdict: ${summary.verdict}   (${summary.wallSeconds}s; results in ${relative(repoRoot, opts.outDir)})`);
  return summary;
}

export interface VerifyOutcome {
  ok: boolean;
  problems: string[];
  checks: Check[];
}

/**
 * Re-checks a saved run: recomputes every check from results.csv and
 * compares with summary.json. Fails when a check fails, when the saved
 * verdict disagrees with the recomputed one, when files are missing, and
 * (given the repository root) when the run is stale: the code it depends on
 * or its profile's config changed since it was made.
 */
export function verifyExperiment<C extends Config, R extends Row>(
  def: ExperimentDefinition<C, R>,
  outDir: string,
  opts: { repoRoot?: string } = {},
): VerifyOutcome {
  const problems: string[] = [];
  let summary: Summary;
  let rows: R[];
  try {
    summary = readSummary(outDir);
    rows = readResultsCsv(join(outDir, RESULTS_CSV)) as R[];
  } catch (e) {
    return { ok: false, problems: [(e as Error).message], checks: [] };
  }
  const checks = def.claim.checks(rows, { profile: summary.profile, config: summary.config });
  for (const c of checks) {
    if (!c.pass) problems.push(`check '${c.id}' fails: ${c.description} (ours ${c.ours}, need ${c.threshold})`);
    const saved = summary.checks.find((s) => s.id === c.id);
    if (!saved) problems.push(`check '${c.id}' is not in summary.json: the run predates this check; re-run the experiment`);
    else if (saved.pass !== c.pass) problems.push(`check '${c.id}': summary.json says ${saved.pass ? 'PASS' : 'FAIL'} but results.csv gives ${c.pass ? 'PASS' : 'FAIL'}`);
  }
  const profileConfig = def.profiles[summary.profile as ProfileName];
  if (opts.repoRoot && profileConfig) {
    problems.push(
      ...stalenessProblems(opts.repoRoot, def.name, { ...summary.provenance, config: summary.config, overrides: summary.overrides }, profileConfig),
    );
  }
  return { ok: problems.length === 0, problems, checks };
}

/**
 * Entry point for an experiment's main.ts / verify.ts: turns errors into a
 * clear message and an exit code (2 for usage errors, 1 otherwise).
 */
export async function cliMain(fn: () => Promise<number | void>): Promise<void> {
  try {
    const code = await fn();
    process.exitCode = code ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      log(`error: ${e.message}`);
      process.exitCode = 2;
    } else {
      log(`error: ${(e as Error).message}`);
      if (process.env.CLAIMLAB_DEBUG) log((e as Error).stack ?? '');
      process.exitCode = 1;
    }
  }
}

/**
 * The `verify` command of an experiment: re-checks the saved results of a
 * profile (`--profile`, `--out`) and returns the exit code (0 PASS, 1 FAIL).
 */
export function verifyMain<C extends Config, R extends Row>(def: ExperimentDefinition<C, R>, repoRoot: string, argv = process.argv.slice(2)): Promise<void> {
  return cliMain(async () => {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: { profile: { type: 'string' }, out: { type: 'string' } }, strict: true }));
    } catch (e) {
      throw new UsageError(`${(e as Error).message}. verify takes --profile quick|paper and --out DIR.`);
    }
    const profile = parseProfile(values.profile);
    const outDir = resolve(values.out ?? resolve(repoRoot, 'results', def.name, profile));
    const outcome = verifyExperiment(def, outDir, { repoRoot });
    process.stderr.write(`${formatChecks(outcome.checks)}\n`);
    for (const p of outcome.problems) process.stderr.write(`problem: ${p}\n`);
    process.stderr.write(`verify ${def.name} (${profile}): ${outcome.ok ? 'PASS' : 'FAIL'}\n`);
    return outcome.ok ? 0 : 1;
  });
}
