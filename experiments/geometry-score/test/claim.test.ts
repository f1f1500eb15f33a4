import { describe, expect, it } from 'vitest';
import { PROFILES } from '../config.ts';
import { claimChecker } from '@claimlab/core/testing';
import {
  claim,
  EXAMPLE_SIGMAS,
  FID_BLIND_FRACTION,
  IS_BLIND_FRACTION,
  MAX_MRLT_WITHOUT_LOOPS,
  MIN_GS_RATIO,
  MIN_GS_RATIO_MNIST,
  ratioOf,
  TOY_REFERENCE_VARIANCE,
} from '../claim.ts';
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
const setMrlt = (rows: ResultRow[], part: string, m: string, mrlt: number[]) => [
  ...rows.filter((r) => !(r.part === part && r.model === m && r.metric === METRICS.mrlt)),
  ...mrlt.map((value, i) => ({ part, model: m, metric: METRICS.mrlt, i, value })),
];

const check = (rows: ResultRow[], id: string) => checksOf(rows).find((c) => c.id === id)!;

const ID_ROLES: [string, 'core' | 'supporting'][] = [
  ['toy-mrlt-peaks-at-loop-count', 'core'],
  ['toy-mrlt-low-where-filled', 'core'],
  ['toy-gs-ranks-faithful-best', 'core'],
  ['toy-fid-blind-to-gaussian', 'supporting'],
  ['toy-gs-sees-gaussian', 'supporting'],
  ['authors-example-score', 'supporting'],
  ['mnist-feature-net-accurate', 'supporting'],
  ['mnist-gs-real-best', 'core'],
  ['mnist-gs-wgan-gp-beats-wgan', 'core'],
  ['mnist-gs-detects-collapse', 'core'],
  ['mnist-is-blind-to-prototypes', 'supporting'],
  ['mnist-gs-sees-prototypes', 'supporting'],
];

