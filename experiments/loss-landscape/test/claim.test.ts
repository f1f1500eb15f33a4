import { describe, expect, it } from 'vitest';
import { type Check } from '@claimlab/core';
import { claimChecker } from '@claimlab/core/testing';
import { PROFILES } from '../config.ts';
import { claim, defectMargin, summariseArchs } from '../claim.ts';
import { type ResultRow } from '../results.ts';

const grid = [-1, -0.5, 0, 0.5, 1];

/** Rows of one architecture whose surface is f(alpha, beta), with the given test error, training loss and eigenvalues. */
function arch(
  depth: number,
  shortcuts: boolean,
  o: { f: (a: number, b: number) => number; testError: number; trainLoss: number; lmin: number; lmax: number },
): ResultRow[] {
  const base = { arch: `resnet-${depth}${shortcuts ? '' : '-noshort'}`, depth, shortcuts: shortcuts ? 1 : 0, epoch: 0, alpha: 0, beta: 0 };
  const rows: ResultRow[] = [
    { ...base, section: 'train', epoch: 1, metric: 'batch_loss', value: 1 },
    { ...base, section: 'final', metric: 'test_error', value: o.testError },
    { ...base, section: 'final', metric: 'train_loss', value: o.trainLoss },
    { ...base, section: 'final', metric: 'train_error', value: o.testError / 2 },
  ];
  for (const beta of grid)
    for (const alpha of grid) rows.push({ ...base, section: 'surface', alpha, beta, metric: 'loss', value: o.f(alpha, beta) });
  for (const alpha of grid) rows.push({ ...base, section: 'slice', alpha, metric: 'loss', value: o.f(alpha, 0) });
  for (const beta of [-1, 0, 1]) {
    for (const alpha of [-1, 0, 1]) {
      rows.push(
        { ...base, section: 'hessian', alpha, beta, metric: 'lambda_max', value: o.lmax },
        { ...base, section: 'hessian', alpha, beta, metric: 'lambda_min', value: o.lmin },
      );
    }
  }
  return rows;
}

const bowl = (a: number, b: number) => 0.1 + a * a + b * b;
/** The bowl plus a checkerboard of bumps on the 5x5 grid: every row and column has a second valley. */
const bumpy = (a: number, b: number) => bowl(a, b) + 0.8 * (Math.abs(Math.round(2 * a) + Math.round(2 * b)) % 2);

function reproducing(): ResultRow[] {
  return [
    ...arch(20, true, { f: bowl, testError: 0.074, trainLoss: 0.01, lmin: -0.1, lmax: 10 }),
    ...arch(20, false, { f: bowl, testError: 0.082, trainLoss: 0.02, lmin: -0.2, lmax: 10 }),
    ...arch(56, true, { f: bowl, testError: 0.059, trainLoss: 0.01, lmin: -0.1, lmax: 10 }),
    ...arch(56, false, { f: bumpy, testError: 0.133, trainLoss: 0.2, lmin: -4, lmax: 10 }),
  ];
}

const IDS = [
  'deep-noshort-less-convex',
  'convexity-gap-grows-with-depth',
  'residual-surfaces-nearly-convex',
  'deep-noshort-negative-curvature',
  'noshort-higher-test-error-at-depth',
  'noshort-higher-training-loss-at-depth',
  'error-gap-grows-with-depth',
];
const ROLES = ['core', 'core', 'core', 'supporting', 'core', 'supporting', 'core'];

/** One seed's checks, each consistent (pass agrees with its value and bound), in the claim's order with its roles. */

const checker = claimChecker(claim, { profile: 'quick', config: PROFILES.quick });
/** The checks of one seed's rows, each asserted consistent with its statistic, with their ids and roles. */
function checksOf(rows: ResultRow[]): Check[] {
  const checks = checker.checksOf(rows);
  expect(checks.map((c) => c.id)).toEqual(IDS);
  expect(checks.map((c) => c.role)).toEqual(ROLES);
  return checks;
}
const failing = (rows: ResultRow[]) =>
  checksOf(rows)
    .filter((c) => !c.pass)
    .map((c) => c.id);
