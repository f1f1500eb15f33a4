import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuietly, withEnv } from '@claimlab/core/testing';
import { REPO_ROOT, runExperiment, verifyExperiment } from '@claimlab/core';
import { experiment } from '../main.ts';
import { TINY } from './tiny.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-op-'));

async function runTiny(out: string, extra: string[] = []): Promise<string> {
  await runQuietly(experiment, [...TINY, '--backend', 'wasm', '--out', out, ...extra], REPO_ROOT);
  return readFileSync(join(out, 'results.csv'), 'utf8');
}

const ofSeed = (text: string, seed: string) =>
  text
    .trim()
    .split('\n')
    .slice(1)
    .filter((l) => l.startsWith(`${seed},`))
    .map((l) => l.slice(seed.length + 1));

describe('exp-overparameterization on a tiny config', () => {
  it('gives a byte-identical results.csv serially and on 2 workers, and other rows for another seed', async () => {
    const a = await runTiny(tmp(), ['--seed', '3', '--seeds', '2', '--workers', '1']);
    const b = await runTiny(tmp(), ['--seed', '3', '--seeds', '2', '--workers', '2']);
    const c = await runTiny(tmp(), ['--seed', '4', '--seeds', '1', '--workers', '1']);
    expect(b).toBe(a);
    const lines = a.trim().split('\n');
    expect(lines[0]).toBe('seed,part,dataset,p,method,depth,learning_rate,metric,iteration,value');
    expect(new Set(lines.slice(1).map((l) => l.split(',')[1]))).toEqual(new Set(['regression', 'theory', 'mnist']));
    // Seed 4 computes the same whether it is the second seed of a run or the only one; seed 3 differs (start vector, synthetic data, MNIST order).
    expect(ofSeed(c, '4')).toEqual(ofSeed(a, '4'));
    expect(ofSeed(a, '3')).not.toEqual(ofSeed(a, '4'));
    // Every (data set, p, method) has one row of each per-rate metric per rate, and a curve for its chosen rate.
    const seed3 = ofSeed(a, '3');
    expect(seed3.filter((l) => l.startsWith('regression,boston,4,gd,2,') && l.includes(',iterations_to_level,')).length).toBe(3);
    expect(seed3.filter((l) => l.startsWith('regression,boston,4,adagrad,1,') && l.includes(',loss,')).length).toBeGreaterThan(10);
    expect(seed3.filter((l) => l.startsWith('mnist,mnist,0,overparameterized,') && l.includes(',step_loss,')).length).toBe(4);
  }, 240_000);

  it('writes summary, figures and every check at every seed; verify re-derives it and catches tampering', async () => {
    const out = tmp();
    await runTiny(out, ['--workers', '1', '--seeds', '2']);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.seeds).toEqual([0, 1]);
    expect(summary.checks.length).toBe(14);
    expect(['REPRODUCED', 'NOT REPRODUCED', 'INCONCLUSIVE']).toContain(summary.outcome);
    expect(summary.data.map((d: { name: string }) => d.name)).toEqual(['boston-house-prices', 'mnist-train']);
    // The exact computations hold even at this size.
    for (const id of ['theorem1-closed-form', 'theorem2-not-conservative', 'theorem2-depth1-conservative'])
      expect(summary.checks.find((c: { id: string }) => c.id === id)).toMatchObject({ passes: [true, true], outcome: 'REPRODUCED' });
    for (const f of ['loss-vs-iterations-boston.svg', 'loss-vs-iterations-synthetic.png', 'mnist-training-loss.svg', 'theorem1-gap.svg'])
      expect(existsSync(join(out, 'figures', f))).toBe(true);
    const outcome = verifyExperiment(experiment, out);
    expect(outcome.problems.filter((p) => p.includes('differs') || p.includes('summary.json says'))).toEqual([]);
    expect(outcome.outcome).toBe(summary.outcome);

    // Tampering: the seed-1 circulation of depth 2 at p = 4 set to 0 turns Theorem 2 against that seed.
    const csv = readFileSync(join(out, 'results.csv'), 'utf8');
    const edited = csv.replace(/^(1,theory,boston,4,theory,2,0,circulation,0,)[^\n]+$/m, '$10');
    expect(edited).not.toBe(csv);
    writeFileSync(join(out, 'results.csv'), edited);
    const after = verifyExperiment(experiment, out);
    expect(after.ok).toBe(false);
    expect(after.checks.find((c) => c.id === 'theorem2-not-conservative')).toMatchObject({
      passes: [true, false],
      outcome: 'INCONCLUSIVE',
    });
  }, 240_000);

  it('rejects bad input with clear errors and writes nothing', async () => {
    const out = tmp();
    const run = (...args: string[]) => runExperiment(experiment, [...args, '--out', out], REPO_ROOT);
    await expect(run('--set', 'depths=[1,0]', '--set', 'gdRates=[[0.1],[0.1]]')).rejects.toThrow(
      /each depth must be an integer >= 1, got 0/,
    );
    await expect(run('--set', 'depths=[1,2]')).rejects.toThrow(/gdRates must hold one grid per depth \(2 lists/);
    await expect(run('--set', 'datasets=["housing"]')).rejects.toThrow(/unknown dataset 'housing' \(use boston, synthetic, gas-sensor\)/);
    await expect(run('--set', 'losses=[1]')).rejects.toThrow(/p must be >= 2, got 1/);
    await expect(run('--set', 'adagradRates=[0.1,-1]')).rejects.toThrow(/adagradRates must hold positive numbers, got -1/);
    await expect(run('--set', 'theoremSteps=[0.1]')).rejects.toThrow(/at least 2 step sizes/);
    await expect(run('--set', 'init=xavier')).rejects.toThrow(/init must be balanced or gaussian/);
    // The paper's data without a directory: the reader's error names the fetch script and the options.
    await withEnv({ GAS_SENSOR_DIR: undefined }, async () => {
      await expect(run('--profile', 'paper', ...TINY)).rejects.toThrow(/no data directory given.*\n.*fetch-gas-sensor\.sh/);
      await expect(run('--profile', 'paper', '--data-dir', join(out, 'missing'), ...TINY)).rejects.toThrow(/does not exist/);
    });
    expect(existsSync(join(out, 'results.csv'))).toBe(false);
  }, 120_000);
});
