// End-to-end: the offline report renders in a real browser (Debian's chromium, driven by
// playwright-core): the overview comes first and links to existing sections, and every section
// shows its outcome labels, its forest plot and its figures at a readable size. It builds the
// report from summaries constructed here (multi-seed format), in a temporary folder, so it does
// not depend on what results/ holds. Run by .ci/run through `npm run test:e2e`; kept out of
// `npm test` because it needs chromium (apt-get install chromium).
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Summary } from '@claimlab/core';
import { buildReport } from '../build-report.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

type CheckResult = Summary['checks'][number];

function numericCheck(id: string, role: CheckResult['role'], values: number[], bound: NonNullable<CheckResult['bound']>): CheckResult {
  const passes = values.map((v) => (bound.op === '>=' ? v >= bound.value : bound.op === '<=' ? v <= bound.value : false));
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const k = passes.filter(Boolean).length;
  return {
    id,
    description: `the ${id} check`,
    paper: `Table 2: ${bound.value}`,
    role,
    threshold: `${bound.op} ${bound.value}`,
    bound,
    seeds: values.map((_, j) => j),
    values,
    ours: values.map((v) => v.toFixed(3)),
    passes,
    stats: {
      mean,
      min: Math.min(...values),
      max: Math.max(...values),
      interval: {
        mean,
        low: Math.min(...values) * 0.5 + mean * 0.5,
        high: Math.max(...values) * 0.5 + mean * 0.5,
        level: 0.95,
        resamples: 10000,
      },
    },
    outcome: k === values.length ? 'REPRODUCED' : k === 0 ? 'NOT REPRODUCED' : 'INCONCLUSIVE',
    expected: 'REPRODUCED',
  };
}

function summary(experiment: string, profile: string, outcome: Summary['outcome'], checks: CheckResult[]): Summary {
  const seeds = checks[0].seeds;
  const core = checks.filter((c) => c.role === 'core');
  return {
    experiment,
    profile,
    claim: { paper: 'A & B (2017). A title. A venue.', statement: `What ${experiment} claims.`, notes: ['a note'] },
    outcome,
    core: { asExpected: core.filter((c) => c.outcome === c.expected).length, total: core.length },
    seeds,
    checks,
    config: {},
    overrides: [],
    provenance: { gitCommit: '0123456789abcdef', gitDirty: true, backend: { name: 'wasm' } } as unknown as Summary['provenance'],
    startedAt: '2026-02-03T10:00:00Z',
    finishedAt: '2026-02-03T10:20:00Z',
    wallSeconds: 1200,
    files: { results: 'results.csv', figures: ['figures/curve.svg', 'figures/curve.png', 'figures/bars.svg'] },
  };
}

/** A small vega-like SVG figure of the given natural size. */
const figureSvg = (label: string, w: number, h: number) =>
  `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><rect width="${w}" height="${h}" fill="white"/><text x="20" y="30">${label}</text><line x1="0" y1="${h}" x2="${w}" y2="0" stroke="black"/></svg>`;

function fixture(): { root: string; summaries: Summary[] } {
  const refuted: CheckResult = {
    id: 'sharp-minima',
    description: 'sharp minima generalise worse',
    paper: 'Fig. 3',
    role: 'core',
    threshold: 'holds',
    refutedBy: {
      citation: 'Dinh et al. (2017). Sharp minima can generalize for deep nets. ICML.',
      sentence: 'Sharpness can be changed at will.',
    },
    seeds: [0, 1, 2],
    values: [false, false, false],
    ours: ['no', 'no', 'no'],
    passes: [false, false, false],
    outcome: 'NOT REPRODUCED',
    expected: 'NOT REPRODUCED',
  };
  const summaries = [
    summary('zeta', 'quick', 'REPRODUCED', [numericCheck('train-acc', 'core', [0.99, 0.98, 0.995], { op: '>=', value: 0.95 })]),
    summary('alpha', 'paper', 'REPRODUCED', [numericCheck('gap', 'core', [0.1, 0.2, 0.15, 0.12, 0.18], { op: '<=', value: 0.3 })]),
    summary('alpha', 'quick', 'INCONCLUSIVE', [
      numericCheck('train-acc', 'core', [0.99, 0.9, 0.97], { op: '>=', value: 0.95 }),
      refuted,
      numericCheck('test-err', 'supporting', [0.5, 0.6, 0.55], { op: '<=', value: 0.9 }),
    ]),
  ];
  const root = mkdtempSync(join(tmpdir(), 'claimlab-e2e-'));
  for (const s of summaries) {
    const dir = join(root, s.experiment, s.profile);
    mkdirSync(join(dir, 'figures'), { recursive: true });
    writeFileSync(join(dir, 'figures', 'curve.svg'), figureSvg(`${s.experiment} curve`, 450, 300));
    writeFileSync(join(dir, 'figures', 'bars.svg'), figureSvg(`${s.experiment} bars`, 620, 320));
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(s));
  }
  return { root, summaries };
}

