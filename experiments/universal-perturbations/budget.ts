// The papers' criterion for the budget, applied per seed after training and before any attack.
import { fmt } from '@claimlab/core';
import type { UniversalConfig } from './config.ts';
import type { ResultRow } from './results.ts';

export interface Budget {
  /** The main budget: the largest xi of the sweep at which random noise fools at most maxRandomFooling on every model. */
  xi: number;
  /** The random fooling rate of each model at each budget of the sweep (config.xis order): what chose xi. */
  randomRates: Record<string, number[]>;
  explanation: string;
  /** The choice as a results.csv row (metric main_xi), so the table records it. */
  row: ResultRow;
}

/**
 * Moosavi-Dezfooli et al. and Khrulkov & Oseledets pick a budget at which the perturbation is
 * quasi-imperceptible and random noise of the same norm rarely changes a label. Fixed before any
 * attack: the main xi is the largest budget of `config.xis` at which the random fooling rate
 * (rows of method 'random') is at most `config.maxRandomFooling` on every model of `config.models`.
 */
export function chooseBudget(rows: ResultRow[], config: UniversalConfig): Budget {
  const xis = [...config.xis].sort((a, b) => a - b);
  const randomRates: Record<string, number[]> = {};
  for (const m of config.models) {
    randomRates[m.name] = xis.map((xi) => {
      const hit = rows.find((r) => r.method === 'random' && r.attacked === m.name && r.xi === xi && r.metric === 'fooling_rate');
      if (!hit || !Number.isFinite(hit.value))
        throw new Error(
          `budget rule: no random fooling rate of model '${m.name}' at xi = ${xi} (phase 1 must measure every model at every budget)`,
        );
      return hit.value;
    });
  }
  const rule = `the largest xi of ${xis.join('/')} at which random ${config.randomKind} noise changes at most ${config.maxRandomFooling} of held-out labels on every model`;
  const rates = Object.entries(randomRates)
    .map(([m, r]) => `${m}: ${r.map((v) => fmt(v, 3)).join(' ')}`)
    .join('; ');
  const ok = xis.filter((_, i) => Object.values(randomRates).every((r) => r[i] <= config.maxRandomFooling));
  if (ok.length === 0)
    throw new Error(
      `budget rule: no budget qualifies (${rule}); random rates per xi: ${rates}. Add a smaller budget to xis (--set xis=...)`,
    );
  const xi = ok[ok.length - 1];
  return {
    xi,
    randomRates,
    explanation: `budget rule (${rule}): xi = ${xi}; random rates per xi: ${rates}`,
    row: { source: '-', method: 'budget-rule', layer: '-', n_images: 0, xi, attacked: '-', eval_set: 'test', metric: 'main_xi', value: xi },
  };
}
