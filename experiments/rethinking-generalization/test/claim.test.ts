import { describe, expect, it } from 'vitest';
import { claimChecker } from '@claimlab/core/testing';
import { PROFILES } from '../config.ts';
import { claim, summariseConditions } from '../claim.ts';
import { type ResultRow } from '../results.ts';

/** One seed's rows of a condition that reaches `finalTrain` at epoch `epochs`, 10 steps per epoch. */
function condition(name: string, p: number, epochs: number, finalTrain: number, finalTest: number): ResultRow[] {
  return Array.from({ length: epochs }, (_, i) => ({
    condition: name,
    label_corruption: p,
    labels_changed: p * 0.9,
    epoch: i + 1,
    steps: (i + 1) * 10,
    learning_rate: 0.05,
    loss: 1 / (i + 1),
    train_accuracy: i === epochs - 1 ? finalTrain : 0.5,
    test_accuracy: finalTest,
  }));
}

const ctx = { profile: 'quick' as const, config: { ...PROFILES.quick, testSize: 1000 } };

const ROLES: Record<string, 'core' | 'supporting'> = {
  'all-conditions-fit': 'core',
  'random-labels-test-at-chance': 'core',
  'true-labels-generalize': 'core',
  'random-labels-small-slowdown': 'core',
  'slowdown-grows-with-corruption': 'supporting',
  'test-error-grows-with-corruption': 'core',
  'random-labels-slowest': 'supporting',
};

const { checksOf, failing } = claimChecker(claim, ctx);
const byId = (rows: ResultRow[], id: string) => checksOf(rows).find((c) => c.id === id)!;

function reproducing(): ResultRow[] {
  return [
    ...condition('true-labels', 0, 3, 1, 0.9),
    ...condition('partial-labels-0.5', 0.5, 8, 1, 0.6),
    ...condition('random-labels', 1, 20, 1, 0.1),
    ...condition('gaussian', 0, 5, 1, 0.1),
  ];
}