describe('loss-landscape claim checks', () => {
  it("all pass on rows with the paper's pattern, each with its role, statistic and bound", () => {
    const checks = checksOf(reproducing());
    expect(checks.filter((c) => !c.pass).map((c) => `${c.id}: ${c.ours}`)).toEqual([]);
    const s = summariseArchs(reproducing());
    const stat = Object.fromEntries(checks.map((c) => [c.id, { value: c.value as number, bound: c.bound }]));
    expect(stat['deep-noshort-less-convex'].value).toBeCloseTo(defectMargin(s[3].meanDefect, s[2].meanDefect), 12);
    expect(stat['deep-noshort-less-convex'].bound).toEqual({ op: '>=', value: 0 });
    expect(stat['convexity-gap-grows-with-depth'].value).toBeCloseTo(
      s[3].meanDefect - s[2].meanDefect - (s[1].meanDefect - s[0].meanDefect),
      12,
    );
    expect(stat['convexity-gap-grows-with-depth'].bound).toEqual({ op: '>=', value: 0.02 });
    expect(stat['residual-surfaces-nearly-convex'].value).toBeCloseTo(0, 10);
    expect(stat['residual-surfaces-nearly-convex'].bound).toEqual({ op: '<=', value: 0.05 });
    expect(stat['deep-noshort-negative-curvature'].value).toBeCloseTo(0.4 - 2 * 0.01, 12);
    expect(stat['deep-noshort-negative-curvature'].bound).toEqual({ op: '>=', value: 0 });
    expect(stat['noshort-higher-test-error-at-depth'].value).toBeCloseTo(0.133 - 0.059, 12);
    expect(stat['noshort-higher-test-error-at-depth'].bound).toEqual({ op: '>=', value: 0.01 });
    expect(stat['noshort-higher-training-loss-at-depth'].value).toBeCloseTo(0.19, 12);
    expect(stat['noshort-higher-training-loss-at-depth'].bound).toEqual({ op: '>', value: 0 });
    expect(stat['error-gap-grows-with-depth'].value).toBeCloseTo(0.074 - 0.008, 12);
    expect(stat['error-gap-grows-with-depth'].bound).toEqual({ op: '>', value: 0 });
  });

  it('summarises each architecture from its rows', () => {
    const s = summariseArchs(reproducing());
    expect(s.map((x) => x.arch)).toEqual(['resnet-20', 'resnet-20-noshort', 'resnet-56', 'resnet-56-noshort']);
    expect(s[0].meanDefect).toBeCloseTo(0, 10);
    expect(s[3].meanDefect).toBeGreaterThan(0.1);
    expect(s[3].meanEigenRatio).toBeCloseTo(0.4, 10);
    expect(s[3].centerEigenRatio).toBeCloseTo(0.4, 10);
    expect(s[3].testError).toBe(0.133);
  });

  it('leave out Hessian points whose products were not finite (NaN), count them, and give no ratio when most of the map has none', () => {
    /** The deep noshort net's map with its first k points overflowed, and a far surface corner overflowed too. */
    const overflowed = (k: number) => {
      let left = k;
      return reproducing().map((r) =>
        r.arch === 'resnet-56-noshort' && r.section === 'hessian' && r.metric === 'lambda_max' && left-- > 0
          ? { ...r, value: NaN }
          : r.arch === 'resnet-56-noshort' && r.section === 'surface' && r.alpha === 1 && r.beta === 1
            ? { ...r, value: Infinity }
            : r,
      );
    };
    const s = summariseArchs(overflowed(4));
    expect([s[3].hessianNonFinite, s[3].hessianPoints]).toEqual([4, 9]);
    expect(s[3].meanEigenRatio).toBeCloseTo(0.4, 10); // the mean of the 5 measured points
    const checks = checksOf(overflowed(4));
    const curvature = checks.find((c) => c.id === 'deep-noshort-negative-curvature')!;
    expect(curvature.pass).toBe(true);
    expect(curvature.ours).toMatch(/resnet-56-noshort: 4 of 9 points with non-finite products, left out/);
    // 5 of 9 overflowed: fewer than half the points measured, so the check has no statistic.
    expect(summariseArchs(overflowed(5))[3].meanEigenRatio).toBeNaN();
    const none = checksOf(overflowed(5)).find((c) => c.id === 'deep-noshort-negative-curvature')!;
    expect([none.value, none.pass]).toEqual([null, false]);
  });

  it('fail where the pattern breaks: a convex deep noshort surface, a gap that does not grow, a noshort net that trains as well', () => {
    const rows = [
      ...arch(20, true, { f: bowl, testError: 0.07, trainLoss: 0.01, lmin: -0.1, lmax: 10 }),
      ...arch(20, false, { f: bumpy, testError: 0.2, trainLoss: 0.3, lmin: -4, lmax: 10 }),
      ...arch(56, true, { f: bumpy, testError: 0.06, trainLoss: 0.01, lmin: -0.1, lmax: 10 }),
      ...arch(56, false, { f: bumpy, testError: 0.065, trainLoss: 0.005, lmin: -0.15, lmax: 10 }),
    ];
    expect(failing(rows)).toEqual(IDS);
  });

  it('fails each part of the split training comparison on its own', () => {
    const deepNoshort = (o: { testError: number; trainLoss: number }) => [
      ...reproducing().filter((r) => !(r.depth === 56 && r.shortcuts === 0)),
      ...arch(56, false, { f: bumpy, lmin: -4, lmax: 10, ...o }),
    ];
    // Higher training loss but a test error gap under 1 point (and so no growth over depth 20's 0.8 points).
    expect(failing(deepNoshort({ testError: 0.065, trainLoss: 0.2 }))).toEqual([
      'noshort-higher-test-error-at-depth',
      'error-gap-grows-with-depth',
    ]);
    // A test error gap of 7 points but a training loss no higher than the residual net's.
    expect(failing(deepNoshort({ testError: 0.133, trainLoss: 0.01 }))).toEqual(['noshort-higher-training-loss-at-depth']);
  });

  it('fails the convexity margin on either of its parts: under 2x the residual defect, or under 0.02 above it', () => {
    expect(defectMargin(0.1, 0.04)).toBeCloseTo(0.02, 12); // both hold
    expect(defectMargin(0.1, 0.06)).toBeLessThan(0); // 0.04 above, but under 2x
    expect(defectMargin(0.015, 0.001)).toBeLessThan(0); // 15x, but only 0.014 above
    expect(defectMargin(0.03, 0.005)).toBeCloseTo(0.005, 12); // 6x and 0.025 above: the gap's margin is the smaller
  });

  it('fails every comparison when only one depth is present', () => {
    const checks = checksOf(reproducing().filter((r) => r.depth === 56));
    expect(checks.find((c) => c.id === 'convexity-gap-grows-with-depth')).toMatchObject({ pass: false, value: null });
    expect(checks.find((c) => c.id === 'error-gap-grows-with-depth')).toMatchObject({ pass: false, value: null });
  });

  it('fail with no statistic (value null) on an empty table or when an input is missing', () => {
    expect(checksOf([]).map((c) => [c.id, c.pass, c.value])).toEqual(IDS.map((id) => [id, false, null]));
    // No surface for the deep residual net: every convexity comparison that needs it is missing.
    const noSurface = checksOf(reproducing().filter((r) => !(r.arch === 'resnet-56' && r.section === 'surface')));
    expect(noSurface.slice(0, 3).map((c) => [c.pass, c.value])).toEqual([
      [false, null],
      [false, null],
      [false, null],
    ]);
    expect(noSurface.slice(3).every((c) => c.pass)).toBe(true);
    // No Hessian map or final metrics for the deep no-shortcut net.
    const noFinal = checksOf(
      reproducing().filter((r) => !(r.arch === 'resnet-56-noshort' && (r.section === 'final' || r.section === 'hessian'))),
    );
    expect(noFinal.slice(3).map((c) => [c.pass, c.value])).toEqual([
      [false, null],
      [false, null],
      [false, null],
      [false, null],
    ]);
  });
});
