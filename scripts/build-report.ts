// Builds the reviewer's view of every saved run: results/README.md and results/index.html (the
// same, figures embedded, readable offline). Both open with an overview (one row per experiment
// and profile: outcome over the seeds, core checks as expected, seeds, wall time, date), then a
// section per run: the claim, a table of its checks (role, paper value, ours over the seeds,
// threshold, three-way outcome with how many seeds passed), a forest plot of every check's
// margin to its threshold (written to results/report/, which the report owns) and the run's
// figures. Reads only results/<experiment>/<profile>/summary.json files.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliMain, writeFileAtomic, type Summary } from '@claimlab/core';
import { DEFAULT_CLIP, forestPlot, saveFigure, type ForestCheck } from '@claimlab/plots';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RESULTS = join(ROOT, 'results');

/** The folder under results/ that holds the report's own figures. */
export const REPORT_DIR = 'report';
/** Profiles in the report's order; others follow, by name. */
export const PROFILE_ORDER = ['quick', 'extended', 'paper'];
/** Below this many seeds the section says that its intervals are rough. */
export const FEW_SEEDS = 5;

type CheckResult = Summary['checks'][number];
type Outcome = Summary['outcome'];

export interface SavedRun {
  dir: string;
  summary: Summary;
}

const profileRank = (p: string): number => (PROFILE_ORDER.includes(p) ? PROFILE_ORDER.indexOf(p) : PROFILE_ORDER.length);

/** By experiment name, then profile (quick, extended, paper, then any other by name). */
export function compareRuns(a: SavedRun, b: SavedRun): number {
  const x = a.summary;
  const y = b.summary;
  if (x.experiment !== y.experiment) return x.experiment < y.experiment ? -1 : 1;
  const r = profileRank(x.profile) - profileRank(y.profile);
  return r !== 0 ? r : x.profile < y.profile ? -1 : x.profile > y.profile ? 1 : 0;
}

/** Why `s` is not a summary of the multi-seed format (outcome, core, seeds, per-seed checks), or null. */
function formatProblem(s: Partial<Summary> & { verdict?: unknown }): string | null {
  const current =
    typeof s.outcome === 'string' &&
    Array.isArray(s.seeds) &&
    typeof s.core === 'object' &&
    Array.isArray(s.checks) &&
    s.checks.every((c) => Array.isArray(c.values) && Array.isArray(c.passes) && typeof c.outcome === 'string');
  if (current) return null;
  return 'verdict' in s ? 'the one-seed format (verdict and seed)' : 'not the multi-seed format';
}

/**
 * Every results/<experiment>/<profile>/summary.json, in the report's order. Throws, naming them
 * all, when any summary is not of the multi-seed format (re-run those experiments first).
 */
export function findRuns(resultsDir: string): SavedRun[] {
  if (!existsSync(resultsDir)) return [];
  const runs: SavedRun[] = [];
  const problems: string[] = [];
  for (const exp of readdirSync(resultsDir)) {
    const expDir = join(resultsDir, exp);
    if (!statSync(expDir).isDirectory()) continue;
    for (const profile of readdirSync(expDir)) {
      const path = join(expDir, profile, 'summary.json');
      if (!existsSync(path)) continue;
      const summary = JSON.parse(readFileSync(path, 'utf8')) as Summary;
      const problem = formatProblem(summary);
      if (problem) problems.push(`${path}: ${problem}`);
      else runs.push({ dir: join(expDir, profile), summary });
    }
  }
  if (problems.length) {
    throw new Error(`Summaries the report cannot read; re-run these experiments, then build the report again:\n  ${problems.join('\n  ')}`);
  }
  return runs.sort(compareRuns);
}

// ---- text helpers -------------------------------------------------------------------------

/** Markdown table-cell text: pipes escaped, no line breaks, and no '<' that could open an HTML tag. */
const md = (s: string) =>
  s
    .replace(/\|/g, '\\|')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;')
    .replace(/\n/g, ' ');
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** A path relative to the results folder, with '/' separators (for links in README.md and index.html). */
const link = (resultsDir: string, path: string) => relative(resultsDir, path).split(sep).join('/');

