import { describe, expect, it } from 'vitest';
import { claimChecker } from '@claimlab/core/testing';
import { PROFILES } from '../config.ts';
import { bestOf, claim, outcomesOf } from '../claim.ts';
import type { ResultRow } from '../results.ts';

const base = { iteration: 0 };

/** Three rates of a method: 0.1 takes 2x iterations, 0.2 takes x (the best, inside the grid), 0.4 diverges. */
function method(dataset: string, p: number, m: string, depth: number, x: number): ResultRow[] {
  const rows: ResultRow[] = [];
  const at = (learning_rate: number, metric: string, value: number) =>
    rows.push({ ...base, part: 'regression', dataset, p, method: m, depth, learning_rate, metric, value });
  for (const [rate, iterations, diverged] of [
    [0.1, 2 * x, 0],
    [0.2, x, 0],
    [0.4, 1000, 1],
  ]) {
    at(rate, 'iterations_to_level', iterations);
    at(rate, 'reached', diverged ? 0 : 1);
    at(rate, 'diverged', diverged);
    if (!diverged) at(rate, 'final_loss', 0.1);
  }
  return rows;
}

interface Shape {
  /** Iterations to the level (best rate) per method, for l_4 and l_2, on both data sets. */
  l4?: { d1: number; d2: number; d3: number; adagrad: number; adadelta: number };
  l2?: { d1: number; d2: number; d3: number };
  mnist?: { original: number; overparameterized: number };
  gap?: (step: number) => number;
  circulation?: { deep: number; flat: number };
}

function rowsOf({
  l4 = { d1: 400, d2: 100, d3: 120, adagrad: 300, adadelta: 500 },
  l2 = { d1: 100, d2: 110, d3: 130 },
  mnist = { original: 1, overparameterized: 0.5 },
  gap = (s) => s,
  circulation = { deep: 0.01, flat: 1e-15 },
}: Shape = {}): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const dataset of ['boston', 'synthetic']) {
    rows.push(...method(dataset, 4, 'gd', 1, l4.d1), ...method(dataset, 4, 'gd', 2, l4.d2), ...method(dataset, 4, 'gd', 3, l4.d3));
    rows.push(...method(dataset, 4, 'adagrad', 1, l4.adagrad), ...method(dataset, 4, 'adadelta', 1, l4.adadelta));
    rows.push(...method(dataset, 2, 'gd', 1, l2.d1), ...method(dataset, 2, 'gd', 2, l2.d2), ...method(dataset, 2, 'gd', 3, l2.d3));
    rows.push(...method(dataset, 2, 'adagrad', 1, 100), ...method(dataset, 2, 'adadelta', 1, 100));
  }
  for (const net of ['original', 'overparameterized'] as const)
    for (let step = 1; step <= 10; step++)
      rows.push({
        part: 'mnist',
        dataset: 'mnist',
        p: 0,
        method: net,
        depth: 1,
        learning_rate: 0.01,
        metric: 'step_loss',
        iteration: step,
        value: mnist[net],
      });
  for (const p of [2, 4]) {
    for (const depth of [2, 3])
      for (const step of [0.1, 0.01, 0.001])
        rows.push({
          ...base,
          part: 'theory',
          dataset: 'boston',
          p,
          method: 'theory',
          depth,
          learning_rate: step,
          metric: 'theorem1_relative_gap',
          value: gap(step),
        });
    for (const depth of [1, 2, 3])
      rows.push({
        ...base,
        part: 'theory',
        dataset: 'boston',
        p,
        method: 'theory',
        depth,
        learning_rate: 0,
        metric: 'circulation',
        value: depth === 1 ? circulation.flat : circulation.deep,
      });
  }
  return rows;
}

const ROLES: Record<string, 'core' | 'supporting'> = {
  'l4-depth2-faster-than-depth1': 'core',
  'l4-depth3-faster-than-depth1': 'core',
  'l4-depth2-faster-than-adagrad': 'core',
  'l4-depth2-faster-than-adadelta': 'core',
  'l2-no-speedup-from-depth': 'core',
  'mnist-overparameterized-loss-falls-faster': 'core',
  'theorem1-closed-form': 'core',
  'theorem1-gap-first-order': 'supporting',
  'theorem2-not-conservative': 'core',
  'theorem2-depth1-conservative': 'supporting',
  'synthetic-l4-depth2-faster-than-depth1': 'supporting',
  'synthetic-l4-depth3-faster-than-depth1': 'supporting',
  'synthetic-l2-no-speedup-from-depth': 'supporting',
  'best-rates-inside-grids': 'supporting',
};

const { checksOf, failing } = claimChecker(claim, { profile: 'quick', config: PROFILES.quick });
const byId = (rows: ResultRow[], id: string) => checksOf(rows).find((c) => c.id === id)!;

