import { join } from 'node:path';
import { writeFileAtomic } from '@claimlab/core';
import { eigenRatio } from '@claimlab/metrics';
import { lineChart, saveFigure, svgToPng, type Datum, type TopLevelSpec } from '@claimlab/plots';
import { PAPER_TEST_ERROR } from './claim.ts';
import { type ResultRow } from './results.ts';

type Grid = { alphas: number[]; betas: number[]; /** values[j][i] at (alphas[i], betas[j]) */ values: number[][] };

const label = (depth: number, shortcuts: number) => `ResNet-${depth}${shortcuts ? '' : '-noshort'}`;

function gridOf(rows: ResultRow[], section: string, metric: string | ((r: ResultRow[]) => number)): Grid {
  const sel = rows.filter((r) => r.section === section);
  const alphas = [...new Set(sel.map((r) => r.alpha))].sort((a, b) => a - b);
  const betas = [...new Set(sel.map((r) => r.beta))].sort((a, b) => a - b);
  const values = betas.map((b) =>
    alphas.map((a) => {
      const at = sel.filter((r) => r.alpha === a && r.beta === b);
      return typeof metric === 'string' ? (at.find((r) => r.metric === metric)?.value ?? NaN) : metric(at);
    }),
  );
  return { alphas, betas, values };
}

/** Line segments of the level set {f = level} of a grid (marching squares; saddles split arbitrarily). */
export function contourSegments(g: Grid, level: number): [number, number, number, number][] {
  const segs: [number, number, number, number][] = [];
  const { alphas: xs, betas: ys, values: v } = g;
  const cross = (x0: number, y0: number, f0: number, x1: number, y1: number, f1: number): [number, number] => {
    const t = (level - f0) / (f1 - f0);
    return [x0 + t * (x1 - x0), y0 + t * (y1 - y0)];
  };
  for (let j = 0; j + 1 < ys.length; j++) {
    for (let i = 0; i + 1 < xs.length; i++) {
      const c = [
        [xs[i], ys[j], v[j][i]],
        [xs[i + 1], ys[j], v[j][i + 1]],
        [xs[i + 1], ys[j + 1], v[j + 1][i + 1]],
        [xs[i], ys[j + 1], v[j + 1][i]],
      ];
      const pts: [number, number][] = [];
      for (let e = 0; e < 4; e++) {
        const [x0, y0, f0] = c[e];
        const [x1, y1, f1] = c[(e + 1) % 4];
        if (f0 < level !== f1 < level) pts.push(cross(x0, y0, f0, x1, y1, f1));
      }
      for (let k = 0; k + 1 < pts.length; k += 2) segs.push([pts[k][0], pts[k][1], pts[k + 1][0], pts[k + 1][1]]);
    }
  }
  return segs;
}

/** Cells of a grid as rectangles around each grid point, for a quantitative heat map. */
function cells(g: Grid, extra: Datum): Datum[] {
  const half = (a: number[], i: number) => (a.length > 1 ? (i + 1 < a.length ? a[i + 1] - a[i] : a[i] - a[i - 1]) / 2 : 1);
  const out: Datum[] = [];
  g.betas.forEach((b, j) =>
    g.alphas.forEach((a, i) =>
      out.push({
        ...extra,
        kind: 'cell',
        a0: a - half(g.alphas, i),
        a1: a + half(g.alphas, i),
        b0: b - half(g.betas, j),
        b1: b + half(g.betas, j),
        v: g.values[j][i],
      }),
    ),
  );
  return out;
}

