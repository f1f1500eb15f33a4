import { describe, expect, it } from 'vitest';
import { claimChecker } from '@claimlab/core/testing';
import { PROFILES } from '../config.ts';
import { ACCURACY_TOLERANCE, claim, growthSeries, drawsOf, matchedPairs, netsOf } from '../claim.ts';
import type { ResultRow } from '../results.ts';

const ROLES: Record<string, 'core' | 'supporting'> = {
  'tt-rank-meets-bound': 'core',
  'tt-shared-rank-meets-bound': 'core',
  'ht-rank-meets-bound': 'core',
  'rank-grows-exponentially-in-d': 'core',
  'tt-net-at-least-cp-net-matched-budget': 'core',
  'rank-equals-bound-where-tight': 'supporting',
  'cp-rank-at-most-R': 'supporting',
  'rank-decisions-clear-of-tolerance': 'supporting',
  'cp-als-rank-grows-with-d': 'supporting',
  'cp-als-above-floor': 'supporting',
  'cp-net-needs-more-params': 'supporting',
};

interface Shape {
  /** Rank of a (family, d, n, r) draw; default: the generic rank (q^(d/2) where tight, r^(d-1) capped for TT with n > r). */
  rankOf?: (family: string, d: number, n: number, r: number) => number;
  /** sigma_bound / sigma_max of every draw. */
  atBound?: number;
  /** ALS error at (d, R). */
  alsError?: (d: number, R: number) => number;
  /** Test accuracy of a network. */
  accuracy?: (family: string, rank: number) => number;
}

const generic = (family: string, d: number, n: number, r: number) =>
  family === 'cp' ? Math.min(r, n ** (d / 2)) : family !== 'ht' && n > r ? Math.min(n ** (d / 2), r ** (d - 1)) : Math.min(n, r) ** (d / 2);

function rowsOf({
  rankOf = generic,
  atBound = 1e-3,
  alsError = (d, R) => (R >= 2 ** (d / 2) ? 1e-3 : 0.2),
  accuracy,
}: Shape = {}): ResultRow[] {
  const rows: ResultRow[] = [];
  const settings: [string, number, number, number[]][] = [
    ['tt', 2, 2, [2, 4, 6, 8]],
    ['tt', 3, 3, [2, 4, 6]],
    ['tt', 4, 2, [2, 4, 6]],
    ['tt-shared', 2, 2, [2, 4, 6, 8]],
    ['tt-shared', 4, 2, [2, 4, 6]],
    ['ht', 2, 2, [2, 4, 8]],
    ['ht', 4, 2, [2, 4, 8]],
    ['cp', 2, 3, [2, 4, 6]],
  ];
  for (const [family, n, r, orders] of settings)
    for (const d of orders)
      for (let draw = 0; draw < 2; draw++) {
        const bound = family === 'cp' ? r : Math.min(n, r) ** (d / 2);
        const base = { part: 'rank', family, d, n, rank_param: r, draw };
        const rank = rankOf(family, d, n, r);
        rows.push(
          { ...base, metric: 'matricization_rank', value: rank },
          { ...base, metric: 'bound', value: bound },
          { ...base, metric: 'rows', value: n ** (d / 2) },
          { ...base, metric: 'smallest_kept', value: 1e-4 },
          { ...base, metric: 'largest_dropped', value: 1e-16 },
          { ...base, metric: 'sigma_at_bound', value: atBound },
          { ...base, metric: 'sigma_past_bound', value: rank > bound ? 1e-4 : 1e-16 },
        );
      }
  for (const d of [4, 6, 8])
    for (const R of [1, 2, 4, 8, 16]) {
      const base = { part: 'als', family: 'tt', d, n: 2, rank_param: R, draw: 0 };
      rows.push({ ...base, metric: 'als_error', value: alsError(d, R) }, { ...base, metric: 'floor', value: R >= 2 ** (d / 2) ? 0 : 0.1 });
    }
  // TT networks of 590 / 1540 params; CP networks at 1x (560 / 1460) and 4x (2360 / 6140).
  const acc = accuracy ?? ((family: string, rank: number) => (family === 'tt-net' ? 0.8 + rank / 100 : rank > 20 ? 0.83 : 0.78));
  const nets: [string, number, number, number, number][] = [
    ['tt-net', 2, 0, 590, 590],
    ['cp-net', 4, 1, 560, 590],
    ['cp-net', 24, 4, 2360, 590],
    ['tt-net', 4, 0, 1540, 1540],
    ['cp-net', 14, 1, 1460, 1540],
    ['cp-net', 66, 4, 6140, 1540],
  ];
  for (const [family, rank, multiple, params, matched] of nets) {
    const base = { part: 'train', family, d: 16, n: 5, rank_param: rank, draw: multiple };
    rows.push(
      { ...base, metric: 'params', value: params },
      { ...base, metric: 'tt_params_matched', value: matched },
      { ...base, metric: 'test_accuracy', value: acc(family, rank) },
      { ...base, metric: 'train_accuracy', value: acc(family, rank) },
      { ...base, metric: 'loss', value: 0.5 },
    );
  }
  return rows;
}

