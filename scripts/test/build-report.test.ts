import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forestRows } from '@claimlab/plots';
import type { Summary } from '@claimlab/core';
import {
  buildReport,
  dateOf,
  duration,
  findRuns,
  forestChecks,
  oursText,
  renderHtml,
  renderMarkdown,
  writeForestPlots,
} from '../build-report.ts';

type CheckResult = Summary['checks'][number];
type Outcome = Summary['outcome'];

const outcomeOf = (passes: boolean[]): Outcome =>
  passes.every(Boolean) ? 'REPRODUCED' : passes.some(Boolean) ? 'INCONCLUSIVE' : 'NOT REPRODUCED';

/** A check over the seeds, its outcome from `passes`; `stats` as given (a summary carries the bootstrap's). */
function check(c: Pick<CheckResult, 'id' | 'role' | 'values' | 'passes'> & Partial<CheckResult>): CheckResult {
  return {
    description: `check ${c.id}`,
    paper: `Table 1 (${c.id})`,
    threshold: c.bound ? `${c.bound.op} ${c.bound.value}` : 'holds',
    seeds: c.values.map((_, j) => j),
    ours: c.values.map((v) => String(v)),
    outcome: outcomeOf(c.passes),
    expected: c.refutedBy ? 'NOT REPRODUCED' : 'REPRODUCED',
    ...c,
  };
}

const REFUTATION = {
  citation: 'Later & Others (2020). Second thoughts. ICLR.',
  sentence: 'We find that the effect <vanishes> with proper tuning.',
};

/** demo/quick: three seeds, INCONCLUSIVE, a refuted check and a missing value. */
function demoQuick(): Summary {
  const checks = [
    check({
      id: 'acc',
      role: 'core',
      values: [0.8, 0.6, 0.4],
      passes: [true, true, false],
      bound: { op: '>=', value: 0.5 },
      stats: { mean: 0.6, min: 0.4, max: 0.8, interval: { mean: 0.6, low: 0.4667, high: 0.7333, level: 0.95, resamples: 10000 } },
    }),
    check({
      id: 'err',
      role: 'core',
      values: [3, 4, 5],
      passes: [true, true, true],
      bound: { op: '<=', value: 10 },
      stats: { mean: 4, min: 3, max: 5, interval: { mean: 4, low: 3.333, high: 4.667, level: 0.95, resamples: 10000 } },
    }),
    check({ id: 'sharp', role: 'core', values: [false, false, false], passes: [false, false, false], refutedBy: REFUTATION }),
    check({ id: 'gap', role: 'supporting', values: [null, 1, 2], passes: [false, true, true], bound: { op: '>', value: 0.5 } }),
  ];
  return summary('demo', 'quick', [0, 1, 2], checks, 'INCONCLUSIVE', { asExpected: 2, total: 3 });
}

/** demo/paper: five seeds, REPRODUCED. */
function demoPaper(): Summary {
  const checks = [
    check({
      id: 'acc',
      role: 'core',
      values: [0.9, 0.91, 0.92, 0.93, 0.94],
      passes: [true, true, true, true, true],
      bound: { op: '>=', value: 0.5 },
      stats: { mean: 0.92, min: 0.9, max: 0.94, interval: { mean: 0.92, low: 0.908, high: 0.932, level: 0.95, resamples: 10000 } },
    }),
  ];
  return summary('demo', 'paper', [0, 1, 2, 3, 4], checks, 'REPRODUCED', { asExpected: 1, total: 1 });
}

/** alpha/quick: one seed, NOT REPRODUCED. */
function alphaQuick(): Summary {
  const checks = [check({ id: 'holds', role: 'core', values: [true], passes: [false], ours: ['no'] })];
  checks[0].values = [false];
  return summary('alpha', 'quick', [7], checks, 'NOT REPRODUCED', { asExpected: 0, total: 1 });
}

function summary(
  experiment: string,
  profile: string,
  seeds: number[],
  checks: CheckResult[],
  outcome: Outcome,
  core: Summary['core'],
): Summary {
  return {
    experiment,
    profile,
    claim: { paper: 'A & B (2017). Title. Venue.', statement: 'Things <fit>.', notes: ['a | b'] },
    outcome,
    core,
    seeds,
    checks: checks.map((c) => ({ ...c, seeds })),
    config: {},
    overrides: [],
    provenance: { gitCommit: 'abcdef1234567', gitDirty: false, backend: { name: 'wasm' } } as unknown as Summary['provenance'],
    startedAt: '2026-01-02T09:59:48Z',
    finishedAt: '2026-01-02T10:00:00Z',
    wallSeconds: 12,
    files: { results: 'results.csv', figures: profile === 'quick' ? ['figures/curve.svg', 'figures/curve.png'] : [] },
  };
}

function fixture(summaries: Summary[] = [demoQuick(), demoPaper(), alphaQuick()]): string {
  const root = mkdtempSync(join(tmpdir(), 'claimlab-report-'));
  for (const s of summaries) {
    const dir = join(root, s.experiment, s.profile);
    mkdirSync(join(dir, 'figures'), { recursive: true });
    writeFileSync(
      join(dir, 'figures', 'curve.svg'),
      `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300"><clipPath id="clip1"><rect width="10" height="10"/></clipPath><text clip-path="url(#clip1)">curve-marker-${s.experiment}</text></svg>`,
    );
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(s));
  }
  return root;
}

