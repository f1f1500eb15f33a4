import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRuns, renderHtml, renderMarkdown } from '../build-report.ts';

function fixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'claimlab-report-'));
  const dir = join(root, 'demo', 'quick');
  mkdirSync(join(dir, 'figures'), { recursive: true });
  writeFileSync(
    join(dir, 'figures', 'curve.svg'),
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><text>curve-marker</text></svg>',
  );
  const summary = {
    experiment: 'demo',
    profile: 'quick',
    claim: { paper: 'A & B (2017). Title. Venue.', statement: 'Things <fit>.', notes: ['a | b'] },
    verdict: 'FAIL',
    checks: [
      { id: 'a', description: 'first check', paper: 'Table 1: 10%', ours: '0.11', threshold: '<= 0.13', pass: true },
      { id: 'b', description: 'second check', paper: 'Fig. 2', ours: '3', threshold: '>= 4', pass: false },
    ],
    seed: 0,
    config: {},
    overrides: [],
    provenance: { gitCommit: 'abcdef1234567', gitDirty: false, backend: { name: 'wasm' } },
    startedAt: '',
    finishedAt: '2026-01-01T00:00:00Z',
    wallSeconds: 12,
    files: { results: 'results.csv', figures: ['figures/curve.svg'] },
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  return root;
}

describe('report builder', () => {
  it('lists every claim with its checks, verdict and figures in Markdown and HTML', () => {
    const root = fixture();
    const runs = findRuns(root);
    expect(runs).toHaveLength(1);
    const mdText = renderMarkdown(runs, root);
    expect(mdText).toContain('| [demo](#demo-quick) | quick | **FAIL** | 1/2 |');
    expect(mdText).toContain('| second check | Fig. 2 | 3 | >= 4 | **FAIL** |');
    expect(mdText).toContain('[curve](demo/quick/figures/curve.svg)');
    expect(mdText).toContain('a \\| b');
    const page = renderHtml(runs);
    expect(page).toContain('data-claim="demo"');
    expect(page).toContain('curve-marker'); // the SVG is embedded, not linked
    expect(page).not.toContain('<?xml');
    expect(page).toContain('Things &lt;fit&gt;.');
  });

  it('finds nothing in an empty or missing directory', () => {
    expect(findRuns('/nonexistent-dir')).toEqual([]);
  });
});
