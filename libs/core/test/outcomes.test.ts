import { describe, expect, it } from 'vitest';
import type { Check } from '../src/claims.ts';
import { assertConsistent, checkOutcomes, experimentOutcome, outcomeOf } from '../src/outcomes.ts';

const check = (id: string, pass: boolean, extra: Partial<Check> = {}): Check => ({
  id,
  description: id,
  paper: '-',
  role: 'core',
  value: pass ? 1 : 0,
  bound: { op: '>=', value: 0.5 },
  ours: pass ? '1' : '0',
  threshold: '>= 0.5',
  pass,
  ...extra,
});

/** Per-seed checks from a pattern per check id, e.g. { a: [true, true, false] }. */
function table(pattern: Record<string, boolean[]>, extra: Record<string, Partial<Check>> = {}): Check[][] {
  const n = Object.values(pattern)[0].length;
  return Array.from({ length: n }, (_, j) => Object.entries(pattern).map(([id, p]) => check(id, p[j], extra[id])));
}

const REFUTED = { refutedBy: { citation: 'Later et al. (2022)', sentence: 'it does not hold' } };

describe('outcomes over seeds', () => {
  it('a check is REPRODUCED at every seed, NOT REPRODUCED at none, INCONCLUSIVE when mixed', () => {
    expect(outcomeOf([true, true, true])).toBe('REPRODUCED');
    expect(outcomeOf([false, false, false])).toBe('NOT REPRODUCED');
    expect(outcomeOf([true, false, true])).toBe('INCONCLUSIVE');
    expect(() => outcomeOf([])).toThrow(/no seeds/);
  });

  it('an experiment is REPRODUCED when every core check is as expected', () => {
    const o = checkOutcomes([0, 1, 2], table({ a: [true, true, true], b: [true, true, true] }));
    expect(o.map((c) => [c.outcome, c.expected])).toEqual([
      ['REPRODUCED', 'REPRODUCED'],
      ['REPRODUCED', 'REPRODUCED'],
    ]);
    expect(experimentOutcome(o)).toBe('REPRODUCED');
  });

  it('NOT REPRODUCED when any core check comes out against its expectation, INCONCLUSIVE when mixed', () => {
    expect(experimentOutcome(checkOutcomes([0, 1, 2], table({ a: [true, true, true], b: [false, false, false] })))).toBe('NOT REPRODUCED');
    expect(experimentOutcome(checkOutcomes([0, 1, 2], table({ a: [true, true, true], b: [true, false, true] })))).toBe('INCONCLUSIVE');
    // a definite failure outweighs a mixed check
    expect(experimentOutcome(checkOutcomes([0, 1, 2], table({ a: [false, false, false], b: [true, false, true] })))).toBe('NOT REPRODUCED');
  });

  it('a statement refuted by later work is expected NOT to reproduce', () => {
    const asExpected = checkOutcomes([0, 1, 2], table({ a: [true, true, true], r: [false, false, false] }, { r: REFUTED }));
    expect(asExpected.find((c) => c.id === 'r')).toMatchObject({
      outcome: 'NOT REPRODUCED',
      expected: 'NOT REPRODUCED',
      refutedBy: REFUTED.refutedBy,
    });
    expect(experimentOutcome(asExpected)).toBe('REPRODUCED');
    const against = checkOutcomes([0, 1, 2], table({ a: [true, true, true], r: [true, true, true] }, { r: REFUTED }));
    expect(experimentOutcome(against)).toBe('NOT REPRODUCED');
  });

  it('supporting checks never decide the outcome, and a claim without core checks is an error', () => {
    const o = checkOutcomes([0, 1, 2], table({ a: [true, true, true], s: [false, false, false] }, { s: { role: 'supporting' } }));
    expect(experimentOutcome(o)).toBe('REPRODUCED');
    const onlySupporting = checkOutcomes([0, 1], table({ s: [true, true] }, { s: { role: 'supporting' } }));
    expect(() => experimentOutcome(onlySupporting)).toThrow(/no core check/);
  });

  it('keeps per-seed values and their spread, and the interval only for numeric values', () => {
    const perSeed = [0.2, 0.9, 0.6].map((v) => [check('a', v >= 0.5, { value: v })]);
    const [a] = checkOutcomes([4, 5, 6], perSeed);
    expect(a.seeds).toEqual([4, 5, 6]);
    expect(a.values).toEqual([0.2, 0.9, 0.6]);
    expect(a.passes).toEqual([false, true, true]);
    expect(a.stats).toMatchObject({ min: 0.2, max: 0.9 });
    expect(a.stats!.mean).toBeCloseTo(1.7 / 3, 12);
    expect(a.stats!.interval.low).toBeGreaterThanOrEqual(0.2);
    expect(a.stats!.interval.high).toBeLessThanOrEqual(0.9);
    const [b] = checkOutcomes([0, 1], [[check('b', true, { value: true, bound: undefined })], [check('b', false, { value: null })]]);
    expect(b.stats).toBeUndefined();
  });

  it('refuses checks whose pass disagrees with their statistic, and seeds that report different checks', () => {
    expect(() => assertConsistent(check('a', true, { value: 0.1 }), 0)).toThrow(/pass is true but its value 0.1/);
    expect(() => assertConsistent(check('a', true, { value: null }), 0)).toThrow(/pass is true/);
    expect(() => assertConsistent(check('a', false, { value: true, bound: undefined }), 0)).toThrow(/pass is false/);
    expect(() => assertConsistent(check('a', true, { value: 3, bound: undefined }), 0)).toThrow(/needs a bound/);
    expect(() => checkOutcomes([0, 1], [[check('a', true)], [check('b', true)]])).toThrow(/every seed must compute the same checks/);
    expect(() => checkOutcomes([0, 1], [[check('a', true)]])).toThrow(/2 seeds but 1/);
  });
});
