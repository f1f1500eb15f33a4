// Worker process for runArmsParallel: selects the parent's backend, then runs
// the arms it is sent, one at a time, and reports progress and results over IPC.
import { readFileSync } from 'node:fs';
import { selectBackend } from '@claimlab/backend';
import { armRunnerOf, type ArmRunner, type ArmSession } from './parallel.ts';

type Message = { type: 'run'; index: number; arm: unknown; session?: ArmSession } | { type: 'exit' };

const send = (m: unknown) => process.send!(m);

// The listener is attached before any await so no message is lost while the
// backend loads; work is chained so arms run strictly one after another.
const ready: Promise<ArmRunner<unknown, unknown>> = (async () => {
  await selectBackend(undefined, () => {});
  const url = process.env.CLAIMLAB_ARM_MODULE!;
  return armRunnerOf((await import(url)) as Record<string, unknown>, url);
})();
let queue: Promise<void> = Promise.resolve();

// A worker never outlives its parent: when the IPC channel closes (normal end,
// or the parent was killed), stop at once.
process.on('disconnect', () => process.exit(0));

// But an arm is one synchronous computation (a training loop), during which no event fires: a
// worker whose parent was killed kept training to the arm's end. So every progress report (made
// from inside the arms' loops) also asks, at most once a second, whether the parent still lives.
const parentPid = process.ppid;
let lastParentCheck = 0;

/** Whether the parent is gone: this process was re-parented (Linux), or no process has its pid. */
function parentGone(): boolean {
  try {
    // Field 4 of /proc/self/stat is the live parent pid (process.ppid is read once at start-up).
    const stat = readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== parentPid;
  } catch {
    try {
      process.kill(parentPid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
}

function report(index: number, status: string): void {
  const now = Date.now();
  if (now - lastParentCheck >= 1000) {
    lastParentCheck = now;
    if (parentGone()) process.exit(0);
  }
  send({ type: 'progress', index, status });
}

process.on('message', (msg: Message) => {
  queue = queue.then(async () => {
    if (msg.type === 'exit') {
      process.exit(0);
    }
    try {
      const runner = await ready;
      const result = await runner.run(msg.arm, (status) => report(msg.index, status), msg.session);
      send({ type: 'done', index: msg.index, result });
    } catch (e) {
      send({ type: 'error', index: msg.index, message: (e as Error).message });
    }
  });
});
