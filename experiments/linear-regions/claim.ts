import { fmt, meets, type Bound, type Check, type Claim, type Refutation } from '@claimlab/core';
import { raghuHardTanhGrowthBound } from '@claimlab/metrics';
import { linearRegression, mean, rSquared } from 'simple-statistics';
import type { LinearRegionsConfig } from './config.ts';
import { type ResultRow } from './results.ts';

/** Tolerance on a per-layer growth factor against a theorem's rate: within a factor 0.8-1.25 (20% on the base of the exponential). */
export const RATE_TOLERANCE = 0.8;
/** Minimum R^2 of log(transitions) against depth for "geometric growth". */
export const MIN_R2 = 0.95;
/** Deep-narrow over shallow-wide transitions at an equal neuron budget, for "much faster with depth". */
export const MIN_DEPTH_ADVANTAGE = 4;
/** Hanin & Rolnick (2019): regions per neuron do not depend on depth; "comparable" = within a factor 2. */
export const LINEAR_FOLD = 2;
export const LINEAR_BAND: [number, number] = [1 / LINEAR_FOLD, LINEAR_FOLD];
/** Hanin, Jeong & Rolnick (2022): expected length is preserved at He init; per-layer factor within 10% of 1. */
export const LENGTH_PRESERVED_TOLERANCE = 0.1;
export const LENGTH_PRESERVED_BAND: [number, number] = [1 - LENGTH_PRESERVED_TOLERANCE, 1 + LENGTH_PRESERVED_TOLERANCE];

/** The later work that refutes Raghu et al.'s Theorem 3(a) for ReLU at He initialisation (docs/REFERENCES.md, primary). */
export const HANIN_JEONG_ROLNICK_2022: Refutation = {
  citation: 'Hanin, Jeong & Rolnick (2022). Deep ReLU Networks Preserve Expected Length. ICLR.',
  sentence: 'for networks with the typical initialization used in practice, expected length distortion does not grow at all with depth.',
};

/** A finite number, else null (a statistic whose inputs are missing or degenerate). */
const finite = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** How far a positive ratio is from 1 as a factor: max(r, 1/r) (so a band [1/f, f] is fold <= f); NaN unless r > 0. */
export const fold = (r: number): number => (r > 0 ? Math.max(r, 1 / r) : NaN);

/** A check on a numeric statistic: it passes when the statistic meets the bound, and fails with value null when it is missing. */
function numeric(c: Omit<Check, 'value' | 'pass' | 'bound'> & { value: number | null | undefined; bound: Bound }): Check {
  const value = finite(c.value);
  return { ...c, value, pass: meets(value, c.bound) };
}

/** Mean over the networks (of one seed) of a metric, per layer 1..maxLayer (index = layer). */
export function seriesOf(
  rows: ResultRow[],
  f: { sweep: string; activation: string; sigma_w2?: number; width: number; depth?: number; metric: string },
): Map<number, number> {
  const byLayer = new Map<number, number[]>();
  for (const r of rows) {
    if (r.sweep !== f.sweep || r.activation !== f.activation || r.width !== f.width || r.metric !== f.metric) continue;
    if (f.sigma_w2 !== undefined && r.sigma_w2 !== f.sigma_w2) continue;
    if (f.depth !== undefined && r.depth !== f.depth) continue;
    byLayer.set(r.layer, [...(byLayer.get(r.layer) ?? []), r.value]);
  }
  return new Map([...byLayer.entries()].sort((a, b) => a[0] - b[0]).map(([l, v]) => [l, mean(v)]));
}

/** Per-layer growth factor exp(slope) of log(y) against layer, and the fit's R^2, over layers >= fromLayer. */
export function growthFactor(series: Map<number, number>, fromLayer = 1): { factor: number; r2: number; n: number } {
  const pts = [...series.entries()].filter(([l, y]) => l >= fromLayer && y > 0).map(([l, y]) => [l, Math.log(y)] as [number, number]);
  if (pts.length < 3) return { factor: NaN, r2: NaN, n: pts.length };
  const fit = linearRegression(pts);
  const line = (x: number) => fit.m * x + fit.b;
  return { factor: Math.exp(fit.m), r2: rSquared(pts, line), n: pts.length };
}

