// One run at a time per output directory. A run holds <out>/.run.lock (its pid, host and start
// time) while it works; a second run into the same directory is refused, naming the owner. A lock
// whose process is gone (same host, pid no longer alive: a killed run) is reclaimed with a log line.
// Shards of one sweep may run side by side (they store disjoint arms): each holds its own
// <out>/.run-shard-I-of-N.lock, and refuses to start beside a whole run, as a whole run (including
// the --resume that merges the shards) refuses to start beside a shard.
import { linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { UsageError } from './run-context.ts';

export const RUN_LOCK = '.run.lock';
const SHARD_LOCK = /^\.run-shard-\d+-of-\d+\.lock$/;
const shardLockName = (shard: { index: number; count: number }) => `.run-shard-${shard.index}-of-${shard.count}.lock`;

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the owning run started. */
  startedAt: string;
  /** What the owner is running, e.g. 'rethinking-generalization (quick)'. */
  what?: string;
}

export interface RunLock {
  path: string;
  owner: LockOwner;
  /** Removes the lock if it is still this run's (and the output directory when the run created it and left it empty). */
  release(): void;
}

/** Whether a process with this pid is alive on this host (EPERM: alive, owned by another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return Number.isInteger(o.pid) && typeof o.hostname === 'string' && typeof o.startedAt === 'string' ? o : null;
  } catch {
    return null;
  }
}

const describeOwner = (o: LockOwner) =>
  `${o.what ? `${o.what}, ` : ''}pid ${o.pid} on ${o.hostname === os.hostname() ? 'this host' : `host ${o.hostname}`}, started ${o.startedAt}`;

/** Whether a lock's owner is known to be gone: on this host and its pid not alive. */
const isStale = (o: LockOwner) => o.hostname === os.hostname() && !processAlive(o.pid);

/** Creates `path` holding `owner` only if it does not exist (written to a temporary file, then hard-linked: never seen half-written). */
function tryCreate(path: string, owner: LockOwner): boolean {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, JSON.stringify(owner, null, 2) + '\n');
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Removes a stale lock, unless another run reclaimed it first: the file is renamed aside (atomic)
 * and put back if what was renamed is not the stale owner's lock.
 */
function reclaim(path: string, stale: LockOwner): void {
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already: someone else reclaimed it
  }
  const moved = readOwner(aside);
  if (moved && (moved.pid !== stale.pid || moved.startedAt !== stale.startedAt || moved.hostname !== stale.hostname)) {
    try {
      linkSync(aside, path);
    } catch {
      // a third run holds it now; the next check finds that run
    }
  }
  rmSync(aside, { force: true });
}

/** Throws if another live run holds `path`; reclaims it (with a log line) when its owner is gone. Returns true when the path is free now. */
function checkFree(path: string, log: (line: string) => void, refuse: (owner: LockOwner | null) => Error): boolean {
  const owner = readOwner(path);
  if (owner === null) {
    // Unreadable: just removed by its owner (then free), or not a lock we wrote.
    try {
      readFileSync(path);
    } catch {
      return true;
    }
    throw refuse(null);
  }
  if (!isStale(owner)) throw refuse(owner);
  log(`[claimlab] reclaiming the stale lock ${path}: ${describeOwner(owner)}, is no longer running`);
  reclaim(path, owner);
  return false;
}

/**
 * Takes the output directory's run lock (or, for a shard, the shard's lock) before a run writes
 * anything there. A second run into the same directory is refused with a UsageError naming the
 * owner's pid, host and start time; a stale lock (its pid gone on this host) is reclaimed.
 */
export function acquireRunLock(
  outDir: string,
  opts: { what?: string; shard?: { index: number; count: number } | null; log?: (line: string) => void } = {},
): RunLock {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  let createdDir = false;
  try {
    readdirSync(outDir);
  } catch {
    mkdirSync(outDir, { recursive: true });
    createdDir = true;
  }
  const owner: LockOwner = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), what: opts.what };
  const path = join(outDir, opts.shard ? shardLockName(opts.shard) : RUN_LOCK);
  const refuse = (kind: string, lockPath: string) => (o: LockOwner | null) =>
    new UsageError(
      o
        ? `${outDir} is in use by another run (${describeOwner(o)}); ${kind}. Wait for it to finish, or give this run another --out. ` +
            `If that run is dead (e.g. its machine went down), delete ${lockPath}.`
        : `${lockPath} exists but is not a lock this program wrote; delete it if no run is using ${outDir}.`,
    );
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(path, owner)) break;
    if (attempt > 5) throw new Error(`could not take the lock ${path}: it keeps being re-created`);
    checkFree(path, log, refuse(opts.shard ? `it runs the same shard` : 'two runs into one directory would overwrite each other', path));
  }
  const release = () => {
    const now = readOwner(path);
    if (now && now.pid === owner.pid && now.startedAt === owner.startedAt && now.hostname === owner.hostname) rmSync(path, { force: true });
    if (createdDir) {
      try {
        rmdirSync(outDir); // only when empty: a run that failed before writing anything leaves nothing behind
      } catch {
        // not empty: keep it
      }
    }
  };
  // Shards run beside each other, never beside a whole run (which would wipe or merge their store).
  try {
    const others = opts.shard ? [RUN_LOCK] : readdirSync(outDir).filter((n) => SHARD_LOCK.test(n));
    for (const name of others) {
      const other = join(outDir, name);
      const what = opts.shard
        ? 'a shard cannot run beside a whole run of the directory'
        : `a shard's run (${name}) is still storing its arms here`;
      checkFree(other, log, refuse(what, other));
    }
  } catch (e) {
    release();
    throw e;
  }
  return { path, owner, release };
}
