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

/**
 * A sweep arm runner: a module exporting `runArm(arm, onProgress, session)`,
 * loaded by URL so it can run in this process or in a worker process alike.
 */
export interface ArmModule<A, R> {
  runArm(arm: A, onProgress: (status: string) => void, session?: ArmSession): Promise<R>;
}

export interface ParallelOptions<A, R> {
  /** URL (import.meta.url style) of the module exporting runArm. */
  moduleUrl: string;
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

type FromWorker<R> = { type: 'progress'; index: number; status: string } | { type: 'done'; index: number; result: R } | { type: 'error'; index: number; message: string };

/**
 * Runs independent sweep arms, in parallel worker processes when workers > 1.
 * Each worker has its own tfjs backend instance. Each arm must derive all its
 * randomness from its own description (e.g. seed + arm id), so the results
 * are identical to a serial run whatever the schedule; results come back in
 * arm order. The first failing arm stops the sweep with its error.
 */
export async function runArmsParallel<A, R>(opts: ParallelOptions<A, R>): Promise<R[]> {
  const { arms, moduleUrl } = opts;
  const workers = Math.min(opts.workers, arms.length);
  const results: R[] = new Array(arms.length);
  if (workers <= 1) {
    const mod = (await import(moduleUrl)) as ArmModule<A, R>;
    for (const [i, arm] of arms.entries()) {
      results[i] = await mod.runArm(arm, (s) => opts.onArmProgress?.(i, s), opts.sessions?.[i]);
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
        env: { ...process.env, CLAIMLAB_BACKEND: opts.backend, CLAIMLAB_ARM_MODULE: moduleUrl },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
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