/** The anchor of a run's section. */
export const anchorOf = (s: Pick<Summary, 'experiment' | 'profile'>): string => `${s.experiment}-${s.profile}`;
/** The forest plot of a run, relative to the results folder, without extension. */
export const forestPath = (s: Pick<Summary, 'experiment' | 'profile'>): string => `${REPORT_DIR}/${anchorOf(s)}-forest`;

/** A number with 4 significant digits (exponential when very large or small). */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2);
  if (a >= 1000) return x.toFixed(0);
  return String(Number(x.toPrecision(4)));
}

/** Seconds as '42 s', '12 min' or '2.5 h'. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** The date of an ISO timestamp (YYYY-MM-DD), or 'unknown'. */
export const dateOf = (iso: string): string => /^\d{4}-\d{2}-\d{2}/.exec(iso ?? '')?.[0] ?? 'unknown';

/** How many of the check's seeds passed, as 'k of N seeds'. */
export const seedsPassed = (c: CheckResult): string =>
  `${c.passes.filter(Boolean).length} of ${c.passes.length} seed${c.passes.length === 1 ? '' : 's'}`;

/** Ours over the seeds: the mean, its interval and the range when every value is numeric, else the per-seed values. */
export function oursText(c: CheckResult): string {
  if (c.stats && c.values.length > 1) {
    const { mean, min, max, interval } = c.stats;
    return `mean ${num(mean)} (${Math.round(interval.level * 100)}% CI ${num(interval.low)} to ${num(interval.high)}; min–max ${num(min)} to ${num(max)})`;
  }
  if (c.ours.length === 1) return c.ours[0];
  return c.ours.map((o, j) => `seed ${c.seeds[j]}: ${o}`).join('; ');
}

const outcomeClass = (o: Outcome): string => `o-${o.toLowerCase().replace(/\s+/g, '-')}`;

function metaLine(s: Summary): string {
  const p = s.provenance;
  const commit = `${p.gitCommit?.slice(0, 10) ?? 'unknown'}${p.gitDirty ? ' (dirty tree)' : ''}`;
  return `backend ${p.backend.name}, profile ${s.profile}, seeds ${s.seeds.join(', ')}, wall time ${duration(s.wallSeconds)}, commit ${commit}, ${dateOf(s.finishedAt)}`;
}

/** The caveat of a run with few seeds, or null. */
export function fewSeedsNote(s: Summary): string | null {
  const n = s.seeds.length;
  if (n >= FEW_SEEDS) return null;
  if (n === 1) return 'One seed only: no interval over seeds, every value is a single measurement.';
  return `Only ${n} seeds: a 95% bootstrap interval from so few seeds is rough (it cannot be wider than the seeds' range); read it with the min–max and the per-seed outcomes.`;
}

/** What the report says about a refuted check's outcome against its expectation. */
const expectation = (c: CheckResult): string | null =>
  c.refutedBy ? (c.outcome === c.expected ? 'as expected' : 'not as expected') : null;

// ---- the forest plots ------------------------------------------------------------------------

/** A run's checks as the forest plot takes them (a refuted statement's row says so). */
export function forestChecks(s: Summary): ForestCheck[] {
  return s.checks.map((c) => ({
    id: c.id,
    role: c.refutedBy ? `${c.role}, refuted` : c.role,
    values: c.values,
    passes: c.passes,
    seeds: c.seeds,
    bound: c.bound,
    interval: c.stats ? { mean: c.stats.mean, low: c.stats.interval.low, high: c.stats.interval.high } : undefined,
  }));
}

/**
 * Writes every run's forest plot, results/report/<experiment>-<profile>-forest.svg and .png,
 * and removes forest plots of runs that are no longer there. Returns the SVG paths.
 */
export async function writeForestPlots(runs: SavedRun[], resultsDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const r of runs) {
    const s = r.summary;
    const spec = forestPlot({
      title: `${s.experiment} (${s.profile}): every check against its threshold, over ${s.seeds.length} seed${s.seeds.length === 1 ? '' : 's'}`,
      checks: forestChecks(s),
    });
    const saved = await saveFigure(spec, join(resultsDir, forestPath(s)));
    written.push(saved.svg!);
  }
  const keep = new Set(runs.flatMap((r) => ['svg', 'png'].map((ext) => `${anchorOf(r.summary)}-forest.${ext}`)));
  const dir = join(resultsDir, REPORT_DIR);
  if (existsSync(dir)) {
    for (const f of readdirSync(dir)) if (/-forest\.(svg|png)$/.test(f) && !keep.has(f)) rmSync(join(dir, f));
  }
  return written;
}

