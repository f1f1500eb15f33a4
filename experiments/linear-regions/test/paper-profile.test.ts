// The paper profile through the same code path as a real paper run (the CLI's options, the
// real data readers, the wasm backend), shrunk by overrides to a few steps, so it cannot rot
// between GPU runs. It checks the table's columns; the claim is judged only by real runs.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, type Summary } from '@claimlab/core';
import { runQuietly } from '@claimlab/core/testing';
import { experiment } from '../main.ts';
import { COLUMNS } from '../results.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-paper-'));

describe('linear-regions: the paper profile, shrunk', () => {
  it('runs and writes a table with its columns and every check', async () => {
    const out = tmp();
    const summary = (await runQuietly(
      experiment,
      [
        '--profile',
        'paper',
        '--backend',
        'wasm',
        '--workers',
        '1',
        '--seeds',
        '1',
        '--out',
        out,
        '--set',
        'inputDim=6',
        '--set',
        'circleVertices=24',
        '--set',
        'widths=4,8',
        '--set',
        'maxDepth=4',
        '--set',
        'budget=8',
        '--set',
        'networks=1',
        '--set',
        'sawtoothDepth=5',
        '--set',
        'sliceResolution=12',
        '--set',
        'sliceDepths=1,2',
      ],
      REPO_ROOT,
    )) as Summary;
    expect(summary.profile).toBe('paper');
    const lines = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(['seed', ...COLUMNS].join(','));
    expect(lines.length).toBeGreaterThan(1);
    expect(summary.checks.length).toBeGreaterThan(0);
    for (const k of summary.checks) expect(k.passes).toHaveLength(1);
  }, 300_000);
});
