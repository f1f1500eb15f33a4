// Worker process for runArmsParallel: selects the parent's backend, then runs
// the arms it is sent, one at a time, and reports progress and results over IPC.
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

process.on('message', (msg: Message) => {
  queue = queue.then(async () => {
    if (msg.type === 'exit') {
      process.exit(0);
    }
    try {
      const runner = await ready;
      const result = await runner.run(msg.arm, (status) => send({ type: 'progress', index: msg.index, status }), msg.session);
      send({ type: 'done', index: msg.index, result });
    } catch (e) {
      send({ type: 'error', index: msg.index, message: (e as Error).message });
    }
  });
});
