import { describe, expect, it } from 'vitest';
import { PROFILES } from '../config.ts';
import { claim } from '../claim.ts';
import { METRICS, type ResultRow } from '../results.ts';

function model(part: string, name: string, mrlt: number[], scalars: Record<string, number>): ResultRow[] {
  return [
    ...mrlt.map((value, i) => ({ part, model: name, metric: METRICS.mrlt, i, value })),
    ...Object.entries(scalars).map(([metric, value]) => ({ part, model: name, metric, i: -1, value })),
  ];
}

const peak = (k: number) => Array.from({ length: 10 }, (_, i) => (i === k ? 0.9 : 0.1 / 9));

function reproducing(): ResultRow[] {
  return [
    ...model('toy', 'reference', peak(2), { geometry_score: 0, fid: 0 }),
    ...model('toy', 'resampled', peak(2), { geometry_score: 0.001, fid: 0.002 }),
    ...model('toy', 'one-loop', peak(1), { geometry_score: 0.4, fid: 3 }),
    ...model('toy', 'merged-loop', peak(1), { geometry_score: 1.1, fid: 1 }),
    ...model('toy', 'filled-disks', peak(9), { geometry_score: 0.8, fid: 0.3 }),
    ...model('toy', 'gaussian-matched', peak(9), { geometry_score: 0.8, fid: 0.001 }),
    ...model('example', 'circle', peak(1), { geometry_score: 0, fid: 0 }),
    ...model('example', 'filled-circle', peak(0), { geometry_score: 1.85, fid: 0.3 }),
    ...model('mnist', 'feature-net', [], { test_accuracy: 0.97 }),
    ...model('mnist', 'reference', peak(3), { geometry_score: 0, fid: 0, is_mean: 8.8 }),
    ...model('mnist', 'real-holdout', peak(3), { geometry_score: 0.001, fid: 1, is_mean: 8.7 }),
    ...model('mnist', 'noisy-real', peak(3), { geometry_score: 0.005, fid: 20, is_mean: 6 }),
    ...model('mnist', 'mode-collapsed', peak(1), { geometry_score: 0.07, fid: 50, is_mean: 3 }),
    ...model('mnist', 'few-prototypes', peak(0), { geometry_score: 0.9, fid: 25, is_mean: 8.8 }),
    ...model('mnist', 'gan-wgan', peak(5), { geometry_score: 0.05, fid: 60, is_mean: 5 }),
    ...model('mnist', 'gan-wgan-gp', peak(4), { geometry_score: 0.02, fid: 40, is_mean: 6 }),
  ];
}

const quick = (over: Partial<typeof PROFILES.quick> = {}) => ({ profile: 'quick' as const, config: { ...PROFILES.quick, ...over } });
const ctx = quick({ mnist: true });

const set = (rows: ResultRow[], part: string, m: string, metric: string, value: number) =>
  rows.map((r) => (r.part === part && r.model === m && r.metric === metric && r.i === -1 ? { ...r, value } : r));

describe('geometry-score claim checks', () => {
  it("all pass on rows that show the paper's pattern", () => {
    const checks = claim.checks(reproducing(), ctx);
    expect(checks.filter((c) => !c.pass).map((c) => c.id)).toEqual([]);
    expect(checks).toHaveLength(9);
  });

  it('without the MNIST part only the toy checks run', () => {
    const rows = reproducing().filter((r) => r.part !== 'mnist');
    expect(claim.checks(rows, quick({ mnist: false })).map((c) => c.id)).toEqual([
      'toy-mrlt-counts-loops',
      'toy-gs-ranks-faithful-best',
      'toy-gs-sees-what-fid-misses',
      'authors-example-score',
    ]);
  });

  it('fail where the pattern breaks', () => {
    let rows = reproducing().filter((r) => !(r.part === 'toy' && r.model === 'one-loop' && r.metric === METRICS.mrlt));
    rows.push(...peak(2).map((value, i) => ({ part: 'toy', model: 'one-loop', metric: METRICS.mrlt, i, value })));
    rows = set(rows, 'toy', 'merged-loop', 'geometry_score', 0.005); // only 5x the faithful one
    rows = set(rows, 'toy', 'gaussian-matched', 'fid', 0.5); // FID sees it
    rows = set(rows, 'example', 'filled-circle', 'geometry_score', 1.7); // not the authors' value
    rows = set(rows, 'mnist', 'feature-net', 'test_accuracy', 0.9);
    rows = set(rows, 'mnist', 'noisy-real', 'geometry_score', 0.0005); // better than real
    rows = set(rows, 'mnist', 'few-prototypes', 'is_mean', 5); // IS sees it
    rows = set(rows, 'mnist', 'gan-wgan-gp', 'geometry_score', 0.06); // worse than WGAN
    const failed = claim
      .checks(rows, ctx)
      .filter((c) => !c.pass)
      .map((c) => c.id);
    expect(failed).toEqual([
      'toy-mrlt-counts-loops',
      'toy-gs-ranks-faithful-best',
      'toy-gs-sees-what-fid-misses',
      'authors-example-score',
      'mnist-feature-net-accurate',
      'mnist-gs-real-best',
      'mnist-gs-wgan-gp-beats-wgan',
      'mnist-gs-sees-what-is-misses',
    ]);
  });

  it('without the Wasserstein GANs (wganSteps = 0) their comparison is not made', () => {
    const rows = reproducing().filter((r) => !r.model.startsWith('gan-wgan'));
    const ids = claim.checks(rows, quick({ mnist: true, wganSteps: 0 })).map((c) => c.id);
    expect(ids).not.toContain('mnist-gs-wgan-gp-beats-wgan');
    expect(claim.checks(rows, ctx).find((c) => c.id === 'mnist-gs-wgan-gp-beats-wgan')?.pass).toBe(false);
  });

  it('a missing model fails instead of passing vacuously', () => {
    const rows = reproducing().filter((r) => r.model !== 'few-prototypes');
    const failed = claim
      .checks(rows, ctx)
      .filter((c) => !c.pass)
      .map((c) => c.id);
    expect(failed).toEqual(['mnist-gs-detects-collapse', 'mnist-gs-sees-what-is-misses']);
  });
});
