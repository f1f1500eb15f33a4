import { describe, expect, it } from 'vitest';
import { PROFILES } from '../config.ts';
import { claim, growthFactor } from '../claim.ts';
import { type ResultRow } from '../results.ts';

type Gen = (layer: number, width: number) => { transitions: number; length: number };

/** Path rows for one condition: widths, layers 0..depth (depth >= budget / width), one seed. */
function condition(activation: string, s: number, widths: number[], budget: number, gen: Gen): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const w of widths) {
    const depth = Math.max(6, budget / w);
    for (let l = 0; l <= depth; l++) {
      const base = { sweep: 'path', activation, sigma_w2: s, sigma_b2: 0, width: w, depth, layer: l, seed: 0 };
      const g = gen(l, w);
      rows.push({ ...base, metric: 'length', value: g.length });
      if (l > 0) rows.push({ ...base, metric: 'transitions', value: g.transitions }, { ...base, metric: 'regions', value: g.transitions });
    }
  }
  return rows;
}

const sawtooth = (ok = true): ResultRow[] =>
  [1, 2, 3, 4].map((l) => ({
    sweep: 'sawtooth',
    activation: 'relu',
    sigma_w2: 0,
    sigma_b2: 0,
    width: 2,
    depth: 4,
    layer: l,
    seed: 0,
    metric: 'regions',
    value: ok || l < 4 ? 2 ** l : 15,
  }));

const widths = [8, 16, 32];
const ctx = { profile: 'quick' as const, config: { ...PROFILES.quick, chaoticSigmaW2: 8, budget: 32 } };
// Theorem 3(b) rates at width 32: sigma_w^2 = 8 -> 1.62.
const rowsOf = (reluLengthFactor: number, chaoticFactor = 3): ResultRow[] => [
  ...condition('hard-tanh', 0.5, widths, 32, (l, w) => ({ transitions: w, length: 10 * 0.7 ** l })),
  ...condition('hard-tanh', 8, widths, 32, (l, w) => ({ transitions: 4 * w * chaoticFactor ** l, length: 10 * 1.6 ** l })),
  ...condition('relu', 2, widths, 32, (l, w) => ({ transitions: 2 * w * l, length: 10 * reluLengthFactor ** l })),
  ...sawtooth(),
];

describe('linear-regions claim checks', () => {
  it("pass on rows with the papers' pattern, and Theorem 3(a) fails when ReLU length is preserved", () => {
    const checks = claim.checks(rowsOf(1), ctx);
    expect(checks).toHaveLength(9);
    expect(checks.filter((c) => !c.pass).map((c) => c.id)).toEqual(['relu-length-theorem3a']);
    expect(
      claim
        .checks(rowsOf(1.45), ctx)
        .filter((c) => !c.pass)
        .map((c) => c.id),
    ).toEqual(['he-relu-length-preserved']);
  });

  it('fail where growth is not geometric, the sawtooth is short of 2^L, or a regime is missing', () => {
    const flat = claim
      .checks(rowsOf(1, 1.0), ctx)
      .filter((c) => !c.pass)
      .map((c) => c.id);
    expect(flat).toEqual(expect.arrayContaining(['chaotic-transitions-geometric-in-depth', 'depth-beats-width-equal-budget']));
    const badSaw = [...rowsOf(1).filter((r) => r.sweep !== 'sawtooth'), ...sawtooth(false)];
    expect(claim.checks(badSaw, ctx).find((c) => c.id === 'sawtooth-exponential-regions')?.pass).toBe(false);
    const noOrdered = rowsOf(1).filter((r) => r.sigma_w2 !== 0.5);
    expect(claim.checks(noOrdered, ctx).find((c) => c.id === 'sigma-separates-regimes')?.pass).toBe(false);
    expect(claim.checks([], ctx).every((c) => !c.pass)).toBe(true);
  });

  it('fits the per-layer growth factor of a geometric series exactly', () => {
    const g = growthFactor(new Map([1, 2, 3, 4, 5].map((l) => [l, 3 * 1.7 ** l])));
    expect(g.factor).toBeCloseTo(1.7, 10);
    expect(g.r2).toBeCloseTo(1, 10);
  });
});
