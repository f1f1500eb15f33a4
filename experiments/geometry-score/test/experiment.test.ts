import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertConsistent, REPO_ROOT, Rng, type RunContext, runExperiment, type Summary, verifyExperiment } from '@claimlab/core';
import { describe, expect, it } from 'vitest';
import { quietly, runQuietly } from '@claimlab/core/testing';
import { claim } from '../claim.ts';
import { METRICS } from '../results.ts';
import { PROFILES, validateConfig, type GeometryScoreConfig } from '../config.ts';
import { drawFigures } from '../figures.ts';
import { armsOf, experiment, partRows } from '../main.ts';
import { runArm } from '../arm.ts';
import { referenceMoments, TOY_MODELS, toySample } from '../data.ts';

/** The rows of results.csv without its seed column, after checking that the run had the one seed 0. */
function rowsOfSeed0(out: string): string[][] {
  const lines = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('seed,part,model,metric,i,value');
  const rows = lines.slice(1).map((l) => l.split(','));
  expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(['0']));
  return rows.map((r) => r.slice(1));
}

function ctxFor(config: GeometryScoreConfig, seed = 0): RunContext<GeometryScoreConfig> {
  return {
    experiment: 'geometry-score',
    profile: 'quick',
    config,
    overrides: [],
    seed,
    backend: 'cpu',
    outDir: tmpdir(),
    dataDir: undefined,
    workers: 1,
    resume: false,
    shard: null,
    verbose: false,
    backendInfo: { name: 'cpu' } as RunContext<GeometryScoreConfig>['backendInfo'],
    rng: new Rng(seed),
    sweepDir: join(tmpdir(), 'gs-unused-sweep'),
    figuresDir: tmpdir(),
    repoRoot: tmpdir(),
    log: () => {},
  };
}

const tiny: GeometryScoreConfig = { ...PROFILES.quick, toyPoints: 1500, repetitions: 40, authorsExample: false, mnist: false };

