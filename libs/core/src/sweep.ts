import { existsSync, readFileSync, rmSync } from 'node:fs';
import { parseJson, stringifyJson } from './json-numbers.ts';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import type { RunContext } from './run-context.ts';
import { defaultWorkers, runArmsParallel, type ArmRunner } from './parallel.ts';
import { createProgress } from './progress.ts';
import type { Config } from './run-context.ts';

export interface SweepOptions<A, R> {
  /** The arm runner exported by the experiment's arm.ts (defineArm). */
  runner: ArmRunner<A, R>;
  /** Every arm, in the order of the results table. */
  arms: A[];
  /**
   * Relative cost of an arm: the costliest are started first, so the workers finish together.
   * Only the schedule follows it; stored arm files, shards and the returned results keep the
   * arms' order.
   */
  cost?(arm: A): number;
  /** What one arm is called in the progress line, e.g. 'runs' or 'networks'. */
  label: string;
  /** Progress text once an arm is done. */
  describeDone(arm: A, result: R): string;
  /**
   * A sub-folder of the seed's sweep store for this sweep: a procedure with several sweeps (the
   * second built from the first's results) names each, so --resume and --shard work for all.
   */
  store?: string;
}

/** Where a sweep keeps the arms it has completed, for --resume and --shard. */
export function sweepStoreDir(outDir: string): string {
  return join(outDir, '.sweep');
}

/** Thrown after a sharded run has stored its arms: there is no results table to write yet. */
export class ShardComplete extends Error {
  override name = 'ShardComplete';
}

interface StoredArm {
  arm: unknown;
  backend: string;
  result: unknown;
}

/**
 * Runs the independent arms of an experiment's sweep on `--workers` processes
 * (default: one per core) with a progress bar or periodic log lines.
 *
 * Every completed arm is stored atomically under ctx.sweepDir (<out>/.sweep/seed-<s>/) so that
 * `--resume` continues an interrupted sweep, and `--shard I/N` runs only the
 * arms whose index is I modulo N; a final `--resume` over the gathered shard
 * stores computes nothing new and assembles the same table as a single run. A procedure with two
 * sweeps (the second depending on the first's results) is sharded in rounds: a shard run whose
 * first sweep is complete (gathered, with --resume) shards the second.
 */
export async function runSweep<C extends Config, A, R>(ctx: RunContext<C>, opts: SweepOptions<A, R>): Promise<R[]> {
  const store = opts.store === undefined ? ctx.sweepDir : join(ctx.sweepDir, opts.store);
  if (opts.store !== undefined && !/^[A-Za-z0-9_-]+$/.test(opts.store)) {
    throw new Error(`runSweep: store must be a plain folder name (letters, digits, - and _), got '${opts.store}'`);
  }
  const file = (i: number) => join(store, `arm-${String(i).padStart(5, '0')}.json`);
  // An arm that trains for long may checkpoint itself here; with --resume it continues from it.
  const checkpointFile = (i: number) => join(store, `arm-${String(i).padStart(5, '0')}.ckpt`);
  const results: (R | undefined)[] = new Array(opts.arms.length);
  if (ctx.resume) {
    for (const [i, arm] of opts.arms.entries()) {
      if (!existsSync(file(i))) continue;
      const stored = parseJson(readFileSync(file(i), 'utf8')) as StoredArm;
      if (JSON.stringify(stored.arm) !== JSON.stringify(arm)) {
        throw new Error(
          `${file(i)} holds a different arm than this run's arm ${i} (config or seed changed); delete ${store} or run without --resume`,
        );
      }
      if (stored.backend !== ctx.backendInfo.name) {
        throw new Error(
          `${file(i)} was computed on backend '${stored.backend}' but this run uses '${ctx.backendInfo.name}'; use --backend ${stored.backend}`,
        );
      }
      results[i] = stored.result as R;
    }
  }
  const todo = opts.arms
    .map((arm, i) => ({ arm, i, cost: opts.cost?.(arm) ?? 0 }))
    .filter(({ i }) => results[i] === undefined && (!ctx.shard || i % ctx.shard.count === ctx.shard.index))
    .sort((a, b) => b.cost - a.cost || a.i - b.i);
  const reused = results.filter((r) => r !== undefined).length;
  const workers = Math.max(1, Math.min(ctx.workers ?? defaultWorkers(), todo.length));
  ctx.log(
    `[${ctx.experiment}] ${opts.arms.length} ${opts.label}: ${todo.length} to run on ${workers} worker(s)` +
      (reused ? `, ${reused} reused from ${store}` : '') +
      (ctx.shard ? ` (shard ${ctx.shard.index}/${ctx.shard.count})` : ''),
  );
  const progress = createProgress(opts.label, todo.length);
  let done = 0;
  try {
    await runArmsParallel<A, R>({
      runner: opts.runner,
      arms: todo.map((t) => t.arm),
      workers,
      backend: ctx.backendInfo.name,
      sessions: todo.map(({ i }) => ({ checkpointFile: checkpointFile(i), resume: ctx.resume, backend: ctx.backendInfo.name })),
      onArmProgress: (_j, status) => progress.update(done, status),
      onArmDone: (j, r) => {
        const { arm, i } = todo[j];
        results[i] = r;
        const stored: StoredArm = { arm, backend: ctx.backendInfo.name, result: r };
        writeFileAtomic(file(i), stringifyJson(stored));
        rmSync(checkpointFile(i), { force: true });
        progress.update(++done, opts.describeDone(arm, r));
      },
    });
  } finally {
    progress.stop();
  }
  // A shard stops once its arms are stored, unless every arm is present (gathered with --resume):
  // then the run goes on, to a later sweep of the procedure (whose arms it shards in turn) or to the results.
  const missing = opts.arms.filter((_, i) => results[i] === undefined).length; // (results is sparse: filter would skip the holes)
  if (ctx.shard && missing > 0) {
    throw new ShardComplete(
      `shard ${ctx.shard.index}/${ctx.shard.count} stored ${todo.length} ${opts.label} in ${store}; ${missing} belong to other shards: ` +
        "gather every shard's .sweep files here and run again with --resume to merge",
    );
  }
  return results as R[];
}
