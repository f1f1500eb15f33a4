import { join } from 'node:path';
import { heatmap, lineChart, saveFigure, type Datum } from '@claimlab/plots';
import { raghuHardTanhGrowthBound } from '@claimlab/metrics';
import { sliceMap } from './arm.ts';
import { budgetLine, seriesOf } from './claim.ts';
import { type ResultRow } from './results.ts';
import type { LinearRegionsConfig } from './config.ts';

const label = (activation: string, s: number) => (activation === 'relu' ? `ReLU, sigma_w^2=${s} (He)` : `hard-tanh, sigma_w^2=${s}`);

/** Mean and min/max over the seed's networks of a path metric, per layer. */
function spread(
  rows: ResultRow[],
  activation: string,
  s: number,
  width: number,
  metric: string,
): { layer: number; mean: number; lo: number; hi: number }[] {
  const sel = rows.filter(
    (r) => r.sweep === 'path' && r.activation === activation && r.sigma_w2 === s && r.width === width && r.metric === metric,
  );
  const layers = [...new Set(sel.map((r) => r.layer))].sort((a, b) => a - b);
  return layers.map((l) => {
    const v = sel.filter((r) => r.layer === l).map((r) => r.value);
    return { layer: l, mean: v.reduce((a, b) => a + b, 0) / v.length, lo: Math.min(...v), hi: Math.max(...v) };
  });
}

/** Pseudo-random colour value in [0, 1) per region id, so neighbouring regions differ. */
function hue(id: number): number {
  let h = Math.imul(id + 1, 0x9e3779b1) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  return (h >>> 8) / 2 ** 24;
}

