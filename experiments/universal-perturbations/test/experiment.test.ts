import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runExperiment, type Summary, UsageError, verifyExperiment } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import { runQuietly, withEnv } from '@claimlab/core/testing';
import { PROFILES, validateConfig } from '../config.ts';
import { experiment } from '../main.ts';

// Three tiny models on 200 MNIST digits, 2 budgets, perturbations from 4 and 8 images, 3 power iterations, 1 pass, one seed
// (a later --seeds wins).
const MODELS = [
  {
    name: 'mlp',
    kind: 'mlp',
    hidden: [16],
    channels: [],
    fcUnits: 0,
    depth: 0,
    widthMultiplier: 0,
    layers: ['fc1'],
    mainLayer: 'fc1',
    learningRate: 0.05,
    epochs: 1,
  },
  {
    name: 'cnn',
    kind: 'cnn',
    hidden: [],
    channels: [4],
    fcUnits: 8,
    depth: 0,
    widthMultiplier: 0,
    layers: ['conv1', 'fc1'],
    mainLayer: 'conv1',
    learningRate: 0.02,
    epochs: 1,
  },
  {
    name: 'res',
    kind: 'resnet',
    hidden: [],
    channels: [],
    fcUnits: 0,
    depth: 8,
    widthMultiplier: 0.25,
    layers: ['relu1'],
    mainLayer: 'relu1',
    learningRate: 0.05,
    epochs: 1,
  },
];
const TINY = [
  '--set',
  'trainSize=200',
  '--set',
  'testSize=50',
  '--set',
  `models=${JSON.stringify(MODELS)}`,
  '--set',
  'xis=[0.1,0.3]',
  '--set',
  'mainXi=0.3',
  '--set',
  'uapXis=[0.3]',
  '--set',
  'nImages=[4,8]',
  '--set',
  'mainImages=8',
  '--set',
  'powerIterations=3',
  '--set',
  'maxPasses=1',
  '--set',
  'randomDraws=1',
  '--seeds',
  '1',
];

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-up-'));

const runTiny = async (out: string, extra: string[] = []) => {
  await runQuietly(experiment, [...TINY, '--out', out, ...extra], REPO_ROOT);
  return readFileSync(join(out, 'results.csv'), 'utf8');
};

let serial = '';

beforeAll(async () => {
  await selectBackend(undefined, () => {});
});

