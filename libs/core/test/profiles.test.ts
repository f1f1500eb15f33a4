import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyExperiment } from '../src/experiment.ts';
import { runQuietly } from '../src/testing.ts';
import { toyExperiment } from './fixtures/toy-experiment.ts';
import { definedProfiles, parseRunArgs, profileConfig, PROFILES, UsageError } from '../src/run-context.ts';

const withoutExtended = {
  quick: { seeds: 2, steps: 10 },
  paper: { seeds: 5, steps: 1000 },
};
const withExtended = { ...withoutExtended, extended: { seeds: 3, steps: 100 } };

describe('profiles', () => {
  it('are quick, extended and paper, in order of scale', () => {
    expect([...PROFILES]).toEqual(['quick', 'extended', 'paper']);
  });

  it('lists the profiles an experiment defines', () => {
    expect(definedProfiles(withoutExtended)).toEqual(['quick', 'paper']);
    expect(definedProfiles(withExtended)).toEqual(['quick', 'extended', 'paper']);
  });

  it('gives the extended config where an experiment defines one', () => {
    expect(profileConfig('demo', withExtended, 'extended')).toEqual({ seeds: 3, steps: 100 });
    const o = parseRunArgs(['--profile', 'extended', '--set', 'steps=7'], 'demo', withExtended, '/repo');
    if (o === 'help') throw new Error('unexpected help');
    expect(o.profile).toBe('extended');
    expect(o.config).toEqual({ seeds: 3, steps: 7 });
    expect(o.outDir).toBe('/repo/results/demo/extended');
    expect(withExtended.extended.steps).toBe(100);
  });

  it('refuses --profile extended where the experiment has none, naming the profiles it has', () => {
    expect(() => profileConfig('demo', withoutExtended, 'extended')).toThrow(UsageError);
    expect(() => parseRunArgs(['--profile', 'extended'], 'demo', withoutExtended, '/repo')).toThrow(
      /demo has no extended profile \(it has quick, paper\)\. Use --profile quick or --profile paper\./,
    );
  });

  it('runs an extended profile into results/<experiment>/extended, and verify refuses it once the profile is gone', async () => {
    const extended = { ...toyExperiment.profiles.quick, arms: 3 };
    const withIt = { ...toyExperiment, profiles: { ...toyExperiment.profiles, extended } };
    const repo = mkdtempSync(join(tmpdir(), 'claimlab-profiles-'));
    const summary = await runQuietly(withIt, ['--profile', 'extended', '--backend', 'cpu', '--workers', '1'], repo);
    expect(summary!.profile).toBe('extended');
    const out = join(repo, 'results', 'toy', 'extended');
    expect(verifyExperiment(withIt, out).problems).toEqual([]);
    const dropped = verifyExperiment(toyExperiment, out);
    expect(dropped.ok).toBe(false);
    expect(dropped.problems).toContain('`toy` no longer defines the extended profile: these results have no config to be judged against');
  });
});
