import { describe, expect, it } from 'vitest';
import { PROFILES, type UniversalConfig } from '../config.ts';
import { claim, transferTable } from '../claim.ts';
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

type Opts = { svRate?: number; random?: number; build?: number; transfer?: number; svCost?: number };

/** Rows with the papers' pattern, scaled by the options. */
function rowsOf(o: Opts = {}): ResultRow[] {
  const { svRate = 0.6, random = 0.05, build = 0.65, transfer = 0.35, svCost = 1000 } = o;
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
    for (const xi of config.xis) {
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
        value: Math.min(1, svRate * scale),
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

const failing = (rows: ResultRow[]) =>
  claim
    .checks(rows, { profile: 'quick', config })
    .filter((c) => !c.pass)
    .map((c) => c.id);

describe('universal-perturbations claim checks', () => {
  it("pass on rows with the papers' pattern", () => {
    const checks = claim.checks(rowsOf(), { profile: 'quick', config });
    expect(checks).toHaveLength(7);
    expect(failing(rowsOf())).toEqual([]);
  });

  it('fail when a perturbation is no better than noise, does not generalize or does not transfer', () => {
    expect(failing(rowsOf({ svRate: 0.2, build: 0.2 }))).toEqual(['sv-beats-random', 'sv-generalizes-to-held-out']);
    expect(failing(rowsOf({ build: 0.95 }))).toEqual(['sv-generalizes-to-held-out']); // 0.6 < 0.75 x 0.95
    expect(failing(rowsOf({ transfer: 0.09 }))).toEqual(['sv-transfers-across-models', 'uap-transfers-across-models']); // 0.09 < 0.05 + 0.05 margin
    expect(failing(rowsOf({ random: 0.3 }))).toEqual(
      expect.arrayContaining(['sv-beats-random', 'uap-beats-random', 'sv-transfers-across-models']),
    );
    expect(claim.checks([], { profile: 'quick', config }).every((c) => !c.pass)).toBe(true);
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