/** Heat maps with optional contour lines, one panel per architecture (rows: with / without shortcuts; columns: depth). */
function gridPanels(
  data: Datum[],
  o: { title: string; subtitle: string; valueTitle: string; domain: [number, number]; scheme: string; contours: boolean },
): TopLevelSpec {
  // The axes span the grid's points ([-gridExtent, gridExtent]; [-1, 1] for a single point); cells and contours are clipped to them.
  const centres = data
    .filter((d) => d.kind === 'cell')
    .flatMap((d) => [((d.a0 as number) + (d.a1 as number)) / 2, ((d.b0 as number) + (d.b1 as number)) / 2].map(Math.abs));
  const span = Math.max(0, ...centres) || 1;
  const enc = (x: string, x2: string, y: string, y2: string) => ({
    x: { field: x, type: 'quantitative', title: 'alpha (direction 1)', scale: { domain: [-span, span], nice: false } },
    x2: { field: x2 },
    y: { field: y, type: 'quantitative', title: 'beta (direction 2)', scale: { domain: [-span, span], nice: false } },
    y2: { field: y2 },
  });
  const layer: unknown[] = [
    {
      transform: [{ filter: "datum.kind === 'cell'" }],
      mark: { type: 'rect', clip: true },
      encoding: {
        ...enc('a0', 'a1', 'b0', 'b1'),
        color: { field: 'v', type: 'quantitative', title: o.valueTitle, scale: { scheme: o.scheme, domain: o.domain, clamp: true } },
      },
    },
  ];
  if (o.contours) {
    layer.push({
      transform: [{ filter: "datum.kind === 'contour'" }],
      mark: { type: 'rule', color: 'white', strokeWidth: 1, clip: true },
      encoding: enc('x', 'x2', 'y', 'y2'),
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: o.title, subtitle: o.subtitle },
    data: { values: data },
    facet: {
      row: { field: 'net', type: 'nominal', title: null, sort: ['with shortcuts', 'without shortcuts'] },
      column: { field: 'depthLabel', type: 'ordinal', title: null, sort: { field: 'depth' } },
    },
    spec: { width: 220, height: 220, layer },
    config: { font: 'DejaVu Sans' },
  } as unknown as TopLevelSpec;
}

// A few stops of viridis, for the hand-drawn 3-D renders.
const VIRIDIS = ['#440154', '#414487', '#2a788e', '#22a884', '#7ad151', '#fde725'];
function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - k;
  const c = (h: string, s: number) => parseInt(h.slice(s, s + 2), 16);
  const mix = (s: number) => Math.round(c(VIRIDIS[k], s) * (1 - f) + c(VIRIDIS[k + 1], s) * f);
  return `rgb(${mix(1)},${mix(3)},${mix(5)})`;
}

/**
 * Shaded isometric renders of log10 loss surfaces (painter's algorithm, far quads first), one
 * panel per architecture, as in the paper's Figure 1 (log-scale surfaces). Hand-written SVG.
 */
function surfaceRenders(panels: { title: string; g: Grid }[], zRange: [number, number], cols: number): string {
  const W = 340;
  const H = 300;
  const rowsN = Math.ceil(panels.length / cols);
  const parts: string[] = [];
  const [z0, z1] = zRange;
  panels.forEach((p, k) => {
    const ox = (k % cols) * W;
    const oy = 50 + Math.floor(k / cols) * H;
    const proj = (a: number, b: number, z: number): [number, number] => {
      const t = (z - z0) / (z1 - z0 || 1);
      return [ox + W / 2 + (a - b) * 0.866 * 85, oy + 190 + (a + b) * 0.5 * 60 - Math.min(1, Math.max(0, t)) * 110];
    };
    const { alphas: xs, betas: ys, values: v } = p.g;
    const lz = (j: number, i: number) => Math.min(z1, Math.log10(Math.max(v[j][i], 1e-12)));
    const quads: { depth: number; d: string; fill: string }[] = [];
    for (let j = 0; j + 1 < ys.length; j++) {
      for (let i = 0; i + 1 < xs.length; i++) {
        const corners: [number, number, number][] = [
          [xs[i], ys[j], lz(j, i)],
          [xs[i + 1], ys[j], lz(j, i + 1)],
          [xs[i + 1], ys[j + 1], lz(j + 1, i + 1)],
          [xs[i], ys[j + 1], lz(j + 1, i)],
        ];
        const mean = corners.reduce((s, c) => s + c[2], 0) / 4;
        const pts = corners.map(([a, b, z]) =>
          proj(a, b, z)
            .map((q) => q.toFixed(1))
            .join(','),
        );
        quads.push({ depth: xs[i] + ys[j], d: pts.join(' '), fill: viridis((mean - z0) / (z1 - z0 || 1)) });
      }
    }
    quads.sort((a, b) => a.depth - b.depth);
    parts.push(`<text x="${ox + W / 2}" y="${oy - 8}" text-anchor="middle" font-size="14">${p.title}</text>`);
    for (const q of quads) parts.push(`<polygon points="${q.d}" fill="${q.fill}" stroke="#222" stroke-width="0.4"/>`);
  });
  const width = cols * W;
  const height = 50 + rowsN * H + 30;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">Loss surfaces, log10 loss clipped at ${z1.toFixed(2)}</text>` +
    parts.join('') +
    `<text x="10" y="${height - 10}" font-size="11">height and colour: log10 of the training loss on the surface subset; cf. Li et al. 2018, Fig. 1</text>` +
    `</svg>`
  );
}

