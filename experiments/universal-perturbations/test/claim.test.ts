import { describe, expect, it } from 'vitest';
import { PROFILES, type UniversalConfig } from '../config.ts';
import { claimChecker } from '@claimlab/core/testing';
import {
  claim,
  mainXiOf,
  MIN_DEFENSE_DROP,
  MIN_HELD_OUT_SHARE,
  MIN_MARGIN_OVER_RANDOM,
  MIN_RATIO_OVER_RANDOM,
  MIN_SATURATION_SHARE,
  MIN_SV_SHARE_OF_UAP,
  MIN_TRANSFER_MARGIN,
  MIN_TRANSFER_RATIO,
  transferTable,
  worst,
  XI_SLACK,
} from '../claim.ts';
import { type ResultRow } from '../results.ts';

const models = ['a', 'b'];
const defended = ['a+noise-training', 'a+bit-depth'];
const [spec] = PROFILES.quick.models;
const config: UniversalConfig = {
  ...PROFILES.quick,
  mainImages: 64,
  nImages: [16, 64, 256],
  xis: [0.1, 0.2, 0.3],
  targetAccuracy: 0.985,
  models: [
    { ...spec, name: 'a', mainLayer: 'l1' },
    { ...spec, name: 'b', mainLayer: 'l2' },
  ],
};
const layerOf = (m: string) => (m.startsWith('a') ? 'l1' : 'l2');

type Opts = {
  /** Held-out rates at the main budget 0.2 from 64 images (other budgets scale with xi / 0.2). */
  svRate?: number;
  uapRate?: number;
  random?: number;
  /** The singular vector's rate on its own 64 build images. */
  build?: number;
  transfer?: number;
  svCost?: number;
  /** The singular vector's held-out rates at xis 0.1, 0.2, 0.3 (default svRate scaled). */
  svCurve?: number[];
  /** Rates from 16 / 64 / 256 images as multiples of the 64-image rate (both methods). */
  images?: [number, number, number];
  accuracy?: number;
  /** The old perturbations' rate on each defended model, and the adaptive attacker's. */
  old?: number;
  adaptive?: number;
};

const row = (r: Partial<ResultRow> & Pick<ResultRow, 'method' | 'attacked' | 'metric' | 'value'>): ResultRow => ({
  source: '-',
  layer: '-',
  n_images: 0,
  xi: 0,
  eval_set: 'test',
  ...r,
});

