// The paper profile through the same code path as a real paper run (the command line's options,
// the real data readers, the wasm backend), shrunk by the tests' overrides, so it cannot rot
// between GPU runs. It checks the table's columns; only real runs judge the claim.
import { describe, expect, it } from 'vitest';
import { runShrunkPaperProfile } from '@claimlab/core/testing';
import { cifar10Fixture } from '../../../libs/datasets/src/testing.ts';
import { TINY } from './tiny.ts';
import { experiment } from '../main.ts';
import { COLUMNS } from '../results.ts';

describe('universal-perturbations: the paper profile, shrunk', () => {
  it('runs on a CIFAR-10 fixture (the official layout) and writes a table with its columns and every check', async () => {
    const { summary, header, rows } = await runShrunkPaperProfile(experiment, TINY, {
      dataDir: cifar10Fixture(),
    });
    expect(summary.profile).toBe('paper');
    expect(header).toBe(['seed', ...COLUMNS].join(','));
    expect(rows.length).toBeGreaterThan(0);
    expect(summary.checks.length).toBeGreaterThan(0);
    // The fixture was read, as the data record says: CIFAR-10 from the directory given.
    expect(summary.data?.map((d) => (d as { name: string }).name)).toEqual(['cifar10-train', 'cifar10-test']);
  }, 300_000);
});
