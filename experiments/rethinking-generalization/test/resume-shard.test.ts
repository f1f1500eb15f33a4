import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuietly, spawnAndKillWhen } from '@claimlab/core/testing';
import { experiment } from '../main.ts';
import { CLI, REPO_ROOT } from '@claimlab/core';

// Four short arms; the killed run gets longer ones so it can be killed between arms.
const SMALL = [
  '--set',
  'trainSize=100',
  '--set',
  'testSize=50',
  '--set',
  'maxEpochs=2',
  '--set',
  'batchSize=16',
  '--set',
  'labelCorruption=[0,1]',
  '--set',
  'pixelConditions=["gaussian","random-pixels"]',
  '--seeds',
  '1',
  '--workers',
  '1',
];

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-rg-'));

// The command line a user runs (nx run exp-rethinking-generalization:run calls the same).
const RUN = ['run', 'experiments/rethinking-generalization'];
const run = (out: string, extra: string[] = []) => runQuietly(experiment, [...SMALL, '--out', out, ...extra], REPO_ROOT);
const csv = (out: string) => readFileSync(join(out, 'results.csv'), 'utf8');

describe('sharded and resumed sweeps', () => {
  it('two shards merged with --resume give the same table as one run', async () => {
    const single = tmp();
    await run(single);
    const sharded = tmp();
    expect(await run(sharded, ['--shard', '0/2'])).toBeNull();
    expect(existsSync(join(sharded, 'results.csv'))).toBe(false);
    expect(readdirSync(join(sharded, '.sweep'))).toEqual(['seed-0']);
    expect(readdirSync(join(sharded, '.sweep', 'seed-0'))).toHaveLength(2);
    await run(sharded, ['--shard', '1/2']);
    expect(readdirSync(join(sharded, '.sweep', 'seed-0'))).toHaveLength(4);
    await run(sharded, ['--resume']);
    expect(csv(sharded)).toBe(csv(single));
    expect(existsSync(join(sharded, '.sweep'))).toBe(false);
  });

  it('with --seeds 2, two shards merged with --resume give the same table as one run', async () => {
    const two = ['--seeds', '2', '--set', 'pixelConditions=["gaussian"]'];
    const single = tmp();
    await run(single, two);
    const sharded = tmp();
    expect(await run(sharded, [...two, '--shard', '0/2'])).toBeNull();
    expect(existsSync(join(sharded, 'results.csv'))).toBe(false);
    // Each seed's sweep keeps its own arms: shard 0 of 3 arms is arms 0 and 2 at both seeds.
    expect(readdirSync(join(sharded, '.sweep')).sort()).toEqual(['seed-0', 'seed-1']);
    for (const s of ['seed-0', 'seed-1'])
      expect(readdirSync(join(sharded, '.sweep', s)).sort()).toEqual(['arm-00000.json', 'arm-00002.json']);
    await run(sharded, [...two, '--shard', '1/2']);
    for (const s of ['seed-0', 'seed-1']) expect(readdirSync(join(sharded, '.sweep', s))).toHaveLength(3);
    await run(sharded, [...two, '--resume']);
    expect(csv(sharded)).toBe(csv(single));
    expect(
      new Set(
        csv(single)
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(',')[0]),
      ),
    ).toEqual(new Set(['0', '1']));
    expect(existsSync(join(sharded, '.sweep'))).toBe(false);
  });

  it('a run killed mid-sweep leaves the previous table intact, and --resume finishes it identically', async () => {
    const out = tmp();
    await run(out);
    const before = csv(out);
    // Kill as soon as the first arm is stored.
    const store = join(out, '.sweep', 'seed-0');
    await spawnAndKillWhen(
      CLI,
      [...RUN, ...SMALL, '--set', 'maxEpochs=8', '--out', out],
      REPO_ROOT,
      () => existsSync(store) && readdirSync(store).some((f) => f.endsWith('.json')),
    );
    expect(csv(out)).toBe(before); // the old table is untouched
    expect(readdirSync(out).filter((f) => f.includes('.partial'))).toEqual([]);
    const storedAfterKill = readdirSync(store).length;
    expect(storedAfterKill).toBeGreaterThan(0);
    expect(storedAfterKill).toBeLessThan(4); // killed mid-sweep

    const fresh = tmp();
    await run(fresh, ['--set', 'maxEpochs=8']);
    await run(out, ['--set', 'maxEpochs=8', '--resume']);
    expect(csv(out)).toBe(csv(fresh));
  });

  it('a run killed mid-training continues from its last epoch checkpoint with --resume, identically', async () => {
    // One arm (random labels) that trains for many epochs.
    const one = ['--set', 'labelCorruption=[1]', '--set', 'pixelConditions=[]', '--set', 'maxEpochs=40', '--set', 'trainSize=300'];
    const out = tmp();
    const ckpt = join(out, '.sweep', 'seed-0', 'arm-00000.ckpt');
    await spawnAndKillWhen(CLI, [...RUN, ...SMALL, ...one, '--out', out], REPO_ROOT, () => existsSync(ckpt));
    expect(existsSync(join(out, 'results.csv'))).toBe(false);
    expect(existsSync(join(out, '.sweep', 'seed-0', 'arm-00000.json'))).toBe(false); // the arm did not finish
    const saved = join(tmp(), 'saved.ckpt');
    copyFileSync(ckpt, saved);

    // --resume reads the checkpoint: a corrupt one is refused ...
    writeFileSync(ckpt, 'garbage');
    await expect(run(out, [...one, '--resume'])).rejects.toThrow(/is not a claimlab checkpoint/);
    // ... and the real one continues the training to the same table as an uninterrupted run.
    copyFileSync(saved, ckpt);
    await run(out, [...one, '--resume']);
    const fresh = tmp();
    await run(fresh, one);
    expect(csv(out)).toBe(csv(fresh));
    expect(csv(out).trim().split('\n').length).toBeGreaterThan(3); // several epochs, the first of them restored
    expect(existsSync(join(out, '.sweep'))).toBe(false);
  });

  it('refuses to resume from arms of a different config', async () => {
    const out = tmp();
    await run(out, ['--shard', '0/2']);
    await expect(run(out, ['--set', 'maxEpochs=1', '--resume'])).rejects.toThrow(/holds a different arm .* without --resume/);
  });

  it('rejects a malformed shard', async () => {
    await expect(run(tmp(), ['--shard', '2/2'])).rejects.toThrow(/--shard expects I\/N with 0 <= I < N/);
  });
});
