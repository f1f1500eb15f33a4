import { describe, expect, it } from 'vitest';
import { PROFILES, type UniversalConfig } from '../config.ts';
import { assertConsistent, type Check } from '@claimlab/core';
import {
  claim,
  MIN_HELD_OUT_SHARE,
  MIN_MARGIN_OVER_RANDOM,
  MIN_RATIO_OVER_RANDOM,
  MIN_TRANSFER_MARGIN,
  MIN_TRANSFER_RATIO,
  transferTable,
  worst,
  XI_SLACK,
} from '../claim.ts';
import { type ResultRow } from '../results.ts';

const models = ['a', 'b'];
const [spec] = PROFILES.quick.models;
const config: UniversalConfig = {
  ...PROFILES.quick,
  mainXi: 0.2,
  mainImages: 64,
  xis: [0.1, 0.2, 0.3],
  uapXis: [0.1, 0.2, 0.3],
  models: [
    { ...spec, name: 'a', mainLayer: 'l1' },
    { ...spec, name: 'b', mainLayer: 'l2' },
  ],
};
const layerOf = (m: string) => (m === 'a' ? 'l1' : 'l2');

/** svCurve: the singular vector's held-out rates at xis 0.1, 0.2, 0.3 (default svRate scaled by xi / 0.2). */
type Opts = { svRate?: number; random?: number; build?: number; transfer?: number; svCost?: number; svCurve?: number[] };

/** Rows with the papers' pattern, scaled by the options. */
function rowsOf(o: Opts = {}): ResultRow[] {
  const { svRate = 0.6, random = 0.05, build = 0.65, transfer = 0.35, svCost = 1000, svCurve } = o;
  const rows: ResultRow[] = [];
  for (const m of models) {
    rows.push({
      source: '-',
      method: 'clean',
      layer: '-',
      n_images: 0,
      xi: 0,
      attacked: m,
      eval_set: 'test',
      metric: 'accuracy',
      value: 0.97,
    });
    for (const [k, xi] of config.xis.entries()) {
      const scale = xi / 0.2;
      rows.push({
        source: m,
        method: 'sv',
        layer: layerOf(m),
        n_images: 64,
        xi,
        attacked: m,
        eval_set: 'test',
        metric: 'fooling_rate',
        value: svCurve ? svCurve[k] : Math.min(1, svRate * scale),
      });
      rows.push({
        source: m,
        method: 'uap',
        layer: '-',
        n_images: 64,
        xi,
        attacked: m,
        eval_set: 'test',
        metric: 'fooling_rate',
        value: Math.min(1, 0.7 * scale),
      });
      rows.push({
        source: '-',
        method: 'random',
        layer: '-',
        n_images: 0,
        xi,
        attacked: m,
        eval_set: 'test',
        metric: 'fooling_rate',
        value: random * scale,
      });
    }
    rows.push({
      source: m,
      method: 'sv',
      layer: layerOf(m),
      n_images: 64,
      xi: 0.2,
      attacked: m,
      eval_set: 'build',
      metric: 'fooling_rate',
      value: build,
    });
    rows.push({
      source: m,
      method: 'uap',
      layer: '-',
      n_images: 64,
      xi: 0.2,
      attacked: m,
      eval_set: 'build',
      metric: 'fooling_rate',
      value: 0.8,
    });
    rows.push({
      source: m,
      method: 'sv',
      layer: layerOf(m),
      n_images: 64,
      xi: 0.2,
      attacked: m,
      eval_set: '-',
      metric: 'backward_passes',
      value: svCost,
    });
    rows.push({
      source: m,
      method: 'uap',
      layer: '-',
      n_images: 64,
      xi: 0.2,
      attacked: m,
      eval_set: '-',
      metric: 'backward_passes',
      value: 5000,
    });
    for (const t of models.filter((x) => x !== m)) {
      rows.push({
        source: m,
        method: 'sv',
        layer: layerOf(m),
        n_images: 64,
        xi: 0.2,
        attacked: t,
        eval_set: 'test',
        metric: 'fooling_rate',
        value: transfer,
      });
      rows.push({
        source: m,
        method: 'uap',
        layer: '-',
        n_images: 64,
        xi: 0.2,
        attacked: t,
        eval_set: 'test',
        metric: 'fooling_rate',
        value: transfer,
      });
    }
  }
  return rows;
}

const ctx = { profile: 'quick' as const, config };
const ID_ROLES: [string, 'core' | 'supporting'][] = [
  ['sv-beats-random-ratio', 'core'],
  ['sv-beats-random-margin', 'core'],
  ['uap-beats-random-ratio', 'core'],
  ['uap-beats-random-margin', 'core'],
  ['sv-generalizes-to-held-out-share', 'core'],
  ['sv-generalizes-to-held-out-margin', 'core'],
  ['uap-generalizes-to-held-out-share', 'core'],
  ['uap-generalizes-to-held-out-margin', 'core'],
  ['sv-transfers-across-models-ratio', 'core'],
  ['sv-transfers-across-models-margin', 'core'],
  ['uap-transfers-across-models-ratio', 'core'],
  ['uap-transfers-across-models-margin', 'core'],
  ['fooling-grows-with-xi-largest-fall', 'supporting'],
  ['fooling-grows-with-xi-net-rise', 'supporting'],
];

