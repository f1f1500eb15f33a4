// A sweep's worker processes end when their parent is killed, even in the middle of an arm that
// never yields to the event loop (a training loop): before this was checked, two orphaned workers
// kept training for 14 minutes after their run was killed and slowed the next one.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

it('workers exit within seconds of their parent being killed mid-arm', async () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'claimlab-orphan-'));
  const script = fileURLToPath(new URL('./fixtures/busy-sweep.ts', import.meta.url));
  const parent = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: 'ignore' });
  const pidFiles = [0, 1].map((i) => join(dir, `${i}.pid`));
  let pids: number[] = [];
  try {
    expect(await waitFor(() => pidFiles.every((f) => existsSync(f) && readFileSync(f, 'utf8') !== ''), 60_000), 'both arms started').toBe(
      true,
    );
    pids = pidFiles.map((f) => Number(readFileSync(f, 'utf8')));
    expect(pids.every(alive)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(pids.every(alive), 'the arms are still running (they last a minute)').toBe(true);
    parent.kill('SIGKILL');
    // The arms run for 60 s; the workers check their parent at most once a second.
    expect(await waitFor(() => !pids.some(alive), 10_000), `workers ${pids.filter(alive).join(', ')} outlived their parent`).toBe(true);
  } finally {
    parent.kill('SIGKILL');
    for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
