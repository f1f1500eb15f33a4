import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuietly } from '@claimlab/core/testing';
import { REPO_ROOT, runExperiment, UsageError, verifyExperiment } from '@claimlab/core';
import { experiment } from '../main.ts';
import { TINY } from './tiny.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-lr-'));

async function runTiny(out: string, extra: string[] = []): Promise<string> {
  await runQuietly(experiment, [...TINY, '--out', out, ...extra], REPO_ROOT);
  return readFileSync(join(out, 'results.csv'), 'utf8');
}

const CHECK_IDS = [
  'chaotic-transitions-geometric-in-depth',
  'chaotic-transitions-theorem3b-rate',
  'depth-beats-width-equal-budget',
  'equal-budget-transitions-rise-with-depth',
  'length-growth-matches-theorem3b',
  'sigma-separates-regimes-ordered',
  'sigma-separates-regimes-chaotic',
  'sawtooth-exponential-regions',
  'he-relu-transitions-linear-in-neurons',
  'he-relu-equal-budget-depth-independent',
  'he-relu-length-preserved',
  'relu-length-theorem3a',
];

describe('exp-linear-regions on a tiny config', () => {
  it('gives a byte-identical results.csv for the same seeds (serial run and a run on 2 workers) and different rows for another seed', async () => {
    const a = await runTiny(tmp(), ['--seed', '5', '--seeds', '2', '--workers', '1']);
    const c = await runTiny(tmp(), ['--seed', '5', '--seeds', '2', '--workers', '2']);
    const d = await runTiny(tmp(), ['--seed', '6', '--seeds', '1', '--workers', '1']);
    expect(c).toBe(a); // a second run, scheduled on 2 worker processes
    expect(d).not.toBe(a);
    const lines = a.trim().split('\n');
    expect(lines[0]).toBe('seed,sweep,activation,sigma_w2,sigma_b2,width,depth,layer,network,metric,value');
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0]))).toEqual(new Set(['5', '6']));
    expect(new Set(lines.slice(1).map((l) => l.split(',')[1]))).toEqual(new Set(['path', 'slice', 'sawtooth']));
    // width 4 is built 4 deep (maxDepth), also enough for budget 8 / 4 = 2; every layer 1..4 has transitions, at each seed
    for (const seed of ['5', '6']) {
      expect(lines.filter((l) => l.startsWith(`${seed},path,relu,2,0.000001,4,4,`) && l.includes(',transitions,')).length).toBe(4);
    }
    // Seed 6 draws the same networks whether it is the second seed of a run or the only one, and other networks than seed 5.
    const ofSeed = (text: string, seed: string) =>
      text
        .trim()
        .split('\n')
        .slice(1)
        .filter((l) => l.startsWith(`${seed},`))
        .map((l) => l.slice(seed.length + 1));
    expect(ofSeed(d, '6')).toEqual(ofSeed(a, '6'));
    expect(ofSeed(a, '6').filter((l) => l.startsWith('path,'))).not.toEqual(ofSeed(a, '5').filter((l) => l.startsWith('path,')));
  }, 120_000);

  it('writes summary, figures and every check at every seed; verify re-derives it and catches tampering', async () => {
    const out = tmp();
    await runTiny(out, ['--workers', '1', '--seeds', '2']);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.seeds).toEqual([0, 1]);
    expect(summary.config.networks).toBe(1);
    expect(summary.config.seeds).toBe(2);
    expect(summary.checks.map((c: { id: string }) => c.id)).toEqual(CHECK_IDS);
    expect(['REPRODUCED', 'NOT REPRODUCED', 'INCONCLUSIVE']).toContain(summary.outcome);
    const saw = summary.checks.find((c: { id: string }) => c.id === 'sawtooth-exponential-regions');
    expect(saw).toMatchObject({ role: 'supporting', passes: [true, true], values: [0, 0], outcome: 'REPRODUCED' });
    const theorem3a = summary.checks.find((c: { id: string }) => c.id === 'relu-length-theorem3a');
    expect(theorem3a).toMatchObject({ role: 'core', expected: 'NOT REPRODUCED' });
    expect(theorem3a.refutedBy.citation).toBe('Hanin, Jeong & Rolnick (2022). Deep ReLU Networks Preserve Expected Length. ICLR.');
    expect(summary.checks.filter((c: { refutedBy?: unknown }) => c.refutedBy).map((c: { id: string }) => c.id)).toEqual([
      'relu-length-theorem3a',
    ]);
    for (const f of [
      'transitions-vs-depth.svg',
      'transitions-vs-width.png',
      'trajectory-length.svg',
      'equal-budget.svg',
      'regions-2d-relu-2x4.png',
    ]) {
      expect(existsSync(join(out, 'figures', f))).toBe(true);
    }
    expect(existsSync(join(out, 'figures', 'regions-2d-relu-2x4.svg'))).toBe(false);
    const outcome = verifyExperiment(experiment, out);
    expect(outcome.problems.some((p) => p.includes('summary.json differs') || p.includes('summary.json says'))).toBe(false);
    expect(outcome.seeds).toEqual([0, 1]);
    expect(outcome.outcome).toBe(summary.outcome);
    expect(outcome.checks.map((c) => c.passes)).toEqual(summary.checks.map((c: { passes: boolean[] }) => c.passes));

    // Tampering with results.csv: at seed 1 the sawtooth no longer has 2^L regions.
    const csv = readFileSync(join(out, 'results.csv'), 'utf8');
    const edited = csv.replace(/^(1,sawtooth,relu,0,0,2,5,3,0,regions,)8$/m, '$17');
    expect(edited).not.toBe(csv);
    writeFileSync(join(out, 'results.csv'), edited);
    const after = verifyExperiment(experiment, out);
    expect(after.ok).toBe(false);
    expect(after.checks.find((c) => c.id === 'sawtooth-exponential-regions')).toMatchObject({
      passes: [true, false],
      outcome: 'INCONCLUSIVE',
    });
    expect(
      after.problems.some((p) =>
        p.includes("check 'sawtooth-exponential-regions': summary.json differs from what results.csv gives (INCONCLUSIVE, 1 of 2 seeds)"),
      ),
    ).toBe(true);
  }, 120_000);

  it('rejects bad input with clear errors and writes nothing', async () => {
    const out = tmp();
    await expect(runExperiment(experiment, ['--set', 'maxDepth=0', '--out', out], REPO_ROOT)).rejects.toThrow(
      /maxDepth must be a positive integer, got 0/,
    );
    await expect(runExperiment(experiment, ['--set', 'widths=[8,-4]', '--out', out], REPO_ROOT)).rejects.toThrow(
      /width must be a positive integer, got -4/,
    );
    await expect(
      runExperiment(experiment, ['--set', 'conditions=[{"activation":"tanh","sigmaW2":1,"sigmaB2":0}]', '--out', out], REPO_ROOT),
    ).rejects.toThrow(/unknown activation 'tanh' \(use relu or hard-tanh\)/);
    await expect(runExperiment(experiment, ['--set', 'sliceDepths=[3]', '--out', out], REPO_ROOT)).rejects.toThrow(UsageError);
    await expect(runExperiment(experiment, ['--set', 'depthh=3'], REPO_ROOT)).rejects.toThrow(/depthh/);
    await expect(runExperiment(experiment, ['--set', 'networks=0', '--out', out], REPO_ROOT)).rejects.toThrow(
      /networks must be a positive integer, got 0/,
    );
    await expect(runExperiment(experiment, ['--set', 'seeds=0', '--out', out], REPO_ROOT)).rejects.toThrow(
      /seeds must be a positive integer, got 0/,
    );
    await expect(runExperiment(experiment, ['--seeds', '0', '--out', out], REPO_ROOT)).rejects.toThrow(UsageError);
    expect(existsSync(join(out, 'results.csv'))).toBe(false);
  });
});
