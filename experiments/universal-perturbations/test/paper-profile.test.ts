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

describe('universal-perturbations: the paper profile, shrunk', () => {
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
        'trainSize=200',
        '--set',
        'testSize=50',
        '--set',
        'models=[{"stages":[[4],[4],[4]],"hidden":[],"channels":[],"fcUnits":8,"depth":0,"widthMultiplier":0,"stemStride":1,"shortcutType":"A","name":"vgg","kind":"vgg","layers":["conv1","conv2"],"mainLayer":"conv1","learningRate":0.01,"epochs":1},{"stages":[],"hidden":[],"channels":[],"fcUnits":0,"depth":8,"widthMultiplier":0.25,"stemStride":1,"shortcutType":"A","name":"res","kind":"resnet","layers":["relu1"],"mainLayer":"relu1","learningRate":0.1,"epochs":1}]',
        '--set',
        'defenses={"model":"vgg","kinds":["noise-training","bit-depth","fine-tuning"],"bits":5,"poolSize":2,"fineTuneEpochs":1,"fineTuneShare":0.5,"fineTuneLearningRate":0.001}',
        '--set',
        'maxRandomFooling=0.99',
        '--set',
        'nImages=4,8,16',
        '--set',
        'mainImages=8',
        '--set',
        'powerIterations=3',
        '--set',
        'maxPasses=1',
        '--set',
        'randomDraws=1',
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
