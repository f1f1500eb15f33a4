// End-to-end: the offline report renders in a real browser (Debian's chromium,
// driven by playwright-core) with every saved claim and every figure visible.
// Run by .ci/run through `npm run test:e2e`; kept out of `npm test` because
// it needs chromium (apt-get install chromium).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findRuns, renderHtml } from '../build-report.ts';

const RESULTS = fileURLToPath(new URL('../../results/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('results/index.html in headless Chromium', () => {
  it('shows every claim with its verdict, checks and figures', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
    const runs = findRuns(RESULTS);
    expect(runs.length).toBeGreaterThan(0);
    const page = join(mkdtempSync(join(tmpdir(), 'claimlab-e2e-')), 'index.html');
    writeFileSync(page, renderHtml(runs));
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
      const tab = await browser.newPage();
      await tab.goto(pathToFileURL(page).href);
      for (const r of runs) {
        const section = tab.locator(`section#${r.summary.experiment}-${r.summary.profile}`);
        await expect(section.locator('h2').textContent()).resolves.toContain(r.summary.verdict);
        expect(await section.locator('tbody tr').count()).toBe(r.summary.checks.length);
        const figures = r.summary.files.figures.filter((f) => f.endsWith('.svg'));
        expect(await section.locator('figure svg').count()).toBe(figures.length);
        for (const f of figures) {
          const box = await section.locator(`figure[data-figure="${f}"] svg`).boundingBox();
          expect(box, `${r.summary.experiment}: ${f}`).not.toBeNull();
          expect(box!.width).toBeGreaterThan(100);
          expect(box!.height).toBeGreaterThan(100);
        }
      }
    } finally {
      await browser.close();
    }
  });
});
