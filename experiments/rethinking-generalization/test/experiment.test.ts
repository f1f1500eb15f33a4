import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuietly, withEnv } from '@claimlab/core/testing';
import { REPO_ROOT, runExperiment, UsageError, verifyExperiment } from '@claimlab/core';
import { experiment } from '../main.ts';
import { TINY } from './tiny.ts';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'claimlab-rg-'));
}

async function runTiny(out: string, extra: string[] = []): Promise<string> {
  await runQuietly(experiment, [...TINY, '--out', out, ...extra], REPO_ROOT);
  return readFileSync(join(out, 'results.csv'), 'utf8');
}

describe('exp-rethinking-generalization on a tiny config', () => {
  it('gives a byte-identical results.csv for the same seeds, serial or on 2 workers, and each seed its own replicate', async () => {
    const a = await runTiny(tmp(), ['--seed', '5', '--seeds', '2', '--workers', '1']);
    const b = await runTiny(tmp(), ['--seed', '5', '--seeds', '2', '--workers', '1']);
    const c = await runTiny(tmp(), ['--seed', '5', '--seeds', '2', '--workers', '2']);
    const d = await runTiny(tmp(), ['--seed', '6', '--seeds', '1', '--workers', '1']);
    expect(a).toBe(b);
    expect(c).toBe(a);
    expect(d).not.toBe(a);
    // 3 conditions x at most 2 epochs per seed, a seed column first, no repeat column
    const lines = a.trim().split('\n');
    expect(lines[0]).toBe('seed,condition,label_corruption,labels_changed,epoch,steps,learning_rate,loss,train_accuracy,test_accuracy');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(['5', '6']));
    for (const seed of ['5', '6']) {
      expect(new Set(rows.filter((r) => r[0] === seed).map((r) => r[1]))).toEqual(new Set(['true-labels', 'random-labels', 'gaussian']));
    }
    // Seed 6 is the same replicate whether it is the second seed of a run or the only one, and differs from seed 5.
    const ofSeed = (text: string, seed: string) =>
      text
        .trim()
        .split('\n')
        .slice(1)
        .filter((l) => l.startsWith(`${seed},`))
        .map((l) => l.slice(seed.length + 1));
    expect(ofSeed(d, '6')).toEqual(ofSeed(a, '6'));
    expect(ofSeed(a, '6')).not.toEqual(ofSeed(a, '5'));
  });

  it('writes a summary with provenance and every check at every seed, and verify re-derives it; tampering is caught', async () => {
    const out = tmp();
    await runTiny(out, ['--workers', '1', '--seeds', '1']);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.provenance.backend.name).toMatch(/^(tensorflow|wasm|cpu)$/);
    expect(summary.provenance.nodeVersion).toBe(process.version);
    expect(summary.provenance.packages['@tensorflow/tfjs-core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(summary.config.trainSize).toBe(64);
    expect(summary.config.seeds).toBe(1);
    expect(summary.seeds).toEqual([0]);
    expect(summary.checks.map((c: { id: string }) => c.id)).toContain('random-labels-test-at-chance');
    for (const c of summary.checks) expect(c.passes).toHaveLength(1);
    const fit = summary.checks.find((c: { id: string }) => c.id === 'all-conditions-fit');
    expect(fit).toMatchObject({ role: 'core', passes: [false], outcome: 'NOT REPRODUCED', expected: 'REPRODUCED' });
    expect(summary.outcome).toBe('NOT REPRODUCED');
    expect(summary.files.figures).toContain('figures/fig1c-test-error.svg');

    const outcome = verifyExperiment(experiment, out);
    // 2 epochs cannot fit: the claim fails on this tiny config, and verify agrees with the saved summary.
    expect(outcome.ok).toBe(false);
    expect(outcome.outcome).toBe('NOT REPRODUCED');
    expect(outcome.seeds).toEqual([0]);
    expect(outcome.problems.some((p) => p.includes("core check 'all-conditions-fit' is NOT REPRODUCED"))).toBe(true);
    expect(outcome.problems.some((p) => p.includes('summary.json differs') || p.includes('summary.json says'))).toBe(false);

    // Editing results.csv: random labels' final test accuracy is no longer what the summary was computed from.
    const csvPath = join(out, 'results.csv');
    const original = readFileSync(csvPath, 'utf8');
    const lines = original.trim().split('\n');
    const last = lines.map((l) => l.split(',')[1]).lastIndexOf('random-labels');
    expect(last).toBeGreaterThan(0);
    lines[last] = lines[last].replace(/,[^,]*$/, ',0.9');
    writeFileSync(csvPath, lines.join('\n') + '\n');
    const edited = verifyExperiment(experiment, out);
    expect(edited.ok).toBe(false);
    expect(
      edited.problems.some((p) => p.includes("check 'random-labels-test-at-chance': summary.json differs from what results.csv gives")),
    ).toBe(true);
    writeFileSync(csvPath, original);

    // Editing summary.json: every check claimed to pass.
    summary.checks = summary.checks.map((c: { passes: boolean[] }) => ({ ...c, passes: c.passes.map(() => true), outcome: 'REPRODUCED' }));
    summary.outcome = 'REPRODUCED';
    writeFileSync(join(out, 'summary.json'), JSON.stringify(summary));
    const forged = verifyExperiment(experiment, out);
    expect(forged.ok).toBe(false);
    expect(forged.problems.some((p) => p.includes("check 'all-conditions-fit': summary.json differs from what results.csv gives"))).toBe(
      true,
    );
    expect(forged.problems.some((p) => p.includes('summary.json says REPRODUCED but results.csv gives NOT REPRODUCED'))).toBe(true);
  });

  it('rejects bad input with clear errors and writes nothing', async () => {
    const out = tmp();
    await expect(runExperiment(experiment, ['--set', 'labelCorruption=[0,1.5]', '--out', out], REPO_ROOT)).rejects.toThrow(
      /label corruption probability must be in \[0, 1\], got 1.5/,
    );
    await expect(runExperiment(experiment, ['--set', 'labelCorruption=[-0.1]', '--out', out], REPO_ROOT)).rejects.toThrow(UsageError);
    await expect(runExperiment(experiment, ['--set', 'seeds=0', '--out', out], REPO_ROOT)).rejects.toThrow(
      /seeds must be a positive integer, got 0/,
    );
    await expect(runExperiment(experiment, ['--set', 'seeds=1.5', '--out', out], REPO_ROOT)).rejects.toThrow(
      /seeds must be a positive integer/,
    );
    await expect(runExperiment(experiment, ['--set', 'repeats=2', '--out', out], REPO_ROOT)).rejects.toThrow(
      /Unknown config key 'repeats'/,
    );
    await expect(runExperiment(experiment, ['--profile', 'full'], REPO_ROOT)).rejects.toThrow(/Unknown profile 'full'/);
    await expect(runExperiment(experiment, ['--epochs', '3'], REPO_ROOT)).rejects.toThrow(/Unknown option '--epochs'/);
    expect(() => readFileSync(join(out, 'results.csv'))).toThrow(/ENOENT/);
  });

  it('the paper profile without CIFAR-10 says how to get it', async () => {
    await withEnv({ CIFAR10_DIR: undefined }, () =>
      expect(runExperiment(experiment, ['--profile', 'paper', '--workers', '1', '--out', tmp()], REPO_ROOT)).rejects.toThrow(
        /fetch-cifar10\.sh/,
      ),
    );
  });
});
