import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runQuietly } from '@claimlab/core/testing';
import { REPO_ROOT, runExperiment, verifyExperiment } from '@claimlab/core';
import { experiment } from '../main.ts';
import { TINY } from './tiny.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-te-'));

async function runTiny(out: string, extra: string[] = []): Promise<string> {
  await runQuietly(experiment, [...TINY, '--out', out, ...extra], REPO_ROOT);
  return readFileSync(join(out, 'results.csv'), 'utf8');
}

const CHECK_IDS = [
  'tt-rank-meets-bound',
  'tt-shared-rank-meets-bound',
  'ht-rank-meets-bound',
  'rank-grows-exponentially-in-d',
  'tt-net-at-least-cp-net-matched-budget',
  'rank-equals-bound-where-tight',
  'cp-rank-at-most-R',
  'rank-decisions-clear-of-tolerance',
  'cp-als-rank-grows-with-d',
  'cp-als-above-floor',
  'cp-net-needs-more-params',
];

describe('exp-tensor-expressivity on a tiny config', () => {
  // One 2-seed run on 2 workers, shared by the first two tests.
  const parallelOut = tmp();
  let parallel = '';
  beforeAll(async () => {
    parallel = await runTiny(parallelOut, ['--seed', '5', '--seeds', '2', '--workers', '2']);
  }, 240_000);

  it('gives the same rows for a seed run alone on one worker as for it as the second seed of a run on 2 workers; another seed draws others', async () => {
    const serial = await runTiny(tmp(), ['--seed', '6', '--seeds', '1', '--workers', '1']);
    const lines = parallel.trim().split('\n');
    expect(lines[0]).toBe('seed,part,family,d,n,rank_param,draw,metric,value');
    expect(new Set(lines.slice(1).map((l) => l.split(',')[1]))).toEqual(new Set(['rank', 'als', 'train']));
    expect(new Set(lines.slice(1).map((l) => l.split(',')[2]))).toEqual(new Set(['tt', 'tt-shared', 'ht', 'cp', 'tt-net', 'cp-net']));
    const ofSeed = (text: string, seed: string) =>
      text
        .trim()
        .split('\n')
        .slice(1)
        .filter((l) => l.startsWith(`${seed},`))
        .map((l) => l.slice(seed.length + 1));
    // Byte-identical: serial vs parallel, and the seed's position in the run does not matter.
    expect(ofSeed(serial, '6').length).toBeGreaterThan(0);
    expect(ofSeed(serial, '6')).toEqual(ofSeed(parallel, '6'));
    // Another seed, other draws: the singular-value margins differ (the ranks themselves are generic and equal).
    const kept = (seed: string) => ofSeed(parallel, seed).filter((l) => l.includes(',smallest_kept,'));
    expect(kept('6')).not.toEqual(kept('5'));
    // The TT draw of d = 6, n = 2, r = 2 has rank 8 = 2^3 at both seeds.
    expect(lines.filter((l) => /^\d,rank,tt,6,2,2,0,matricization_rank,8$/.test(l)).length).toBe(2);
  }, 240_000);

  it('writes summary, figures and every check at every seed; verify re-derives it and catches tampering', async () => {
    const out = parallelOut;
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.seeds).toEqual([5, 6]);
    expect(summary.checks.map((c: { id: string }) => c.id)).toEqual(CHECK_IDS);
    expect(['REPRODUCED', 'NOT REPRODUCED', 'INCONCLUSIVE']).toContain(summary.outcome);
    const tt = summary.checks.find((c: { id: string }) => c.id === 'tt-rank-meets-bound');
    expect(tt).toMatchObject({ role: 'core', passes: [true, true], outcome: 'REPRODUCED' });
    for (const f of ['matricization-rank-vs-order.svg', 'accuracy-vs-params.png', 'cp-als-error.svg']) {
      expect(existsSync(join(out, 'figures', f)), f).toBe(true);
    }
    const outcome = verifyExperiment(experiment, out);
    expect(outcome.problems.some((p) => p.includes('summary.json differs') || p.includes('summary.json says'))).toBe(false);
    expect(outcome.checks.map((c) => c.passes)).toEqual(summary.checks.map((c: { passes: boolean[] }) => c.passes));

    // Tampering: at seed 6 a TT draw (d = 4, n = r = 2) loses rank 4 -> 3, below the bound.
    const csv = readFileSync(join(out, 'results.csv'), 'utf8');
    const edited = csv.replace(/^(6,rank,tt,4,2,2,0,matricization_rank,)4$/m, '$13');
    expect(edited).not.toBe(csv);
    writeFileSync(join(out, 'results.csv'), edited);
    const after = verifyExperiment(experiment, out);
    expect(after.ok).toBe(false);
    expect(after.checks.find((c) => c.id === 'tt-rank-meets-bound')).toMatchObject({ passes: [true, false], outcome: 'INCONCLUSIVE' });
  });

  it('rejects bad input with clear errors and writes nothing', async () => {
    const out = tmp();
    await expect(runExperiment(experiment, ['--set', 'orders=[2,3]', '--out', out], REPO_ROOT)).rejects.toThrow(
      /every order must be an even integer >= 2, got 3/,
    );
    await expect(runExperiment(experiment, ['--set', 'orders=[6]', '--out', out], REPO_ROOT)).rejects.toThrow(/power of two/);
    await expect(runExperiment(experiment, ['--set', 'patchSize=5', '--out', out], REPO_ROOT)).rejects.toThrow(
      /patchSize must divide 28 and be smaller/,
    );
    await expect(runExperiment(experiment, ['--set', 'modeRanks=[{"n":0,"r":2}]', '--out', out], REPO_ROOT)).rejects.toThrow(
      /modeRanks n must be a positive integer, got 0/,
    );
    await expect(runExperiment(experiment, ['--set', 'alsTargetError=2', '--out', out], REPO_ROOT)).rejects.toThrow(
      /alsTargetError must be in \(0, 1\), got 2/,
    );
    await expect(runExperiment(experiment, ['--set', 'ttRanks=[]', '--out', out], REPO_ROOT)).rejects.toThrow(
      /ttRanks must be a non-empty list/,
    );
    expect(existsSync(join(out, 'results.csv'))).toBe(false);
  });
});