describe('results/index.html in headless Chromium', () => {
  it('opens with the overview, links to every section, and shows outcomes, forest plots and figures readably', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
    const { root, summaries } = fixture();
    const runs = await buildReport(root);
    expect(runs.map((r) => `${r.summary.experiment}-${r.summary.profile}`)).toEqual(['alpha-quick', 'alpha-paper', 'zeta-quick']);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await tab.goto(pathToFileURL(join(root, 'index.html')).href);

      // The overview table is the first table, above every section, one row per run in order.
      const overview = tab.locator('table').first();
      expect(await overview.getAttribute('id')).toBe('overview');
      const overviewBox = (await overview.boundingBox())!;
      const firstSection = (await tab.locator('section').first().boundingBox())!;
      expect(overviewBox.y + overviewBox.height).toBeLessThanOrEqual(firstSection.y);
      const rows = overview.locator('tbody tr');
      expect(await rows.count()).toBe(summaries.length);
      expect(await rows.locator('td:nth-child(3)').allInnerTexts()).toEqual(['INCONCLUSIVE', 'REPRODUCED', 'REPRODUCED']);

      for (const [i, r] of runs.entries()) {
        const s = r.summary;
        const id = `${s.experiment}-${s.profile}`;
        // The overview's link scrolls to an existing section.
        // (Page code as strings: the project's TypeScript has no DOM library.)
        await tab.evaluate('window.scrollTo(0, 0)');
        const anchor = rows.nth(i).locator('a');
        expect(await anchor.getAttribute('href')).toBe(`#${id}`);
        await anchor.click();
        await tab.waitForFunction(`location.hash === ${JSON.stringify(`#${id}`)}`);
        const section = tab.locator(`section#${id}`);
        expect(await section.count()).toBe(1);
        const top = (await section.boundingBox())!.y; // relative to the viewport
        const atBottom = await tab.evaluate<boolean>('window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1');
        // At the top of the window, or (the page's last section) in view with the page scrolled to its end.
        if (atBottom) expect(top, `${id}: the section is in view`).toBeGreaterThanOrEqual(-1);
        else expect(Math.abs(top), `${id}: the section is scrolled to the top`).toBeLessThan(5);
        expect(top).toBeLessThan(900);

        // Outcome labels are visible: the section's own, and one per check with "k of N seeds".
        const label = section.locator('h2 .outcome');
        expect(await label.isVisible()).toBe(true);
        expect(await label.innerText()).toBe(s.outcome);
        const checkRows = section.locator('table.checks tbody tr');
        expect(await checkRows.count()).toBe(s.checks.length);
        for (const [j, c] of s.checks.entries()) {
          const cell = checkRows.nth(j).locator('td.result');
          expect(await cell.locator('.outcome').isVisible()).toBe(true);
          expect(await cell.locator('.outcome').innerText()).toBe(c.outcome);
          expect(await cell.innerText()).toContain(`${c.passes.filter(Boolean).length} of ${c.passes.length} seeds`);
          if (c.refutedBy) {
            expect(await checkRows.nth(j).locator('.refuted').innerText()).toContain(`refuted by ${c.refutedBy.citation}`);
            expect(await cell.innerText()).toContain('as expected');
          }
        }

        // The forest plot and every SVG figure render inline at least 500 CSS px wide.
        const forest = section.locator('figure[data-figure="forest"] svg');
        expect(await forest.count()).toBe(1);
        const forestBox = (await forest.boundingBox())!;
        expect(forestBox.width, `${id}: forest plot`).toBeGreaterThanOrEqual(500);
        expect(forestBox.height).toBeGreaterThan(100);
        const figures = s.files.figures.filter((f) => f.endsWith('.svg'));
        expect(await section.locator('.figures figure svg').count()).toBe(figures.length);
        for (const f of figures) {
          const box = (await section.locator(`figure[data-figure="${f}"] svg`).boundingBox())!;
          expect(box, `${id}: ${f}`).not.toBeNull();
          expect(box.width, `${id}: ${f}`).toBeGreaterThanOrEqual(500);
          expect(box.height).toBeGreaterThan(200);
        }
      }
    } finally {
      await browser.close();
    }
  });
});
