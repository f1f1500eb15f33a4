import { describe, expect, it } from 'vitest';
import { PROFILES } from '../config.ts';
import { claim, summariseArchs } from '../claim.ts';
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

describe('loss-landscape claim checks', () => {
  it("all pass on rows with the paper's pattern", () => {
    const checks = claim.checks(reproducing(), { profile: 'quick', config: PROFILES.quick });
    expect(checks.filter((c) => !c.pass).map((c) => `${c.id}: ${c.ours}`)).toEqual([]);
    expect(checks).toHaveLength(6);
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

  it('fail where the pattern breaks: a convex deep noshort surface, a gap that does not grow, a noshort net that trains as well', () => {
    const rows = [
      ...arch(20, true, { f: bowl, testError: 0.07, trainLoss: 0.01, lmin: -0.1, lmax: 10 }),
      ...arch(20, false, { f: bumpy, testError: 0.2, trainLoss: 0.3, lmin: -4, lmax: 10 }),
      ...arch(56, true, { f: bumpy, testError: 0.06, trainLoss: 0.01, lmin: -0.1, lmax: 10 }),
      ...arch(56, false, { f: bumpy, testError: 0.065, trainLoss: 0.005, lmin: -0.15, lmax: 10 }),
    ];
    const failed = claim
      .checks(rows, { profile: 'quick', config: PROFILES.quick })
      .filter((c) => !c.pass)
      .map((c) => c.id);
    expect(failed).toEqual([
      'deep-noshort-less-convex',
      'convexity-gap-grows-with-depth',
      'residual-surfaces-nearly-convex',
      'deep-noshort-negative-curvature',
      'noshort-trains-worse-at-depth',
      'error-gap-grows-with-depth',
    ]);
  });

  it('fails every comparison when only one depth is present', () => {
    const rows = reproducing().filter((r) => r.depth === 56);
    const checks = claim.checks(rows, { profile: 'quick', config: PROFILES.quick });
    expect(checks.find((c) => c.id === 'convexity-gap-grows-with-depth')?.pass).toBe(false);
    expect(checks.find((c) => c.id === 'error-gap-grows-with-depth')?.pass).toBe(false);
  });
});