describe('geometry-score experiment (tiny toy run)', () => {
  it('toy samples have the reference moments and are seeded', () => {
    const x = toySample('gaussian-matched', 20000, new Rng(1));
    const { cov } = referenceMoments();
    let vx = 0;
    for (let i = 0; i < 20000; i++) vx += x[2 * i] ** 2;
    expect(vx / 20000).toBeCloseTo(cov[0], 1);
    expect(Array.from(toySample('reference', 10, new Rng(2)))).toEqual(Array.from(toySample('reference', 10, new Rng(2))));
  });

  it('produces tidy rows for every toy model, deterministic under the seed, that pass the toy checks', async () => {
    const toyPart = async (ctx: RunContext<GeometryScoreConfig>) =>
      partRows('toy', await Promise.all(armsOf(ctx).map((a) => runArm(a, () => {}))));
    const rows = await toyPart(ctxFor(tiny));
    for (const m of TOY_MODELS) {
      expect(rows.filter((r) => r.model === m && r.metric === METRICS.mrlt)).toHaveLength(tiny.iMax);
      expect(rows.filter((r) => r.model === m && r.metric === METRICS.gs)).toHaveLength(1);
    }
    const again = await toyPart(ctxFor(tiny));
    expect(again).toEqual(rows);
    const checks = claim.checks(rows, { profile: 'quick', config: tiny });
    for (const c of checks) assertConsistent(c, 0);
    expect(checks.map((c) => c.id)).toEqual([
      'toy-mrlt-peaks-at-loop-count',
      'toy-mrlt-low-where-filled',
      'toy-gs-ranks-faithful-best',
      'toy-fid-blind-to-gaussian',
      'toy-gs-sees-gaussian',
    ]);
    expect(checks.filter((c) => !c.pass).map((c) => `${c.id}: ${c.ours}`)).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'gs-fig-'));
    try {
      const files = await drawFigures(rows, dir);
      expect(files.some((f) => f.endsWith('mrlt-toy.svg'))).toBe(true);
      expect(readFileSync(files[0], 'utf8')).toContain('<svg');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("reproduces the authors' worked example: circle vs filled circle within the reference spread of their method", async () => {
    const c = { ...tiny, authorsExample: true };
    const arms = armsOf(ctxFor(c)).filter((a) => a.kind === 'example');
    expect(arms.map((a) => a.model)).toEqual(['circle', 'filled-circle']);
    const rows = partRows('example', await Promise.all(arms.map((a) => runArm(a, () => {}))), 'circle');
    const check = claim.checks(rows, { profile: 'quick', config: { ...c, mnist: false } }).find((x) => x.id === 'authors-example-score');
    expect(check?.pass, check?.ours).toBe(true);
    assertConsistent(check!, 0);
    expect(check?.value).toBeLessThanOrEqual(4);
  }, 60_000);

  it('rejects invalid configs with a clear message', () => {
    expect(() => validateConfig({ ...tiny, landmarks: 2 })).toThrow(/landmarks must be >= 4/);
    expect(() => validateConfig({ ...tiny, mnistSamples: 50 })).toThrow(/must exceed the FID feature width/);
    expect(() => validateConfig({ ...tiny, collapsedClasses: [12] })).toThrow(/collapsedClasses/);
    expect(() => validateConfig({ ...tiny, seeds: 0 })).toThrow(/seeds must be a positive integer, got 0/);
    expect(() => validateConfig({ ...tiny, seeds: 2.5 })).toThrow(/seeds must be a positive integer, got 2.5/);
    expect(() => validateConfig(PROFILES.quick)).not.toThrow();
    expect(PROFILES.quick.seeds).toBe(3);
    expect(PROFILES.paper.seeds).toBe(3);
  });

  it('runs as a sweep over two seeds: the same table on 1 and 2 workers, a shard merge with --resume gives it too, and verify catches an edit', async () => {
    const args = [
      '--set',
      'toyPoints=300',
      '--set',
      'repetitions=8',
      '--set',
      'authorsExample=false',
      '--set',
      'mnist=false',
      '--seeds',
      '2',
    ];
    const run = async (extra: string[]) => {
      const out = mkdtempSync(join(tmpdir(), 'gs-sweep-'));
      await runQuietly(experiment, [...args, '--out', out, ...extra], REPO_ROOT);
      return out;
    };
    const csv = (out: string) => readFileSync(join(out, 'results.csv'), 'utf8');
    const serial = await run(['--workers', '1']);
    expect(csv(await run(['--workers', '2']))).toBe(csv(serial));
    const lines = csv(serial).trim().split('\n');
    expect(lines[0]).toBe('seed,part,model,metric,i,value');
    expect([...new Set(lines.slice(1).map((l) => l.split(',')[0]))]).toEqual(['0', '1']);
    // Two replicates: other toy samples and landmark draws, so other scores.
    const scores = (seed: string) =>
      lines.filter((l) => l.startsWith(`${seed},toy,`) && l.includes(`,${METRICS.gs},`)).map((l) => l.split(',')[5]);
    expect(scores('0')).toHaveLength(TOY_MODELS.length);
    expect(scores('1')).not.toEqual(scores('0'));

    const summary = JSON.parse(readFileSync(join(serial, 'summary.json'), 'utf8')) as Summary;
    expect(summary.seeds).toEqual([0, 1]);
    expect(summary.checks.map((k) => k.id)).toEqual([
      'toy-mrlt-peaks-at-loop-count',
      'toy-mrlt-low-where-filled',
      'toy-gs-ranks-faithful-best',
      'toy-fid-blind-to-gaussian',
      'toy-gs-sees-gaussian',
    ]);
    for (const k of summary.checks) expect(k.passes).toHaveLength(2);
    expect(summary.core.total).toBe(3);
    expect(['REPRODUCED', 'NOT REPRODUCED', 'INCONCLUSIVE']).toContain(summary.outcome);
    const verified = verifyExperiment(experiment, serial);
    expect(verified.problems.filter((p) => p.includes('summary.json'))).toEqual([]);
    expect(verified.outcome).toBe(summary.outcome);
    expect(verified.checks.map((k) => k.passes)).toEqual(summary.checks.map((k) => k.passes));

    const sharded = await run(['--shard', '0/2', '--workers', '1']);
    expect(existsSync(join(sharded, 'results.csv'))).toBe(false);
    expect(readdirSync(join(sharded, '.sweep')).sort()).toEqual(['seed-0', 'seed-1']);
    await quietly(async () => {
      await runExperiment(experiment, [...args, '--out', sharded, '--shard', '1/2', '--workers', '1'], REPO_ROOT);
      await runExperiment(experiment, [...args, '--out', sharded, '--resume'], REPO_ROOT);
    });
    expect(csv(sharded)).toBe(csv(serial));

    // Tampering: the faithful generator of seed 1 scored as badly as the worst one fails its ranking there.
    const tampered = csv(serial).replace(/^(1,toy,resampled,geometry_score,-1,)[^\n]*$/m, '$15');
    expect(tampered).not.toBe(csv(serial));
    writeFileSync(join(serial, 'results.csv'), tampered);
    const after = verifyExperiment(experiment, serial);
    expect(after.ok).toBe(false);
    expect(after.problems.some((p) => p.includes("check 'toy-gs-ranks-faithful-best'"))).toBe(true);
    expect(after.checks.find((k) => k.id === 'toy-gs-ranks-faithful-best')?.passes[1]).toBe(false);
  }, 240_000);

  it('scores MNIST generators end to end on a tiny config and draws their samples', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gs-mnist-'));
    await runQuietly(
      experiment,
      [
        '--set',
        'toyPoints=300',
        '--set',
        'repetitions=4',
        '--set',
        'mnistRepetitions=4',
        '--set',
        'mnistSamples=100',
        '--set',
        'classifierTrain=1000',
        '--set',
        'classifierEpochs=1',
        '--set',
        'ganSteps=10',
        '--set',
        'wganSteps=3',
        '--seeds',
        '1',
        '--workers',
        '1',
        '--out',
        out,
      ],
      REPO_ROOT,
    );
    const rows = rowsOfSeed0(out);
    const mnistModels = new Set(rows.filter((r) => r[0] === 'mnist' && r[2] === METRICS.gs).map((r) => r[1]));
    expect(mnistModels).toEqual(
      new Set([
        'reference',
        'real-holdout',
        'noisy-real',
        'mode-collapsed',
        'few-prototypes',
        'gan-ns',
        'gan-ls',
        'gan-wgan',
        'gan-wgan-gp',
      ]),
    );
    expect(rows.find((r) => r[1] === 'reference' && r[2] === METRICS.gs)?.[4]).toBe('0');
    expect(rows.some((r) => r[1] === 'feature-net' && r[2] === METRICS.accuracy)).toBe(true);
    expect(existsSync(join(out, 'figures', 'samples-mnist.png'))).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.files.figures).toContain('figures/samples-mnist.png');
  }, 120_000);

  it('uses a user-supplied Inception-v3 graph model for IS and FID when given one (resize, 3 channels, [-1, 1])', async () => {
    // Stand-in graph: global average pool of the 8x8x3 input -> 3 features, x W -> 'pool_3' (4-d), softmax -> 'softmax'.
    const dir = mkdtempSync(join(tmpdir(), 'gs-inception-'));
    const f32 = { type: 'DT_FLOAT' };
    const node = (name: string, op: string, input: string[], attr: object) => ({ name, op, input, attr });
    const model = {
      format: 'graph-model',
      generatedBy: 'hand',
      convertedBy: null,
      modelTopology: {
        node: [
          {
            name: 'x',
            op: 'Placeholder',
            attr: { dtype: f32, shape: { shape: { dim: [{ size: '-1' }, { size: '8' }, { size: '8' }, { size: '3' }] } } },
          },
          {
            name: 'axes',
            op: 'Const',
            attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '2' }] } } } },
          },
          node('gap', 'Mean', ['x', 'axes'], { T: f32, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } }),
          {
            name: 'w',
            op: 'Const',
            attr: { dtype: f32, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }, { size: '4' }] } } } },
          },
          node('pool_3', 'MatMul', ['gap', 'w'], { T: f32, transpose_a: { b: false }, transpose_b: { b: false } }),
          node('softmax', 'Softmax', ['pool_3'], { T: f32 }),
        ],
        versions: { producer: 1 },
      },
      weightsManifest: [
        {
          paths: ['weights.bin'],
          weights: [
            { name: 'axes', shape: [2], dtype: 'int32' },
            { name: 'w', shape: [3, 4], dtype: 'float32' },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
    writeFileSync(
      join(dir, 'weights.bin'),
      Buffer.concat([
        Buffer.from(new Int32Array([1, 2]).buffer),
        Buffer.from(new Float32Array([3, -1, 0, 1, 0, 2, 1, -2, 1, 0, 0, 1]).buffer),
      ]),
    );
    const out = mkdtempSync(join(tmpdir(), 'gs-inception-run-'));
    await quietly(async () => {
      await runExperiment(
        experiment,
        [
          '--set',
          'toyPoints=300',
          '--set',
          'repetitions=4',
          '--set',
          'mnistRepetitions=4',
          '--set',
          'mnistSamples=100',
          '--set',
          'classifierTrain=1000',
          '--set',
          'ganSteps=0',
          '--set',
          'wganSteps=0',
          '--set',
          `inceptionModel=${join(dir, 'model.json')}`,
          '--set',
          'inceptionInputSize=8',
          '--seeds',
          '1',
          '--workers',
          '1',
          '--out',
          out,
        ],
        REPO_ROOT,
      );
      await expect(runExperiment(experiment, ['--set', 'inceptionModel=/nonexistent/model.json', '--out', out], REPO_ROOT)).rejects.toThrow(
        /inceptionModel: no file at \/nonexistent\/model.json; pass the model.json/,
      );
    });
    const rows = rowsOfSeed0(out);
    expect(rows.some((r) => r[1] === 'feature-net')).toBe(false); // no classifier trained
    const isReal = Number(rows.find((r) => r[1] === 'real-holdout' && r[2] === METRICS.isMean)![4]);
    expect(isReal).toBeGreaterThan(1); // 4 classes: 1 <= IS <= 4
    expect(isReal).toBeLessThanOrEqual(4);
    expect(Number(rows.find((r) => r[1] === 'noisy-real' && r[2] === METRICS.fid)![4])).toBeGreaterThan(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.checks.map((c: { id: string }) => c.id)).not.toContain('mnist-feature-net-accurate');
  }, 120_000);
});