export async function drawFigures(rows: ResultRow[], dir: string): Promise<string[]> {
  const files: string[] = [];
  const save = async (name: string, spec: TopLevelSpec) => files.push(...(await saveFigure(spec, join(dir, name))).files);
  const archs = [...new Map(rows.map((r) => [r.arch, { arch: r.arch, depth: r.depth, shortcuts: r.shortcuts }])).values()].sort(
    (a, b) => b.shortcuts - a.shortcuts || a.depth - b.depth,
  );
  const panelInfo = (a: (typeof archs)[number]) => ({
    net: a.shortcuts ? 'with shortcuts' : 'without shortcuts',
    depth: a.depth,
    depthLabel: `ResNet-${a.depth}`,
  });

  // 2-D contour plots of log10 training loss (paper Figure 5).
  const surfaces = archs
    .map((a) => ({
      a,
      g: gridOf(
        rows.filter((r) => r.arch === a.arch),
        'surface',
        'loss',
      ),
    }))
    .filter((s) => s.g.alphas.length >= 2);
  if (surfaces.length) {
    // A loss that overflowed at a grid point (NaN or Infinity in the table) is drawn at the top of the scale.
    const log10Loss = (v: number) => (Number.isFinite(v) ? Math.log10(Math.max(v, 1e-12)) : NaN);
    const all = surfaces.flatMap((s) => s.g.values.flat().map(log10Loss)).filter(Number.isFinite);
    const lo = Math.min(...all);
    // A flat scale (e.g. only the minimizer finite) still needs a range to draw.
    const hi = Math.max(...all) > lo ? Math.max(...all) : lo + 1;
    const logs = surfaces.map((s) => ({
      ...s,
      lg: { ...s.g, values: s.g.values.map((r) => r.map((v) => (Number.isFinite(v) ? log10Loss(v) : hi))) },
    }));
    const levels = Array.from({ length: 14 }, (_, k) => lo + ((hi - lo) * (k + 0.5)) / 14);
    const data: Datum[] = logs.flatMap((s) => [
      ...cells(s.lg, panelInfo(s.a)),
      ...levels.flatMap((l) => contourSegments(s.lg, l).map(([x, y, x2, y2]) => ({ ...panelInfo(s.a), kind: 'contour', x, y, x2, y2 }))),
    ]);
    await save(
      'surface-contours',
      gridPanels(data, {
        title: 'Loss surfaces with and without skip connections (log10 training loss)',
        subtitle: 'cf. Li et al. 2018, Fig. 5; contours every ' + ((hi - lo) / 14).toFixed(2) + ' in log10 loss; trained weights at (0, 0)',
        valueTitle: 'log10 loss',
        domain: [lo, hi],
        scheme: 'viridis',
        contours: true,
      }),
    );
    // 3-D-looking renders, clipped like the paper's plots at 10x the largest central loss.
    const centerMax = Math.max(
      ...surfaces.map((s) => s.g.values[Math.floor(s.g.betas.length / 2)][Math.floor(s.g.alphas.length / 2)]).filter(Number.isFinite),
    );
    const z1 = Math.min(hi, Math.log10(Math.max(centerMax, 1e-12)) + 1);
    const svg = surfaceRenders(
      surfaces.map((s) => ({
        title: label(s.a.depth, s.a.shortcuts),
        g: { ...s.g, values: s.g.values.map((r) => r.map((v) => (Number.isFinite(v) ? v : Infinity))) },
      })),
      [lo, z1],
      Math.max(1, new Set(archs.map((a) => a.depth)).size),
    );
    const base = join(dir, 'surface-3d');
    writeFileAtomic(`${base}.svg`, svg);
    writeFileAtomic(`${base}.png`, svgToPng(svg));
    files.push(`${base}.svg`, `${base}.png`);
  }

  // Eigenvalue-ratio maps |lambda_min / lambda_max| (paper Figure 7; colour range 0-0.5 as the authors' plot).
  const eig = archs
    .map((a) => ({
      a,
      g: gridOf(
        rows.filter((r) => r.arch === a.arch),
        'hessian',
        (at) => {
          const mx = at.find((r) => r.metric === 'lambda_max')?.value ?? NaN;
          const mn = at.find((r) => r.metric === 'lambda_min')?.value ?? NaN;
          return eigenRatio(mn, mx);
        },
      ),
    }))
    .filter((s) => s.g.alphas.length >= 1);
  if (eig.length) {
    const failed = eig.reduce((n, s) => n + s.g.values.flat().filter(Number.isNaN).length, 0);
    await save(
      'eigenvalue-ratio',
      gridPanels(
        eig.flatMap((s) => cells({ ...s.g, values: s.g.values.map((r) => r.map((v) => (Number.isFinite(v) ? v : 1))) }, panelInfo(s.a))),
        {
          title: 'Hessian eigenvalue ratio |lambda_min / lambda_max|',
          subtitle:
            'cf. Li et al. 2018, Fig. 7; 0 = locally convex; Lanczos on finite-difference Hessian-vector products' +
            (failed ? `; ${failed} point(s) whose products were not finite drawn at the top of the scale` : ''),
          valueTitle: '|l_min / l_max|',
          domain: [0, 0.5],
          scheme: 'viridis',
          contours: false,
        },
      ),
    );
  }

  // 1-D slices along the first direction.
  const slice: Datum[] = rows
    .filter((r) => r.section === 'slice' && r.metric === 'loss')
    .map((r) => ({ alpha: r.alpha, loss: r.value, net: r.shortcuts ? 'with shortcuts' : 'without shortcuts', depth: `ResNet-${r.depth}` }));
  if (slice.length) {
    await save(
      'slices-1d',
      lineChart({
        data: slice,
        x: 'alpha',
        y: 'loss',
        color: 'net',
        colorTitle: 'network',
        column: 'depth',
        columnTitle: 'depth',
        yScale: 'log',
        points: true,
        width: 260,
        title: '1-D slices of the training loss along a filter-normalized direction',
        subtitle: 'theta* + alpha d1; the trained weights at alpha = 0',
        xTitle: 'alpha',
        yTitle: 'training loss (log scale)',
      }),
    );
  }

  // Test error against depth, ours and the paper's table.
  const err: Datum[] = rows
    .filter((r) => r.section === 'final' && r.metric === 'test_error')
    .map((r) => ({ depth: r.depth, error: 100 * r.value, net: r.shortcuts ? 'with shortcuts' : 'without shortcuts', source: 'ours' }));
  for (const [kind, table] of Object.entries(PAPER_TEST_ERROR)) {
    for (const [d, e] of Object.entries(table))
      err.push({
        depth: Number(d),
        error: e,
        net: kind === 'resnet' ? 'with shortcuts' : 'without shortcuts',
        source: 'paper (CIFAR-10, Table 1)',
      });
  }
  if (err.some((d) => d.source === 'ours')) {
    await save(
      'test-error',
      lineChart({
        data: err,
        x: 'depth',
        y: 'error',
        color: 'net',
        colorTitle: 'network',
        column: 'source',
        points: true,
        width: 260,
        title: 'Test error against depth, with and without skip connections',
        subtitle: "ours: this profile's data set; paper: CIFAR-10",
        xTitle: 'depth',
        yTitle: 'test error (%)',
      }),
    );
  }

  // Training curves.
  const curves: Datum[] = rows
    .filter((r) => r.section === 'train' && r.metric === 'batch_loss')
    .map((r) => ({ epoch: r.epoch, loss: r.value, net: label(r.depth, r.shortcuts) }));
  if (curves.length) {
    await save(
      'training-loss',
      lineChart({
        data: curves,
        x: 'epoch',
        y: 'loss',
        color: 'net',
        colorTitle: 'network',
        yScale: 'log',
        points: true,
        title: 'Training loss per epoch (mean over mini-batches, with weight decay)',
        xTitle: 'epoch',
        yTitle: 'loss',
      }),
    );
  }
  return files;
}