const { checksOf, failing } = claimChecker(claim, ctx);
describe('geometry-score claim checks', () => {
  it("all pass, with their roles and numeric statistics, on rows that show the paper's pattern", () => {
    const checks = checksOf(reproducing());
    expect(checks.map((c) => [c.id, c.role])).toEqual(ID_ROLES);
    expect(checks.filter((c) => !c.pass).map((c) => c.id)).toEqual([]);
    for (const c of checks) {
      expect(typeof c.value, c.id).toBe('number');
      expect(c.bound, c.id).toBeDefined();
    }
    const rows = reproducing();
    expect(check(rows, 'toy-mrlt-peaks-at-loop-count').value).toBe(4);
    expect(check(rows, 'toy-mrlt-peaks-at-loop-count').bound).toEqual({ op: '>=', value: 4 });
    expect(check(rows, 'toy-mrlt-low-where-filled').value).toBeCloseTo(0.1 / 9, 12);
    expect(check(rows, 'toy-mrlt-low-where-filled').bound).toEqual({ op: '<', value: MAX_MRLT_WITHOUT_LOOPS });
    // The worst defective generator (one-loop, 0.4) against the faithful one (0.001).
    expect(check(rows, 'toy-gs-ranks-faithful-best').value).toBeCloseTo(400, 9);
    expect(check(rows, 'toy-gs-ranks-faithful-best').bound).toEqual({ op: '>=', value: MIN_GS_RATIO });
    expect(check(rows, 'toy-fid-blind-to-gaussian').value).toBeCloseTo(0.001 / TOY_REFERENCE_VARIANCE, 12);
    expect(check(rows, 'toy-fid-blind-to-gaussian').bound).toEqual({ op: '<', value: FID_BLIND_FRACTION });
    expect(check(rows, 'authors-example-score').bound).toEqual({ op: '<=', value: EXAMPLE_SIGMAS });
    expect(check(rows, 'mnist-feature-net-accurate').value).toBe(0.97);
    expect(check(rows, 'mnist-gs-real-best').value).toBeCloseTo(5, 9); // noisy-real 0.005 vs real 0.001
    expect(check(rows, 'mnist-gs-real-best').bound).toEqual({ op: '>', value: 1 });
    expect(check(rows, 'mnist-gs-wgan-gp-beats-wgan').value).toBeCloseTo(2.5, 9);
    expect(check(rows, 'mnist-gs-detects-collapse').value).toBeCloseTo(70, 9); // mode-collapsed 0.07 vs 0.001
    expect(check(rows, 'mnist-gs-detects-collapse').bound).toEqual({ op: '>=', value: MIN_GS_RATIO_MNIST });
    expect(check(rows, 'mnist-is-blind-to-prototypes').value).toBeCloseTo(8.8 / 8.7, 12);
    expect(check(rows, 'mnist-is-blind-to-prototypes').bound).toEqual({ op: '>=', value: IS_BLIND_FRACTION });
  });

  it('without the MNIST part only the toy checks run', () => {
    const rows = reproducing().filter((r) => r.part !== 'mnist');
    expect(checksOf(rows, quick({ mnist: false })).map((c) => c.id)).toEqual([
      'toy-mrlt-peaks-at-loop-count',
      'toy-mrlt-low-where-filled',
      'toy-gs-ranks-faithful-best',
      'toy-fid-blind-to-gaussian',
      'toy-gs-sees-gaussian',
      'authors-example-score',
    ]);
  });

  it('fail where the pattern breaks', () => {
    let rows = setMrlt(reproducing(), 'toy', 'one-loop', peak(2));
    rows = set(rows, 'toy', 'merged-loop', 'geometry_score', 0.005); // only 5x the faithful one
    rows = set(rows, 'toy', 'gaussian-matched', 'fid', 0.5); // FID sees it
    rows = set(rows, 'example', 'filled-circle', 'geometry_score', 1.7); // not the authors' value
    rows = set(rows, 'mnist', 'feature-net', 'test_accuracy', 0.9);
    rows = set(rows, 'mnist', 'noisy-real', 'geometry_score', 0.0005); // better than real
    rows = set(rows, 'mnist', 'few-prototypes', 'is_mean', 5); // IS sees it
    rows = set(rows, 'mnist', 'gan-wgan-gp', 'geometry_score', 0.06); // worse than WGAN
    expect(failing(rows)).toEqual([
      'toy-mrlt-peaks-at-loop-count',
      'toy-gs-ranks-faithful-best',
      'toy-fid-blind-to-gaussian',
      'authors-example-score',
      'mnist-feature-net-accurate',
      'mnist-gs-real-best',
      'mnist-gs-wgan-gp-beats-wgan',
      'mnist-is-blind-to-prototypes',
    ]);
    expect(check(rows, 'toy-mrlt-peaks-at-loop-count').value).toBe(3);
    expect(check(rows, 'toy-gs-ranks-faithful-best').value).toBeCloseTo(5, 9);
    expect(check(rows, 'mnist-gs-real-best').value).toBeCloseTo(0.5, 9);
    expect(check(rows, 'authors-example-score').value).toBeGreaterThan(EXAMPLE_SIGMAS);
  });

  it('each part of a split check fails on its own', () => {
    // A loop where the disks are filled: the peaks are right, MRLT(2) is not low.
    expect(failing(setMrlt(reproducing(), 'toy', 'filled-disks', peak(2)))).toEqual(['toy-mrlt-low-where-filled']);
    // The moment-matched Gaussian scores only 5x the faithful generator: the score does not see it (and so
    // the faithful generator is no longer 10x better than every defective one); FID still cannot see it.
    expect(failing(set(reproducing(), 'toy', 'gaussian-matched', 'geometry_score', 0.005))).toEqual([
      'toy-gs-ranks-faithful-best',
      'toy-gs-sees-gaussian',
    ]);
    // Prototypes that score only 1.5x real digits: the collapse and the prototypes' checks fail, IS is still blind.
    expect(failing(set(reproducing(), 'mnist', 'few-prototypes', 'geometry_score', 0.0015))).toEqual([
      'mnist-gs-detects-collapse',
      'mnist-gs-sees-prototypes',
    ]);
  });

  it('without the Wasserstein GANs (wganSteps = 0) their comparison is not made', () => {
    const rows = reproducing().filter((r) => !r.model.startsWith('gan-wgan'));
    const ids = checksOf(rows, quick({ mnist: true, wganSteps: 0 })).map((c) => c.id);
    expect(ids).not.toContain('mnist-gs-wgan-gp-beats-wgan');
    const wgan = check(rows, 'mnist-gs-wgan-gp-beats-wgan');
    expect(wgan.pass).toBe(false);
    expect(wgan.value).toBeNull();
  });

  it('a missing model fails instead of passing vacuously', () => {
    const rows = reproducing().filter((r) => r.model !== 'few-prototypes');
    expect(failing(rows)).toEqual(['mnist-gs-detects-collapse', 'mnist-is-blind-to-prototypes', 'mnist-gs-sees-prototypes']);
    for (const id of failing(rows)) expect(check(rows, id).value, id).toBeNull();
    const noLoop = reproducing().filter((r) => !(r.model === 'merged-loop' && r.metric === METRICS.mrlt));
    expect(failing(noLoop)).toEqual(['toy-mrlt-peaks-at-loop-count']);
    expect(check(noLoop, 'toy-mrlt-peaks-at-loop-count').value).toBeNull();
  });

  it('a faithful score of exactly 0 (degenerate) fails the ratios built on it with value null', () => {
    const rows = set(reproducing(), 'toy', 'resampled', 'geometry_score', 0);
    expect(failing(rows)).toEqual(['toy-gs-ranks-faithful-best', 'toy-gs-sees-gaussian']);
    expect(check(rows, 'toy-gs-ranks-faithful-best').value).toBeNull();
    expect(ratioOf(1, 0)).toBeNull();
    expect(ratioOf(undefined, 1)).toBeNull();
    expect(ratioOf(3, 2)).toBe(1.5);
  });

  it('an empty table fails every check with value null', () => {
    const checks = checksOf([]);
    expect(checks.map((c) => c.id)).toEqual(ID_ROLES.map(([id]) => id));
    for (const c of checks) {
      expect(c.pass, c.id).toBe(false);
      expect(c.value, c.id).toBeNull();
    }
  });
});
