import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuietly, withEnv } from '@claimlab/core/testing';
import { runExperiment, UsageError, verifyExperiment } from '@claimlab/core';
import { experiment } from '../main.ts';
import { REPO_ROOT } from '@claimlab/core';

const TINY = [
  '--set',
  'trainSize=64',
  '--set',
  'testSize=50',
  '--set',
  'maxEpochs=2',
  '--set',
  'batchSize=16',
  '--set',
  'labelCorruption=[0,1]',
  '--set',
  'pixelConditions=["gaussian"]',
];

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'claimlab-rg-'));
}

async function runTiny(out: string, extra: string[] = []): Promise<string> {
  await runQuietly(experiment, [...TINY, '--out', out, ...extra], REPO_ROOT);
  return readFileSync(join(out, 'results.csv'), 'utf8');
}

describe('exp-rethinking-generalization on a tiny config', () => {
  it('gives a byte-identical results.csv for the same seed, serial or on 2 workers, and a different one for another seed', async () => {
    const a = await runTiny(tmp(), ['--seed', '5', '--workers', '1']);
    const b = await runTiny(tmp(), ['--seed', '5', '--workers', '1']);
    const c = await runTiny(tmp(), ['--seed', '5', '--workers', '2']);
    const d = await runTiny(tmp(), ['--seed', '6', '--workers', '1']);
    expect(a).toBe(b);
    expect(c).toBe(a);
    expect(d).not.toBe(a);
    // 3 conditions x 2 epochs (none fits 64 images in 2 epochs of batch 16... or stops early) plus a header
    const lines = a.trim().split('\n');
    expect(lines[0]).toBe('condition,label_corruption,repeat,labels_changed,epoch,steps,learning_rate,loss,train_accuracy,test_accuracy');
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0]))).toEqual(new Set(['true-labels', 'random-labels', 'gaussian']));
  });

  it('writes a summary with provenance and every check, and verify re-derives it; tampering is caught', async () => {
    const out = tmp();
    await runTiny(out, ['--workers', '1']);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.provenance.backend.name).toMatch(/^(tensorflow|wasm|cpu)$/);
    expect(summary.provenance.nodeVersion).toBe(process.version);
    expect(summary.provenance.packages['@tensorflow/tfjs-core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(summary.config.trainSize).toBe(64);
    expect(summary.seed).toBe(0);
    expect(summary.checks.map((c: { id: string }) => c.id)).toContain('random-labels-test-at-chance');
    expect(summary.files.figures).toContain('figures/fig1c-test-error.svg');

    const outcome = verifyExperiment(experiment, out);
    // 2 epochs cannot fit: the claim fails on this tiny config, and verify agrees with the saved summary.
    expect(outcome.ok).toBe(false);
    expect(outcome.problems.some((p) => p.includes("'all-conditions-fit' fails"))).toBe(true);
    expect(outcome.problems.some((p) => p.includes('summary.json says'))).toBe(false);

    summary.checks = summary.checks.map((c: { pass: boolean }) => ({ ...c, pass: true }));
    writeFileSync(join(out, 'summary.json'), JSON.stringify(summary));
    expect(verifyExperiment(experiment, out).problems.some((p) => p.includes('summary.json says PASS but results.csv gives FAIL'))).toBe(
      true,
    );
  });

  it('rejects bad input with clear errors and writes nothing', async () => {
    const out = tmp();
    await expect(runExperiment(experiment, ['--set', 'labelCorruption=[0,1.5]', '--out', out], REPO_ROOT)).rejects.toThrow(
      /label corruption probability must be in \[0, 1\], got 1.5/,
    );
    await expect(runExperiment(experiment, ['--set', 'labelCorruption=[-0.1]', '--out', out], REPO_ROOT)).rejects.toThrow(UsageError);
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
