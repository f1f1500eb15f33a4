import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuietly } from '@claimlab/core/testing';
import { runExperiment, UsageError, verifyExperiment } from '@claimlab/core';
import { experiment } from '../main.ts';
import { REPO_ROOT } from '@claimlab/core';

// Two conditions, widths 4 and 8, depth 4, 1 seed, 24-gon, small maps: well under a second of counting.
const TINY = [
  '--set',
  'inputDim=6',
  '--set',
  'circleVertices=24',
  '--set',
  'widths=[4,8]',
  '--set',
  'maxDepth=4',
  '--set',
  'budget=8',
  '--set',
  'seeds=1',
  '--set',
  'sawtoothDepth=5',
  '--set',
  'sliceResolution=12',
  '--set',
  'sliceDepths=[1,2]',
  '--set',
  'conditions=[{"activation":"hard-tanh","sigmaW2":0.5,"sigmaB2":0},{"activation":"hard-tanh","sigmaW2":8,"sigmaB2":0},{"activation":"relu","sigmaW2":2,"sigmaB2":1e-6}]',
];

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-lr-'));

async function runTiny(out: string, extra: string[] = []): Promise<string> {
  await runQuietly(experiment, [...TINY, '--out', out, ...extra], REPO_ROOT);
  return readFileSync(join(out, 'results.csv'), 'utf8');
}

describe('exp-linear-regions on a tiny config', () => {
  it('gives a byte-identical results.csv for the same seed (serial run and a run on 2 workers) and a different one for another seed', async () => {
    const a = await runTiny(tmp(), ['--seed', '5', '--workers', '1']);
    const c = await runTiny(tmp(), ['--seed', '5', '--workers', '2']);
    const d = await runTiny(tmp(), ['--seed', '6', '--workers', '1']);
    expect(c).toBe(a); // a second run, scheduled on 2 worker processes
    expect(d).not.toBe(a);
    const lines = a.trim().split('\n');
    expect(lines[0]).toBe('sweep,activation,sigma_w2,sigma_b2,width,depth,layer,seed,metric,value');
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0]))).toEqual(new Set(['path', 'slice', 'sawtooth']));
    // width 4 is built 4 deep (maxDepth), also enough for budget 8 / 4 = 2; every layer 1..4 has transitions
    expect(lines.filter((l) => l.startsWith('path,relu,2,0.000001,4,4,') && l.includes(',transitions,')).length).toBe(4);
  }, 60_000);

  it('writes summary, figures and every check; verify re-derives it and catches tampering', async () => {
    const out = tmp();
    await runTiny(out, ['--workers', '1']);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.checks.map((c: { id: string }) => c.id)).toEqual([
      'chaotic-transitions-geometric-in-depth',
      'depth-beats-width-equal-budget',
      'length-growth-matches-theorem3b',
      'sigma-separates-regimes',
      'sawtooth-exponential-regions',
      'he-relu-transitions-linear-in-neurons',
      'he-relu-equal-budget-depth-independent',
      'he-relu-length-preserved',
      'relu-length-theorem3a',
    ]);
    expect(summary.checks.find((c: { id: string }) => c.id === 'sawtooth-exponential-regions').pass).toBe(true);
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
    expect(outcome.problems.some((p) => p.includes('summary.json says'))).toBe(false);
    expect(outcome.checks.map((c) => c.pass)).toEqual(summary.checks.map((c: { pass: boolean }) => c.pass));

    // Tampering with results.csv: the sawtooth no longer has 2^L regions.
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').replace(/^(sawtooth,relu,0,0,2,5,3,0,regions,)8$/m, '$17');
    writeFileSync(join(out, 'results.csv'), csv);
    const after = verifyExperiment(experiment, out);
    expect(after.ok).toBe(false);
    expect(
      after.problems.some((p) => p.includes("'sawtooth-exponential-regions': summary.json says PASS but results.csv gives FAIL")),
    ).toBe(true);
  }, 60_000);

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
    expect(existsSync(join(out, 'results.csv'))).toBe(false);
  });
});
