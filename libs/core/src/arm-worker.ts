// Worker process for runArmsParallel: selects the parent's backend, then runs
// the arms it is sent, one at a time, and reports progress and results over IPC.
import { selectBackend } from '@claimlab/backend';
import type { ArmModule, ArmSession } from './parallel.ts';

type Message = { type: 'run'; index: number; arm: unknown; session?: ArmSession } | { type: 'exit' };

const send = (m: unknown) => process.send!(m);

// The listener is attached before any await so no message is lost while the
// backend loads; work is chained so arms run strictly one after another.
const ready: Promise<ArmModule<unknown, unknown>> = (async () => {
  await selectBackend(undefined, () => {});
  return (await import(process.env.CLAIMLAB_ARM_MODULE!)) as ArmModule<unknown, unknown>;
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
      const mod = await ready;
      const result = await mod.runArm(msg.arm, (status) => send({ type: 'progress', index: msg.index, status }), msg.session);
      send({ type: 'done', index: msg.index, result });
    } catch (e) {
      send({ type: 'error', index: msg.index, message: (e as Error).message });
    }
  });
});