type Cond = { activation: string; sigma_w2: number };
const conditionsOf = (rows: ResultRow[]): Cond[] => {
  const seen = new Map<string, Cond>();
  for (const r of rows)
    if (r.sweep === 'path') seen.set(`${r.activation}/${r.sigma_w2}`, { activation: r.activation, sigma_w2: r.sigma_w2 });
  return [...seen.values()];
};
const widthsOf = (rows: ResultRow[]) => [...new Set(rows.filter((r) => r.sweep === 'path').map((r) => r.width))].sort((a, b) => a - b);

/** Transitions at an equal neuron budget: (depth = budget / width, width) for every swept width with depth <= the built depth. */
export function budgetLine(rows: ResultRow[], c: Cond, budget: number): { depth: number; width: number; transitions: number }[] {
  const out: { depth: number; width: number; transitions: number }[] = [];
  for (const w of widthsOf(rows)) {
    if (budget % w !== 0) continue;
    const s = seriesOf(rows, { sweep: 'path', ...c, width: w, metric: 'transitions' });
    const d = budget / w;
    if (s.has(d)) out.push({ depth: d, width: w, transitions: s.get(d)! });
  }
  return out.sort((a, b) => a.depth - b.depth);
}

export const claim: Claim<LinearRegionsConfig, ResultRow> = {
  paper: {
    authors: 'Raghu, Poole, Kleinberg, Ganguli & Sohl-Dickstein; with Hanin & Rolnick (2019) and Hanin, Jeong & Rolnick (2022)',
    title: 'On the Expressive Power of Deep Neural Networks',
    venue: 'ICML',
    year: 2017,
  },
  statement:
    'For piecewise-linear networks the number of linear regions can grow exponentially with depth (O(k^{mn}), ' +
    'Theorem 1; constructions reach it); ' +
    'at random initialisation with large sigma_w the trajectory length and the number of transitions along it grow ' +
    'exponentially with depth ' +
    '(Theorems 2-3, Figures 1-4), so depth buys more expressivity than width. Counter-point (Hanin & Rolnick 2019): at He initialisation ' +
    'regions along a line scale with the number of neurons, not exponentially with depth.',
  notes: [
    'Counting is exact along the path: breakpoints are propagated analytically layer by layer ' +
      '(libs/metrics/src/linear-regions.ts); the circle is an inscribed regular polygon (circleVertices corners) and ' +
      'the counts are exact for that polygon. Tests check the counts against dense sampling, hand-computed kinks and ' +
      "Telgarsky's sawtooth.",
    'Transitions = places along the closed circle where the activation pattern of layers 1..l changes; a network ' +
      'cut after layer l is a depth-l network (its weights are the first l layers of the deeper one), so one deep ' +
      'network per (condition, width, network index) gives every depth.',
    'Hard-tanh networks use sigma_b = 0, the setting of Theorem 3(b) whose per-layer rate is sqrt(sigma_w k) / ' +
      'sqrt(sigma_w + k) (sigma_w = sqrt(sigma_w^2)). ReLU uses He initialisation (sigma_w^2 = 2) with sigma_b^2 = ' +
      '1e-6 as in Hanin & Rolnick (2019).',
    `Thresholds: a growth factor "matches" a theorem's rate when it lies within a factor ` +
      `${RATE_TOLERANCE}-${fmt(1 / RATE_TOLERANCE, 2)} of it (the theorems are O(.) bounds, so only the rate, not ` +
      `the constant, is compared); geometric growth needs R^2 >= ${MIN_R2} of log count against depth; "much faster ` +
      `with depth" is >= ${MIN_DEPTH_ADVANTAGE}x more transitions for the deepest than the shallowest net at the ` +
      `same neuron budget; Hanin-Rolnick's "regions scale with neurons" is a ratio within ${LINEAR_BAND.join('-')} ` +
      `of linear.`,
    'Theorem 3(a) (ReLU) predicts length growth sigma_w sqrt(k) / sqrt(k + 1) per layer; Hanin, Jeong & Rolnick ' +
      '(2022, "Deep ReLU Networks Preserve Expected Length", ICLR) prove that expected length is instead preserved at ' +
      'He initialisation (factor sqrt(sigma_w^2 / 2) in general): "for networks with the typical initialization used ' +
      'in practice, expected length distortion does not grow at all with depth." The check relu-length-theorem3a is ' +
      'kept as the paper states it and carries this refutation (refutedBy), so it is expected NOT to reproduce; no ' +
      'other check is refuted.',
    "quick profile: input dimension 32, a 256-gon circle of radius sqrt(32), widths 8-128 (128 = the paper's k), " +
      "depth up to 10 (16 for width 8), 3 networks per setting, neuron budget 128, sigma_w^2 = 8 as in the paper's figures. With a " +
      'budget of 64 neurons (1x64 ... 8x8, an earlier quick setting) the chaotic deep-narrow advantage was only ' +
      '2.6x, below the 4x threshold: exponential depth effects need enough depth to beat the polynomial width effect.',
    'Seeds: each seed of a run is a full replicate (its master seed forks every network and plane; `networks` random ' +
      'networks per setting, formerly the config key `seeds`, are averaged inside it), and every check is computed at ' +
      "each seed from that seed's rows.",
    'Roles: core are chaotic-transitions-geometric-in-depth, chaotic-transitions-theorem3b-rate, ' +
      'depth-beats-width-equal-budget, length-growth-matches-theorem3b and relu-length-theorem3a (Raghu et al.: abstract, ' +
      "Theorems 2-3, Figures 1 and 4: transitions and length grow exponentially with depth at the theorems' rates, depth " +
      'beats width), he-relu-transitions-linear-in-neurons and he-relu-equal-budget-depth-independent (Hanin & Rolnick ' +
      '2019 abstract: regions along a line grow linearly in the total number of neurons) and he-relu-length-preserved ' +
      '(Hanin, Jeong & Rolnick 2022 abstract), because each is a statement of an abstract, a theorem or a headline ' +
      'figure; supporting are equal-budget-transitions-rise-with-depth (the strict rise at every budget point, a detail ' +
      'of Figure 4), sigma-separates-regimes-ordered and sigma-separates-regimes-chaotic (the premise of large sigma_w, ' +
      'a sanity check of the two phases) and sawtooth-exponential-regions (a known construction that checks the counter).',
    'Split checks (each part keeps the original threshold): chaotic-transitions-geometric-in-depth (R^2) and ' +
      'chaotic-transitions-theorem3b-rate (factor) were one check chaotic-transitions-geometric-in-depth; ' +
      'depth-beats-width-equal-budget (deepest/shallowest) and equal-budget-transitions-rise-with-depth (strict rise) ' +
      'were one check depth-beats-width-equal-budget; sigma-separates-regimes-ordered and ' +
      'sigma-separates-regimes-chaotic were one check sigma-separates-regimes. Two-sided bands are one number each: ' +
      'a ratio band [1/f, f] is the fold deviation max(r, 1/r) <= f, the length band [0.9, 1.1] is |factor - 1| <= 0.1.',
    'The 2-D region maps count distinct activation patterns on a grid of a random plane through the origin (a ' +
      'lower bound on the regions meeting the slice). With sigma_b^2 = 1e-6 the ReLU regions are nearly cones from ' +
      'the origin, hence the wedges.',
  ],
  checks(rows, { config }): Check[] {
    const checks: Check[] = [];
    const widths = widthsOf(rows);
    const k = widths[widths.length - 1] ?? NaN;
    const chaotic = config.chaoticSigmaW2;
    const budget = config.budget;
    const conds = conditionsOf(rows);
    const hardTanh = conds.filter((c) => c.activation === 'hard-tanh').sort((a, b) => a.sigma_w2 - b.sigma_w2);
    const he = conds.find((c) => c.activation === 'relu' && c.sigma_w2 === 2);
    const ht: Cond = { activation: 'hard-tanh', sigma_w2: chaotic };

    // 1. Transitions grow geometrically with depth at large sigma_w (Theorem 2 with Theorem 3b; Figure 4-style transitions vs depth).
    //    Split in two: the fit is geometric (R^2), and its factor reaches the Theorem 3(b) rate.
    const tChaos = seriesOf(rows, { sweep: 'path', ...ht, width: k, metric: 'transitions' });
    const gT = growthFactor(tChaos);
    const bound = raghuHardTanhGrowthBound(chaotic, k);
    const transitionsText = `transitions ${[...tChaos.values()].map((v) => Math.round(v)).join(', ')}`;
    checks.push(
      numeric({
        id: 'chaotic-transitions-geometric-in-depth',
        description: `hard-tanh, sigma_w^2 = ${chaotic}, width ${k}: transitions along the circle are geometric in depth (R^2 of the fit of log transitions against depth)`,
        paper:
          'Figure 4 and the abstract: transitions grow exponentially with depth (Theorem 2: transitions proportional to trajectory length)',
        role: 'core',
        value: gT.r2,
        bound: { op: '>=', value: MIN_R2 },
        ours: `R^2 ${fmt(gT.r2, 3)} over ${gT.n} depths, factor ${fmt(gT.factor, 2)} per layer (${transitionsText})`,
        threshold: `R^2 >= ${MIN_R2}`,
      }),
    );
    checks.push(
      numeric({
        id: 'chaotic-transitions-theorem3b-rate',
        description: `hard-tanh, sigma_w^2 = ${chaotic}, width ${k}: transitions along the circle grow per layer at least at the Theorem 3(b) rate (factor of the fit of log transitions against depth, over the rate)`,
        paper: `Theorem 2 (transitions proportional to trajectory length) and Theorem 3(b) (length grows at least like (sqrt(sigma_w k)/sqrt(sigma_w + k))^d = ${fmt(bound, 2)}^d here)`,
        role: 'core',
        value: gT.factor / bound,
        bound: { op: '>=', value: RATE_TOLERANCE },
        ours: `factor ${fmt(gT.factor, 2)} per layer vs rate ${fmt(bound, 2)} (ratio ${fmt(gT.factor / bound, 2)})`,
        threshold: `factor >= ${RATE_TOLERANCE} x ${fmt(bound, 2)} = ${fmt(RATE_TOLERANCE * bound, 2)} (ratio >= ${RATE_TOLERANCE})`,
      }),
    );

    // 2. Depth beats width at an equal neuron budget (large sigma_w). Split in two: the deepest/shallowest
    //    advantage, and the strict rise between consecutive budget points.
    const line = budgetLine(rows, ht, budget);
    const first = line[0];
    const last = line[line.length - 1];
    const adv = line.length >= 2 ? last.transitions / first.transitions : null;
    const rises = line.slice(1).map((p, i) => p.transitions - line[i].transitions);
    const minRise = rises.length > 0 ? Math.min(...rises) : null;
    const lineText = line.map((p) => `${p.depth}x${p.width}: ${Math.round(p.transitions)}`).join(', ');
    checks.push(
      numeric({
        id: 'depth-beats-width-equal-budget',
        description: `hard-tanh, sigma_w^2 = ${chaotic}, ${budget} neurons: the deepest-narrowest net crosses many more transitions than the shallowest-widest (deep-narrow >> shallow-wide)`,
        paper:
          'Section 2-3: remaining depth has exponential, width only polynomial effect (regions O(k^{mn}), Theorem 1; ' +
          'transitions vs width and depth, Figure 4)',
        role: 'core',
        value: adv,
        bound: { op: '>=', value: MIN_DEPTH_ADVANTAGE },
        ours: `${lineText}; deepest/shallowest ${fmt(adv, 1)}x`,
        threshold: `deepest/shallowest >= ${MIN_DEPTH_ADVANTAGE}x (at least 2 budget points)`,
      }),
    );
    checks.push(
      numeric({
        id: 'equal-budget-transitions-rise-with-depth',
        description: `hard-tanh, sigma_w^2 = ${chaotic}, ${budget} neurons: transitions rise strictly with depth at a fixed number of neurons (smallest rise between consecutive budget points)`,
        paper: 'Figure 4: at large sigma_w, transitions grow with remaining depth and only polynomially with width',
        role: 'supporting',
        value: minRise,
        bound: { op: '>', value: 0 },
        ours: `${lineText}; smallest rise ${minRise ?? '-'}`,
        threshold: 'strictly increasing with depth: smallest rise > 0 (at least 2 budget points)',
      }),
    );

    // 3. Trajectory length growth rate against Theorem 3(b), for every chaotic-side hard-tanh condition:
    //    the worst fold deviation max(r, 1/r) of the ratio r = factor / rate over the conditions.
    const rates = hardTanh
      .filter((c) => c.sigma_w2 > 1)
      .map((c) => {
        const g = growthFactor(seriesOf(rows, { sweep: 'path', ...c, width: k, metric: 'length' }));
        const b = raghuHardTanhGrowthBound(c.sigma_w2, k);
        return { s: c.sigma_w2, factor: g.factor, bound: b, ratio: g.factor / b };
      });
    const worstRate = rates.length > 0 ? Math.max(...rates.map((r) => fold(r.ratio))) : null;
    checks.push(
      numeric({
        id: 'length-growth-matches-theorem3b',
        description: `hard-tanh, sigma_b = 0, width ${k}: per-layer growth factor of the trajectory length matches Theorem 3(b)'s rate for every sigma_w^2 > 1`,
        paper:
          'Theorem 3(b): E[l(z^(d))] >= O((sqrt(sigma_w k)/sqrt(sigma_w + k))^d) l(x); Figure 1: length grows ' +
          'exponentially with depth, faster for larger sigma_w',
        role: 'core',
        value: worstRate,
        bound: { op: '<=', value: 1 / RATE_TOLERANCE },
        ours:
          rates.map((r) => `sigma_w^2=${r.s}: ${fmt(r.factor, 2)} vs ${fmt(r.bound, 2)} (ratio ${fmt(r.ratio, 2)})`).join('; ') +
          `; worst fold ${fmt(worstRate, 2)}`,
        threshold: `ratio in [${RATE_TOLERANCE}, ${fmt(1 / RATE_TOLERANCE, 2)}] for each (worst max(ratio, 1/ratio) <= ${fmt(1 / RATE_TOLERANCE, 2)})`,
      }),
    );

    // 4. sigma_w separates the regimes: length shrinks in the ordered phase, grows in the chaotic one.
    //    Split in two: the ordered side and the chaotic side.
    const lowest = hardTanh[0];
    const ordered = lowest !== undefined && lowest.sigma_w2 < 1 ? lowest : undefined;
    const gLow = ordered ? growthFactor(seriesOf(rows, { sweep: 'path', ...ordered, width: k, metric: 'length' })) : { factor: NaN };
    const gHigh = growthFactor(seriesOf(rows, { sweep: 'path', ...ht, width: k, metric: 'length' }));
    checks.push(
      numeric({
        id: 'sigma-separates-regimes-ordered',
        description: `hard-tanh, width ${k}: trajectory length shrinks with depth at the smallest sigma_w^2, which must be < 1 (ordered phase)`,
        paper: 'Section 2.1 / Figure 1 and Poole et al. (2016): order-to-chaos transition in sigma_w; lengths shrink in the ordered phase',
        role: 'supporting',
        value: gLow.factor,
        bound: { op: '<', value: 1 },
        ours: `factor ${fmt(gLow.factor, 2)} at sigma_w^2 = ${lowest?.sigma_w2 ?? '-'}`,
        threshold: '< 1 at the smallest sigma_w^2 (which must be < 1)',
      }),
    );
    checks.push(
      numeric({
        id: 'sigma-separates-regimes-chaotic',
        description: `hard-tanh, width ${k}: trajectory length grows with depth at sigma_w^2 = ${chaotic} (chaotic phase)`,
        paper: 'Section 2.1 / Figure 1 and Poole et al. (2016): order-to-chaos transition in sigma_w; growth needs large sigma_w',
        role: 'supporting',
        value: gHigh.factor,
        bound: { op: '>', value: 1 },
        ours: `factor ${fmt(gHigh.factor, 2)} at sigma_w^2 = ${chaotic}`,
        threshold: `> 1 at sigma_w^2 = ${chaotic}`,
      }),
    );

    // 5. The constructive side: Telgarsky's sawtooth reaches 2^L regions (statistic: the largest miss |regions - 2^L|).
    const saw = rows.filter((r) => r.sweep === 'sawtooth' && r.metric === 'regions').sort((a, b) => a.layer - b.layer);
    const sawMiss = saw.length > 0 ? Math.max(...saw.map((r) => Math.abs(r.value - 2 ** r.layer))) : null;
    const sawLast = saw[saw.length - 1];
    checks.push(
      numeric({
        id: 'sawtooth-exponential-regions',
        description: "Telgarsky's sawtooth (width 2) gives exactly 2^L linear regions on [0, 1] at depth L, counted by the same code",
        paper: 'Theorem 1 / Section 2.2: region count can be exponential in depth (constructions of Montufar et al. 2014, Telgarsky 2016)',
        role: 'supporting',
        value: sawMiss,
        bound: { op: '<=', value: 0 },
        ours: saw.length
          ? `depth 1..${sawLast.layer}: ${saw.map((r) => r.value).join(', ')}; largest |regions - 2^L| ${sawMiss}`
          : 'no rows',
        threshold: 'regions = 2^L at every depth (largest |regions - 2^L| <= 0)',
      }),
    );

    // 6. Hanin & Rolnick (2019) at He init: transitions grow linearly with the number of neurons.
    const tHe = he ? seriesOf(rows, { sweep: 'path', ...he, width: k, metric: 'transitions' }) : new Map<number, number>();
    const layersHe = [...tHe.keys()];
    const dMax = layersHe[layersHe.length - 1];
    const linRatio = tHe.size && tHe.has(1) ? tHe.get(dMax)! / (dMax * tHe.get(1)!) : NaN;
    checks.push(
      numeric({
        id: 'he-relu-transitions-linear-in-neurons',
        description: `ReLU at He init (sigma_w^2 = 2), width ${k}: transitions at depth ${dMax ?? '-'} are about depth x transitions at depth 1 (linear in the number of neurons, not exponential)`,
        paper:
          'Hanin & Rolnick (2019), Theorem 1 and Figures 2-3: regions along a line per unit length ~ number of neurons, ' +
          'independent of depth, at initialisation',
        role: 'core',
        value: fold(linRatio),
        bound: { op: '<=', value: LINEAR_FOLD },
        ours: `T(${dMax})/(${dMax} T(1)) = ${fmt(linRatio, 2)} (transitions ${[...tHe.values()].map((v) => Math.round(v)).join(', ')})`,
        threshold: `in [${LINEAR_BAND.join(', ')}] (max(ratio, 1/ratio) <= ${LINEAR_FOLD})`,
      }),
    );
    const lineHe = he ? budgetLine(rows, he, budget) : [];
    const heAdv = lineHe.length >= 2 ? lineHe[lineHe.length - 1].transitions / lineHe[0].transitions : NaN;
    checks.push(
      numeric({
        id: 'he-relu-equal-budget-depth-independent',
        description: `ReLU at He init, ${budget} neurons: deep-narrow and shallow-wide nets cross about as many regions along the circle`,
        paper:
          'Hanin & Rolnick (2019): the density of regions depends on the total number of neurons, not on how they are arranged in depth',
        role: 'core',
        value: fold(heAdv),
        bound: { op: '<=', value: LINEAR_FOLD },
        ours: `${lineHe.map((p) => `${p.depth}x${p.width}: ${Math.round(p.transitions)}`).join(', ')}; deepest/shallowest ${fmt(heAdv, 2)}x`,
        threshold: `deepest/shallowest in [${LINEAR_BAND.join(', ')}] (max(ratio, 1/ratio) <= ${LINEAR_FOLD})`,
      }),
    );

    // 7. Length at He init: preserved (Hanin, Jeong & Rolnick 2022) versus Theorem 3(a).
    const gLenHe = he ? growthFactor(seriesOf(rows, { sweep: 'path', ...he, width: k, metric: 'length' })) : { factor: NaN, r2: NaN, n: 0 };
    checks.push(
      numeric({
        id: 'he-relu-length-preserved',
        description: `ReLU at He init, width ${k}: the trajectory length neither grows nor shrinks with depth`,
        paper:
          'Hanin, Jeong & Rolnick (2022), "Deep ReLU networks preserve expected length": expected length is preserved at He initialisation',
        role: 'core',
        value: Math.abs(gLenHe.factor - 1),
        bound: { op: '<=', value: LENGTH_PRESERVED_TOLERANCE },
        ours: `factor ${fmt(gLenHe.factor, 3)} per layer`,
        threshold: `in [${LENGTH_PRESERVED_BAND.join(', ')}] (|factor - 1| <= ${LENGTH_PRESERVED_TOLERANCE})`,
      }),
    );
    const boundA = Math.sqrt(2) * Math.sqrt(k / (k + 1));
    checks.push(
      numeric({
        id: 'relu-length-theorem3a',
        description: `ReLU at He init, width ${k}: trajectory length grows at Theorem 3(a)'s rate sigma_w sqrt(k)/sqrt(k+1)`,
        paper: `Raghu et al. (2017), Theorem 3(a): E[l(z^(d))] >= O((sigma_w sqrt(k)/sqrt(k+1))^d) l(x) = ${fmt(boundA, 2)}^d here`,
        role: 'core',
        refutedBy: HANIN_JEONG_ROLNICK_2022,
        value: gLenHe.factor / boundA,
        bound: { op: '>=', value: RATE_TOLERANCE },
        ours: `factor ${fmt(gLenHe.factor, 3)} per layer (ratio ${fmt(gLenHe.factor / boundA, 2)})`,
        threshold: `>= ${RATE_TOLERANCE} x ${fmt(boundA, 2)} = ${fmt(RATE_TOLERANCE * boundA, 2)} (ratio >= ${RATE_TOLERANCE})`,
      }),
    );
    return checks;
  },
};