describe('exp-universal-perturbations on a tiny config', () => {
  it('gives a byte-identical results.csv for the same seeds (serial and on 2 workers, two seeds); writes every table, figure and check; verify re-derives it', async () => {
    const out = tmp();
    const tensorsBefore = tf.memory().numTensors;
    const a = await runTiny(out, ['--seed', '5', '--seeds', '2', '--workers', '1']); // arms and the transfer table in this process
    expect(tf.memory().numTensors).toBe(tensorsBefore); // no tensor leaks
    const b = await runTiny(tmp(), ['--seed', '5', '--seeds', '2', '--workers', '2']);
    expect(b).toBe(a); // wall times are in the timings files, not in results.csv
    serial = a;

    const lines = a.trim().split('\n');
    expect(lines[0]).toBe('seed,source,method,layer,n_images,xi,attacked,eval_set,metric,value');
    const all = lines.slice(1).map((l) => l.split(','));
    expect([...new Set(all.map((r) => r[0]))]).toEqual(['5', '6']);
    for (const seed of ['5', '6']) {
      const rows = all.filter((r) => r[0] === seed).map((r) => r.slice(1));
      // Transfer: every ordered pair of distinct models, both methods.
      const transfer = rows.filter((r) => r[0] !== r[5] && r[0] !== '-' && r[7] === 'fooling_rate');
      expect(transfer.length).toBe(3 * 2 * 2);
      expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['clean', 'sv', 'uap', 'random']));
      // Unique keys: no measured point appears twice within a seed.
      const keys = rows.map((r) => r.slice(0, 8).join(','));
      expect(new Set(keys).size).toBe(keys.length);
      for (const r of rows.filter((x) => x[7] === 'fooling_rate')) expect(Number(r[8])).toBeGreaterThanOrEqual(0);
    }
    // The two seeds are two replicates (other data, weights, perturbations), not one run written twice.
    const valuesOf = (seed: string) => all.filter((r) => r[0] === seed).map((r) => r[9]);
    expect(valuesOf('6')).not.toEqual(valuesOf('5'));

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    expect(summary.seeds).toEqual([5, 6]);
    expect(summary.checks.map((k) => [k.id, k.role])).toEqual([
      ['sv-beats-random-ratio', 'core'],
      ['sv-beats-random-margin', 'core'],
      ['uap-beats-random-ratio', 'core'],
      ['uap-beats-random-margin', 'core'],
      ['sv-generalizes-to-held-out-share', 'core'],
      ['sv-generalizes-to-held-out-margin', 'core'],
      ['uap-generalizes-to-held-out-share', 'core'],
      ['uap-generalizes-to-held-out-margin', 'core'],
      ['sv-transfers-across-models-ratio', 'core'],
      ['sv-transfers-across-models-margin', 'core'],
      ['uap-transfers-across-models-ratio', 'core'],
      ['uap-transfers-across-models-margin', 'core'],
      ['fooling-grows-with-xi-largest-fall', 'supporting'],
      ['fooling-grows-with-xi-net-rise', 'supporting'],
    ]);
    for (const k of summary.checks) {
      expect(k.seeds).toEqual([5, 6]);
      expect(k.passes).toHaveLength(2);
      expect(k.values).toHaveLength(2);
    }
    expect(['REPRODUCED', 'NOT REPRODUCED', 'INCONCLUSIVE']).toContain(summary.outcome);
    expect(summary.core.total).toBe(12);
    for (const f of [
      'fooling-vs-xi.svg',
      'fooling-vs-layer.png',
      'fooling-vs-images.svg',
      'transfer-sv.png',
      'transfer-uap.svg',
      'time-per-perturbation.png',
      'perturbations.png',
    ]) {
      expect(existsSync(join(out, 'figures', f))).toBe(true);
    }
    // One perturbations file and one timings file per seed: the second seed does not overwrite the first's.
    expect(existsSync(join(out, 'perturbations.json'))).toBe(false);
    expect(existsSync(join(out, 'timings.csv'))).toBe(false);
    const perts = [5, 6].map((seed) => JSON.parse(readFileSync(join(out, `perturbations-seed-${seed}.json`), 'utf8')));
    for (const seed of [5, 6]) {
      const timings = readFileSync(join(out, `timings-seed-${seed}.csv`), 'utf8')
        .trim()
        .split('\n');
      expect(timings[0]).toBe('model,method,layer,n_images,xi,seconds');
      expect(timings.length).toBe(1 + 3 + (1 + 1) + (2 + 1) + (1 + 1) + 3 * (1 + 1)); // header, training, sv per model (layers + other image counts), uap (budgets + other image counts)
    }
    for (const pert of perts) {
      expect(pert.models.map((m: { model: string }) => m.model)).toEqual(['mlp', 'cnn', 'res']);
      expect(Math.max(...pert.models[0].uap.map(Math.abs))).toBeLessThanOrEqual(0.3 + 1e-6);
    }
    expect(perts[1].models[0].sv).not.toEqual(perts[0].models[0].sv);
    expect(existsSync(join(out, '.sweep'))).toBe(false);

    const outcome = verifyExperiment(experiment, out);
    expect(outcome.problems.some((p) => p.includes('summary.json says') || p.includes('differs'))).toBe(false);
    expect(outcome.seeds).toEqual([5, 6]);
    expect(outcome.outcome).toBe(summary.outcome);
    expect(outcome.checks.map((k) => k.passes)).toEqual(summary.checks.map((k) => k.passes));
    expect(outcome.checks.map((k) => k.values)).toEqual(summary.checks.map((k) => k.values));
    // Tampering: a random baseline that fools everything (seed 5, mlp) fails "beats random" at that seed on re-check.
    const tampered = a.replace(/^(5,-,random,-,0,0\.3,mlp,test,fooling_rate,)[^\n]*$/m, '$11');
    expect(tampered).not.toBe(a);
    writeFileSync(join(out, 'results.csv'), tampered);
    const after = verifyExperiment(experiment, out);
    expect(after.ok).toBe(false);
    expect(after.problems.some((p) => p.includes("check 'sv-beats-random-margin'"))).toBe(true);
    const margin = after.checks.find((k) => k.id === 'sv-beats-random-margin');
    expect(margin?.passes[0]).toBe(false);
    expect(margin?.values[0]).toBeLessThan(0);
  }, 480_000);

  it('shards merged with --resume give the same table as one run (the transfer table is rebuilt from the stored weights)', async () => {
    expect(serial).not.toBe('');
    const sharded = tmp();
    const args = [...TINY, '--seed', '5', '--seeds', '2', '--out', sharded, '--workers', '1'];
    const shard = (k: number) => runQuietly(experiment, [...args, '--shard', `${k}/2`], REPO_ROOT);
    expect(await shard(0)).toBeNull();
    expect(existsSync(join(sharded, 'results.csv'))).toBe(false);
    await shard(1);
    // Every seed keeps its own store: its three arms.
    expect(readdirSync(join(sharded, '.sweep')).sort()).toEqual(['seed-5', 'seed-6']);
    for (const seed of [5, 6])
      expect(readdirSync(join(sharded, '.sweep', `seed-${seed}`)).filter((f) => f.endsWith('.json'))).toHaveLength(3);
    expect(await runTiny(sharded, ['--seed', '5', '--seeds', '2', '--workers', '1', '--resume'])).toBe(serial);
  }, 480_000);

  it('rejects bad input with clear errors and writes nothing', async () => {
    const out = tmp();
    const run = (args: string[]) => runExperiment(experiment, [...args, '--out', out], REPO_ROOT);
    await expect(run(['--set', 'mainXi=0', '--set', 'xis=[0,0.1]'])).rejects.toThrow(/mainXi must be > 0, got 0/);
    await expect(run(['--set', 'xis=[-0.1,0.2]'])).rejects.toThrow(/xis entry must be > 0, got -0.1/);
    await expect(run(['--set', 'mainXi=0.17'])).rejects.toThrow(/mainXi 0.17 must be one of xis/);
    await expect(run(['--set', `models=${JSON.stringify([{ ...MODELS[0], kind: 'vgg' }])}`])).rejects.toThrow(
      /unknown model kind 'vgg' \(use mlp, cnn, resnet\)/,
    );
    await expect(
      run([...TINY, '--set', `models=${JSON.stringify([{ ...MODELS[0], layers: ['fc9'], mainLayer: 'fc9' }])}`]),
    ).rejects.toThrow(/model 'mlp' has no layer 'fc9' \(its layers: flatten, fc1, logits\)/);
    await expect(run(['--set', 'q=1'])).rejects.toThrow(/q must be a finite number > 1/);
    await expect(run(['--set', 'seeds=0'])).rejects.toThrow(/seeds must be a positive integer, got 0/);
    await expect(run(['--set', 'seeds=1.5'])).rejects.toThrow(/seeds must be a positive integer, got 1.5/);
    await expect(run(['--seeds', '0'])).rejects.toThrow(/--seeds must be an integer >= 1/);
    await expect(run(['--set', 'randomKind=gauss'])).rejects.toThrow(UsageError);
    await expect(run(['--set', 'xii=3'])).rejects.toThrow(/Unknown config key 'xii'/);
    await expect(run(['--epochs', '3'])).rejects.toThrow(/Unknown option '--epochs'/);
    expect(existsSync(join(out, 'results.csv'))).toBe(false);
  });

  it('the paper profile is a valid config, and without CIFAR-10 says how to get it', async () => {
    expect(() => validateConfig(PROFILES.paper)).not.toThrow();
    expect(PROFILES.paper.mainXi).toBeCloseTo(10 / 255, 12);
    expect(PROFILES.paper.mainImages).toBe(64);
    expect(PROFILES.paper.q).toBe(10);
    await withEnv({ CIFAR10_DIR: undefined }, () =>
      expect(runExperiment(experiment, ['--profile', 'paper', '--workers', '1', '--out', tmp()], REPO_ROOT)).rejects.toThrow(
        /fetch-cifar10\.sh/,
      ),
    );
  });

  it('a diverging model stops with a clear NaN-loss error', async () => {
    const bad = [{ ...MODELS[0], learningRate: 1e30, epochs: 2 }];
    await expect(
      runQuietly(experiment, [...TINY, '--set', `models=${JSON.stringify(bad)}`, '--workers', '1', '--out', tmp()], REPO_ROOT),
    ).rejects.toThrow(/model mlp: training loss became NaN/);
  }, 60_000);
});
