import { describe, expect, it } from 'vitest';
import { claimChecker } from '@claimlab/core/testing';
import { PROFILES } from '../config.ts';
import { claim, fold, growthFactor, HANIN_JEONG_ROLNICK_2022 } from '../claim.ts';
import { type ResultRow } from '../results.ts';

type Gen = (layer: number, width: number) => { transitions: number; length: number };

/** One seed's path rows for one condition: widths, layers 0..depth (depth >= budget / width), one network. */
function condition(activation: string, s: number, widths: number[], budget: number, gen: Gen): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const w of widths) {
    const depth = Math.max(6, budget / w);
    for (let l = 0; l <= depth; l++) {
      const base = { sweep: 'path', activation, sigma_w2: s, sigma_b2: 0, width: w, depth, layer: l, network: 0 };
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
    network: 0,
    metric: 'regions',
    value: ok || l < 4 ? 2 ** l : 15,
  }));

const widths = [8, 16, 32];
const ctx = { profile: 'quick' as const, config: { ...PROFILES.quick, chaoticSigmaW2: 8, budget: 32 } };

interface Shape {
  /** Per-layer factor of the ReLU (He) trajectory length. */
  reluLength?: number;
  /** Per-layer factor of the chaotic hard-tanh transitions. */
  chaoticTransitions?: number;
  /** Per-layer factor of the chaotic hard-tanh length (Theorem 3(b) rate at width 32, sigma_w^2 = 8: 1.61). */
  chaoticLength?: number;
  /** ReLU transitions at layer l and width w. */
  reluTransitions?: (l: number, w: number) => number;
  /** Multiplies the chaotic transitions at layer l (a zig-zag breaks the geometric fit). */
  chaoticNoise?: (l: number) => number;
}

const rowsOf = ({
  reluLength = 1,
  chaoticTransitions = 3,
  chaoticLength = 1.6,
  reluTransitions = (l, w) => 2 * w * l,
  chaoticNoise = () => 1,
}: Shape = {}): ResultRow[] => [
  ...condition('hard-tanh', 0.5, widths, 32, (l, w) => ({ transitions: w, length: 10 * 0.7 ** l })),
  ...condition('hard-tanh', 8, widths, 32, (l, w) => ({
    transitions: 4 * w * chaoticTransitions ** l * chaoticNoise(l),
    length: 10 * chaoticLength ** l,
  })),
  ...condition('relu', 2, widths, 32, (l, w) => ({ transitions: reluTransitions(l, w), length: 10 * reluLength ** l })),
  ...sawtooth(),
];

const ROLES: Record<string, 'core' | 'supporting'> = {
  'chaotic-transitions-geometric-in-depth': 'core',
  'chaotic-transitions-theorem3b-rate': 'core',
  'depth-beats-width-equal-budget': 'core',
  'equal-budget-transitions-rise-with-depth': 'supporting',
  'length-growth-matches-theorem3b': 'core',
  'sigma-separates-regimes-ordered': 'supporting',
  'sigma-separates-regimes-chaotic': 'supporting',
  'sawtooth-exponential-regions': 'supporting',
  'he-relu-transitions-linear-in-neurons': 'core',
  'he-relu-equal-budget-depth-independent': 'core',
  'he-relu-length-preserved': 'core',
  'relu-length-theorem3a': 'core',
};

const { checksOf, failing } = claimChecker(claim, ctx);
const byId = (rows: ResultRow[], id: string) => checksOf(rows).find((c) => c.id === id)!;

