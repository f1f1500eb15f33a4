// The paper profile through the same code path as a real paper run (the command line's options,
// the real data readers, the wasm backend), shrunk by the tests' overrides, so it cannot rot
// between real runs. It checks the table's columns; only real runs judge the claim.
import { describe, expect, it } from 'vitest';
import { runShrunkPaperProfile } from '@claimlab/core/testing';
import { TINY } from './tiny.ts';
import { gasSensorFixture } from './gas-fixture.ts';
import { experiment } from '../main.ts';
import { COLUMNS } from '../results.ts';

describe('overparameterization: the paper profile, shrunk', () => {
  it('runs on a Gas Sensor fixture (the published layout) given by --data-dir and writes a table with its columns and every check', async () => {
    const { summary, header, rows } = await runShrunkPaperProfile(experiment, TINY, { dataDir: gasSensorFixture() });
    expect(summary.profile).toBe('paper');
    expect(header).toBe(['seed', ...COLUMNS].join(','));
    expect(rows.some((r) => r.includes(',regression,gas-sensor,4,gd,3,'))).toBe(true);
    expect(summary.checks.length).toBe(14);
    expect(summary.checks[0].description).toMatch(/^gas-sensor, l_4 loss/);
    // The fixture and MNIST were read, as the data record says.
    expect(summary.data?.map((d) => (d as { name: string }).name)).toEqual(['gas-sensor-drift-ethanol', 'mnist-train']);
  }, 300_000);
});
