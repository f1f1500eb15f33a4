import { fmt, type Check, type Claim } from '@claimlab/core';
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
export const LINEAR_BAND: [number, number] = [0.5, 2];
/** Hanin, Jeong & Rolnick (2022): expected length is preserved at He init; per-layer factor within 10% of 1. */
export const LENGTH_PRESERVED_BAND: [number, number] = [0.9, 1.1];

/** Mean over seeds of a metric, per layer 1..maxLayer (index = layer). */
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
      'network per (condition, width, seed) gives every depth.',
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
      '(2022) prove that expected length is instead preserved at He initialisation (factor sqrt(sigma_w^2 / 2) in ' +
      'general). That check is expected to fail and is kept as the paper states it.',
    "quick profile: input dimension 32, a 256-gon circle of radius sqrt(32), widths 8-128 (128 = the paper's k), " +
      "depth up to 10 (16 for width 8), 3 seeds, neuron budget 128, sigma_w^2 = 8 as in the paper's figures. With a " +
      'budget of 64 neurons (1x64 ... 8x8, an earlier quick setting) the chaotic deep-narrow advantage was only ' +
      '2.6x, below the 4x threshold: exponential depth effects need enough depth to beat the polynomial width effect.',
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
    const tChaos = seriesOf(rows, { sweep: 'path', ...ht, width: k, metric: 'transitions' });
    const gT = growthFactor(tChaos);
    const bound = raghuHardTanhGrowthBound(chaotic, k);
    checks.push({
      id: 'chaotic-transitions-geometric-in-depth',
      description: `hard-tanh, sigma_w^2 = ${chaotic}, width ${k}: transitions along the circle grow geometrically with depth (fit of log transitions against depth), at the Theorem 3(b) rate`,
      paper: `Theorem 2 (transitions proportional to trajectory length) and Theorem 3(b) (length grows at least like (sqrt(sigma_w k)/sqrt(sigma_w + k))^d = ${fmt(bound, 2)}^d here); Figure 4: transitions grow exponentially with depth`,
      ours: `factor ${fmt(gT.factor, 2)} per layer, R^2 ${fmt(gT.r2, 3)} over ${gT.n} depths (transitions ${[...tChaos.values()].map((v) => Math.round(v)).join(', ')})`,
      threshold: `factor >= ${RATE_TOLERANCE} x ${fmt(bound, 2)} = ${fmt(RATE_TOLERANCE * bound, 2)} and R^2 >= ${MIN_R2}`,
      pass: gT.factor >= RATE_TOLERANCE * bound && gT.r2 >= MIN_R2,
    });

    // 2. Depth beats width at an equal neuron budget (large sigma_w).
    const line = budgetLine(rows, ht, budget);
    const first = line[0];
    const last = line[line.length - 1];
    const monotone = line.every((p, i) => i === 0 || p.transitions > line[i - 1].transitions);
    const adv = first && last ? last.transitions / first.transitions : NaN;
    checks.push({
      id: 'depth-beats-width-equal-budget',
      description: `hard-tanh, sigma_w^2 = ${chaotic}, ${budget} neurons: transitions rise with depth at a fixed number of neurons (deep-narrow >> shallow-wide)`,
      paper:
        'Section 2-3: remaining depth has exponential, width only polynomial effect (regions O(k^{mn}), Theorem 1; ' +
        'transitions vs width and depth, Figure 4)',
      ours: `${line.map((p) => `${p.depth}x${p.width}: ${Math.round(p.transitions)}`).join(', ')}; deepest/shallowest ${fmt(adv, 1)}x`,
      threshold: `strictly increasing with depth and deepest/shallowest >= ${MIN_DEPTH_ADVANTAGE}x (at least 2 budget points)`,
      pass: line.length >= 2 && monotone && adv >= MIN_DEPTH_ADVANTAGE,
    });

    // 3. Trajectory length growth rate against Theorem 3(b), for every chaotic-side hard-tanh condition.
    const rates = hardTanh
      .filter((c) => c.sigma_w2 > 1)
      .map((c) => {
        const g = growthFactor(seriesOf(rows, { sweep: 'path', ...c, width: k, metric: 'length' }));
        const b = raghuHardTanhGrowthBound(c.sigma_w2, k);
        return { s: c.sigma_w2, factor: g.factor, bound: b, ratio: g.factor / b };
      });
    checks.push({
      id: 'length-growth-matches-theorem3b',
      description: `hard-tanh, sigma_b = 0, width ${k}: per-layer growth factor of the trajectory length matches Theorem 3(b)'s rate for every sigma_w^2 > 1`,
      paper:
        'Theorem 3(b): E[l(z^(d))] >= O((sqrt(sigma_w k)/sqrt(sigma_w + k))^d) l(x); Figure 1: length grows ' +
        'exponentially with depth, faster for larger sigma_w',
      ours: rates.map((r) => `sigma_w^2=${r.s}: ${fmt(r.factor, 2)} vs ${fmt(r.bound, 2)} (ratio ${fmt(r.ratio, 2)})`).join('; '),
      threshold: `ratio in [${RATE_TOLERANCE}, ${fmt(1 / RATE_TOLERANCE, 2)}] for each`,
      pass: rates.length > 0 && rates.every((r) => r.ratio >= RATE_TOLERANCE && r.ratio <= 1 / RATE_TOLERANCE),
    });

    // 4. sigma_w separates the regimes: length shrinks in the ordered phase, grows in the chaotic one.
    const lowest = hardTanh[0];
    const gLow = lowest ? growthFactor(seriesOf(rows, { sweep: 'path', ...lowest, width: k, metric: 'length' })) : { factor: NaN };
    const gHigh = growthFactor(seriesOf(rows, { sweep: 'path', ...ht, width: k, metric: 'length' }));
    checks.push({
      id: 'sigma-separates-regimes',
      description: `hard-tanh, width ${k}: trajectory length shrinks with depth at small sigma_w^2 (ordered) and grows at large sigma_w^2 (chaotic)`,
      paper: 'Section 2.1 / Figure 1 and Poole et al. (2016): order-to-chaos transition in sigma_w; growth needs large sigma_w',
      ours: `factor ${fmt(gLow.factor, 2)} at sigma_w^2 = ${lowest?.sigma_w2 ?? '-'}, ${fmt(gHigh.factor, 2)} at sigma_w^2 = ${chaotic}`,
      threshold: `< 1 at the smallest sigma_w^2 (which must be < 1) and > 1 at sigma_w^2 = ${chaotic}`,
      pass: lowest !== undefined && lowest.sigma_w2 < 1 && gLow.factor < 1 && gHigh.factor > 1,
    });

    // 5. The constructive side: Telgarsky's sawtooth reaches 2^L regions.
    const saw = rows.filter((r) => r.sweep === 'sawtooth' && r.metric === 'regions').sort((a, b) => a.layer - b.layer);
    const sawOk = saw.length > 0 && saw.every((r) => r.value === 2 ** r.layer);
    const sawLast = saw[saw.length - 1];
    checks.push({
      id: 'sawtooth-exponential-regions',
      description: "Telgarsky's sawtooth (width 2) gives exactly 2^L linear regions on [0, 1] at depth L, counted by the same code",
      paper: 'Theorem 1 / Section 2.2: region count can be exponential in depth (constructions of Montufar et al. 2014, Telgarsky 2016)',
      ours: saw.length ? `depth 1..${sawLast.layer}: ${saw.map((r) => r.value).join(', ')}` : 'no rows',
      threshold: 'regions = 2^L at every depth',
      pass: sawOk,
    });

    // 6. Hanin & Rolnick (2019) at He init: transitions grow linearly with the number of neurons.
    const tHe = he ? seriesOf(rows, { sweep: 'path', ...he, width: k, metric: 'transitions' }) : new Map<number, number>();
    const layersHe = [...tHe.keys()];
    const dMax = layersHe[layersHe.length - 1];
    const linRatio = tHe.size ? tHe.get(dMax)! / (dMax * tHe.get(1)!) : NaN;
    checks.push({
      id: 'he-relu-transitions-linear-in-neurons',
      description: `ReLU at He init (sigma_w^2 = 2), width ${k}: transitions at depth ${dMax ?? '-'} are about depth x transitions at depth 1 (linear in the number of neurons, not exponential)`,
      paper:
        'Hanin & Rolnick (2019), Theorem 1 and Figures 2-3: regions along a line per unit length ~ number of neurons, ' +
        'independent of depth, at initialisation',
      ours: `T(${dMax})/(${dMax} T(1)) = ${fmt(linRatio, 2)} (transitions ${[...tHe.values()].map((v) => Math.round(v)).join(', ')})`,
      threshold: `in [${LINEAR_BAND.join(', ')}]`,
      pass: linRatio >= LINEAR_BAND[0] && linRatio <= LINEAR_BAND[1],
    });
    const lineHe = he ? budgetLine(rows, he, budget) : [];
    const heAdv = lineHe.length >= 2 ? lineHe[lineHe.length - 1].transitions / lineHe[0].transitions : NaN;
    checks.push({
      id: 'he-relu-equal-budget-depth-independent',
      description: `ReLU at He init, ${budget} neurons: deep-narrow and shallow-wide nets cross about as many regions along the circle`,
      paper: 'Hanin & Rolnick (2019): the density of regions depends on the total number of neurons, not on how they are arranged in depth',
      ours: `${lineHe.map((p) => `${p.depth}x${p.width}: ${Math.round(p.transitions)}`).join(', ')}; deepest/shallowest ${fmt(heAdv, 2)}x`,
      threshold: `deepest/shallowest in [${LINEAR_BAND.join(', ')}]`,
      pass: heAdv >= LINEAR_BAND[0] && heAdv <= LINEAR_BAND[1],
    });

    // 7. Length at He init: preserved (Hanin, Jeong & Rolnick 2022) versus Theorem 3(a).
    const gLenHe = he ? growthFactor(seriesOf(rows, { sweep: 'path', ...he, width: k, metric: 'length' })) : { factor: NaN, r2: NaN, n: 0 };
    checks.push({
      id: 'he-relu-length-preserved',
      description: `ReLU at He init, width ${k}: the trajectory length neither grows nor shrinks with depth`,
      paper:
        'Hanin, Jeong & Rolnick (2022), "Deep ReLU networks preserve expected length": expected length is preserved at He initialisation',
      ours: `factor ${fmt(gLenHe.factor, 3)} per layer`,
      threshold: `in [${LENGTH_PRESERVED_BAND.join(', ')}]`,
      pass: gLenHe.factor >= LENGTH_PRESERVED_BAND[0] && gLenHe.factor <= LENGTH_PRESERVED_BAND[1],
    });
    const boundA = Math.sqrt(2) * Math.sqrt(k / (k + 1));
    checks.push({
      id: 'relu-length-theorem3a',
      description: `ReLU at He init, width ${k}: trajectory length grows at Theorem 3(a)'s rate sigma_w sqrt(k)/sqrt(k+1)`,
      paper: `Raghu et al. (2017), Theorem 3(a): E[l(z^(d))] >= O((sigma_w sqrt(k)/sqrt(k+1))^d) l(x) = ${fmt(boundA, 2)}^d here`,
      ours: `factor ${fmt(gLenHe.factor, 3)} per layer (ratio ${fmt(gLenHe.factor / boundA, 2)})`,
      threshold: `>= ${RATE_TOLERANCE} x ${fmt(boundA, 2)} = ${fmt(RATE_TOLERANCE * boundA, 2)}`,
      pass: gLenHe.factor >= RATE_TOLERANCE * boundA,
    });
    return checks;
  },
};
