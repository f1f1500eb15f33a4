// The paper profile through the same code path as a real paper run (the command line's options,
// the real data readers, the wasm backend), shrunk by the tests' overrides, so it cannot rot
// between long runs. It checks the table's columns; only real runs judge the claim.
import { describe, expect, it } from 'vitest';
import { runShrunkPaperProfile } from '@claimlab/core/testing';
import { TINY } from './tiny.ts';
import { experiment } from '../main.ts';
import { COLUMNS } from '../results.ts';

describe('tensor-expressivity: the paper profile, shrunk', () => {
  it('runs and writes a table with its columns and every check', async () => {
    const { summary, header, rows } = await runShrunkPaperProfile(experiment, TINY);
    expect(summary.profile).toBe('paper');
    expect(header).toBe(['seed', ...COLUMNS].join(','));
    expect(rows.length).toBeGreaterThan(0);
    expect(summary.checks.length).toBe(11);
    // The MNIST read is recorded as the data of the run.
    expect(summary.data?.map((d) => (d as { name: string }).name)).toEqual(['mnist-train', 'mnist-test']);
  }, 300_000);
});