/** One seed's rows with the papers' pattern, scaled by the options (main budget 0.2, chosen by the rule). */
function rowsOf(o: Opts = {}): ResultRow[] {
  const { svRate = 0.6, uapRate = 0.7, random = 0.05, build = 0.65, transfer = 0.35, svCost = 1000, svCurve, accuracy = 0.99 } = o;
  const { images = [0.8, 1, 1.05], old = 0.2, adaptive = 0.5 } = o;
  const rows: ResultRow[] = [row({ method: 'budget-rule', attacked: '-', xi: 0.2, metric: 'main_xi', value: 0.2 })];
  for (const m of [...models, ...defended]) {
    const isModel = models.includes(m);
    rows.push(row({ method: 'clean', attacked: m, metric: 'accuracy', value: accuracy }));
    rows.push(row({ method: 'clean', attacked: m, eval_set: 'train', metric: 'epochs', value: 2 }));
    const sv = isModel ? svRate : adaptive;
    const uap = isModel ? uapRate : adaptive;
    for (const [k, xi] of config.xis.entries()) {
      const scale = xi / 0.2;
      const key = { attacked: m, source: m, n_images: 64, xi, metric: 'fooling_rate' };
      rows.push(row({ ...key, method: 'sv', layer: layerOf(m), value: svCurve && isModel ? svCurve[k] : Math.min(1, sv * scale) }));
      rows.push(row({ ...key, method: 'uap', value: Math.min(1, uap * scale) }));
      rows.push(row({ method: 'random', attacked: m, xi, metric: 'fooling_rate', value: random * scale }));
    }
    if (!isModel) continue;
    const key = { attacked: m, source: m, xi: 0.2, metric: 'fooling_rate' };
    rows.push(row({ ...key, method: 'sv', layer: layerOf(m), n_images: 64, eval_set: 'build', value: build }));
    rows.push(row({ ...key, method: 'uap', n_images: 64, eval_set: 'build', value: 0.8 }));
    for (const [k, n] of [16, 256].entries()) {
      const f = images[k === 0 ? 0 : 2];
      rows.push(row({ ...key, method: 'sv', layer: layerOf(m), n_images: n, value: svRate * f }));
      rows.push(row({ ...key, method: 'uap', n_images: n, value: uapRate * f }));
    }
    const cost = { attacked: m, source: m, xi: 0.2, n_images: 64, eval_set: '-', metric: 'backward_passes' };
    rows.push(row({ ...cost, method: 'sv', layer: layerOf(m), value: svCost }));
    rows.push(row({ ...cost, method: 'uap', value: 5000 }));
    for (const t of [...models.filter((x) => x !== m), ...defended.filter((d) => d.startsWith(m))]) {
      const value = models.includes(t) ? transfer : old;
      const key2 = { source: m, attacked: t, n_images: 64, xi: 0.2, metric: 'fooling_rate', value };
      rows.push(row({ ...key2, method: 'sv', layer: layerOf(m) }), row({ ...key2, method: 'uap' }));
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
  ['uap-generalizes-to-held-out-share', 'core'],
  ['sv-same-order-as-uap', 'core'],
  ['sv-cheaper-than-uap', 'supporting'],
  ['fooling-grows-with-images', 'core'],
  ['fooling-saturates-with-images', 'core'],
  ['sv-transfers-across-models-ratio', 'core'],
  ['sv-transfers-across-models-margin', 'core'],
  ['uap-transfers-across-models-ratio', 'core'],
  ['uap-transfers-across-models-margin', 'core'],
  ['fooling-grows-with-xi-largest-fall', 'supporting'],
  ['fooling-grows-with-xi-net-rise', 'supporting'],
  ['models-reach-target-accuracy', 'supporting'],
  ['defenses-lower-old-perturbation', 'supporting'],
  ['no-defense-is-universal-ratio', 'supporting'],
  ['no-defense-is-universal-margin', 'supporting'],
];

const { checksOf, failing } = claimChecker(claim, ctx);
const valueOf = (rows: ResultRow[], id: string) => checksOf(rows).find((c) => c.id === id)?.value;
const boundOf = (id: string) => checksOf(rowsOf()).find((c) => c.id === id)?.bound;

describe('universal-perturbations claim checks', () => {
  it("all pass, with their roles and numeric statistics, on rows with the papers' pattern", () => {
    const checks = checksOf(rowsOf());
    expect(checks.map((c) => [c.id, c.role])).toEqual(ID_ROLES);
    expect(checks.filter((c) => !c.pass).map((c) => c.id)).toEqual([]);
    for (const c of checks) {
      expect(typeof c.value, c.id).toBe('number');
      expect(c.bound, c.id).toBeDefined();
      expect(c.description, c.id).not.toMatch(/NaN/);
    }
    const rows = rowsOf();
    expect(mainXiOf(rows)).toBe(0.2);
    // Each seed's text names its budget; the first check also the random rates that chose it.
    expect(checks[0].ours).toMatch(/^xi = 0\.200 \(budget rule; random rates per xi: 0\.100: a 0\.025, b 0\.025; 0\.200: a 0\.050/);
    expect(checks.find((c) => c.id === 'uap-transfers-across-models-margin')?.ours).toMatch(/^xi = 0\.200 \(budget rule\): min/);
    expect(checks.find((c) => c.id === 'models-reach-target-accuracy')?.ours).toMatch(/^min 0\.990/);
    for (const c of checks) expect(c.description, c.id).not.toMatch(/xi = 0\.2/); // one description for every seed
    expect(valueOf(rows, 'sv-beats-random-ratio')).toBeCloseTo(0.6 / 0.05, 12);
    expect(boundOf('sv-beats-random-ratio')).toEqual({ op: '>=', value: MIN_RATIO_OVER_RANDOM });
    expect(valueOf(rows, 'uap-beats-random-margin')).toBeCloseTo(0.7 - 0.05, 12);
    expect(boundOf('uap-beats-random-margin')).toEqual({ op: '>=', value: MIN_MARGIN_OVER_RANDOM });
    expect(valueOf(rows, 'sv-generalizes-to-held-out-share')).toBeCloseTo(0.6 / 0.65, 12);
    expect(boundOf('sv-generalizes-to-held-out-share')).toEqual({ op: '>=', value: MIN_HELD_OUT_SHARE });
    expect(valueOf(rows, 'sv-same-order-as-uap')).toBeCloseTo(0.6 / 0.7, 12);
    expect(boundOf('sv-same-order-as-uap')).toEqual({ op: '>=', value: MIN_SV_SHARE_OF_UAP });
    expect(valueOf(rows, 'sv-cheaper-than-uap')).toBeCloseTo(1000 / 5000, 12);
    expect(valueOf(rows, 'fooling-grows-with-images')).toBeCloseTo(0.6 * (1.05 - 0.8), 12); // the smaller (sv) curve's rise
    expect(valueOf(rows, 'fooling-saturates-with-images')).toBeCloseTo(1 / 1.05, 12);
    expect(boundOf('fooling-saturates-with-images')).toEqual({ op: '>=', value: MIN_SATURATION_SHARE });
    expect(valueOf(rows, 'uap-transfers-across-models-ratio')).toBeCloseTo(0.35 / 0.05, 12);
    expect(boundOf('uap-transfers-across-models-ratio')).toEqual({ op: '>=', value: MIN_TRANSFER_RATIO });
    expect(valueOf(rows, 'sv-transfers-across-models-margin')).toBeCloseTo(0.3, 12);
    expect(boundOf('sv-transfers-across-models-margin')).toEqual({ op: '>=', value: MIN_TRANSFER_MARGIN });
    expect(boundOf('fooling-grows-with-xi-largest-fall')).toEqual({ op: '<=', value: XI_SLACK });
    expect(valueOf(rows, 'models-reach-target-accuracy')).toBeCloseTo(0.99, 12);
    expect(boundOf('models-reach-target-accuracy')).toEqual({ op: '>=', value: 0.985 });
    expect(valueOf(rows, 'defenses-lower-old-perturbation')).toBeCloseTo(0.6 - 0.2, 12); // sv: 0.6 undefended -> 0.2
    expect(boundOf('defenses-lower-old-perturbation')).toEqual({ op: '>=', value: MIN_DEFENSE_DROP });
    expect(valueOf(rows, 'no-defense-is-universal-ratio')).toBeCloseTo(0.5 / 0.05, 12);
    expect(valueOf(rows, 'no-defense-is-universal-margin')).toBeCloseTo(0.45, 12);
  });

  it('the worst model decides: one model below the bound fails the check, with its value', () => {
    // Model b's singular vector fools only 0.3 of held-out images at the main budget (random 0.05): still 6x random, 0.25 above it.
    const rows = rowsOf().map((r) =>
      r.method === 'sv' && r.source === 'b' && r.attacked === 'b' && r.xi === 0.2 && r.n_images === 64 && r.eval_set === 'test'
        ? { ...r, value: 0.3 }
        : r,
    );
    expect(valueOf(rows, 'sv-beats-random-ratio')).toBeCloseTo(6, 12);
    expect(valueOf(rows, 'sv-beats-random-margin')).toBeCloseTo(0.25, 12);
    expect(valueOf(rows, 'sv-generalizes-to-held-out-share')).toBeCloseTo(0.3 / 0.65, 12);
    expect(valueOf(rows, 'sv-same-order-as-uap')).toBeCloseTo(0.3 / 0.7, 12);
    expect(failing(rows)).toEqual(['sv-generalizes-to-held-out-share', 'sv-same-order-as-uap', 'fooling-saturates-with-images']);
  });

  it('each statement fails on its own when the rows break it', () => {
    // 0.2 vs random 0.05: 4x random (ratio passes) but only 0.15 above it (margin fails).
    // (and the old singular vector, at 0.2 on the defended models too, is no longer lowered by the defenses)
    expect(failing(rowsOf({ svRate: 0.2, build: 0.2 }))).toEqual([
      'sv-beats-random-margin',
      'sv-same-order-as-uap',
      'defenses-lower-old-perturbation',
    ]);
    expect(failing(rowsOf({ build: 0.95 }))).toEqual(['sv-generalizes-to-held-out-share']); // 0.6 < 0.75 x 0.95
    expect(failing(rowsOf({ svCost: 6000 }))).toEqual(['sv-cheaper-than-uap']);
    expect(failing(rowsOf({ images: [1.1, 1, 1.05] }))).toEqual(['fooling-grows-with-images']); // 16 images fool more than 256
    expect(failing(rowsOf({ images: [0.5, 1, 1.5] }))).toEqual(['fooling-saturates-with-images']); // 64 reach 0.67 of 256's rate
    // 0.09 is 1.8x random 0.05 (ratio passes) but only 0.04 above it.
    expect(failing(rowsOf({ transfer: 0.09 }))).toEqual(['sv-transfers-across-models-margin', 'uap-transfers-across-models-margin']);
    expect(failing(rowsOf({ svCurve: [0.3, 0.6, 0.55] }))).toEqual(['fooling-grows-with-xi-largest-fall']);
    expect(failing(rowsOf({ accuracy: 0.98 }))).toEqual(['models-reach-target-accuracy']);
    expect(failing(rowsOf({ old: 0.58 }))).toEqual(['defenses-lower-old-perturbation']); // sv 0.6 -> 0.58: a drop of 0.02
    // The adaptive attacker fools 0.2 of a defended model's images: 4x random 0.05, but only 0.15 above it.
    expect(failing(rowsOf({ adaptive: 0.2 }))).toEqual(['no-defense-is-universal-margin']);
  });

  it('a rate of 0 in a ratio counts as one measured label (finite ratio), so a zero random or build rate still passes', () => {
    const res = 1 / (config.testSize * config.randomDraws);
    expect(failing(rowsOf({ random: 0 }))).toEqual([]);
    expect(valueOf(rowsOf({ random: 0 }), 'sv-beats-random-ratio')).toBeCloseTo(0.6 / res, 6);
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
    // No budget-rule row: nothing is measured at a known main budget.
    const noBudget = rowsOf().filter((r) => r.method !== 'budget-rule');
    expect(failing(noBudget)).toEqual(
      ID_ROLES.map(([id]) => id).filter(
        (id) => !['fooling-grows-with-xi-largest-fall', 'fooling-grows-with-xi-net-rise', 'models-reach-target-accuracy'].includes(id),
      ),
    );
    // No random baseline for model b: every comparison with random is undefined.
    const noRandom = rowsOf().filter((r) => !(r.method === 'random' && r.attacked === 'b'));
    expect(
      checksOf(noRandom)
        .filter((c) => c.value === null)
        .map((c) => c.id),
    ).toEqual([
      'sv-beats-random-ratio',
      'sv-beats-random-margin',
      'uap-beats-random-ratio',
      'uap-beats-random-margin',
      'sv-transfers-across-models-ratio',
      'sv-transfers-across-models-margin',
      'uap-transfers-across-models-ratio',
      'uap-transfers-across-models-margin',
    ]);
    // No defended model: the defense checks have nothing to judge.
    const noDefenses = rowsOf().filter((r) => !r.attacked.includes('+'));
    expect(failing(noDefenses)).toEqual([
      'defenses-lower-old-perturbation',
      'no-defense-is-universal-ratio',
      'no-defense-is-universal-margin',
    ]);
    // One model only: there is no off-diagonal entry to transfer to.
    const oneModel = rowsOf().filter(
      (r) => r.method === 'budget-rule' || (r.attacked.startsWith('a') && (r.source.startsWith('a') || r.source === '-')),
    );
    expect(failing(oneModel)).toEqual([
      'sv-transfers-across-models-ratio',
      'sv-transfers-across-models-margin',
      'uap-transfers-across-models-ratio',
      'uap-transfers-across-models-margin',
    ]);
    // A missing image count on one curve leaves the growth undefined.
    const no256 = rowsOf().filter((r) => !(r.method === 'uap' && r.source === 'a' && r.attacked === 'a' && r.n_images === 256));
    expect(failing(no256)).toEqual(['fooling-grows-with-images', 'fooling-saturates-with-images']);
  });

  it('worst() is the min or max, and null on no value or a missing one', () => {
    expect(worst([3, 1, 2], 'min')).toBe(1);
    expect(worst([3, 1, 2], 'max')).toBe(3);
    expect(worst([], 'min')).toBeNull();
    expect(worst([1, NaN], 'max')).toBeNull();
  });

  it('lays out the transfer table as rows source x columns attacked, undefended models only', () => {
    const t = transferTable(rowsOf({ transfer: 0.33 }), config, 'sv');
    expect(t.models).toEqual(['a', 'b']);
    expect(t.rates).toEqual([
      [0.6, 0.33],
      [0.33, 0.6],
    ]);
  });
});
