import { describe, expect, it } from 'vitest';
import { clipMargin, forestPlot, forestRows, marginScale, normalisedMargin, renderSpec, type ForestCheck } from '../src/index.ts';

/** Items of every `mark-<type> role-mark` group of vega's SVG. */
function markItems(svg: string, type: string): string[] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>(.*?)</g>`, 'g'))];
  return groups.flatMap((g) => g[1].match(/<(path|line|text)\b[^>]*>/g) ?? []);
}

/** Text of `<text>` elements with the given vega role. */
function texts(svg: string, role: string): string[] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-text role-${role}[^"]*"[^>]*>(.*?)</g>`, 'g'))];
  return groups.flatMap((g) => [...g[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]));
}

const x = (item: string): number => Number(/transform="translate\(([-\d.]+),/.exec(item)![1]);

describe('normalised margins', () => {
  it('are (value − t)/|t| for lower bounds and (t − value)/|t| for upper bounds', () => {
    expect(normalisedMargin(0.8, { op: '>=', value: 0.5 })).toBeCloseTo(0.6, 12);
    expect(normalisedMargin(0.4, { op: '>', value: 0.5 })).toBeCloseTo(-0.2, 12);
    expect(normalisedMargin(3, { op: '<=', value: 10 })).toBeCloseTo(0.7, 12);
    expect(normalisedMargin(12, { op: '<', value: 10 })).toBeCloseTo(-0.2, 12);
    // A negative threshold: the scale is |t|, the sign of the margin still says pass/fail.
    expect(normalisedMargin(-3, { op: '>=', value: -2 })).toBeCloseTo(-0.5, 12);
    expect(normalisedMargin(-1, { op: '>=', value: -2 })).toBeCloseTo(0.5, 12);
  });

  it('scale a zero threshold by the largest |value| of the check', () => {
    const bound = { op: '>=' as const, value: 0 };
    expect(marginScale(bound, [-0.1, 0.2, 0.05])).toBe(0.2);
    expect(normalisedMargin(-0.1, bound, marginScale(bound, [-0.1, 0.2]))).toBeCloseTo(-0.5, 12);
    expect(marginScale(bound, [0, 0])).toBe(1e-12);
    expect(marginScale({ op: '<=', value: -4 }, [100])).toBe(4);
    expect(() => normalisedMargin(1, bound, 0)).toThrow(/scale must be positive/);
  });

  it('clip to [−2, 2] by default', () => {
    expect(clipMargin(3)).toBe(2);
    expect(clipMargin(-5)).toBe(-2);
    expect(clipMargin(1.5)).toBe(1.5);
    expect(clipMargin(-1.5, 1)).toBe(-1);
  });
});

describe('forestRows', () => {
  it('places numeric, boolean, unbounded and missing values, and says which seeds pass', () => {
    const data = forestRows([
      { id: 'strict', role: 'core', values: [0.5, 0.6, 5], bound: { op: '>', value: 0.5 } },
      { id: 'loose', role: 'core', values: [0.5], bound: { op: '>=', value: 0.5 } },
      { id: 'bool', role: 'supporting', values: [true, false] },
      { id: 'unbounded', role: 'supporting', values: [3, 4], passes: [true, false] },
      { id: 'missing', role: 'supporting', values: [null, -10], bound: { op: '>=', value: 1 } },
    ]);
    expect(data.rows).toEqual(['strict (core)', 'loose (core)', 'bool (supporting)', 'unbounded (supporting)', 'missing (supporting)']);
    const at = (row: string) => data.points.filter((p) => p.row === row).map((p) => [p.kind, Number(p.margin.toFixed(12)), p.result]);
    expect(at('strict (core)')).toEqual([
      ['numeric', 0, 'fail'], // at a strict bound: margin 0 fails
      ['numeric', 0.2, 'pass'],
      ['numeric', 2, 'pass'], // (5 − 0.5)/0.5 = 9, clipped
    ]);
    expect(at('loose (core)')).toEqual([['numeric', 0, 'pass']]);
    expect(at('bool (supporting)')).toEqual([
      ['pass/fail', 1, 'pass'],
      ['pass/fail', -1, 'fail'],
    ]);
    expect(at('unbounded (supporting)')).toEqual([
      ['pass/fail', 1, 'pass'],
      ['pass/fail', -1, 'fail'],
    ]);
    expect(at('missing (supporting)')).toEqual([
      ['missing', -2, 'fail'],
      ['numeric', -2, 'fail'], // (−10 − 1)/1 = −11, clipped
    ]);
    expect(data.points.filter((p) => p.clipped).map((p) => p.row)).toEqual(['strict (core)', 'missing (supporting)']);
    expect(data.points.find((p) => p.row === 'missing (supporting)')!.clipped).toBe(false); // a missing value is not a clipped one
  });

  it('maps the mean and interval through the same margin, flipping the ends for upper bounds', () => {
    const data = forestRows([
      { id: 'up', role: 'core', values: [3, 5], bound: { op: '<=', value: 10 }, interval: { mean: 4, low: 3.5, high: 4.5 } },
      { id: 'far', role: 'core', values: [30, 50], bound: { op: '>=', value: 10 }, interval: { mean: 40, low: 35, high: 45 } },
    ]);
    const [up, far] = data.intervals;
    expect([up.low, up.mean, up.high].map((v) => Number(v.toFixed(12)))).toEqual([0.55, 0.6, 0.65]);
    expect([far.low, far.mean, far.high]).toEqual([2, 2, 2]);
  });

  it('refuses duplicate rows and mismatched passes', () => {
    expect(() =>
      forestRows([
        { id: 'a', role: 'core', values: [1] },
        { id: 'a', role: 'core', values: [2] },
      ]),
    ).toThrow(/share the row label 'a \(core\)'/);
    expect(() => forestRows([{ id: 'a', role: 'core', values: [1, 2], passes: [true] }])).toThrow(/2 values but 1 passes/);
  });
});

describe('forestPlot', () => {
  const checks: ForestCheck[] = [
    { id: 'at-threshold', role: 'core', values: [0.5, 0.5], bound: { op: '>=', value: 0.5 }, interval: { mean: 0.5, low: 0.5, high: 0.5 } },
    { id: 'far-above', role: 'supporting', values: [100], bound: { op: '>=', value: 1 } },
    { id: 'missing', role: 'supporting', values: [null] },
    { id: 'flag', role: 'core', values: [true, false, true] },
  ];

  it('renders one row label per check, one dot per seed, the threshold at margin 0', async () => {
    const svg = await renderSpec(forestPlot({ title: 'demo: checks', checks }));
    const labels = texts(svg, 'axis-label');
    for (const c of checks) expect(labels.filter((l) => l === `${c.id} (${c.role})`)).toHaveLength(1);
    expect(texts(svg, 'axis-title')[0]).toContain('clipped to [−2, 2]');
    expect(texts(svg, 'title-text')).toContain('demo: checks');
    const dots = markItems(svg, 'symbol');
    expect(dots).toHaveLength(2 + 1 + 1 + 3);
    const threshold = x(markItems(svg, 'rule')[0]);
    const dotX = (row: string) => dots.filter((d) => d.includes(`row: ${row};`)).map(x);
    // A value at its threshold sits on the threshold line; +2 and −2 are symmetric about it.
    for (const at of dotX('at-threshold (core)')) expect(at).toBeCloseTo(threshold, 0);
    const [above] = dotX('far-above (supporting)');
    const [missing] = dotX('missing (supporting)');
    expect(above - threshold).toBeGreaterThan(100);
    expect(above - threshold).toBeCloseTo(threshold - missing, 0);
    // Pass/fail dots at ±1: halfway between the threshold and the clip.
    const flag = dotX('flag (core)');
    expect(flag[0] - threshold).toBeCloseTo((above - threshold) / 2, 0);
    expect(threshold - flag[1]).toBeCloseTo((above - threshold) / 2, 0);
  });

  it('needs a title and at least one check', () => {
    expect(() => forestPlot({ title: '', checks })).toThrow(/title/);
    expect(() => forestPlot({ title: 'empty', checks: [] })).toThrow(/no checks/);
  });
});
