import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  barChart,
  DEFAULT_FONT_DIRS,
  heatmap,
  lineChart,
  renderSpec,
  saveFigure,
  scatterChart,
  svgToPng,
  type Datum,
  type TopLevelSpec,
} from '../src/index.ts';

// ---- helpers reading vega's SVG output -------------------------------------

/** Items (path/line/text elements) of every `mark-<type> role-mark` group; mark groups hold leaf items only. */
function markItems(svg: string, type: string): string[] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>(.*?)</g>`, 'g'))];
  return groups.flatMap((g) => g[1].match(/<(path|line|text)\b[^>]*>/g) ?? []);
}

/** Text content of `<text>` elements with the given vega role (e.g. 'axis-title', 'legend-label'). */
function texts(svg: string, role: string): string[] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-text role-${role}[^"]*"[^>]*>(.*?)</g>`, 'g'))];
  return groups.flatMap((g) => [...g[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]));
}

/** Axis tick labels with their x (horizontal axis) positions, read from `translate(x,y)`. */
function tickPositions(svg: string): Map<string, number> {
  const groups = [...svg.matchAll(/<g class="mark-text role-axis-label[^"]*"[^>]*>(.*?)<\/g>/g)];
  const out = new Map<string, number>();
  for (const g of groups) {
    for (const m of g[1].matchAll(/<text[^>]*transform="translate\(([-\d.]+),([-\d.]+)\)"[^>]*>([^<]*)<\/text>/g)) {
      out.set(`${m[3]}@${m[2]}`, Number(m[1]));
    }
  }
  return out;
}

function assertTitles(svg: string, title: string, xTitle: string, yTitle: string): void {
  expect(texts(svg, 'title-text')).toContain(title);
  const axisTitles = texts(svg, 'axis-title');
  expect(axisTitles).toContain(xTitle);
  expect(axisTitles).toContain(yTitle);
}

// ---- helpers reading PNG ----------------------------------------------------

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngInfo(png: Uint8Array): { width: number; height: number; topLeft: number[] } {
  expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = png[24];
  const colorType = png[25];
  expect([bitDepth, colorType]).toEqual([8, 6]); // 8-bit RGBA
  const idat: Uint8Array[] = [];
  for (let p = 8; p < png.length;) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(...png.subarray(p + 4, p + 8));
    if (type === 'IDAT') idat.push(png.subarray(p + 8, p + 8 + len));
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  // The first pixel of the first row is stored unfiltered under every PNG filter type.
  return { width, height, topLeft: [...raw.subarray(1, 5)] };
}

// ---- data -------------------------------------------------------------------

const CONDITIONS = ['true labels', 'random labels', 'shuffled pixels'];
const curves: Datum[] = CONDITIONS.flatMap((condition, k) =>
  [1, 2, 3, 4, 5, 6].map((epoch) => {
    const acc = 1 - 0.9 * Math.exp(-epoch / (k + 1.5));
    return { epoch, condition, acc, lo: acc - 0.02, hi: acc + 0.02, split: epoch % 2 ? 'train' : 'test' };
  }),
);

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'plots-test-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// ---- tests ------------------------------------------------------------------

describe('lineChart', () => {
  it('draws one line per colour group, bands, reference lines and all titles', async () => {
    const svg = await renderSpec(
      lineChart({
        data: curves,
        x: 'epoch',
        y: 'acc',
        color: 'condition',
        band: { lower: 'lo', upper: 'hi' },
        title: 'Training accuracy',
        xTitle: 'Epoch',
        yTitle: 'Accuracy',
        yDomain: [0, 1],
        points: true,
        hlines: [{ y: 0.1, label: 'chance' }],
      }),
    );
    assertTitles(svg, 'Training accuracy', 'Epoch', 'Accuracy');
    expect(markItems(svg, 'line')).toHaveLength(3);
    expect(markItems(svg, 'area')).toHaveLength(3);
    expect(markItems(svg, 'symbol')).toHaveLength(curves.length);
    expect(markItems(svg, 'rule')).toHaveLength(1);
    expect(texts(svg, 'mark')).toEqual(['chance']);
    // Legend in order of first appearance, not alphabetical.
    expect(texts(svg, 'legend-label')).toEqual(CONDITIONS);
    // The legend shows the lines (opaque), not the translucent band.
    const symbols = [...svg.matchAll(/role-legend-symbol[^>]*><path[^>]*>/g)].map((m) => m[0]);
    expect(symbols).toHaveLength(3);
    for (const s of symbols) expect(s).toMatch(/d="M-5,0L5,0".*opacity="1"/);
  });

  it('facets into one panel per column value', async () => {
    const svg = await renderSpec(
      lineChart({
        data: curves,
        x: 'epoch',
        y: 'acc',
        color: 'condition',
        column: 'split',
        title: 'Split',
        xTitle: 'Epoch',
        yTitle: 'Accuracy',
      }),
    );
    expect(markItems(svg, 'line')).toHaveLength(6); // 2 panels x 3 conditions
    // Facet header ('split') and panel labels in order of first appearance.
    expect(texts(svg, 'title-text')).toEqual(['split', 'train', 'test', 'Split']);
  });

  it('renders log-scale axes with decades equally spaced', async () => {
    const data = [1, 10, 100, 1000].map((n) => ({ n, loss: 1 / n }));
    const svg = await renderSpec(
      lineChart({ data, x: 'n', y: 'loss', xScale: 'log', yScale: 'log', title: 'Power law', xTitle: 'Samples', yTitle: 'Loss' }),
    );
    assertTitles(svg, 'Power law', 'Samples', 'Loss');
    const ticks = tickPositions(svg);
    const at = (label: string) => [...ticks].find(([k]) => k.startsWith(`${label}@`))?.[1];
    const [p1, p10, p100] = [at('1'), at('10'), at('100')];
    expect(p1).toBeDefined();
    expect(p10).toBeDefined();
    expect(p100).toBeDefined();
    expect(Math.abs(p10! - p1! - (p100! - p10!))).toBeLessThan(1.5);
    expect(markItems(svg, 'line')).toHaveLength(1);
  });

  it('handles field names containing dots', async () => {
    const data = [1, 2, 3].map((e) => ({ epoch: e, 'train.acc': e / 4 }));
    const svg = await renderSpec(lineChart({ data, x: 'epoch', y: 'train.acc', title: 'Dots', xTitle: 'Epoch', yTitle: 'Acc' }));
    const [line] = markItems(svg, 'line');
    expect(line).toMatch(/d="M[\d.]+,[\d.]+L[\d.]+,[\d.]+L[\d.]+,[\d.]+"/);
  });

  it('rejects fields missing from the data and empty data', () => {
    const base = { x: 'epoch', title: 'T', xTitle: 'X', yTitle: 'Y' };
    expect(() => lineChart({ ...base, data: curves, y: 'accuracy' })).toThrow(/field "accuracy" is not in the data/);
    expect(() => lineChart({ ...base, data: [], y: 'acc' })).toThrow(/no data/);
    expect(() => lineChart({ ...base, data: curves, y: 'acc', xTitle: '' })).toThrow(/xTitle/);
  });
});

describe('scatterChart', () => {
  it('draws one symbol per datum with colour and shape legends', async () => {
    const svg = await renderSpec(
      scatterChart({
        data: curves,
        x: 'epoch',
        y: 'acc',
        color: 'condition',
        shape: 'split',
        title: 'Scatter',
        xTitle: 'Epoch',
        yTitle: 'Accuracy',
        hlines: [{ y: 0.5, label: 'half' }],
      }),
    );
    assertTitles(svg, 'Scatter', 'Epoch', 'Accuracy');
    expect(markItems(svg, 'symbol')).toHaveLength(curves.length);
    expect(texts(svg, 'legend-label')).toEqual([...CONDITIONS, 'train', 'test']);
    expect(markItems(svg, 'rule')).toHaveLength(1);
  });
});

describe('barChart', () => {
  const data = [
    { model: 'MLP', labels: 'true', acc: 0.9, lo: 0.88, hi: 0.92 },
    { model: 'MLP', labels: 'random', acc: 0.1, lo: 0.08, hi: 0.12 },
    { model: 'CNN', labels: 'true', acc: 0.95, lo: 0.93, hi: 0.97 },
    { model: 'CNN', labels: 'random', acc: 0.3, lo: 0.25, hi: 0.35 },
  ];

  it('draws grouped bars with error bars and reference lines', async () => {
    const svg = await renderSpec(
      barChart({
        data,
        x: 'model',
        y: 'acc',
        color: 'labels',
        error: { lower: 'lo', upper: 'hi' },
        title: 'Test accuracy',
        xTitle: 'Model',
        yTitle: 'Accuracy',
        colorTitle: 'Labels',
        hlines: [
          { y: 0.1, label: 'chance' },
          { y: 0.89, label: 'paper' },
        ],
      }),
    );
    assertTitles(svg, 'Test accuracy', 'Model', 'Accuracy');
    const bars = markItems(svg, 'rect');
    expect(bars).toHaveLength(4);
    expect(markItems(svg, 'rule')).toHaveLength(4 + 2); // error bars + reference lines
    expect(texts(svg, 'axis-label')).toEqual(expect.arrayContaining(['MLP', 'CNN']));
    // Grouped, not stacked: bar heights are proportional to the values, from the same baseline.
    const heights = bars.map((b) => Number(/v([\d.]+)h/.exec(b)![1]));
    expect(heights[1] / heights[0]).toBeCloseTo(0.1 / 0.9, 2);
    const xs = bars.map((b) => Number(/d="M([\d.]+),/.exec(b)![1]));
    expect(new Set(xs).size).toBe(4);
  });
});

describe('heatmap', () => {
  const data = ['A1', 'A2', 'A3'].flatMap((src, i) => ['B1', 'B2', 'B3', 'B4'].map((tgt, j) => ({ src, tgt, v: (i * 4 + j) / 11 })));

  it('draws one cell per datum with its value printed, contrasting with the cell', async () => {
    const svg = await renderSpec(
      heatmap({ data, x: 'tgt', y: 'src', value: 'v', title: 'Transfer', xTitle: 'Target', yTitle: 'Source', text: true }),
    );
    assertTitles(svg, 'Transfer', 'Target', 'Source');
    expect(markItems(svg, 'rect')).toHaveLength(12);
    const cellTexts = markItems(svg, 'text');
    expect(cellTexts).toHaveLength(12);
    expect(svg).toMatch(/fill="black">0\.00<\/text>/); // light end of 'blues'
    expect(svg).toMatch(/fill="white">1\.00<\/text>/); // dark end
    expect(svg).toContain('>0.45<');
  });

  it('omits printed values unless asked', async () => {
    const svg = await renderSpec(heatmap({ data, x: 'tgt', y: 'src', value: 'v', title: 'Transfer', xTitle: 'Target', yTitle: 'Source' }));
    expect(markItems(svg, 'rect')).toHaveLength(12);
    expect(markItems(svg, 'text')).toHaveLength(0);
  });
});

describe('renderSpec', () => {
  const heat = heatmap({
    data: [
      { a: 'x', b: 'y', v: 1 },
      { a: 'y', b: 'y', v: 2 },
    ],
    x: 'a',
    y: 'b',
    value: 'v',
    title: 'H',
    xTitle: 'A',
    yTitle: 'B',
  });

  it('is deterministic, even across renders that allocate gradient and clip ids', async () => {
    const first = await renderSpec(heat);
    await renderSpec(lineChart({ data: curves, x: 'epoch', y: 'acc', yDomain: [0, 1], title: 'T', xTitle: 'X', yTitle: 'Y' }));
    expect(first).toContain('gradient_');
    expect(await renderSpec(heat)).toBe(first);
  });

  it('gives a clear error for an invalid mark type, top level or nested', async () => {
    const bad = { title: 'Broken', data: { values: [{ a: 1 }] }, mark: 'bogus', encoding: { x: { field: 'a', type: 'quantitative' } } };
    await expect(renderSpec(bad as unknown as TopLevelSpec)).rejects.toThrow(/invalid vega-lite spec "Broken": unknown mark type "bogus"/);
    const nested = { data: { values: [{ a: 1 }] }, layer: [{ mark: 'line' }, { mark: { type: 'bogus' } }] };
    await expect(renderSpec(nested as unknown as TopLevelSpec)).rejects.toThrow(/unknown mark type "bogus" at spec\.layer\[1\]/);
  });
});

describe('svgToPng', () => {
  const spec = lineChart({ data: curves, x: 'epoch', y: 'acc', color: 'condition', title: 'PNG', xTitle: 'Epoch', yTitle: 'Accuracy' });

  it('renders at 2x by default, at any scale or width, on white', async () => {
    const svg = await renderSpec(spec);
    const svgWidth = Number(/<svg[^>]*width="(\d+)"/.exec(svg)![1]);
    const svgHeight = Number(/<svg[^>]*height="(\d+)"/.exec(svg)![1]);
    const dflt = pngInfo(svgToPng(svg));
    expect([dflt.width, dflt.height]).toEqual([2 * svgWidth, 2 * svgHeight]);
    expect(dflt.topLeft).toEqual([255, 255, 255, 255]);
    expect(pngInfo(svgToPng(svg, { scale: 1 })).width).toBe(svgWidth);
    expect(pngInfo(svgToPng(svg, { width: 500 })).width).toBe(500);
    // Background applies where the SVG itself is transparent.
    const bare = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>';
    expect(pngInfo(svgToPng(bare, { scale: 1 })).topLeft).toEqual([255, 255, 255, 255]);
    expect(() => svgToPng(svg, { scale: 0 })).toThrow(/scale/);
  });

  it('still renders without any font, and draws text when fonts exist', async () => {
    const svg = await renderSpec(spec);
    const noFonts = svgToPng(svg, { systemFonts: false, fontDirs: ['/nonexistent/fonts'] });
    expect(pngInfo(noFonts).width).toBeGreaterThan(0);
    if (DEFAULT_FONT_DIRS.some((d) => existsSync(d))) {
      const withFonts = svgToPng(svg);
      expect(Buffer.from(withFonts).equals(Buffer.from(noFonts))).toBe(false);
    }
  });
});

describe('saveFigure', () => {
  const spec = barChart({
    data: [
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
    ],
    x: 'k',
    y: 'v',
    title: 'Saved',
    xTitle: 'K',
    yTitle: 'V',
  });

  it('writes SVG and PNG atomically into new directories, leaving no temporary files', async () => {
    const dir = join(tempDir(), 'nested', 'figures');
    const out = await saveFigure(spec, join(dir, 'fig'));
    expect(out).toEqual({ svg: join(dir, 'fig.svg'), png: join(dir, 'fig.png'), files: [join(dir, 'fig.svg'), join(dir, 'fig.png')] });
    expect(readdirSync(dir).sort()).toEqual(['fig.png', 'fig.svg']);
    expect(readFileSync(out.svg!, 'utf8')).toBe(await renderSpec(spec));
    expect(pngInfo(readFileSync(out.png!)).width).toBeGreaterThan(0);
  });

  it('writes only the SVG when png is false, and tolerates an extension on the path', async () => {
    const dir = tempDir();
    const out = await saveFigure(spec, join(dir, 'only.svg'), { png: false });
    expect(out).toEqual({ svg: join(dir, 'only.svg'), files: [join(dir, 'only.svg')] });
    expect(readdirSync(dir)).toEqual(['only.svg']);
  });

  it('writes only the PNG when svg is false, and refuses to write nothing', async () => {
    const dir = tempDir();
    const out = await saveFigure(spec, join(dir, 'map'), { svg: false });
    expect(out).toEqual({ png: join(dir, 'map.png'), files: [join(dir, 'map.png')] });
    expect(readdirSync(dir)).toEqual(['map.png']);
    await expect(saveFigure(spec, join(dir, 'none'), { svg: false, png: false })).rejects.toThrow(/nothing to write/);
  });

  it('writes nothing for an invalid spec', async () => {
    const dir = join(tempDir(), 'never');
    const bad = { data: { values: [] }, mark: 'nope' } as unknown as TopLevelSpec;
    await expect(saveFigure(bad, join(dir, 'fig'))).rejects.toThrow(/unknown mark type "nope"/);
    expect(existsSync(dir)).toBe(false);
  });
});