const ctx = { profile: 'quick' as const, config: { ...PROFILES.quick, alsTargetError: 0.01 } };
const { checksOf, failing } = claimChecker(claim, ctx);
const byId = (rows: ResultRow[], id: string) => checksOf(rows).find((c) => c.id === id)!;

describe('tensor-expressivity claim checks', () => {
  it("pass with their roles on one seed's rows with the theorems' pattern", () => {
    const checks = checksOf(rowsOf());
    expect(checks.map((c) => c.id)).toEqual(Object.keys(ROLES));
    for (const c of checks) {
      expect(c.role).toBe(ROLES[c.id]);
      expect(typeof c.value).toBe('number');
      expect(c.bound).toBeDefined();
    }
    expect(failing(rowsOf())).toEqual([]);
    const value = (id: string) => checks.find((c) => c.id === id)!.value as number;
    expect(value('tt-rank-meets-bound')).toBe(1);
    expect(value('rank-grows-exponentially-in-d')).toBeCloseTo(0, 10);
    expect(value('tt-net-at-least-cp-net-matched-budget')).toBeCloseTo(0.04, 10);
    expect(value('cp-als-rank-grows-with-d')).toBe(4); // R needed 2, 8, 16
    expect(value('cp-net-needs-more-params')).toBeCloseTo(6140 / 1540, 10);
    expect(value('rank-decisions-clear-of-tolerance')).toBeCloseTo(1e4, 6);
  });

  it('every check fails with a missing statistic on an empty table', () => {
    const checks = checksOf([]);
    expect(checks.map((c) => c.id)).toEqual(Object.keys(ROLES));
    for (const c of checks) {
      expect(c.pass).toBe(false);
      expect(c.value).toBeNull();
    }
  });

  it('fail where a draw falls below the bound or the growth is off its rate', () => {
    // One TT draw at d = 6 (n = r = 3) with rank 26 < 27: the bound, the equality and (slightly) the slope fail.
    const low = rowsOf({ rankOf: (f, d, n, r) => (f === 'tt' && d === 6 && n === 3 ? 26 : generic(f, d, n, r)) });
    expect(failing(low)).toEqual(['tt-rank-meets-bound', 'rank-equals-bound-where-tight']);
    expect(byId(low, 'tt-rank-meets-bound').value).toBeCloseTo(26 / 27, 10);
    // Shared cores stuck at rank r: no exponential growth.
    const flat = rowsOf({ rankOf: (f, d, n, r) => (f === 'tt-shared' ? Math.min(r, n ** (d / 2)) : generic(f, d, n, r)) });
    expect(failing(flat)).toEqual(['tt-shared-rank-meets-bound', 'rank-grows-exponentially-in-d', 'rank-equals-bound-where-tight']);
    // HT ranks growing too fast (above the bound, where it is tight) break the slope and the equality, and
    // sigma_(bound+1) is then no rounding-level value.
    const fast = rowsOf({ rankOf: (f, d, n, r) => (f === 'ht' && n === 2 ? 3 ** (d / 2) : generic(f, d, n, r)) });
    expect(failing(fast)).toEqual(['rank-grows-exponentially-in-d', 'rank-equals-bound-where-tight', 'rank-decisions-clear-of-tolerance']);
    // TT with n > r above the bound is no failure: only >= is claimed there.
    expect(growthSeries(drawsOf(rowsOf()), ['tt']).find((s) => s.n === 4)!.ratio).toBeGreaterThan(1);
  });

  it('fail where a CP tensor exceeds R or a rank decision sits near the tolerance', () => {
    const over = rowsOf({ rankOf: (f, d, n, r) => (f === 'cp' && d === 6 ? r + 1 : generic(f, d, n, r)) });
    expect(byId(over, 'cp-rank-at-most-R')).toMatchObject({ pass: false, value: 1 });
    // A CP tensor with R beyond the matrix size (sigma_R does not exist, recorded 0) is no unclear decision:
    // only rank <= R is claimed for CP.
    const wide = rowsOf().map((r) =>
      r.part === 'rank' && r.family === 'cp' && r.d === 2 && r.metric === 'sigma_at_bound' ? { ...r, value: 0 } : r,
    );
    expect(byId(wide, 'rank-decisions-clear-of-tolerance').pass).toBe(true);
    const close = rowsOf({ atBound: 5e-11 });
    expect(byId(close, 'rank-decisions-clear-of-tolerance')).toMatchObject({ pass: false });
    expect(byId(close, 'rank-decisions-clear-of-tolerance').value).toBeCloseTo(50, 6);
  });

  it('fail where CP-ALS needs no more rank at larger d, or beats the floor', () => {
    const same = rowsOf({ alsError: (d, R) => (R >= 4 ? 1e-3 : 0.2) });
    expect(byId(same, 'cp-als-rank-grows-with-d')).toMatchObject({ pass: false, value: 0 });
    const never = rowsOf({ alsError: (d, R) => (d === 8 ? 0.05 : R >= 2 ** (d / 2) ? 1e-3 : 0.2) });
    expect(byId(never, 'cp-als-rank-grows-with-d')).toMatchObject({ pass: false, value: null });
    const below = rowsOf({ alsError: (d, R) => (R >= 2 ** (d / 2) ? 1e-3 : 0.05) });
    expect(byId(below, 'cp-als-above-floor').pass).toBe(false);
    expect(byId(below, 'cp-als-above-floor').value).toBeCloseTo(-0.05, 10);
  });

  it('fail where the CP network is better at a matched budget or reaches the TT accuracy with fewer parameters', () => {
    const cpWins = rowsOf({ accuracy: (f, rank) => (f === 'tt-net' ? 0.8 : rank === 14 ? 0.83 : 0.79) });
    expect(failing(cpWins)).toEqual(['tt-net-at-least-cp-net-matched-budget', 'cp-net-needs-more-params']);
    expect(byId(cpWins, 'tt-net-at-least-cp-net-matched-budget').value).toBeCloseTo(-0.03, 10);
    expect(byId(cpWins, 'cp-net-needs-more-params').value).toBeCloseTo(1460 / 1540, 10);
    // Within the tolerance: TT 0.5 points under CP still counts as "at least".
    const tie = rowsOf({ accuracy: (f, rank) => (f === 'tt-net' ? 0.8 : rank === 14 || rank === 4 ? 0.8 + ACCURACY_TOLERANCE / 2 : 0.9) });
    expect(byId(tie, 'tt-net-at-least-cp-net-matched-budget').pass).toBe(true);
    // Pairing: each TT network with the multiple-1 CP network sized to it.
    expect(matchedPairs(netsOf(rowsOf())).map((p) => [p.tt.rank, p.cp.rank])).toEqual([
      [2, 4],
      [4, 14],
    ]);
  });
});
