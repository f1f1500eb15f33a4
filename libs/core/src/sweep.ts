import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cliMain, formatChecks, verifyExperiment, type ExperimentDefinition, type RunContext } from './experiment.ts';
import { defaultWorkers, runArmsParallel } from './parallel.ts';
import { createProgress } from './progress.ts';
import type { Row } from './results.ts';
import { PROFILES, UsageError, type Config } from './run-context.ts';

export interface SweepOptions<A, R> {
  /** URL of the module exporting runArm (see runArmsParallel). */
  moduleUrl: string;
  arms: A[];
  /** What one arm is called in the progress line, e.g. 'runs' or 'networks'. */
  label: string;
  /** Progress text once an arm is done. */
  describeDone(arm: A, result: R): string;
}

/**
 * Runs the independent arms of an experiment's sweep on `--workers` processes
 * (default: one per core) with a progress bar or periodic log lines.
 */
export async function runSweep<C extends Config, A, R>(ctx: RunContext<C>, opts: SweepOptions<A, R>): Promise<R[]> {
  const workers = Math.min(ctx.workers ?? defaultWorkers(), opts.arms.length);
  ctx.log(`[${ctx.experiment}] ${opts.arms.length} ${opts.label} on ${workers} worker(s)`);
  const progress = createProgress(opts.label, opts.arms.length);
  let done = 0;
  try {
    return await runArmsParallel<A, R>({
      moduleUrl: opts.moduleUrl,
      arms: opts.arms,
      workers,
      backend: ctx.backendInfo.name,
      onArmProgress: (_i, status) => progress.update(done, status),
      onArmDone: (i, r) => progress.update(++done, opts.describeDone(opts.arms[i], r)),
    });
  } finally {
    progress.stop();
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
    const profile = values.profile ?? 'quick';
    if (!(PROFILES as readonly string[]).includes(profile)) throw new UsageError(`Unknown profile '${profile}'. Use one of: ${PROFILES.join(', ')}.`);
    const outDir = resolve(values.out ?? resolve(repoRoot, 'results', def.name, profile));
    const outcome = verifyExperiment(def, outDir, { repoRoot });
    process.stderr.write(`${formatChecks(outcome.checks)}\n`);
    for (const p of outcome.problems) process.stderr.write(`problem: ${p}\n`);
    process.stderr.write(`verify ${def.name} (${profile}): ${outcome.ok ? 'PASS' : 'FAIL'}\n`);
    return outcome.ok ? 0 : 1;
  });
}