describe('overparameterization claim checks', () => {
  it("pass with their roles on one seed's rows with the paper's pattern, with the statistics computed by hand", () => {
    const rows = rowsOf();
    const checks = checksOf(rows);
    expect(checks.map((c) => c.id)).toEqual(Object.keys(ROLES));
    for (const c of checks) expect(c.role).toBe(ROLES[c.id]);
    expect(failing(rows)).toEqual([]);
    const value = (id: string) => checks.find((c) => c.id === id)!.value as number;
    expect(value('l4-depth2-faster-than-depth1')).toBe(4);
    expect(value('l4-depth3-faster-than-depth1')).toBeCloseTo(400 / 120, 12);
    expect(value('l4-depth2-faster-than-adagrad')).toBe(3);
    expect(value('l4-depth2-faster-than-adadelta')).toBe(5);
    expect(value('l2-no-speedup-from-depth')).toBeCloseTo(100 / 110, 12);
    expect(value('mnist-overparameterized-loss-falls-faster')).toBe(0.5);
    expect(value('theorem1-closed-form')).toBe(0.001);
    expect(value('theorem1-gap-first-order')).toBeCloseTo(0, 12);
    expect(value('theorem2-not-conservative')).toBe(0.01);
    expect(value('best-rates-inside-grids')).toBe(0);
    // The rule picks 0.2 (fewest iterations), not the divergent 0.4.
    expect(bestOf(rows, { dataset: 'boston', p: 4, method: 'gd', depth: 2 })).toMatchObject({ rate: 0.2, iterations: 100 });
    expect(outcomesOf(rows, { dataset: 'boston', p: 4, method: 'gd', depth: 2 }).map((o) => o.diverged)).toEqual([false, false, true]);
  });

  it('every check fails with a missing statistic on an empty table', () => {
    const checks = checksOf([]);
    expect(checks.map((c) => c.id)).toEqual(Object.keys(ROLES));
    for (const c of checks) {
      expect(c.pass).toBe(false);
      expect(c.value).toBeNull();
    }
  });

  it('fail where depth does not accelerate l_4, adaptive methods win, or depth speeds up l_2', () => {
    const noGain = rowsOf({ l4: { d1: 150, d2: 100, d3: 100, adagrad: 300, adadelta: 500 } });
    expect(failing(noGain)).toEqual([
      'l4-depth2-faster-than-depth1',
      'l4-depth3-faster-than-depth1',
      'synthetic-l4-depth2-faster-than-depth1',
      'synthetic-l4-depth3-faster-than-depth1',
    ]);
    expect(byId(noGain, 'l4-depth2-faster-than-depth1').value).toBe(1.5);
    // AdaGrad as fast as depth 2: the ratio 1 is not > 1.
    expect(failing(rowsOf({ l4: { d1: 400, d2: 100, d3: 120, adagrad: 100, adadelta: 90 } }))).toEqual([
      'l4-depth2-faster-than-adagrad',
      'l4-depth2-faster-than-adadelta',
    ]);
    expect(failing(rowsOf({ l2: { d1: 100, d2: 60, d3: 200 } }))).toEqual([
      'l2-no-speedup-from-depth',
      'synthetic-l2-no-speedup-from-depth',
    ]);
    expect(byId(rowsOf({ l2: { d1: 100, d2: 60, d3: 200 } }), 'l2-no-speedup-from-depth').value).toBeCloseTo(100 / 60, 12);
  });

  it('fail where MNIST shows no acceleration or the theory does not hold', () => {
    expect(failing(rowsOf({ mnist: { original: 1, overparameterized: 0.95 } }))).toEqual(['mnist-overparameterized-loss-falls-faster']);
    // A gap that does not shrink with the step: neither within tolerance nor first order.
    expect(failing(rowsOf({ gap: () => 0.01 }))).toEqual(['theorem1-closed-form', 'theorem1-gap-first-order']);
    // A second-order gap passes the tolerance but not the first-order slope.
    expect(failing(rowsOf({ gap: (s) => s * s }))).toEqual(['theorem1-gap-first-order']);
    expect(failing(rowsOf({ circulation: { deep: 1e-6, flat: 1e-6 } }))).toEqual([
      'theorem2-not-conservative',
      'theorem2-depth1-conservative',
    ]);
  });

  it('count a best rate at a grid end', () => {
    // depth 1 on l_4: the fastest rate is the largest of its grid once the divergent one is gone.
    const rows = rowsOf().filter(
      (r) => !(r.dataset === 'boston' && r.p === 4 && r.method === 'gd' && r.depth === 1 && r.learning_rate === 0.4),
    );
    const check = byId(rows, 'best-rates-inside-grids');
    expect(check).toMatchObject({ pass: false, value: 1 });
    expect(check.ours).toContain('boston p=4 gd1');
  });
});