/** The figures from one seed's rows (the run's first seed; `masterSeed` is that seed, for the region maps). */
export async function drawFigures(rows: ResultRow[], config: LinearRegionsConfig, masterSeed: number, dir: string): Promise<string[]> {
  const files: string[] = [];
  const save = async (name: string, spec: Parameters<typeof saveFigure>[0], pngOnly = false) => {
    // A region map is one rect per grid cell: its SVG runs to megabytes, so only the PNG is written.
    files.push(...(await saveFigure(spec, join(dir, name), { svg: !pngOnly })).files);
  };
  const pathRows = rows.filter((r) => r.sweep === 'path');
  const widths = [...new Set(pathRows.map((r) => r.width))].sort((a, b) => a - b);
  const k = widths[widths.length - 1];
  const conds = [...new Map(pathRows.map((r) => [`${r.activation}/${r.sigma_w2}`, { activation: r.activation, s: r.sigma_w2 }])).values()];

  // Transitions against depth (log scale), every condition at the widest width, and the sawtooth construction.
  const tData: Datum[] = conds.flatMap((c) =>
    spread(rows, c.activation, c.s, k, 'transitions').map((p) => ({
      net: label(c.activation, c.s),
      depth: p.layer,
      transitions: Math.max(p.mean, 1),
      lo: Math.max(p.lo, 1),
      hi: Math.max(p.hi, 1),
    })),
  );
  for (const r of rows.filter((x) => x.sweep === 'sawtooth' && x.metric === 'transitions' && x.layer <= config.maxDepth)) {
    tData.push({
      net: 'sawtooth (Telgarsky), width 2',
      depth: r.layer,
      transitions: Math.max(r.value, 1),
      lo: Math.max(r.value, 1),
      hi: Math.max(r.value, 1),
    });
  }
  if (tData.length) {
    await save(
      'transitions-vs-depth',
      lineChart({
        data: tData,
        x: 'depth',
        y: 'transitions',
        color: 'net',
        colorTitle: 'network',
        yScale: 'log',
        band: { lower: 'lo', upper: 'hi' },
        points: true,
        title: `Transitions along a circle vs depth (width ${k})`,
        subtitle: 'cf. Raghu et al. 2017, Fig. 4; mean over the networks of the first seed, band min-max',
        xTitle: 'depth (hidden layers)',
        yTitle: 'transitions (pattern changes)',
      }),
    );
  }

  // Transitions against width (log-log) at a few depths, for the chaotic hard-tanh and He ReLU conditions.
  const depthsShown = [1, 2, 4, 8, config.maxDepth].filter((d, i, a) => d <= config.maxDepth && a.indexOf(d) === i);
  const wConds = conds.filter((c) => (c.activation === 'hard-tanh' && c.s === config.chaoticSigmaW2) || c.activation === 'relu');
  const wData: Datum[] = wConds.flatMap((c) =>
    widths.flatMap((w) => {
      const s = seriesOf(rows, { sweep: 'path', activation: c.activation, sigma_w2: c.s, width: w, metric: 'transitions' });
      return depthsShown
        .filter((d) => s.has(d))
        .map((d) => ({ net: label(c.activation, c.s), width: w, depth: `depth ${d}`, transitions: Math.max(s.get(d)!, 1) }));
    }),
  );
  if (wData.length) {
    await save(
      'transitions-vs-width',
      lineChart({
        data: wData,
        x: 'width',
        y: 'transitions',
        color: 'depth',
        column: 'net',
        columnTitle: 'network',
        xScale: 'log',
        yScale: 'log',
        points: true,
        width: 260,
        title: 'Transitions along a circle vs width, per depth (log-log)',
        subtitle: 'polynomial in width, exponential in depth only in the chaotic regime',
        xTitle: 'width k',
        yTitle: 'transitions',
      }),
    );
  }

  // Trajectory length per layer, every condition at the widest width, with Theorem 3(b)'s rate for the chaotic condition.
  const lData: Datum[] = conds.flatMap((c) =>
    spread(rows, c.activation, c.s, k, 'length').map((p) => ({
      net: label(c.activation, c.s),
      kind: 'measured',
      layer: p.layer,
      length: p.mean,
      lo: p.lo,
      hi: p.hi,
    })),
  );
  const chaos = spread(rows, 'hard-tanh', config.chaoticSigmaW2, k, 'length');
  const l1 = chaos.find((p) => p.layer === 1);
  if (l1) {
    const b = raghuHardTanhGrowthBound(config.chaoticSigmaW2, k);
    for (const p of chaos.filter((q) => q.layer >= 1)) {
      const v = l1.mean * b ** (p.layer - 1);
      lData.push({
        net: label('hard-tanh', config.chaoticSigmaW2),
        kind: `Theorem 3(b) rate ${b.toFixed(2)}^d`,
        layer: p.layer,
        length: v,
        lo: v,
        hi: v,
      });
    }
  }
  if (lData.length) {
    await save(
      'trajectory-length',
      lineChart({
        data: lData,
        x: 'layer',
        y: 'length',
        color: 'net',
        colorTitle: 'network',
        strokeDash: 'kind',
        yScale: 'log',
        band: { lower: 'lo', upper: 'hi' },
        detail: 'kind',
        title: `Trajectory length of the circle's image per layer (width ${k})`,
        subtitle: 'cf. Raghu et al. 2017, Fig. 1; layer 0 = the input circle',
        xTitle: 'layer',
        yTitle: 'length of the image (post-activation)',
      }),
    );
  }

  // Equal neuron budget: transitions against depth with depth x width = budget.
  const bData: Datum[] = conds.flatMap((c) =>
    budgetLine(rows, { activation: c.activation, sigma_w2: c.s }, config.budget).map((p) => ({
      net: label(c.activation, c.s),
      depth: p.depth,
      shape: `${p.depth}x${p.width}`,
      transitions: Math.max(p.transitions, 1),
    })),
  );
  if (bData.length) {
    await save(
      'equal-budget',
      lineChart({
        data: bData,
        x: 'depth',
        y: 'transitions',
        color: 'net',
        colorTitle: 'network',
        xScale: 'log',
        yScale: 'log',
        points: true,
        title: `Same ${config.budget} neurons, arranged deep-narrow or shallow-wide`,
        subtitle: 'depth x width = budget; mean over the networks of the first seed',
        xTitle: 'depth (width = budget / depth)',
        yTitle: 'transitions along the circle',
      }),
    );
  }

  // 2-D region maps (network 0 of the first seed) of shallow-wide and deep-narrow nets with the same neurons.
  const sliceConds = config.conditions.filter(
    (c) => (c.activation === 'hard-tanh' && c.sigmaW2 === config.chaoticSigmaW2) || (c.activation === 'relu' && c.sigmaW2 === 2),
  );
  for (const c of sliceConds) {
    for (const depth of config.sliceDepths) {
      const width = config.budget / depth;
      const n = config.sliceResolution;
      const map = sliceMap({
        kind: 'slice',
        condition: c,
        width,
        depth,
        network: 0,
        masterSeed,
        inputDim: config.inputDim,
        radiusScale: config.radiusScale,
        resolution: n,
      });
      const data: Datum[] = [];
      for (let r = n - 1; r >= 0; r--) for (let col = 0; col < n; col++) data.push({ a: col, b: r, region: hue(map.ids[r * n + col]) });
      const spec = heatmap({
        data,
        x: 'a',
        y: 'b',
        value: 'region',
        scheme: 'rainbow',
        domain: [0, 1],
        width: 320,
        height: 320,
        title: `${label(c.activation, c.sigmaW2)}: ${depth} x ${width}`,
        subtitle: `${map.regionsPerLayer[map.regionsPerLayer.length - 1]} regions on a ${n}x${n} grid`,
        xTitle: 'u (random direction, half-width sqrt(m))',
        yTitle: 'v',
      }) as unknown as { layer: { encoding: Record<string, Record<string, unknown>> }[] };
      const enc = spec.layer[0].encoding;
      enc.x.axis = { labels: false, ticks: false, domain: false };
      enc.y.axis = { labels: false, ticks: false, domain: false };
      enc.color.legend = null;
      await save(`regions-2d-${c.activation}-${depth}x${width}`, spec as unknown as Parameters<typeof saveFigure>[0], true);
    }
  }
  return files;
}
