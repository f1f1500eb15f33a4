// The commands behind cli.ts, the one command line of every experiment: `run` and `verify` of an
// experiment folder, loading its definition (the `experiment` export of experiments/<name>/main.ts),
// and `verify-all` over every saved result.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatChecks, runExperiment, verifyExperiment, type ExperimentDefinition, type VerifyOutcome } from './experiment.ts';
import type { Row } from './results.ts';
import { parseProfile, PROFILES, REPO_ROOT, UsageError, type SeededConfig } from './run-context.ts';

const USAGE = 'usage: tsx libs/core/src/cli.ts run|verify experiments/<name> [options], or tsx libs/core/src/cli.ts verify-all';
type AnyExperiment = ExperimentDefinition<SeededConfig, Row>;

function log(line: string): void {
  process.stderr.write(line + '\n');
}

/** Loads an experiment's definition from its folder. */
export async function loadExperiment(dir: string): Promise<AnyExperiment> {
  const main = resolve(REPO_ROOT, dir, 'main.ts');
  if (!existsSync(main)) throw new UsageError(`no experiment at ${dir}: ${main} does not exist. ${USAGE}`);
  const mod = (await import(pathToFileURL(main).href)) as { experiment?: AnyExperiment };
  if (!mod.experiment) throw new UsageError(`${main} does not export an ExperimentDefinition named 'experiment'`);
  if (mod.experiment.name !== basename(resolve(REPO_ROOT, dir))) {
    throw new Error(
      `${main} defines experiment '${mod.experiment.name}', but its folder is '${basename(dir)}': they must match (results/<name>/ is named after it)`,
    );
  }
  return mod.experiment;
}

/** One line for a verified result: outcome, core checks as expected, seeds, problems. */
export function verifyLine(name: string, profile: string, v: VerifyOutcome): string {
  const head = v.outcome
    ? `${v.outcome}, core checks as expected ${v.core!.asExpected}/${v.core!.total}, ${v.seeds.length} seeds`
    : 'no outcome';
  return `${name} (${profile}): ${head}${v.ok ? '' : ` — ${v.problems.length} problem(s)`}`;
}

/** `verify`: re-checks the saved results of a profile; 0 when nothing is missing, stale or edited and no core check is against its expectation. */
export function verifyCommand(def: AnyExperiment, argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { profile: { type: 'string' }, out: { type: 'string' } }, strict: true }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}. verify takes --profile quick|extended|paper and --out DIR.`);
  }
  const profile = parseProfile(values.profile);
  const outDir = resolve(values.out ?? join(REPO_ROOT, 'results', def.name, profile));
  const outcome = verifyExperiment(def, outDir, { repoRoot: REPO_ROOT });
  if (outcome.checks.length) log(formatChecks(outcome.checks));
  for (const p of outcome.problems) log(`problem: ${p}`);
  for (const n of outcome.notes) log(`note: ${n}`);
  log(`verify ${verifyLine(def.name, profile, outcome)}`);
  return outcome.ok ? 0 : 1;
}

/**
 * `verify-all` (npm run verify): every experiment's saved results, one line each, with the problems
 * below; a missing quick result, or a missing extended result of an experiment that defines that
 * profile, is a problem. Non-zero when any result has a problem.
 */
export async function verifyAllCommand(): Promise<number> {
  const names = readdirSync(join(REPO_ROOT, 'experiments')).filter((n) => existsSync(join(REPO_ROOT, 'experiments', n, 'main.ts')));
  let bad = 0;
  for (const name of names.sort()) {
    const def = await loadExperiment(join('experiments', name));
    // quick always, extended wherever the experiment defines it (its results are committed too), paper where run.
    const profiles = PROFILES.filter(
      (p) =>
        p === 'quick' ||
        (p === 'extended' && def.profiles.extended !== undefined) ||
        existsSync(join(REPO_ROOT, 'results', name, p, 'summary.json')),
    );
    for (const profile of profiles) {
      const v = verifyExperiment(def, join(REPO_ROOT, 'results', name, profile), { repoRoot: REPO_ROOT });
      process.stdout.write(`${verifyLine(name, profile, v)}\n`);
      for (const p of v.problems) process.stdout.write(`    ${p}\n`);
      for (const n of v.notes) process.stdout.write(`    note: ${n}\n`);
      if (!v.ok) bad++;
    }
  }
  return bad ? 1 : 0;
}

/**
 * Runs a command-line program's body: errors become one message and the exit code (2 for usage
 * errors, 1 otherwise; the stack with CLAIMLAB_DEBUG=1); the body's return value is the exit code.
 */
export async function cliMain(fn: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await fn()) ?? 0;
  } catch (e) {
    log(`error: ${(e as Error).message}`);
    if (!(e instanceof UsageError) && process.env.CLAIMLAB_DEBUG) log((e as Error).stack ?? '');
    process.exitCode = e instanceof UsageError ? 2 : 1;
  }
}

/** `run` or `verify` of one experiment, from the command line's words. */
export async function experimentCommand(argv: string[]): Promise<number> {
  const [command, dir, ...rest] = argv;
  if (command === 'verify-all' && !dir) return verifyAllCommand();
  if ((command !== 'run' && command !== 'verify') || !dir) throw new UsageError(USAGE);
  const def = await loadExperiment(dir);
  if (command === 'verify') return verifyCommand(def, rest);
  await runExperiment(def, rest);
  return 0;
}

/** The command-line entry point (cli.ts), for spawning an experiment's command in a child process. */
export const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
