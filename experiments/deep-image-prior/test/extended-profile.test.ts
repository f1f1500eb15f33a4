// The extended profile (about an hour here) through the same code path as a real extended run, shrunk
// by the tests' overrides to two steps per fit, so it cannot rot between the runs that judge its claim.
import { describe, expect, it } from 'vitest';
import { runShrunkProfile } from '@claimlab/core/testing';
import { TINY } from './tiny.ts';
import { experiment } from '../main.ts';
import { PROFILES, validateConfig } from '../config.ts';
import { COLUMNS } from '../results.ts';

describe('deep-image-prior: the extended profile', () => {
  it('validates as written, and is larger than quick with the paper procedure', () => {
    const extended = PROFILES.extended!;
    expect(() => validateConfig(extended)).not.toThrow();
    expect(extended.imageSize).toBeGreaterThanOrEqual(128);
    expect(extended.denoiseIterations).toBe(3000); // the authors' num_iter for denoising
    expect(extended.fitIterations).toBeGreaterThan(PROFILES.quick.fitIterations);
    expect(extended.seeds).toBeGreaterThanOrEqual(2);
    const sorted = [...extended.snapshotAt].sort((a, b) => a - b);
    expect(extended.snapshotAt).toEqual(sorted);
  });

  it('runs two steps per fit and writes a table with its columns and every check', async () => {
    const twoSteps = [
      ...TINY,
      '--set',
      'denoiseIterations=2',
      '--set',
      'stopIteration=2',
      '--set',
      'snapshotAt=[2]',
      '--set',
      'fitIterations=2',
    ];
    const { summary, header, rows } = await runShrunkProfile(experiment, 'extended', twoSteps);
    expect(summary.profile).toBe('extended');
    expect(header).toBe(['seed', ...COLUMNS].join(','));
    expect(rows.length).toBeGreaterThan(0);
    expect(summary.checks.length).toBeGreaterThan(0);
  }, 300_000);
});
