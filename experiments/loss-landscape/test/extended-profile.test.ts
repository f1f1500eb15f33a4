// The extended profile (about an hour here) through the same code path as a real extended run, shrunk
// by the tests' overrides to one tiny epoch and a 3x3 grid, so it cannot rot between the runs that
// judge its claim.
import { describe, expect, it } from 'vitest';
import { runShrunkProfile } from '@claimlab/core/testing';
import { TINY } from './tiny.ts';
import { experiment } from '../main.ts';
import { PROFILES, validateConfig } from '../config.ts';
import { COLUMNS } from '../results.ts';

describe('loss-landscape: the extended profile', () => {
  it("validates as written, is larger than quick where the issue asks, and keeps the paper's schedule shape", () => {
    const quick = PROFILES.quick;
    const extended = PROFILES.extended!;
    expect(() => validateConfig(extended)).not.toThrow();
    expect(extended.depths).toEqual([20, 56]);
    expect(extended.widthMultiplier).toBeGreaterThan(quick.widthMultiplier);
    expect(extended.trainSize).toBeGreaterThan(quick.trainSize);
    expect(extended.epochs).toBeGreaterThan(quick.epochs);
    expect(extended.gridPoints).toBeGreaterThanOrEqual(21);
    expect(extended.hessianGridPoints).toBeGreaterThan(quick.hessianGridPoints);
    expect(extended.seeds).toBeGreaterThanOrEqual(2);
    // The paper divides the rate after epochs 150, 225 and 275 of 300: the same fractions of 12.
    const paper = PROFILES.paper;
    expect(extended.lrDecayEpochs).toEqual(paper.lrDecayEpochs.map((e) => Math.round((e * extended.epochs) / paper.epochs)));
    expect(extended.batchSize).toBe(paper.batchSize);
  });

  it('runs one tiny epoch and writes a table with its columns and every check', async () => {
    const { summary, header, rows } = await runShrunkProfile(experiment, 'extended', [...TINY, '--set', 'lrDecayEpochs=[1]']);
    expect(summary.profile).toBe('extended');
    expect(header).toBe(['seed', ...COLUMNS].join(','));
    expect(rows.length).toBeGreaterThan(0);
    expect(summary.checks.length).toBeGreaterThan(0);
  }, 300_000);
});
