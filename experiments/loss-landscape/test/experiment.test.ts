import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runExperiment, UsageError, verifyExperiment } from '@claimlab/core';
import { runQuietly, withEnv } from '@claimlab/core/testing';
import { experiment } from '../main.ts';
import { TINY } from './tiny.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-ll-'));

/** A tiny run of `seeds` seeds (one unless said: each seed is a full replicate). */
async function runTiny(out: string, extra: string[] = [], seeds = 1): Promise<string> {
  await runQuietly(experiment, [...TINY, '--seeds', String(seeds), '--out', out, ...extra], REPO_ROOT);
  return readFileSync(join(out, 'results.csv'), 'utf8');
}

const IDS = [
  'deep-noshort-less-convex',
  'convexity-gap-grows-with-depth',
  'residual-surfaces-nearly-convex',
  'deep-noshort-negative-curvature',
  'noshort-higher-test-error-at-depth',
  'noshort-higher-training-loss-at-depth',
  'error-gap-grows-with-depth',
];

describe('exp-loss-landscape on a tiny config', () => {
  it('gives a byte-identical results.csv for the same seeds, serial or on 2 workers, each seed its own replicate; verify re-derives the checks and catches tampering', async () => {
    const outA = tmp();
    const a = await runTiny(outA, ['--seed', '5', '--workers', '1'], 2);
    const b = await runTiny(tmp(), ['--seed', '5', '--workers', '2'], 2);
    expect(b).toBe(a);
    const lines = a.trim().split('\n');
    expect(lines[0]).toBe('seed,arch,depth,shortcuts,section,epoch,alpha,beta,metric,value');
    const ofSeed = (seed: number) => lines.filter((l) => l.startsWith(`${seed},`)).map((l) => l.slice(l.indexOf(',') + 1));
    for (const seed of [5, 6]) {
      const rows = ofSeed(seed);
      expect(new Set(rows.map((l) => l.split(',')[0]))).toEqual(
        new Set(['resnet-8', 'resnet-8-noshort', 'resnet-14', 'resnet-14-noshort']),
      );
      // Per architecture: 2 train rows, 5 final, 3x3x2 surface, 3x2 slice, 1x1x2 Hessian.
      expect(rows.length).toBe(4 * (2 + 5 + 18 + 6 + 2));
    }
    expect(lines.length - 1).toBe(2 * 4 * (2 + 5 + 18 + 6 + 2));
    // A different seed gives different numbers on the same layout.
    const layout = (rows: string[]) => rows.map((l) => l.split(',').slice(0, 8).join());
    expect(layout(ofSeed(6))).toEqual(layout(ofSeed(5)));
    expect(ofSeed(6)).not.toEqual(ofSeed(5));

    const summary = JSON.parse(readFileSync(join(outA, 'summary.json'), 'utf8'));
    expect(summary.seeds).toEqual([5, 6]);
    expect(['REPRODUCED', 'NOT REPRODUCED', 'INCONCLUSIVE']).toContain(summary.outcome);
    expect(summary.core.total).toBe(5);
    expect(summary.config.depths).toEqual([8, 14]);
    expect(summary.checks.map((c: { id: string }) => c.id)).toEqual(IDS);
    for (const c of summary.checks) {
      expect(c.seeds).toEqual([5, 6]);
      expect(c.passes).toHaveLength(2);
    }
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
    expect(outcome.problems.filter((p) => /summary\.json (says|differs|reports)|differs from what results\.csv gives/.test(p))).toEqual([]);
    expect(outcome.outcome).toBe(summary.outcome);
    expect(outcome.checks.map((c) => c.passes)).toEqual(summary.checks.map((c: { passes: boolean[] }) => c.passes));

    // Tamper with the summary: flipped passes no longer match what results.csv gives.
    const saved = readFileSync(join(outA, 'summary.json'), 'utf8');
    const flipped = { ...summary, checks: summary.checks.map((c: { passes: boolean[] }) => ({ ...c, passes: c.passes.map((p) => !p) })) };
    writeFileSync(join(outA, 'summary.json'), JSON.stringify(flipped));
    expect(verifyExperiment(experiment, outA).problems.some((p) => /summary\.json differs from what results\.csv gives/.test(p))).toBe(
      true,
    );
    writeFileSync(join(outA, 'summary.json'), saved);

    // Tamper with the table: seed 6's deep no-shortcut test error set to 99% changes its test-error checks.
    const csv = a.replace(/^(6,resnet-14-noshort,14,0,final,0,0,0,test_error,).*$/m, '$10.99');
    expect(csv).not.toBe(a);
    writeFileSync(join(outA, 'results.csv'), csv);
    const after = verifyExperiment(experiment, outA);
    expect(after.ok).toBe(false);
    expect(
      after.problems.some((p) =>
        p.startsWith("check 'noshort-higher-test-error-at-depth': summary.json differs from what results.csv gives"),
      ),
    ).toBe(true);
    expect(after.checks.find((c) => c.id === 'noshort-higher-test-error-at-depth')!.passes[1]).toBe(true);
  }, 300_000);

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
    await expect(runExperiment(experiment, [...TINY, '--seeds', '0', '--out', out], REPO_ROOT)).rejects.toThrow(
      /--seeds must be an integer >= 1/,
    );
    await expect(runExperiment(experiment, [...TINY, '--set', 'seeds=1.5', '--out', out], REPO_ROOT)).rejects.toThrow(
      /seeds must be a positive integer, got 1\.5/,
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

  it('grid points where the loss overflows are recorded as NaN / Infinity and the sweep goes on to a verdict', async () => {
    // Directions scaled by 1e36 put every point but the minimizer far beyond float32's range.
    const out = tmp();
    const csv = await runTiny(out, ['--set', 'gridExtent=1e36', '--set', 'hessianGridPoints=3', '--workers', '2']);
    const hessian = csv.split('\n').filter((l) => l.includes(',hessian,'));
    expect(hessian).toHaveLength(2 * 2 * 9 * 2); // 2 archs x 2 depths x 9 points x (lambda_max, lambda_min)
    const nonFinite = (l: string) => /,(NaN|-?Infinity)$/.test(l);
    expect(hessian.filter((l) => /,0,0,lambda_max,/.test(l)).every((l) => !nonFinite(l))).toBe(true);
    expect(hessian.filter(nonFinite).length).toBeGreaterThan(0);
    const surface = csv.split('\n').filter((l) => /,surface,.*,loss,/.test(l));
    expect(surface.filter(nonFinite).length).toBeGreaterThan(0);
    // verify reads the NaN cells back and re-derives the same checks.
    const verified = verifyExperiment(experiment, out);
    expect(verified.problems.filter((p) => /summary\.json (says|differs|reports)|differs from what results\.csv gives/.test(p))).toEqual(
      [],
    );
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(verified.checks.map((c) => c.passes)).toEqual(summary.checks.map((c: { passes: boolean[] }) => c.passes));
  }, 300_000);

  it('the paper profile without CIFAR-10 says how to get it', async () => {
    await withEnv({ CIFAR10_DIR: undefined }, () =>
      expect(runQuietly(experiment, ['--profile', 'paper', '--workers', '1', '--out', tmp()], REPO_ROOT)).rejects.toThrow(
        /fetch-cifar10\.sh/,
      ),
    );
  });
});
