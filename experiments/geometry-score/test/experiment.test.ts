import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, type RunContext } from '@claimlab/core';
import { describe, expect, it } from 'vitest';
import { claim, METRICS } from '../claim.ts';
import { PROFILES, validateConfig, type GeometryScoreConfig } from '../config.ts';
import { drawFigures } from '../figures.ts';
import { toyPart } from '../main.ts';
import { referenceMoments, TOY_MODELS, toySample } from '../toy.ts';

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
    backendInfo: { name: 'cpu' } as RunContext<GeometryScoreConfig>['backendInfo'],
    rng: new Rng(seed),
    figuresDir: tmpdir(),
    repoRoot: tmpdir(),
    log: () => {},
  };
}

const tiny: GeometryScoreConfig = { ...PROFILES.quick, toyPoints: 1500, repetitions: 40, mnist: false };

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
    const rows = await toyPart(ctxFor(tiny));
    for (const m of TOY_MODELS) {
      expect(rows.filter((r) => r.model === m && r.metric === METRICS.mrlt)).toHaveLength(tiny.iMax);
      expect(rows.filter((r) => r.model === m && r.metric === METRICS.gs)).toHaveLength(1);
    }
    const again = await toyPart(ctxFor(tiny));
    expect(again).toEqual(rows);
    const checks = claim.checks(rows, { profile: 'quick', config: tiny });
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

  it('rejects invalid configs with a clear message', () => {
    expect(() => validateConfig({ ...tiny, landmarks: 2 })).toThrow(/landmarks must be >= 4/);
    expect(() => validateConfig({ ...tiny, mnistSamples: 50 })).toThrow(/must exceed the FID feature width/);
    expect(() => validateConfig({ ...tiny, collapsedClasses: [12] })).toThrow(/collapsedClasses/);
  });
});
