import { describe, expect, it } from 'vitest';
import { PROFILES } from '../config.ts';
import { claim, summariseConditions } from '../claim.ts';
import { type ResultRow } from '../results.ts';

/** Rows of a condition that reaches `finalTrain` at epoch `epochs` with `stepsPerEpoch` steps per epoch. */
function condition(name: string, p: number, epochs: number, finalTrain: number, finalTest: number): ResultRow[] {
  return Array.from({ length: epochs }, (_, i) => ({
    condition: name,
    label_corruption: p,
    repeat: 0,
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

function reproducing(): ResultRow[] {
  return [
    ...condition('true-labels', 0, 3, 1, 0.9),
    ...condition('partial-labels-0.5', 0.5, 8, 1, 0.6),
    ...condition('random-labels', 1, 20, 1, 0.1),
    ...condition('gaussian', 0, 5, 1, 0.1),
  ];
}

describe('rethinking-generalization claim checks', () => {
  it("all pass on rows that show the paper's pattern", () => {
    const checks = claim.checks(reproducing(), ctx);
    expect(checks.filter((c) => !c.pass).map((c) => c.id)).toEqual([]);
    expect(checks).toHaveLength(7);
  });

  it('summarises steps to the fit threshold per condition', () => {
    const s = summariseConditions(reproducing());
    expect(s.find((x) => x.condition === 'random-labels')?.stepsToFit).toBe(200);
    expect(s.find((x) => x.condition === 'true-labels')?.stepsToFit).toBe(30);
  });

  it('fail where the pattern breaks', () => {
    const rows = [
      ...condition('true-labels', 0, 3, 1, 0.7), // generalizes poorly
      ...condition('partial-labels-0.5', 0.5, 30, 1, 0.6), // slower than random labels
      ...condition('random-labels', 1, 40, 0.95, 0.2), // never fits, test above chance
      ...condition('gaussian', 0, 5, 1, 0.1),
    ];
    const failed = claim
      .checks(rows, ctx)
      .filter((c) => !c.pass)
      .map((c) => c.id);
    expect(failed).toEqual(
      expect.arrayContaining([
        'all-conditions-fit',
        'random-labels-test-at-chance',
        'true-labels-generalize',
        'random-labels-small-slowdown',
      ]),
    );
  });

  it('random labels must be the slowest condition', () => {
    const rows = [...reproducing().filter((r) => r.condition !== 'gaussian'), ...condition('gaussian', 0, 25, 1, 0.1)];
    const failed = claim
      .checks(rows, ctx)
      .filter((c) => !c.pass)
      .map((c) => c.id);
    expect(failed).toEqual(['random-labels-slowest']);
  });

  it('a slowdown beyond an order of magnitude fails', () => {
    const rows = [
      ...condition('true-labels', 0, 2, 1, 0.9),
      ...condition('partial-labels-0.5', 0.5, 10, 1, 0.5),
      ...condition('random-labels', 1, 30, 1, 0.1),
    ];
    expect(claim.checks(rows, ctx).find((c) => c.id === 'random-labels-small-slowdown')?.pass).toBe(false);
  });
});