// ---- Markdown ---------------------------------------------------------------------------------

export function renderMarkdown(runs: SavedRun[], resultsDir: string): string {
  const lines = [
    '# Results',
    '',
    'Generated by `npm run report` from the saved runs; `npm run verify` re-checks them. An experiment is REPRODUCED when',
    'every core check comes out as expected at every seed, NOT REPRODUCED when a core check comes out against its expectation',
    'at every seed, and INCONCLUSIVE otherwise.',
    '',
    '| experiment | profile | outcome | core checks as expected | seeds | wall time | date |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const { summary: s } of runs) {
    lines.push(
      `| [${s.experiment}](#${anchorOf(s)}) | ${s.profile} | **${s.outcome}** | ${s.core.asExpected}/${s.core.total} | ${s.seeds.length} | ${duration(s.wallSeconds)} | ${dateOf(s.finishedAt)} |`,
    );
  }
  for (const r of runs) {
    const s = r.summary;
    const rel = link(resultsDir, r.dir);
    const footnotes: string[] = [];
    lines.push('', `## ${s.experiment} (${s.profile})`, '', `<a id="${anchorOf(s)}"></a>`, '');
    lines.push(md(s.claim.paper), '', `> ${md(s.claim.statement)}`, '');
    lines.push(`Outcome: **${s.outcome}** (${s.core.asExpected}/${s.core.total} core checks as expected). ${metaLine(s)}.`, '');
    const note = fewSeedsNote(s);
    if (note) lines.push(`_${note}_`, '');
    lines.push('| role | check | paper | ours | threshold | outcome |', '|---|---|---|---|---|---|');
    for (const c of s.checks) {
      let check = md(c.description);
      if (c.refutedBy) {
        const fn = `${anchorOf(s)}-${c.id}`.replace(/[^A-Za-z0-9_-]/g, '-');
        check += ` (refuted by ${md(c.refutedBy.citation)}[^${fn}])`;
        footnotes.push(`[^${fn}]: ${md(c.refutedBy.citation)} “${md(c.refutedBy.sentence)}”`);
      }
      const exp = expectation(c);
      lines.push(
        `| ${c.role} | ${check} | ${md(c.paper)} | ${md(oursText(c))} | ${md(c.threshold)} | **${c.outcome}**, ${seedsPassed(c)}${exp ? ` (${exp})` : ''} |`,
      );
    }
    const forest = `${forestPath(s)}.svg`;
    lines.push('', `[![Forest plot of ${s.experiment} (${s.profile})](${forest})](${forest})`, '', `Forest plot: [${forest}](${forest}).`);
    const svgs = s.files.figures.filter((f) => f.endsWith('.svg'));
    if (svgs.length)
      lines.push('', `Figures: ${svgs.map((f) => `[${f.replace(/^figures\//, '').replace(/\.svg$/, '')}](${rel}/${f})`).join(', ')}`);
    lines.push('', `Table: [${rel}/${s.files.results}](${rel}/${s.files.results}). Notes: ${s.claim.notes.map(md).join(' ')}`);
    if (footnotes.length) lines.push('', ...footnotes);
  }
  return lines.join('\n') + '\n';
}

// ---- HTML -------------------------------------------------------------------------------------

/** Prefixes every id of an inline SVG (and the references to it), so figures on one page keep their own clip paths. */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/\b(xlink:)?href="#([^"]+)"/g, `$1href="#${prefix}-$2"`);
}

/** An SVG file as an inline figure: at least the column's width, a click opens the file. */
function figureHtml(path: string, href: string, caption: string, dataFigure: string, idPrefix: string, cls: string): string {
  const svg = scopeSvgIds(readFileSync(path, 'utf8').replace(/^<\?xml[^>]*>\s*/, ''), idPrefix);
  const width = Number(/<svg\b[^>]*\bwidth="([\d.]+)"/.exec(svg)?.[1] ?? NaN);
  const wide = width > 760 ? ' wide' : '';
  return `<figure class="${cls}${wide}" data-figure="${html(dataFigure)}"><a href="${html(href)}" title="open full size">${svg}</a><figcaption>${html(caption)}</figcaption></figure>`;
}

function outcomeHtml(o: Outcome): string {
  return `<span class="outcome ${outcomeClass(o)}">${o}</span>`;
}

function checkRowHtml(s: Summary, c: CheckResult, footnote: number | null): string {
  let check = html(c.description);
  if (c.refutedBy) {
    const id = `${anchorOf(s)}-fn${footnote}`;
    check += `<div class="refuted">refuted by <cite title="${html(`“${c.refutedBy.sentence}”`)}">${html(c.refutedBy.citation)}</cite><sup><a href="#${html(id)}">${footnote}</a></sup></div>`;
  }
  const perSeed = c.ours.map((o, j) => `seed ${c.seeds[j]}: ${o}`).join('\n');
  const exp = expectation(c);
  const expHtml = exp ? ` <span class="expect ${exp === 'as expected' ? 'ok' : 'bad'}">${exp}</span>` : '';
  return `<tr class="${c.role} ${outcomeClass(c.outcome)}" data-check="${html(c.id)}"><td class="role">${c.role}</td><td>${check}</td><td>${html(c.paper)}</td><td title="${html(perSeed)}">${html(oursText(c))}</td><td>${html(c.threshold)}</td><td class="result">${outcomeHtml(c.outcome)} <span class="k">${seedsPassed(c)}</span>${expHtml}</td></tr>`;
}

function sectionHtml(r: SavedRun, resultsDir: string): string {
  const s = r.summary;
  const anchor = anchorOf(s);
  const refuted = s.checks.filter((c) => c.refutedBy);
  const rows = s.checks.map((c) => checkRowHtml(s, c, c.refutedBy ? refuted.indexOf(c) + 1 : null)).join('\n');
  const footnotes = refuted.length
    ? `<ol class="footnotes">${refuted.map((c, i) => `<li id="${html(anchor)}-fn${i + 1}">${html(c.refutedBy!.citation)} <q>${html(c.refutedBy!.sentence)}</q></li>`).join('')}</ol>`
    : '';
  const forestSvg = join(resultsDir, `${forestPath(s)}.svg`);
  if (!existsSync(forestSvg)) throw new Error(`No forest plot at ${forestSvg}: write the forest plots (writeForestPlots) before the HTML`);
  const forest = figureHtml(
    forestSvg,
    `${forestPath(s)}.svg`,
    `Each check’s margin to its threshold (normalised, clipped to [−${DEFAULT_CLIP}, ${DEFAULT_CLIP}]); right of the dashed line passes.`,
    'forest',
    `${anchor}-forest`,
    'forest',
  );
  const rel = link(resultsDir, r.dir);
  const figures = s.files.figures
    .filter((f) => f.endsWith('.svg'))
    .map((f, i) => figureHtml(join(r.dir, f), `${rel}/${f}`, f, f, `${anchor}-f${i}`, 'figure'))
    .join('\n');
  const note = fewSeedsNote(s);
  return `<section id="${html(anchor)}" data-claim="${html(s.experiment)}" data-profile="${html(s.profile)}">
<h2>${html(s.experiment)} <small>(${html(s.profile)})</small> ${outcomeHtml(s.outcome)} <span class="core">${s.core.asExpected}/${s.core.total} core checks as expected</span></h2>
<p class="paper">${html(s.claim.paper)}</p><blockquote>${html(s.claim.statement)}</blockquote>
<p class="meta">${html(metaLine(s))}</p>
${note ? `<p class="few-seeds">${html(note)}</p>\n` : ''}<table class="checks"><thead><tr><th>role</th><th>check</th><th>paper</th><th>ours</th><th>threshold</th><th>outcome</th></tr></thead><tbody>
${rows}
</tbody></table>
${footnotes}
${forest}
<details><summary>notes</summary><ul>${s.claim.notes.map((n) => `<li>${html(n)}</li>`).join('')}</ul></details>
<div class="figures">${figures}</div>
<p class="back"><a href="#overview">back to the overview</a> · table: <a href="${html(rel)}/${html(s.files.results)}">${html(rel)}/${html(s.files.results)}</a></p>
</section>`;
}

function overviewHtml(runs: SavedRun[]): string {
  const rows = runs
    .map(({ summary: s }) => {
      const a = anchorOf(s);
      return `<tr data-run="${html(a)}"><td><a href="#${html(a)}">${html(s.experiment)}</a></td><td>${html(s.profile)}</td><td>${outcomeHtml(s.outcome)}</td><td>${s.core.asExpected}/${s.core.total}</td><td>${s.seeds.length}</td><td>${duration(s.wallSeconds)}</td><td>${dateOf(s.finishedAt)}</td></tr>`;
    })
    .join('\n');
  return `<table id="overview" class="overview"><thead><tr><th>experiment</th><th>profile</th><th>outcome</th><th>core checks as expected</th><th>seeds</th><th>wall time</th><th>date</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

/** The offline page: the overview, then a section per run with its forest plot and figures inline (SVG). */
export function renderHtml(runs: SavedRun[], resultsDir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>claimlab results</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1320px;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.5em 0}td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f5f5f5}.overview td{vertical-align:middle}
.outcome{font-weight:bold;padding:.05em .4em;border-radius:3px;white-space:nowrap}
.outcome.o-reproduced{color:#1b5e20;background:#e3f2e5}
.outcome.o-not-reproduced{color:#b00020;background:#fde7ea}.outcome.o-inconclusive{color:#7a4a00;background:#fff0d6}
.k{color:#444;white-space:nowrap}.expect{font-style:italic;white-space:nowrap}.expect.ok{color:#1b5e20}.expect.bad{color:#b00020}
.role{white-space:nowrap}tr.core .role{font-weight:bold}.refuted{font-size:.9em;color:#6a1b9a;margin-top:.2em}.refuted cite{text-decoration:underline dotted;cursor:help}
.meta,.paper{color:#555;font-size:.9em}.few-seeds{background:#fff8e1;border-left:4px solid #f0b400;padding:.3em .6em;font-size:.9em}
.footnotes{font-size:.85em;color:#444}section{border-top:2px solid #ddd;margin-top:2.5em}h2 small{font-weight:normal;color:#555}
h2 .core{font-size:.6em;font-weight:normal;color:#555}
figure{margin:0}figure a{display:block}figure svg{display:block;width:100%;height:auto}figcaption{font-size:.85em;color:#555}
.forest{margin:1em 0}.forest svg{max-width:1100px}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(600px,100%),1fr));gap:1.5em 1em;margin-top:1em}.figures .wide{grid-column:1/-1}
</style></head><body>
<h1>claimlab: every claim, our numbers over several seeds, the outcome</h1>
<p>REPRODUCED: every core check came out as expected at every seed; NOT REPRODUCED: a core check came out against its expectation at every seed; INCONCLUSIVE: otherwise. A statement refuted by later work is expected not to reproduce.</p>
${overviewHtml(runs)}
${runs.map((r) => sectionHtml(r, resultsDir)).join('\n')}
</body></html>
`;
}

/** Writes the forest plots, results/README.md and results/index.html for every saved run under `resultsDir`. */
export async function buildReport(resultsDir: string): Promise<SavedRun[]> {
  const runs = findRuns(resultsDir);
  if (!runs.length)
    throw new Error(`No saved runs under ${resultsDir}: run an experiment first (npx nx run exp-rethinking-generalization:run).`);
  await writeForestPlots(runs, resultsDir);
  writeFileAtomic(join(resultsDir, 'README.md'), renderMarkdown(runs, resultsDir));
  writeFileAtomic(join(resultsDir, 'index.html'), renderHtml(runs, resultsDir));
  return runs;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await cliMain(async () => {
    const runs = await buildReport(RESULTS);
    process.stderr.write(`report: ${runs.length} run(s) -> results/README.md, results/index.html, results/${REPORT_DIR}/\n`);
  });
}
