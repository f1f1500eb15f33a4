// The paper profile through the same code path as a real paper run (the command line's options,
// the real data readers, the wasm backend), shrunk by the tests' overrides, so it cannot rot
// between GPU runs. It checks the table's columns; only real runs judge the claim.
import { describe, expect, it } from 'vitest';
import { runShrunkPaperProfile } from '@claimlab/core/testing';
import { experiment } from '../main.ts';
import { COLUMNS } from '../results.ts';
import { TINY } from './tiny.ts';

describe('geometry-score: the paper profile, shrunk', () => {
  it('runs and writes a table with its columns and every check', async () => {
    const { summary, header, rows } = await runShrunkPaperProfile(experiment, [...TINY, '--set', 'wganConvDim=4']); // the conv pair at width 4, not the paper's 64
    expect(summary.profile).toBe('paper');
    expect(header).toBe(['seed', ...COLUMNS].join(','));
    expect(rows.length).toBeGreaterThan(0);
    expect(summary.checks.length).toBeGreaterThan(0);
  }, 300_000);
});
