import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BackendName } from '@claimlab/backend';

/**
 * Where an arm may keep its own checkpoint (e.g. a long training run), and
 * whether to continue from it: set by runSweep for `--resume`.
 */
export interface ArmSession {
  checkpointFile: string;
  resume: boolean;
  /** The backend the arm runs on: part of a checkpoint's identity. */
  backend: BackendName;
}

/** Runs one arm of a sweep: reports progress lines, may checkpoint itself in `session`. */
export type RunArm<A, R> = (arm: A, onProgress: (status: string) => void, session?: ArmSession) => Promise<R>;

/**
 * A sweep's arm runner, made in the arm's own module by `defineArm(import.meta.url, runArm)` and
 * imported by the experiment's main.ts, so the arm is one go-to-definition away. It runs in this
 * process, or in a worker process that imports the same module (moduleUrl) and finds this handle
 * among its exports.
 */
export interface ArmRunner<A, R> {
  readonly moduleUrl: string;
  readonly run: RunArm<A, R>;
}

const ARM_RUNNER = Symbol.for('claimlab.armRunner');

/** Declares the arm runner of a sweep; call it in the arm's module with that module's import.meta.url. */
export function defineArm<A, R>(moduleUrl: string, run: RunArm<A, R>): ArmRunner<A, R> {
  return Object.freeze({ moduleUrl, run, [ARM_RUNNER]: true });
}

/** The arm runner a module exports (what a worker process runs). */
export function armRunnerOf(mod: Record<string, unknown>, moduleUrl: string): ArmRunner<unknown, unknown> {
  const runners = Object.values(mod).filter(
    (v): v is ArmRunner<unknown, unknown> =>
      typeof v === 'object' && v !== null && ARM_RUNNER in v && (v as { moduleUrl?: unknown }).moduleUrl === moduleUrl,
  );
  if (runners.length !== 1)
    throw new Error(`${moduleUrl} must export exactly one defineArm(import.meta.url, runArm) handle, found ${runners.length}`);
  return runners[0];
}

export interface ParallelOptions<A, R> {
  /** What runs one arm (see defineArm). */
  runner: ArmRunner<A, R>;
  arms: A[];
  /** Number of worker processes; 1 runs the arms in this process, in order. */
  workers: number;
  /** Backend each worker must use (the one selected in the parent), so results match a serial run. */
  backend: BackendName;
  /** Per-arm checkpoint place (same order as `arms`); none when absent. */
  sessions?: ArmSession[];
  onArmProgress?(index: number, status: string): void;
  onArmDone?(index: number, result: R): void;
}

export function defaultWorkers(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

type FromWorker<R> =
  | { type: 'progress'; index: number; status: string }
  | { type: 'done'; index: number; result: R }
  | { type: 'error'; index: number; message: string };

/**
 * Runs independent sweep arms, in parallel worker processes when workers > 1.
 * Each worker has its own tfjs backend instance. Each arm must derive all its
 * randomness from its own description (e.g. seed + arm id), so the results
 * are identical to a serial run whatever the schedule; results come back in
 * arm order. The first failing arm stops the sweep with its error.
 */
export async function runArmsParallel<A, R>(opts: ParallelOptions<A, R>): Promise<R[]> {
  const { arms, runner } = opts;
  const workers = Math.min(opts.workers, arms.length);
  const results: R[] = new Array(arms.length);
  if (workers <= 1) {
    for (const [i, arm] of arms.entries()) {
      results[i] = await runner.run(arm, (s) => opts.onArmProgress?.(i, s), opts.sessions?.[i]);
      opts.onArmDone?.(i, results[i]);
    }
    return results;
  }
  const entry = fileURLToPath(new URL('./arm-worker.ts', import.meta.url));
  const children: ChildProcess[] = [];
  let next = 0;
  return new Promise<R[]>((resolve, reject) => {
    let failed = false;
    let finished = 0;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      for (const c of children) c.kill();
      reject(err);
    };
    const feed = (child: ChildProcess) => {
      if (failed) return;
      if (next >= arms.length) {
        child.send({ type: 'exit' });
        return;
      }
      const index = next++;
      child.send({ type: 'run', index, arm: arms[index], session: opts.sessions?.[index] });
    };
    for (let w = 0; w < workers; w++) {
      const child = fork(entry, [], {
        // Workers load TypeScript through tsx: keep the parent's tsx loader when it has one
        // (the tsx CLI), else register it (e.g. under vitest, whose flags do not apply here).
        execArgv: process.execArgv.some((a) => a.includes('tsx')) ? process.execArgv : ['--import', 'tsx'],
        env: { ...process.env, CLAIMLAB_BACKEND: opts.backend, CLAIMLAB_ARM_MODULE: runner.moduleUrl },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        // Structured clone, not JSON: a result's NaN or Infinity (a measured non-finite value) arrives as sent.
        serialization: 'advanced',
      });
      children.push(child);
      child.on('message', (msg: FromWorker<R>) => {
        if (msg.type === 'progress') opts.onArmProgress?.(msg.index, msg.status);
        else if (msg.type === 'error') fail(new Error(`arm ${msg.index}: ${msg.message}`));
        else {
          results[msg.index] = msg.result;
          opts.onArmDone?.(msg.index, msg.result);
          // Feed before resolving: a worker with nothing left is told to exit,
          // so no child keeps the parent alive after the last arm.
          feed(child);
          if (++finished === arms.length) resolve(results);
        }
      });
      child.on('exit', (code, signal) => {
        if (!failed && finished < arms.length && (code !== 0 || signal)) {
          fail(new Error(`worker process exited early (code ${code}, signal ${signal})`));
        }
      });
      feed(child);
    }
  });
}
