import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyExperiment } from '../src/experiment.ts';
import { runQuietly } from '../src/testing.ts';
import { toyExperiment } from './fixtures/toy-experiment.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-seeds-'));
const run = (out: string, extra: string[] = []) => runQuietly(toyExperiment, ['--out', out, '--backend', 'cpu', ...extra], tmp());
const csv = (out: string) => readFileSync(join(out, 'results.csv'), 'utf8');

describe('runs over several seeds', () => {
  it('writes one replicate per seed, with a seed column, and the same table on 2 workers as serially', async () => {
    const serial = tmp();
    const parallel = tmp();
    const summary = await run(serial, ['--seeds', '4', '--seed', '10', '--workers', '1']);
    await run(parallel, ['--seeds', '4', '--seed', '10', '--workers', '2']);
    expect(csv(parallel)).toBe(csv(serial));
    const lines = csv(serial).trim().split('\n');
    expect(lines[0]).toBe('seed,arm,value');
    expect(lines.length - 1).toBe(4 * 5);
    expect(summary!.seeds).toEqual([10, 11, 12, 13]);
    const mean = summary!.checks.find((c) => c.id === 'mean-above-threshold')!;
    expect(mean.values).toHaveLength(4);
    expect(new Set(mean.values).size).toBe(4); // every seed is its own replicate
    expect(summary!.core).toEqual({ asExpected: mean.outcome === 'REPRODUCED' ? 1 : 0, total: 1 });
  });

  it('an arm that measures NaN does not stop the sweep: the value crosses workers and the resume store, and is written as NaN', async () => {
    const serial = tmp();
    const parallel = tmp();
    await run(serial, ['--seeds', '2', '--set', 'overflowArm=3', '--workers', '1']);
    await run(parallel, ['--seeds', '2', '--set', 'overflowArm=3', '--workers', '2']);
    expect(csv(parallel)).toBe(csv(serial));
    const lines = csv(serial).trim().split('\n');
    expect(lines.filter((l) => l.endsWith(',NaN'))).toEqual(['0,3,NaN', '1,3,NaN']);
    // Resumed from the store alone (every arm is there), the table is the same.
    await run(parallel, ['--seeds', '2', '--set', 'overflowArm=3', '--workers', '1', '--resume']);
    expect(csv(parallel)).toBe(csv(serial));
  });

  it('a sharded multi-seed run merges to the same table as one run', async () => {
    const single = tmp();
    await run(single, ['--seeds', '3', '--workers', '1']);
    const sharded = tmp();
    expect(await run(sharded, ['--seeds', '3', '--shard', '0/2', '--workers', '1'])).toBeNull();
    expect(await run(sharded, ['--seeds', '3', '--shard', '1/2', '--workers', '1'])).toBeNull();
    // each seed keeps its own store, arm files numbered in table order
    expect(readdirSync(join(sharded, '.sweep')).sort()).toEqual(['seed-0', 'seed-1', 'seed-2']);
    expect(readdirSync(join(sharded, '.sweep', 'seed-1')).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `arm-0000${i}.json`));
    await run(sharded, ['--seeds', '3', '--resume', '--workers', '1']);
    expect(csv(sharded)).toBe(csv(single));
  });

  it('verify re-derives the outcome, and fails on an edited table, an edited summary and a core check that flips', async () => {
    const out = tmp();
    await run(out, ['--seeds', '3', '--set', 'threshold=0.05']);
    const ok = verifyExperiment(toyExperiment, out);
    expect(ok.problems).toEqual([]);
    expect(ok.outcome).toBe('REPRODUCED');

    const table = csv(out);
    // one value edited: the check's values no longer match summary.json
    const lines = table.split('\n');
    lines[1] = lines[1].replace(/,[^,]*$/, ',0.999');
    writeFileSync(join(out, 'results.csv'), lines.join('\n'));
    expect(verifyExperiment(toyExperiment, out).problems.join('\n')).toMatch(/check 'mean-above-threshold': summary.json differs/);

    // every value of seed 1 set to 0: the core check fails at one seed, the outcome flips to INCONCLUSIVE
    writeFileSync(join(out, 'results.csv'), table.replace(/^1,(\d+),.*$/gm, '1,$1,0'));
    const flipped = verifyExperiment(toyExperiment, out);
    expect(flipped.outcome).toBe('INCONCLUSIVE');
    expect(flipped.problems.join('\n')).toMatch(/summary.json says REPRODUCED but results.csv gives INCONCLUSIVE/);

    // every seed's values set to 0: the core check comes out against its expectation
    writeFileSync(join(out, 'results.csv'), table.replace(/^(\d+),(\d+),.*$/gm, '$1,$2,0'));
    expect(verifyExperiment(toyExperiment, out).problems.join('\n')).toMatch(
      /core check 'mean-above-threshold' is NOT REPRODUCED \(0 of 3 seeds\), expected REPRODUCED/,
    );

    // the summary's outcome edited by hand
    writeFileSync(join(out, 'results.csv'), table);
    const summaryPath = join(out, 'summary.json');
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
    writeFileSync(summaryPath, JSON.stringify({ ...summary, outcome: 'NOT REPRODUCED' }));
    expect(verifyExperiment(toyExperiment, out).problems).toEqual([
      "summary.json's field 'outcome' was edited after the run wrote it (its sha256 differs)",
      'summary.json says NOT REPRODUCED but results.csv gives REPRODUCED',
    ]);
  });

  it('refuses a bad seed count before anything runs', async () => {
    await expect(run(tmp(), ['--seeds', '0'])).rejects.toThrow(/--seeds must be an integer >= 1/);
    await expect(run(tmp(), ['--set', 'seeds=0'])).rejects.toThrow(/seeds must be a positive integer, got 0/);
  });
});
