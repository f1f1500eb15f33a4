import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExperiment, UsageError, verifyExperiment } from '@claimlab/core';
import { runQuietly, withEnv } from '@claimlab/core/testing';
import { experiment } from '../main.ts';
import { REPO_ROOT } from '@claimlab/core';

const TINY = [
  '--set',
  'depths=[8,14]',
  '--set',
  'widthMultiplier=0.125',
  '--set',
  'trainSize=64',
  '--set',
  'testSize=32',
  '--set',
  'epochs=1',
  '--set',
  'batchSize=32',
  '--set',
  'surfaceSize=32',
  '--set',
  'gridPoints=3',
  '--set',
  'slicePoints=3',
  '--set',
  'hessianGridPoints=1',
  '--set',
  'hessianSize=8',
  '--set',
  'lanczosSteps=2',
];

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-ll-'));

async function runTiny(out: string, extra: string[] = []): Promise<string> {
  await runQuietly(experiment, [...TINY, '--out', out, ...extra], REPO_ROOT);
  return readFileSync(join(out, 'results.csv'), 'utf8');
}

describe('exp-loss-landscape on a tiny config', () => {
  it('gives a byte-identical results.csv for the same seed, serial or on 2 workers; verify re-derives the checks and catches tampering', async () => {
    const outA = tmp();
    const a = await runTiny(outA, ['--seed', '5', '--workers', '1']);
    const b = await runTiny(tmp(), ['--seed', '5', '--workers', '2']);
    expect(b).toBe(a);
    const lines = a.trim().split('\n');
    expect(lines[0]).toBe('arch,depth,shortcuts,section,epoch,alpha,beta,metric,value');
    const archs = new Set(lines.slice(1).map((l) => l.split(',')[0]));
    expect(archs).toEqual(new Set(['resnet-8', 'resnet-8-noshort', 'resnet-14', 'resnet-14-noshort']));
    // Per architecture: 2 train rows, 5 final, 3x3x2 surface, 3x2 slice, 1x1x2 Hessian.
    expect(lines.length - 1).toBe(4 * (2 + 5 + 18 + 6 + 2));

    const summary = JSON.parse(readFileSync(join(outA, 'summary.json'), 'utf8'));
    expect(summary.seed).toBe(5);
    expect(summary.config.depths).toEqual([8, 14]);
    expect(summary.checks.map((c: { id: string }) => c.id)).toEqual([
      'deep-noshort-less-convex',
      'convexity-gap-grows-with-depth',
      'residual-surfaces-nearly-convex',
      'deep-noshort-negative-curvature',
      'noshort-trains-worse-at-depth',
      'error-gap-grows-with-depth',
    ]);
    expect(summary.files.figures).toEqual(
      expect.arrayContaining([
        'figures/surface-contours.png',
        'figures/surface-3d.svg',
        'figures/eigenvalue-ratio.png',
        'figures/slices-1d.svg',
        'figures/test-error.svg',
      ]),
    );
    const outcome = verifyExperiment(experiment, outA);
    expect(outcome.problems.some((p) => p.includes('summary.json says'))).toBe(false);
    expect(outcome.checks.map((c) => c.pass)).toEqual(summary.checks.map((c: { pass: boolean }) => c.pass));
    summary.checks = summary.checks.map((c: { pass: boolean }) => ({ ...c, pass: !c.pass }));
    writeFileSync(join(outA, 'summary.json'), JSON.stringify(summary));
    expect(verifyExperiment(experiment, outA).problems.some((p) => /summary.json says (PASS|FAIL) but results.csv gives/.test(p))).toBe(
      true,
    );
  });

  it('a different seed gives different numbers', async () => {
    const a = await runTiny(tmp(), ['--seed', '1', '--workers', '1']);
    const b = await runTiny(tmp(), ['--seed', '2', '--workers', '1']);
    expect(a).not.toBe(b);
  });

  it('rejects bad input with clear errors and writes nothing', async () => {
    const out = tmp();
    await expect(runExperiment(experiment, [...TINY, '--set', 'depths=[20,21]', '--out', out], REPO_ROOT)).rejects.toThrow(
      /depth must be 6n \+ 2 with n >= 1 .*got 21/,
    );
    await expect(runExperiment(experiment, [...TINY, '--set', 'depths=[20]', '--out', out], REPO_ROOT)).rejects.toThrow(UsageError);
    await expect(runExperiment(experiment, [...TINY, '--set', 'gridPoints=4', '--out', out], REPO_ROOT)).rejects.toThrow(
      /gridPoints must be an odd integer/,
    );
    await expect(runExperiment(experiment, [...TINY, '--set', 'surfaceSize=1000', '--out', out], REPO_ROOT)).rejects.toThrow(
      /surfaceSize \(1000\) cannot exceed trainSize/,
    );
    await expect(runExperiment(experiment, ['--set', 'gridSize=3'], REPO_ROOT)).rejects.toThrow(/gridSize/);
    await expect(runExperiment(experiment, ['--grid', '3'], REPO_ROOT)).rejects.toThrow(/Unknown option '--grid'/);
    expect(() => readFileSync(join(out, 'results.csv'))).toThrow(/ENOENT/);
  });

  it('a diverging learning rate stops with NonFiniteLossError naming the network', async () => {
    await expect(
      runQuietly(experiment, [...TINY, '--set', 'learningRate=1e30', '--workers', '1', '--out', tmp()], REPO_ROOT),
    ).rejects.toThrow(/resnet-\d+.*training loss became (NaN|-?Infinity)/);
  });

  it('the paper profile without CIFAR-10 says how to get it', async () => {
    await withEnv({ CIFAR10_DIR: undefined }, () =>
      expect(runQuietly(experiment, ['--profile', 'paper', '--workers', '1', '--out', tmp()], REPO_ROOT)).rejects.toThrow(
        /fetch-cifar10\.sh/,
      ),
    );
  });
});
