import { describe, expect, it } from 'vitest';
import { bestRate, levelOf, LEVEL_FRACTION, recordedIterations, type RateOutcome } from '../selection.ts';

const o = (rate: number, iterations: number, reached: boolean, finalLoss: number, diverged = false): RateOutcome => ({
  rate,
  iterations,
  reached,
  finalLoss,
  diverged,
});

describe('the learning-rate rule and the loss level', () => {
  it('puts the level at L* + 1e-3 of the initial excess', () => {
    expect(LEVEL_FRACTION).toBe(1e-3);
    expect(levelOf(2, 1)).toBeCloseTo(1.001, 15);
  });

  it('picks the fewest iterations to the level, excludes divergent runs, breaks ties to the smaller rate', () => {
    expect(bestRate([o(0.1, 50, true, 1), o(0.2, 30, true, 1), o(0.4, 10, false, NaN, true)])!.rate).toBe(0.2);
    expect(bestRate([o(0.2, 30, true, 1), o(0.1, 30, true, 0.5)])!.rate).toBe(0.1);
    // A run that reaches the level beats every censored one; among censored runs the lowest final loss wins.
    expect(bestRate([o(0.1, 100, false, 0.1), o(0.2, 100, true, 0.3)])!.rate).toBe(0.2);
    expect(bestRate([o(0.1, 100, false, 0.3), o(0.2, 100, false, 0.2)])!.rate).toBe(0.2);
    expect(bestRate([o(0.1, 1, false, 0, true)])).toBeNull();
    expect(bestRate([])).toBeNull();
  });

  it('records every iteration up to 10, then about 25 per decade, and the budget', () => {
    const r = recordedIterations(1000);
    expect(r.slice(0, 11)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r[r.length - 1]).toBe(1000);
    expect(r.filter((t) => t > 100 && t < 1000).length).toBe(24);
  });
});
