// Helpers for the experiments' tests (imported as '@claimlab/core/testing').
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Check, Claim } from './claims.ts';
import type { ExperimentDefinition } from './experiment.ts';
import { assertConsistent } from './outcomes.ts';
import { runExperiment } from './experiment.ts';
import type { Summary, Row } from './results.ts';
import { REPO_ROOT, type ProfileName, type SeededConfig } from './run-context.ts';

/** Runs `fn` with the process's stderr (the run log and progress) silenced. */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    return await fn();
  } finally {
    process.stderr.write = write;
  }
}

/**
 * Runs `fn` with the environment variables of `vars` set (a string) or unset
 * (undefined), and restores their previous values (or absence) afterwards,
 * even when `fn` throws.
 */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.keys(vars).map((name) => [name, process.env[name]] as const);
  const assign = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  for (const [name, value] of Object.entries(vars)) assign(name, value);
  try {
    return await fn();
  } finally {
    for (const [name, value] of saved) assign(name, value);
  }
}

/** runExperiment with its log silenced. */
export function runQuietly<C extends SeededConfig, R extends Row>(
  def: ExperimentDefinition<C, R>,
  argv: string[],
  repoRoot: string,
): Promise<Summary | null> {
  return quietly(() => runExperiment(def, argv, repoRoot));
}

/**
 * Starts `node --import tsx script args` and kills it (SIGKILL, like a crash
 * or a scheduler's pre-emption) as soon as `ready()` returns true; resolves
 * once it has exited. Rejects if `ready()` never holds within `timeoutMs`.
 */
export async function spawnAndKillWhen(
  script: string,
  args: string[],
  cwd: string,
  ready: () => boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        if (ready()) {
          clearInterval(timer);
          resolve();
        } else if (Date.now() - started > timeoutMs) {
          clearInterval(timer);
          reject(new Error(`the condition to kill ${script} never held within ${timeoutMs} ms`));
        }
      }, 5);
    });
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/** What a shrunk profile run (runShrunkProfile) wrote: its summary, results.csv's header and its data rows. */
export interface ShrunkRun {
  summary: Summary;
  header: string;
  rows: string[];
}

/**
 * Runs one of an experiment's profiles through the command line's options and the real readers,
 * shrunk by `overrides` (--set ...), with one seed on one worker on the wasm backend, into a fresh
 * temporary directory; `dataDir` is passed as --data-dir. So a profile that is run only rarely
 * (extended: an hour on a CPU; paper: a GPU) cannot rot between the runs that judge its claim.
 */
export async function runShrunkProfile<C extends SeededConfig, R extends Row>(
  def: ExperimentDefinition<C, R>,
  profile: ProfileName,
  overrides: string[],
  opts: { dataDir?: string; repoRoot?: string } = {},
): Promise<ShrunkRun> {
  const out = mkdtempSync(join(tmpdir(), `claimlab-${profile}-${def.name}-`));
  const data = opts.dataDir ? ['--data-dir', opts.dataDir] : [];
  const argv = ['--profile', profile, ...data, '--backend', 'wasm', '--workers', '1', '--seeds', '1', '--out', out, ...overrides];
  const summary = await runQuietly(def, argv, opts.repoRoot ?? REPO_ROOT);
  if (!summary) throw new Error(`runShrunkProfile: ${def.name} (${profile}) wrote no summary`);
  const [header, ...rows] = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
  return { summary, header, rows };
}

/** runShrunkProfile on the paper profile. */
export async function runShrunkPaperProfile<C extends SeededConfig, R extends Row>(
  def: ExperimentDefinition<C, R>,
  overrides: string[],
  opts: { dataDir?: string; repoRoot?: string } = {},
): Promise<ShrunkRun> {
  return runShrunkProfile(def, 'paper', overrides, opts);
}

/**
 * For a claim's tests on constructed rows: its checks of one seed's rows, each asserted to pass
 * exactly when its statistic says (assertConsistent), and the ids of those that fail.
 */
export function claimChecker<C extends SeededConfig, R>(claim: Claim<C, R>, context: { profile: ProfileName; config: C }) {
  const checksOf = (rows: R[], ctx = context): Check[] => {
    const checks = claim.checks(rows, ctx);
    for (const c of checks) assertConsistent(c, 0);
    return checks;
  };
  const failing = (rows: R[], ctx = context): string[] =>
    checksOf(rows, ctx)
      .filter((c) => !c.pass)
      .map((c) => c.id);
  return { checksOf, failing };
}
