import { describe, expect, it } from 'vitest';
import { chooseBudget } from '../budget.ts';
import { PROFILES, type UniversalConfig } from '../config.ts';
import type { ResultRow } from '../results.ts';

const [spec] = PROFILES.quick.models;
const config: UniversalConfig = {
  ...PROFILES.quick,
  xis: [0.1, 0.2, 0.3],
  maxRandomFooling: 0.1,
  models: [
    { ...spec, name: 'a' },
    { ...spec, name: 'b' },
  ],
};

/** Random fooling-rate rows: rates[model][k] at config.xis[k]. */
const table = (rates: Record<string, number[]>): ResultRow[] =>
  Object.entries(rates).flatMap(([m, r]) =>
    config.xis.map((xi, k) => ({
      source: '-',
      method: 'random',
      layer: '-',
      n_images: 0,
      xi,
      attacked: m,
      eval_set: 'test',
      metric: 'fooling_rate',
      value: r[k],
    })),
  );

describe('the budget rule', () => {
  it('picks the largest budget at which random noise fools at most 10% on every model', () => {
    const b = chooseBudget(table({ a: [0.01, 0.05, 0.2], b: [0.02, 0.1, 0.12] }), config);
    expect(b.xi).toBe(0.2); // 0.1 on b is "at most 0.1"; 0.3 fails on both
    expect(b.randomRates).toEqual({ a: [0.01, 0.05, 0.2], b: [0.02, 0.1, 0.12] });
    expect(b.row).toMatchObject({ method: 'budget-rule', metric: 'main_xi', xi: 0.2, value: 0.2 });
    expect(b.explanation).toMatch(/xi = 0.2/);
  });

  it('one model above the limit rules a budget out for all', () => {
    expect(chooseBudget(table({ a: [0.01, 0.02, 0.03], b: [0.05, 0.11, 0.05] }), config).xi).toBe(0.3); // largest qualifying, even past a failing one
    expect(chooseBudget(table({ a: [0.01, 0.02, 0.03], b: [0.05, 0.11, 0.5] }), config).xi).toBe(0.1);
  });

  it('takes the budgets in increasing order whatever the config lists', () => {
    const shuffled = { ...config, xis: [0.3, 0.1, 0.2] };
    const rows = table({ a: [0.01, 0.05, 0.2], b: [0.01, 0.05, 0.2] }); // at xis 0.1, 0.2, 0.3
    expect(chooseBudget(rows, shuffled).xi).toBe(0.2);
  });

  it('says so, with the rates, when no budget qualifies or a rate is missing', () => {
    expect(() => chooseBudget(table({ a: [0.2, 0.3, 0.4], b: [0.01, 0.02, 0.03] }), config)).toThrow(
      /no budget qualifies .*a: 0.200 0.300 0.400.*Add a smaller budget/,
    );
    expect(() => chooseBudget(table({ a: [0.01, 0.02, 0.03] }), config)).toThrow(/no random fooling rate of model 'b' at xi = 0.1/);
    expect(() => chooseBudget(table({ a: [0.01, NaN, 0.03], b: [0, 0, 0] }), config)).toThrow(/model 'a' at xi = 0.2/);
  });
});