/** The checks of one seed's rows, each checked for a pass that agrees with its value and bound. */
function checksOf(rows: ResultRow[]): Check[] {
  const checks = claim.checks(rows, ctx);
  for (const c of checks) assertConsistent(c, 0);
  return checks;
}
const failing = (rows: ResultRow[]) =>
  checksOf(rows)
    .filter((c) => !c.pass)
    .map((c) => c.id);
const valueOf = (rows: ResultRow[], id: string) => checksOf(rows).find((c) => c.id === id)?.value;

describe('universal-perturbations claim checks', () => {
  it("all pass, with their roles and numeric statistics, on rows with the papers' pattern", () => {
    const checks = checksOf(rowsOf());
    expect(checks.map((c) => [c.id, c.role])).toEqual(ID_ROLES);
    expect(checks.filter((c) => !c.pass).map((c) => c.id)).toEqual([]);
    for (const c of checks) {
      expect(typeof c.value, c.id).toBe('number');
      expect(c.bound, c.id).toBeDefined();
    }
    // Worst cases over the two models (identical here), with the original thresholds as bounds.
    expect(valueOf(rowsOf(), 'sv-beats-random-ratio')).toBeCloseTo(0.6 / 0.05, 12);
    expect(checks.find((c) => c.id === 'sv-beats-random-ratio')?.bound).toEqual({ op: '>=', value: MIN_RATIO_OVER_RANDOM });
    expect(valueOf(rowsOf(), 'uap-beats-random-margin')).toBeCloseTo(0.7 - 0.05, 12);
    expect(checks.find((c) => c.id === 'uap-beats-random-margin')?.bound).toEqual({ op: '>=', value: MIN_MARGIN_OVER_RANDOM });
    expect(valueOf(rowsOf(), 'sv-generalizes-to-held-out-share')).toBeCloseTo(0.6 / 0.65, 12);
    expect(checks.find((c) => c.id === 'sv-generalizes-to-held-out-share')?.bound).toEqual({ op: '>=', value: MIN_HELD_OUT_SHARE });
    expect(valueOf(rowsOf(), 'uap-transfers-across-models-ratio')).toBeCloseTo(0.35 / 0.05, 12);
    expect(checks.find((c) => c.id === 'uap-transfers-across-models-ratio')?.bound).toEqual({ op: '>=', value: MIN_TRANSFER_RATIO });
    expect(valueOf(rowsOf(), 'sv-transfers-across-models-margin')).toBeCloseTo(0.3, 12);
    expect(checks.find((c) => c.id === 'sv-transfers-across-models-margin')?.bound).toEqual({ op: '>=', value: MIN_TRANSFER_MARGIN });
    expect(checks.find((c) => c.id === 'fooling-grows-with-xi-largest-fall')?.bound).toEqual({ op: '<=', value: XI_SLACK });
    expect(checks.find((c) => c.id === 'fooling-grows-with-xi-net-rise')?.bound).toEqual({ op: '>', value: 0 });
  });

  it('the worst model decides: one model below the bound fails the check, with its value', () => {
    // Model b's singular vector fools only 0.3 of held-out images (random 0.05): still 6x random, and 0.25 above it.
    const rows = rowsOf().map((r) =>
      r.method === 'sv' && r.source === 'b' && r.attacked === 'b' && r.xi === 0.2 && r.eval_set === 'test' ? { ...r, value: 0.3 } : r,
    );
    expect(valueOf(rows, 'sv-beats-random-ratio')).toBeCloseTo(6, 12);
    expect(valueOf(rows, 'sv-beats-random-margin')).toBeCloseTo(0.25, 12);
    expect(valueOf(rows, 'sv-generalizes-to-held-out-share')).toBeCloseTo(0.3 / 0.65, 12); // < 0.75: fails
    expect(failing(rows)).toEqual(['sv-generalizes-to-held-out-share']);
  });

  it('fail, each split part on its own, when a perturbation is no better than noise, does not generalize or does not transfer', () => {
    // 0.2 vs random 0.05: 4x random (ratio passes) but only 0.15 above it (margin fails).
    expect(failing(rowsOf({ svRate: 0.2, build: 0.2 }))).toEqual(['sv-beats-random-margin', 'sv-generalizes-to-held-out-margin']);
    expect(failing(rowsOf({ build: 0.95 }))).toEqual(['sv-generalizes-to-held-out-share']); // 0.6 < 0.75 x 0.95
    // 0.09 is 1.8x random 0.05 (ratio passes) but only 0.04 above it.
    expect(failing(rowsOf({ transfer: 0.09 }))).toEqual(['sv-transfers-across-models-margin', 'uap-transfers-across-models-margin']);
    // 0.07: 1.4x random and 0.02 above it: both parts fail.
    expect(failing(rowsOf({ transfer: 0.07 }))).toEqual([
      'sv-transfers-across-models-ratio',
      'sv-transfers-across-models-margin',
      'uap-transfers-across-models-ratio',
      'uap-transfers-across-models-margin',
    ]);
    // Random 0.25: every rate is well above it in absolute terms but not 3x (or, transferred, 1.5x) it.
    expect(failing(rowsOf({ random: 0.25 }))).toEqual([
      'sv-beats-random-ratio',
      'uap-beats-random-ratio',
      'sv-transfers-across-models-ratio',
      'uap-transfers-across-models-ratio',
    ]);
    // A fall of 0.05 between budgets (beyond the 0.02 slack); a flat curve does not rise.
    expect(failing(rowsOf({ svCurve: [0.3, 0.6, 0.55] }))).toEqual(['fooling-grows-with-xi-largest-fall']);
    expect(valueOf(rowsOf({ svCurve: [0.3, 0.6, 0.55] }), 'fooling-grows-with-xi-largest-fall')).toBeCloseTo(0.05, 12);
    expect(failing(rowsOf({ svCurve: [0.6, 0.6, 0.6] }))).toEqual(['fooling-grows-with-xi-net-rise']);
    expect(failing(rowsOf({ svCurve: [0.3, 0.6, 0.59] }))).toEqual([]); // a fall within the slack
  });

  it('a rate of 0 in a ratio counts as one measured label (finite ratio), so a zero random or build rate still passes', () => {
    const res = 1 / (config.testSize * config.randomDraws);
    expect(failing(rowsOf({ random: 0 }))).toEqual([]);
    expect(valueOf(rowsOf({ random: 0 }), 'sv-beats-random-ratio')).toBeCloseTo(0.6 / res, 6);
    expect(valueOf(rowsOf({ random: 0 }), 'sv-transfers-across-models-ratio')).toBeCloseTo(0.35 / res, 6);
    expect(failing(rowsOf({ build: 0 }))).toEqual([]);
    expect(valueOf(rowsOf({ build: 0 }), 'sv-generalizes-to-held-out-share')).toBeCloseTo(0.6 * config.mainImages, 9);
  });

  it('an empty table fails every check with value null', () => {
    const checks = checksOf([]);
    expect(checks.map((c) => c.id)).toEqual(ID_ROLES.map(([id]) => id));
    for (const c of checks) {
      expect(c.pass, c.id).toBe(false);
      expect(c.value, c.id).toBeNull();
    }
  });

  it('missing inputs fail the checks that need them with value null, never pass', () => {
    // No random baseline for model b: every comparison with random is undefined.
    const noRandom = rowsOf().filter((r) => !(r.method === 'random' && r.attacked === 'b'));
    const checks = checksOf(noRandom);
    const nulls = checks.filter((c) => c.value === null).map((c) => c.id);
    expect(nulls).toEqual([
      'sv-beats-random-ratio',
      'sv-beats-random-margin',
      'uap-beats-random-ratio',
      'uap-beats-random-margin',
      'sv-generalizes-to-held-out-margin',
      'uap-generalizes-to-held-out-margin',
      'sv-transfers-across-models-ratio',
      'sv-transfers-across-models-margin',
      'uap-transfers-across-models-ratio',
      'uap-transfers-across-models-margin',
    ]);
    expect(failing(noRandom)).toEqual(nulls);
    // One model only: there is no off-diagonal entry to transfer to.
    const oneModel = rowsOf().filter((r) => r.attacked === 'a' && (r.source === 'a' || r.source === '-'));
    expect(
      checksOf(oneModel)
        .filter((c) => c.value === null)
        .map((c) => c.id),
    ).toEqual([
      'sv-transfers-across-models-ratio',
      'sv-transfers-across-models-margin',
      'uap-transfers-across-models-ratio',
      'uap-transfers-across-models-margin',
    ]);
    expect(failing(oneModel)).toEqual([
      'sv-transfers-across-models-ratio',
      'sv-transfers-across-models-margin',
      'uap-transfers-across-models-ratio',
      'uap-transfers-across-models-margin',
    ]);
    // A missing budget on one curve leaves the growth undefined.
    const noTop = rowsOf().filter((r) => !(r.method === 'uap' && r.source === 'a' && r.attacked === 'a' && r.xi === 0.3));
    expect(failing(noTop)).toEqual(['fooling-grows-with-xi-largest-fall', 'fooling-grows-with-xi-net-rise']);
    expect(valueOf(noTop, 'fooling-grows-with-xi-net-rise')).toBeNull();
  });

  it('worst() is the min or max, and null on no value or a missing one', () => {
    expect(worst([3, 1, 2], 'min')).toBe(1);
    expect(worst([3, 1, 2], 'max')).toBe(3);
    expect(worst([], 'min')).toBeNull();
    expect(worst([1, NaN], 'max')).toBeNull();
  });

  it('lays out the transfer table as rows source x columns attacked', () => {
    const t = transferTable(rowsOf({ transfer: 0.33 }), config, 'sv');
    expect(t.models).toEqual(['a', 'b']);
    expect(t.rates).toEqual([
      [0.6, 0.33],
      [0.33, 0.6],
    ]);
  });
});
