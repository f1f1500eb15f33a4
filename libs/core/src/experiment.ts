import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { selectBackend } from '@claimlab/backend';
import { verdictOf, type Check, type Claim } from './claims.ts';
import { collectProvenance } from './provenance.ts';
import { readResultsCsv, readSummary, writeResults, RESULTS_CSV, type Row, type Summary } from './results.ts';
import { Rng } from './rng.ts';
import { stalenessProblems } from './staleness.ts';
import { ShardComplete, sweepStoreDir } from './sweep.ts';
import {
  parseRunArgs,
  REPO_ROOT,
  usageOfAliases,
  USAGE_COMMON,
  type Config,
  type OptionAlias,
  type ProfileName,
  type RunContext,
} from './run-context.ts';

export interface ExperimentDefinition<C extends Config, R extends Row> {
  /** Folder name under experiments/ and results/. */
  name: string;
  description: string;
  profiles: Record<ProfileName, C>;
  /** Throws a UsageError naming every problem of a resolved config; runs before the backend loads. */
  validate(config: C): void;
  claim: Claim<C, R>;
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
  const profile = summary.profile as ProfileName;
  // The config the saved run was made with: a config of another shape is reported as stale below.
  const checks = def.claim.checks(rows, { profile, config: summary.config as C });
  for (const c of checks) {
    if (!c.pass) problems.push(`check '${c.id}' fails: ${c.description} (ours ${c.ours}, need ${c.threshold})`);
    const saved = summary.checks.find((s) => s.id === c.id);
    if (!saved) problems.push(`check '${c.id}' is not in summary.json: the run predates this check; re-run the experiment`);
    else if (saved.pass !== c.pass)
      problems.push(`check '${c.id}': summary.json says ${saved.pass ? 'PASS' : 'FAIL'} but results.csv gives ${c.pass ? 'PASS' : 'FAIL'}`);
  }
  const profileConfig = def.profiles[profile];
  if (opts.repoRoot && profileConfig) {
    problems.push(
      ...stalenessProblems(
        opts.repoRoot,
        def.name,
        { ...summary.provenance, config: summary.config, overrides: summary.overrides },
        profileConfig,
      ),
    );
  }
  return { ok: problems.length === 0, problems, checks };
}
