// The paper profile through the same code path as a real paper run (the CLI's options, the
// real data readers, the wasm backend), shrunk by overrides to a few steps, so it cannot rot
// between GPU runs. It checks the table's columns; the claim is judged only by real runs.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, type Summary } from '@claimlab/core';
import { runQuietly } from '@claimlab/core/testing';
import { cifar10Fixture } from '../../../libs/datasets/src/testing.ts';
import { experiment } from '../main.ts';
import { COLUMNS } from '../results.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-paper-'));

describe('rethinking-generalization: the paper profile, shrunk', () => {
  it('runs on a CIFAR-10 fixture (the official layout, 10,000 records per batch) and writes a table with its columns and every check', async () => {
    const out = tmp();
    const summary = (await runQuietly(
      experiment,
      [
        '--profile',
        'paper',
        '--data-dir',
        cifar10Fixture(),
        '--backend',
        'wasm',
        '--workers',
        '1',
        '--seeds',
        '1',
        '--out',
        out,
        '--set',
        'trainSize=64',
        '--set',
        'testSize=50',
        '--set',
        'maxEpochs=1',
        '--set',
        'batchSize=16',
        '--set',
        'labelCorruption=0,1',
        '--set',
        'pixelConditions=gaussian',
      ],
      REPO_ROOT,
    )) as Summary;
    expect(summary.profile).toBe('paper');
    expect((summary.config as { dataset: string }).dataset).toBe('cifar10');
    expect(JSON.stringify(summary.data)).toContain('cifar10');
    const lines = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(['seed', ...COLUMNS].join(','));
    expect(lines.length).toBeGreaterThan(1);
    expect(summary.checks.length).toBeGreaterThan(0);
    for (const k of summary.checks) expect(k.passes).toHaveLength(1);
  }, 300_000);
});