describe('rethinking-generalization claim checks', () => {
  it("all pass, each with its role and a numeric statistic, on one seed's rows that show the paper's pattern", () => {
    const checks = checksOf(reproducing());
    expect(checks.map((c) => c.id)).toEqual(Object.keys(ROLES));
    expect(checks.filter((c) => !c.pass).map((c) => c.id)).toEqual([]);
    for (const c of checks) {
      expect(c.role).toBe(ROLES[c.id]);
      expect(typeof c.value).toBe('number');
      expect(c.bound).toBeDefined();
      expect(c.refutedBy).toBeUndefined();
    }
    const value = (id: string) => checks.find((c) => c.id === id)!.value;
    expect(value('all-conditions-fit')).toBe(1);
    expect(value('random-labels-small-slowdown')).toBeCloseTo(200 / 30, 12);
    expect(value('random-labels-slowest')).toBeCloseTo(200 / 50, 12);
  });

  it('every check fails with a missing statistic on an empty table', () => {
    const checks = checksOf([]);
    expect(checks).toHaveLength(7);
    for (const c of checks) {
      expect(c.pass).toBe(false);
      expect(c.value).toBeNull();
    }
  });

  it("summarises steps to the fit threshold per condition from that seed's single run", () => {
    const s = summariseConditions(reproducing());
    expect(s.find((x) => x.condition === 'random-labels')?.stepsToFit).toBe(200);
    expect(s.find((x) => x.condition === 'true-labels')?.stepsToFit).toBe(30);
    const unfit = summariseConditions(condition('random-labels', 1, 4, 0.9, 0.1))[0];
    expect(unfit.stepsToFit).toBeNull();
    expect(unfit.stepsRun).toBe(40);
    // Two runs of one condition are not one seed's rows.
    expect(() => summariseConditions([...reproducing(), ...condition('true-labels', 0, 3, 1, 0.9)])).toThrow(/epoch 1 twice/);
  });

  it('fail where the pattern breaks', () => {
    const rows = [
      ...condition('true-labels', 0, 3, 1, 0.7), // generalizes poorly
      ...condition('partial-labels-0.5', 0.5, 30, 1, 0.6), // slower than random labels
      ...condition('random-labels', 1, 40, 0.95, 0.2), // never fits, test above chance
      ...condition('gaussian', 0, 5, 1, 0.1),
    ];
    expect(failing(rows)).toEqual([
      'all-conditions-fit',
      'random-labels-test-at-chance',
      'true-labels-generalize',
      'random-labels-small-slowdown',
      'random-labels-slowest',
    ]);
    // Random labels never fit: the slowdown and the slowest-condition statistics are missing, not vacuous passes.
    expect(byId(rows, 'random-labels-small-slowdown').value).toBeNull();
    expect(byId(rows, 'random-labels-slowest').value).toBeNull();
    expect(byId(rows, 'all-conditions-fit').value).toBe(0.95);
  });

  it('random labels must be the slowest condition', () => {
    const rows = [...reproducing().filter((r) => r.condition !== 'gaussian'), ...condition('gaussian', 0, 25, 1, 0.1)];
    expect(failing(rows)).toEqual(['random-labels-slowest']);
    expect(byId(rows, 'random-labels-slowest').value).toBeCloseTo(200 / 250, 12);
    // Another Figure 1a condition that never fit is slower than random labels.
    const unfitGaussian = [...reproducing().filter((r) => r.condition !== 'gaussian'), ...condition('gaussian', 0, 25, 0.5, 0.1)];
    expect(byId(unfitGaussian, 'random-labels-slowest')).toMatchObject({ pass: false, value: 0 });
  });

  it('random-labels-slowest fails, with no statistic, when random labels or none of the other Figure 1a conditions fit', () => {
    const randomUnfit = [...reproducing().filter((r) => r.condition !== 'random-labels'), ...condition('random-labels', 1, 20, 0.5, 0.1)];
    expect(byId(randomUnfit, 'random-labels-slowest')).toMatchObject({ pass: false, value: null });
    const othersUnfit = [
      ...condition('true-labels', 0, 3, 0.5, 0.9),
      ...condition('random-labels', 1, 20, 1, 0.1),
      ...condition('gaussian', 0, 5, 0.5, 0.1),
    ];
    expect(byId(othersUnfit, 'random-labels-slowest')).toMatchObject({ pass: false, value: null });
    const randomAlone = condition('random-labels', 1, 20, 1, 0.1);
    expect(byId(randomAlone, 'random-labels-slowest')).toMatchObject({ pass: false, value: null });
  });

  it('a slowdown beyond an order of magnitude fails', () => {
    const rows = [
      ...condition('true-labels', 0, 2, 1, 0.9),
      ...condition('partial-labels-0.5', 0.5, 10, 1, 0.5),
      ...condition('random-labels', 1, 30, 1, 0.1),
    ];
    expect(byId(rows, 'random-labels-small-slowdown')).toMatchObject({ pass: false, value: 15 });
    expect(failing(rows)).toEqual(['random-labels-small-slowdown']);
  });

  it('fail when steps to fit and test error do not grow with the corruption level', () => {
    const rows = [
      ...condition('true-labels', 0, 20, 1, 0.9),
      ...condition('partial-labels-0.5', 0.5, 10, 1, 0.95), // faster and better than true labels
      ...condition('random-labels', 1, 8, 1, 0.1),
      ...condition('gaussian', 0, 5, 1, 0.1),
    ];
    expect(failing(rows)).toEqual(['slowdown-grows-with-corruption', 'test-error-grows-with-corruption', 'random-labels-slowest']);
    expect(byId(rows, 'slowdown-grows-with-corruption').value).toBeCloseTo(-1, 12);
    expect(byId(rows, 'test-error-grows-with-corruption').value).toBeCloseTo(0.5, 12);
  });

  it('rank correlations need three corruption levels', () => {
    const rows = reproducing().filter((r) => r.condition !== 'partial-labels-0.5');
    expect(byId(rows, 'slowdown-grows-with-corruption')).toMatchObject({ pass: false, value: null });
    expect(byId(rows, 'test-error-grows-with-corruption')).toMatchObject({ pass: false, value: null });
  });
});