describe('linear-regions claim checks', () => {
  it("pass with their roles on one seed's rows with the papers' pattern; Theorem 3(a), refuted by later work, fails when ReLU length is preserved", () => {
    const checks = checksOf(rowsOf());
    expect(checks.map((c) => c.id)).toEqual(Object.keys(ROLES));
    for (const c of checks) {
      expect(c.role).toBe(ROLES[c.id]);
      expect(typeof c.value).toBe('number');
      expect(c.bound).toBeDefined();
    }
    expect(checks.filter((c) => !c.pass).map((c) => c.id)).toEqual(['relu-length-theorem3a']);
    // The refuted statement is the only one marked so, and it cites the refuting work.
    expect(checks.filter((c) => c.refutedBy).map((c) => c.id)).toEqual(['relu-length-theorem3a']);
    expect(checks.find((c) => c.id === 'relu-length-theorem3a')!.refutedBy).toEqual(HANIN_JEONG_ROLNICK_2022);
    expect(HANIN_JEONG_ROLNICK_2022.citation).toBe('Hanin, Jeong & Rolnick (2022). Deep ReLU Networks Preserve Expected Length. ICLR.');
    const value = (id: string) => checks.find((c) => c.id === id)!.value as number;
    expect(value('chaotic-transitions-geometric-in-depth')).toBeCloseTo(1, 10);
    expect(value('depth-beats-width-equal-budget')).toBeCloseTo(2592 / 384, 10);
    expect(value('he-relu-transitions-linear-in-neurons')).toBeCloseTo(1, 10);
    expect(value('he-relu-length-preserved')).toBeCloseTo(0, 10);
    expect(value('sawtooth-exponential-regions')).toBe(0);
    // With ReLU length growing at about Theorem 3(a)'s rate, it passes and preservation fails.
    expect(failing(rowsOf({ reluLength: 1.45 }))).toEqual(['he-relu-length-preserved']);
  });

  it('every check fails with a missing statistic on an empty table', () => {
    const checks = checksOf([]);
    expect(checks.map((c) => c.id)).toEqual(Object.keys(ROLES));
    for (const c of checks) {
      expect(c.pass).toBe(false);
      expect(c.value).toBeNull();
    }
  });

  it('fail where chaotic growth is not geometric or depth does not beat width', () => {
    // No growth at all: the log-linear fit is degenerate (no statistic), the rate and the budget line fail.
    const flat = rowsOf({ chaoticTransitions: 1 });
    expect(failing(flat)).toEqual([
      'chaotic-transitions-geometric-in-depth',
      'chaotic-transitions-theorem3b-rate',
      'depth-beats-width-equal-budget',
      'equal-budget-transitions-rise-with-depth',
      'relu-length-theorem3a',
    ]);
    expect(byId(flat, 'chaotic-transitions-geometric-in-depth').value).toBeNull();
    // The two parts of the split check fail independently: geometric but too slow ...
    expect(failing(rowsOf({ chaoticTransitions: 1.2 }))).toEqual([
      'chaotic-transitions-theorem3b-rate',
      'depth-beats-width-equal-budget',
      'equal-budget-transitions-rise-with-depth',
      'relu-length-theorem3a',
    ]);
    expect(byId(rowsOf({ chaoticTransitions: 1.2 }), 'chaotic-transitions-geometric-in-depth').pass).toBe(true);
    // ... and fast but not geometric (R^2 0.91).
    const zigzag = rowsOf({ chaoticNoise: (l) => (l % 2 === 0 ? 4 : 1) });
    expect(byId(zigzag, 'chaotic-transitions-geometric-in-depth')).toMatchObject({ pass: false });
    expect(byId(zigzag, 'chaotic-transitions-geometric-in-depth').value).toBeCloseTo(0.9078, 4);
    expect(byId(zigzag, 'chaotic-transitions-theorem3b-rate').pass).toBe(true);
    // A budget line that rises enough overall but dips in between fails only the strict rise.
    const dip = rowsOf({ chaoticNoise: (l) => (l === 2 ? 0.5 : 1) });
    expect(byId(dip, 'depth-beats-width-equal-budget').pass).toBe(true);
    expect(byId(dip, 'equal-budget-transitions-rise-with-depth')).toMatchObject({ pass: false, value: 288 - 384 });
  });

  it('fail where the trajectory length is off the Theorem 3(b) rate, on either side', () => {
    expect(failing(rowsOf({ chaoticLength: 2.5 }))).toEqual(['length-growth-matches-theorem3b', 'relu-length-theorem3a']);
    const slow = byId(rowsOf({ chaoticLength: 1.2 }), 'length-growth-matches-theorem3b');
    expect(slow.pass).toBe(false);
    expect(slow.value).toBeCloseTo(fold(1.2 / Math.sqrt((Math.sqrt(8) * 32) / (Math.sqrt(8) + 32))), 10);
  });

  it('fail where a regime, the sawtooth or the He-init pattern breaks', () => {
    const badSaw = [...rowsOf().filter((r) => r.sweep !== 'sawtooth'), ...sawtooth(false)];
    expect(byId(badSaw, 'sawtooth-exponential-regions')).toMatchObject({ pass: false, value: 1 });
    const noOrdered = rowsOf().filter((r) => r.sigma_w2 !== 0.5);
    expect(byId(noOrdered, 'sigma-separates-regimes-ordered')).toMatchObject({ pass: false, value: null });
    expect(byId(noOrdered, 'sigma-separates-regimes-chaotic').pass).toBe(true);
    const shrinking = rowsOf({ chaoticLength: 0.9 });
    expect(byId(shrinking, 'sigma-separates-regimes-chaotic').pass).toBe(false);
    // ReLU transitions exponential in depth: neither linear in the neurons nor independent of their arrangement.
    const expRelu = rowsOf({ reluTransitions: (l, w) => 2 * w * 3 ** l });
    expect(failing(expRelu)).toEqual([
      'he-relu-transitions-linear-in-neurons',
      'he-relu-equal-budget-depth-independent',
      'relu-length-theorem3a',
    ]);
    expect(byId(expRelu, 'he-relu-transitions-linear-in-neurons').value).toBeCloseTo(729 / 18, 10);
    // ReLU length shrinking by 15% per layer is not preserved.
    expect(byId(rowsOf({ reluLength: 0.85 }), 'he-relu-length-preserved')).toMatchObject({ pass: false });
    expect(byId(rowsOf({ reluLength: 1.05 }), 'he-relu-length-preserved').pass).toBe(true);
  });

  it('fits the per-layer growth factor of a geometric series exactly', () => {
    const g = growthFactor(new Map([1, 2, 3, 4, 5].map((l) => [l, 3 * 1.7 ** l])));
    expect(g.factor).toBeCloseTo(1.7, 10);
    expect(g.r2).toBeCloseTo(1, 10);
    expect(fold(0.5)).toBe(2);
    expect(fold(2)).toBe(2);
    expect(fold(0)).toBeNaN();
  });
});