/** Text of the vega axis labels of an SVG. */
function axisLabels(svg: string): string[] {
  const groups = [...svg.matchAll(/<g class="mark-text role-axis-label[^"]*"[^>]*>(.*?)<\/g>/g)];
  return groups.flatMap((g) => [...g[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]));
}

describe('report builder', () => {
  it('finds runs ordered by experiment, then profile quick, extended, paper', () => {
    const root = fixture([demoPaper(), demoQuick(), alphaQuick(), { ...demoPaper(), profile: 'extended' }]);
    expect(findRuns(root).map((r) => `${r.summary.experiment}/${r.summary.profile}`)).toEqual([
      'alpha/quick',
      'demo/quick',
      'demo/extended',
      'demo/paper',
    ]);
  });

  it('refuses a summary of the old one-seed format, naming it', () => {
    const root = fixture([demoQuick()]);
    mkdirSync(join(root, 'old', 'quick'), { recursive: true });
    writeFileSync(join(root, 'old', 'quick', 'summary.json'), JSON.stringify({ experiment: 'old', verdict: 'PASS', seed: 0, checks: [] }));
    expect(() => findRuns(root)).toThrow(/old\/quick\/summary\.json: the one-seed format/);
  });

  it('opens the Markdown with an overview: outcome, core k/N, seeds, wall time, date, linked to the sections', async () => {
    const root = fixture();
    const runs = findRuns(root);
    await writeForestPlots(runs, root);
    const text = renderMarkdown(runs, root);
    const overview = [
      '| [alpha](#alpha-quick) | quick | **NOT REPRODUCED** | 0/1 | 1 | 12 s | 2026-01-02 |',
      '| [demo](#demo-quick) | quick | **INCONCLUSIVE** | 2/3 | 3 | 12 s | 2026-01-02 |',
      '| [demo](#demo-paper) | paper | **REPRODUCED** | 1/1 | 5 | 12 s | 2026-01-02 |',
    ];
    const at = overview.map((row) => text.indexOf(row));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at); // in the report's order
    expect(at[2]).toBeLessThan(text.indexOf('## alpha (quick)')); // overview first
    for (const a of ['alpha-quick', 'demo-quick', 'demo-paper']) expect(text).toContain(`<a id="${a}"></a>`);
  });

  it('shows each check with its three-way outcome, k of N seeds, and a refuted statement with its citation', async () => {
    const root = fixture();
    const runs = findRuns(root);
    await writeForestPlots(runs, root);
    const text = renderMarkdown(runs, root);
    expect(text).toContain(
      '| core | check acc | Table 1 (acc) | mean 0.6 (95% CI 0.4667 to 0.7333; min–max 0.4 to 0.8) | >= 0.5 | **INCONCLUSIVE**, 2 of 3 seeds |',
    );
    expect(text).toContain(
      '| core | check err | Table 1 (err) | mean 4 (95% CI 3.333 to 4.667; min–max 3 to 5) | <= 10 | **REPRODUCED**, 3 of 3 seeds |',
    );
    expect(text).toContain(
      '| supporting | check gap | Table 1 (gap) | seed 0: null; seed 1: 1; seed 2: 2 | > 0.5 | **INCONCLUSIVE**, 2 of 3 seeds |',
    );
    expect(text).toMatch(
      /\| core \| check sharp \(refuted by Later & Others \(2020\)\. Second thoughts\. ICLR\.\[\^demo-quick-sharp\]\) \|.*\| \*\*NOT REPRODUCED\*\*, 0 of 3 seeds \(as expected\) \|/,
    );
    expect(text).toContain(
      '[^demo-quick-sharp]: Later & Others (2020). Second thoughts. ICLR. “We find that the effect &lt;vanishes> with proper tuning.”',
    );
    expect(text).toContain('seeds 0, 1, 2, wall time 12 s, commit abcdef1234, 2026-01-02');
    // The few-seeds caveat: in the 3-seed and 1-seed sections, not in the 5-seed one.
    const sections = text.split(/\n## /).slice(1);
    expect(sections.map((s) => /rough|One seed only/.test(s))).toEqual([true, true, false]);
    expect(text).toContain('[![Forest plot of demo (quick)](report/demo-quick-forest.svg)](report/demo-quick-forest.svg)');
    expect(text).toContain('[curve](demo/quick/figures/curve.svg)');
    expect(text).toContain('a \\| b');
  });

  it('renders the HTML overview first, colour classes on outcomes, forest plot and figures inline', async () => {
    const root = fixture();
    const runs = await buildReport(root);
    const page = readFileSync(join(root, 'index.html'), 'utf8');
    expect(page).toBe(renderHtml(runs, root));
    const overviewAt = page.indexOf('<table id="overview"');
    expect(overviewAt).toBeGreaterThan(0);
    expect(overviewAt).toBeLessThan(page.indexOf('<section'));
    expect(page).toContain(
      '<tr data-run="demo-quick"><td><a href="#demo-quick">demo</a></td><td>quick</td><td><span class="outcome o-inconclusive">INCONCLUSIVE</span></td><td>2/3</td><td>3</td><td>12 s</td><td>2026-01-02</td></tr>',
    );
    expect(page).toContain('<span class="outcome o-not-reproduced">NOT REPRODUCED</span> <span class="k">0 of 3 seeds</span>');
    expect(page).toContain('<span class="expect ok">as expected</span>');
    expect(page).toContain(
      'refuted by <cite title="“We find that the effect &lt;vanishes&gt; with proper tuning.”">Later &amp; Others (2020). Second thoughts. ICLR.</cite>',
    );
    for (const id of ['alpha-quick', 'demo-quick', 'demo-paper']) {
      const section = page.slice(page.indexOf(`<section id="${id}"`), page.indexOf('</section>', page.indexOf(`<section id="${id}"`)));
      expect(section).toContain('data-figure="forest"');
      expect(section).toContain(`<a href="report/${id}-forest.svg"`);
    }
    expect(page).toContain('curve-marker-demo'); // the run's SVG is embedded, not linked
    expect(page).toContain('<a href="demo/quick/figures/curve.svg" title="open full size">');
    expect(page).not.toContain('<?xml');
    expect(page).toContain('Things &lt;fit&gt;.');
    // Inline SVGs keep their own ids: the same clip path of two figures gets two names.
    expect(page).toContain('id="alpha-quick-f0-clip1"');
    expect(page).toContain('url(#demo-quick-f0-clip1)');
    expect(page).not.toContain('url(#clip1)');
  });

  it('writes one forest plot per run with one row label per check, and removes stale ones', async () => {
    const root = fixture();
    mkdirSync(join(root, 'report'));
    writeFileSync(join(root, 'report', 'gone-quick-forest.svg'), '<svg/>');
    const runs = await buildReport(root);
    expect(existsSync(join(root, 'report', 'gone-quick-forest.svg'))).toBe(false);
    for (const r of runs) {
      const svgPath = join(root, 'report', `${r.summary.experiment}-${r.summary.profile}-forest.svg`);
      expect(existsSync(svgPath)).toBe(true);
      expect(existsSync(svgPath.replace(/\.svg$/, '.png'))).toBe(true);
      const labels = axisLabels(readFileSync(svgPath, 'utf8'));
      const rows = labels.filter((l) => / \((core|supporting)/.test(l));
      const want = r.summary.checks.map((c) => `${c.id} (${c.role}${c.refutedBy ? ', refuted' : ''})`);
      expect(rows.sort()).toEqual([...want].sort());
    }
  });

  it('places each seed at its normalised margin (hand-computed)', () => {
    const data = forestRows(forestChecks(demoQuick()));
    const margins = (row: string) => data.points.filter((p) => p.row === row).map((p) => p.margin);
    // (value − 0.5) / 0.5 for '>= 0.5': 0.8 → 0.6, 0.6 → 0.2, 0.4 → −0.2
    margins('acc (core)').forEach((m, j) => expect(m).toBeCloseTo([0.6, 0.2, -0.2][j], 12));
    // (10 − value) / 10 for '<= 10': 3 → 0.7, 4 → 0.6, 5 → 0.5
    margins('err (core)').forEach((m, j) => expect(m).toBeCloseTo([0.7, 0.6, 0.5][j], 12));
    // boolean: pass/fail at ±1; a missing value: a cross at −2; 2 against '> 0.5': (2 − 0.5)/0.5 = 3, clipped to 2
    expect(margins('sharp (core, refuted)')).toEqual([-1, -1, -1]);
    expect(data.points.filter((p) => p.row === 'gap (supporting)').map((p) => [p.kind, p.margin, p.clipped])).toEqual([
      ['missing', -2, false],
      ['numeric', 1, false],
      ['numeric', 2, true],
    ]);
    // The mean and its interval, on the same scale.
    const acc = data.intervals.find((i) => i.row === 'acc (core)')!;
    expect(acc.mean).toBeCloseTo(0.2, 12);
    expect(acc.low).toBeCloseTo((0.4667 - 0.5) / 0.5, 12);
    expect(acc.high).toBeCloseTo((0.7333 - 0.5) / 0.5, 12);
    const err = data.intervals.find((i) => i.row === 'err (core)')!;
    expect([err.low, err.mean, err.high].map((x) => Number(x.toFixed(4)))).toEqual([0.5333, 0.6, 0.6667]); // '<=' flips the ends
  });

  it('formats times, dates and per-seed values', () => {
    expect(duration(12.4)).toBe('12 s');
    expect(duration(600)).toBe('10 min');
    expect(duration(9000)).toBe('2.5 h');
    expect(dateOf('2026-03-04T23:59:00Z')).toBe('2026-03-04');
    expect(dateOf('')).toBe('unknown');
    expect(oursText(alphaQuick().checks[0])).toBe('no');
  });

  it('finds nothing in an empty or missing directory', () => {
    expect(findRuns('/nonexistent-dir')).toEqual([]);
  });
});
