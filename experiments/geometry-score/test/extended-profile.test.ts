// The extended profile (about an hour here) through the same code path as a real extended run (the
// command line's options, the real data readers, the wasm backend, the conv WGAN pair at its own
// width), shrunk by the tests' overrides to a few steps, so it cannot rot between the runs that judge
// its claim. It checks the table's columns; only real runs judge the claim.
import { describe, expect, it } from 'vitest';
import { runShrunkProfile } from '@claimlab/core/testing';
import { experiment } from '../main.ts';
import { COLUMNS } from '../results.ts';
import { TINY } from './tiny.ts';

describe('geometry-score: the extended profile, shrunk', () => {
  it('runs and writes a table with its columns and every check', async () => {
    const { summary, header, rows } = await runShrunkProfile(experiment, 'extended', TINY);
    expect(summary.profile).toBe('extended');
    expect((summary.config as { wganConvDim: number }).wganConvDim).toBe(8);
    expect(header).toBe(['seed', ...COLUMNS].join(','));
    expect(rows.length).toBeGreaterThan(0);
    expect(summary.checks.length).toBeGreaterThan(0);
  }, 300_000);
});
