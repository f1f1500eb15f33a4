import { fmt, meets, type Bound, type Check, type Claim } from '@claimlab/core';
import type { UniversalConfig } from './config.ts';
import { type ResultRow } from './results.ts';

// Thresholds, fixed before the runs (the first five from the first version of this experiment; the
// others with the papers' protocol, before any run of it).
/** "Far more often than random": at least this many times the random rate ... */
export const MIN_RATIO_OVER_RANDOM = 3;
/** ... and at least this much above it in absolute terms (so a 0.01 vs 0.003 "3x" does not count). */
export const MIN_MARGIN_OVER_RANDOM = 0.2;
/** Generalization from the build images: the held-out fooling rate keeps at least this share of the build-set rate. */
export const MIN_HELD_OUT_SHARE = 0.75;
/** Transfer: an off-diagonal entry must reach this multiple of the attacked model's random rate ... */
export const MIN_TRANSFER_RATIO = 1.5;
/** ... and exceed it by this much. */
export const MIN_TRANSFER_MARGIN = 0.05;
/** Monotonicity in xi, with this much slack for sampling noise (1000 test images: one s.e. ~0.015). */
export const XI_SLACK = 0.02;
/** "Of the same order": the singular vector's held-out rate is at least this share of the iterative algorithm's. */
export const MIN_SV_SHARE_OF_UAP = 0.5;
/** "Saturates early": the rate from mainImages images keeps at least this share of the rate from the most images. */
export const MIN_SATURATION_SHARE = 0.75;
/** A defense "lowers" the rate of the perturbation it was built against by at least this much (absolute). */
export const MIN_DEFENSE_DROP = 0.05;

/** The value of the single row matching `f`, or NaN. */
export function valueOf(rows: ResultRow[], f: Partial<ResultRow>): number {
  const hit = rows.find((r) => Object.entries(f).every(([k, v]) => r[k as keyof ResultRow] === v));
  return hit ? hit.value : NaN;
}

/** Undefended models in the results, in the order of their clean-accuracy rows. */
export function modelsOf(rows: ResultRow[]): string[] {
  return [...new Set(rows.filter((r) => r.method === 'clean' && !r.attacked.includes('+')).map((r) => r.attacked))];
}

/** Defended models (model+defense) in the results, in row order. */
export function defendedOf(rows: ResultRow[]): string[] {
  return [...new Set(rows.filter((r) => r.method === 'clean' && r.attacked.includes('+')).map((r) => r.attacked))];
}

/** The main budget the rule chose (the main_xi row), or NaN. */
export const mainXiOf = (rows: ResultRow[]): number => valueOf(rows, { method: 'budget-rule', metric: 'main_xi' });

/** The undefended model a (possibly defended) model name is built on. */
export const baseModel = (name: string): string => name.split('+')[0];

export function mainLayerOf(config: UniversalConfig, model: string): string {
  return config.models.find((m) => m.name === baseModel(model))?.mainLayer ?? '-';
}

/** Held-out fooling rate of the perturbation of `method` built on `source` from n images, applied to `attacked`, at budget xi. */
export function rateOf(
  rows: ResultRow[],
  config: UniversalConfig,
  q: { method: 'sv' | 'uap'; source: string; attacked: string; xi?: number; n?: number; evalSet?: string },
): number {
  return valueOf(rows, {
    source: q.source,
    attacked: q.attacked,
    method: q.method,
    layer: q.method === 'sv' ? mainLayerOf(config, q.source) : '-',
    n_images: q.n ?? config.mainImages,
    xi: q.xi ?? mainXiOf(rows),
    eval_set: q.evalSet ?? 'test',
    metric: 'fooling_rate',
  });
}

export function randomRate(rows: ResultRow[], attacked: string, xi: number): number {
  return valueOf(rows, { method: 'random', attacked, xi, eval_set: 'test', metric: 'fooling_rate' });
}

/** The transfer table of a method: rows source, columns attacked (held-out fooling rate at the main budget). */
export function transferTable(rows: ResultRow[], config: UniversalConfig, method: 'sv' | 'uap'): { models: string[]; rates: number[][] } {
  const models = modelsOf(rows);
  return { models, rates: models.map((source) => models.map((attacked) => rateOf(rows, config, { method, source, attacked }))) };
}

const METHOD_NAME = { sv: 'singular-vector (Khrulkov & Oseledets)', uap: 'iterative UAP (Moosavi-Dezfooli et al.)' } as const;
const pct = (x: number | null) => fmt(x, 3);

/**
 * The worst case of a per-model (or per-entry) statistic: its minimum or maximum, or null when
 * there is none or one of them is missing or undefined (a missing row gives NaN), so that a check
 * never passes on missing input.
 */
export function worst(xs: number[], which: 'min' | 'max'): number | null {
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x))) return null;
  return which === 'min' ? Math.min(...xs) : Math.max(...xs);
}

type CheckText = Omit<Check, 'value' | 'bound' | 'pass' | 'ours' | 'threshold'>;

/** A numeric check whose statistic is the worst case of per-item values (null when an item is missing). */
function worstCheck(
  text: CheckText,
  items: { label: string; value: number; detail: string }[],
  which: 'min' | 'max',
  bound: Bound,
  over: string,
  digits = 3,
): Check {
  const value = worst(
    items.map((i) => i.value),
    which,
  );
  return {
    ...text,
    value,
    bound,
    pass: meets(value, bound),
    ours: `${which} ${fmt(value, digits)} (${items.map((i) => `${i.label}: ${i.detail}`).join('; ') || 'no items'})`,
    threshold: `${bound.op} ${bound.value}, ${over} (${which} over them)`,
  };
}

/**
 * The two conditions of "far above a baseline": a ratio and an absolute margin, each its own check.
 * A baseline measured as 0 is taken as its resolution in the ratio (see the notes).
 */
function ratioAndMargin(
  text: CheckText,
  items: { label: string; rate: number; base: number }[],
  opts: { baseName: string; resolution: number; minRatio: number; minMargin: number; over: string },
): Check[] {
  const ratio = items.map((i) => ({
    label: i.label,
    value: i.rate / Math.max(i.base, opts.resolution),
    detail: `${pct(i.rate)} vs ${opts.baseName} ${pct(i.base)}, ${fmt(i.rate / Math.max(i.base, opts.resolution), 2)}x`,
  }));
  const margin = items.map((i) => ({
    label: i.label,
    value: i.rate - i.base,
    detail: `${pct(i.rate)} - ${opts.baseName} ${pct(i.base)} = ${pct(i.rate - i.base)}`,
  }));
  return [
    worstCheck(
      { ...text, id: `${text.id}-ratio`, description: `${text.description}: as a multiple of the ${opts.baseName} rate` },
      ratio,
      'min',
      { op: '>=', value: opts.minRatio },
      opts.over,
      2,
    ),
    worstCheck(
      { ...text, id: `${text.id}-margin`, description: `${text.description}: by an absolute margin` },
      margin,
      'min',
      { op: '>=', value: opts.minMargin },
      opts.over,
    ),
  ];
}

export const claim: Claim<UniversalConfig, ResultRow> = {
  paper: {
    authors: 'Moosavi-Dezfooli, Fawzi, Fawzi & Frossard (CVPR 2017); Khrulkov & Oseledets (CVPR 2018)',
    title: 'Universal adversarial perturbations; Art of Singular Vectors and Universal Adversarial Perturbations',
    venue: 'CVPR',
    year: 2017,
  },
  statement:
    'A single small image-agnostic perturbation misclassifies most inputs of a classifier, far more often than ' +
    'random noise of the same norm, generalizes from the few images it is built from to unseen ones, needs few images, and ' +
    'transfers across architectures (Moosavi-Dezfooli et al. 2017, built by iterating DeepFool over the data). The ' +
    "(inf, q)-singular vector of a hidden layer's Jacobian, computed from 64 images by a generalized power method, is such a " +
    'perturbation, of the same order of fooling rate as the iterative one (Khrulkov & Oseledets 2018: over 60% fooling rate on ' +
    '50,000 ImageNet images).',
  notes: [
    'Paper values. Moosavi-Dezfooli et al. 2017, Table 1 (l_inf, xi = 10 on 0-255, fooling ratio on the ImageNet ' +
      'validation set): CaffeNet 93.3%, VGG-F 93.7%, VGG-16 78.3%, VGG-19 77.8%, GoogLeNet 78.9%, ResNet-152 84.0% ' +
      '(unverified: recalled, no source for the table values was reachable); Table 2 (l2 budget, xi = 2000 on 0-255, ' +
      'secondary): universal perturbations of one network fool other networks at roughly 40-75% (unverified); Figure 6 ' +
      '(unverified): the fooling rate grows with the number of images X and is already above 30% (GoogLeNet) from 500 ' +
      'images; Section 4 (recalled, unverified): fine-tuning VGG-F on perturbed images lowered the fooling rate of a new ' +
      'perturbation from 93.7% to 76.2%, and further rounds did not help. Budgets (secondary quote): xi = 2000 (l2) and ' +
      '10 (l_inf) on 0-255; X = 10,000 training images; evaluation on the 50,000 ILSVRC 2012 validation images. ' +
      'Khrulkov & Oseledets 2018, abstract: 64 images give more than 60% fooling rate on 50,000 ImageNet images ' +
      "(verified against the abstract; secondary notes: 16 images already more than 56%, and VGG-19's early block2_pool " +
      'is the strongest layer); their transfer table, rows (source) VGG-16 / VGG-19 / ResNet50 by columns ' +
      '(attacked) VGG-16 / VGG-19 / ResNet50: 0.52 0.60 0.39 / 0.48 0.60 0.38 / 0.41 0.47 0.44 (from a secondary ' +
      'source, lecture slides: unverified).',
    "Methods (libs/metrics): the singular vector is Boyd's generalized power method v <- sign(J^T psi_q(J v)) (p = " +
      'inf) on the stacked Jacobian of a hidden layer over the build images, with J^T w a vector-Jacobian product ' +
      "and J v the double-VJP trick of the authors' code (exact, no dense Jacobian), q = 10 as in the paper (their " +
      'code defaults to 5), 30 iterations at most (stopping early at a fixed point), scaled to ||v||_inf = xi. The ' +
      "iterative algorithm follows the authors' reference (LTS4/universal): l2 DeepFool steps (overshoot 0.02, 10 " +
      'iterations, accepted only when converged), projection on the l_inf ball, stop at fooling rate 1 - delta = 0.8 ' +
      'or after maxPasses passes. Both run at every budget of the sweep.',
    "Fooling rate = share of held-out images whose predicted label changes (k(x + v) != k(x)), the papers' " +
      'definition; perturbed images are not clipped to [0, 1] (as in both papers). The random baseline is uniform ' +
      'sign noise +-xi per pixel (a random vertex of the l_inf ball: the random perturbation of that l_inf norm with ' +
      'the largest l2 norm, so the strongest simple baseline), averaged over several draws; the same draws attack ' +
      'every model.',
    "Protocol (the papers', fixed before any run of it). Models like the papers' VGG-16 / VGG-19 / ResNet-50: two " +
      'VGG-style nets of different depth (3x3 convolutions; stride-2 convolutions where VGG max-pools, because tfjs ' +
      'has no second-order gradient of max pooling, which the singular-vector method needs) and a ResNet; each is ' +
      'trained until its held-out accuracy reaches targetAccuracy (config.ts) before any perturbation is computed, and ' +
      'the supporting check models-reach-target-accuracy says whether it did. The protocol asks 98.5% on MNIST, and ' +
      'quick trains to it: at most 3 epochs of the 60,000 digits per model, the learning rate multiplied by 0.3 after ' +
      'each epoch, a recipe chosen by measuring held-out accuracy per epoch before any perturbation was computed ' +
      '(config.ts). Held-out accuracy (the target and the accuracy rows) is measured on the whole test split, the ' +
      "usual measure; fooling rates on testSize images of it. The budget by the papers' " +
      'criterion (budget.ts): the main xi is the largest budget of the sweep at which random sign noise changes the ' +
      'label of at most 10% of held-out images on every model, chosen per seed after training and before any attack; ' +
      "the choice is the main_xi row of results.csv and every check's text names it; the sweep over xi stays.",
    `Thresholds. "Far more often than random" = at least ${MIN_RATIO_OVER_RANDOM}x the random rate and ` +
      `${MIN_MARGIN_OVER_RANDOM} above it; "generalizes" = the held-out rate keeps at least ${MIN_HELD_OUT_SHARE * 100}% ` +
      `of the rate on the build images; "transfers" = every off-diagonal entry at least ${MIN_TRANSFER_RATIO}x the attacked ` +
      `model's random rate and ${MIN_TRANSFER_MARGIN} above it; monotone in xi within ${XI_SLACK}; "of the same order" = ` +
      `the singular vector's rate at least ${MIN_SV_SHARE_OF_UAP} of the iterative algorithm's; "grows with the number of ` +
      `images and saturates early" = the rate from the most images above the rate from the fewest, and the rate from ` +
      `mainImages at least ${MIN_SATURATION_SHARE} of the rate from the most; a defense "lowers" a perturbation's rate by ` +
      `at least ${MIN_DEFENSE_DROP}. Cost: the singular vector at "a fraction of the time" is judged on per-image reverse ` +
      `passes (backward_passes rows, deterministic); wall times are in timings-seed-<s>.csv and the log, not results.csv, so ` +
      `the table is byte-identical across runs.`,
    'Roles. Core: the four statements of the papers (beats random on each model, generalizes to held-out images, same ' +
      'order from 64 images for the singular vector, grows with and saturates in the number of images, transfers ' +
      'across models), each the worst case over the models, curves or off-diagonal entries. Supporting: growth with ' +
      'xi (a detail of the figures), the cost comparison, the accuracy the models reached, and the defenses: three ' +
      "defended variants of the defended model (defenses.model) named in the lectures and in Moosavi-Dezfooli et al.'s " +
      'Section 4 (noise training: trained from scratch with fresh random sign noise of the main budget on every ' +
      'training image; bit-depth reduction, Xu et al. 2018, 1 bit for MNIST, attacked through the transform with ' +
      'BPDA, the identity as its derivative; fine-tuning on a pool of universal perturbations of the model, the first ' +
      'being the main one, added to half of the training images). Their checks are supporting because they extend the ' +
      "papers' headline claims with lecture statements: each defense lowers the fooling rate of the old perturbations " +
      '(built on the undefended model), and an adaptive attacker (both methods recomputed against the defended ' +
      'classifier, the stronger one counted) still fools far above random on every defense (no defense is universal). ' +
      'A ratio whose denominator was measured as 0 uses the resolution of that measurement instead (one label in ' +
      'testSize x randomDraws for a random rate, one image of mainImages for a build-set rate).',
    'Changes from the first version of this experiment (its quick results, 3 seeds, all judged before this protocol): ' +
      'MLP 2x256, stride-2 CNN and ResNet-8 trained for 3, 2 and 1 epochs on 10,000 digits (held-out accuracy about ' +
      '0.95, 0.95 and 0.77), main xi fixed at 0.2: NOT REPRODUCED, 0 of 12 core checks, driven by the ResNet-8 (random ' +
      'noise changed 63-75% of its labels, so nothing could beat random on it) and the MLP (first-layer singular ' +
      'vector 6-17%); min over models per seed: sv-beats-random-ratio 1.20/1.08/1.08, uap-beats-random-ratio ' +
      '1.17/1.02/0.93, sv-transfers-ratio 0.62/1.01/0.77, uap-transfers-ratio 0.83/0.90/0.99; the CNN alone reproduced ' +
      'every statement at seed 0 (singular vector 35%, iterative 53%, random 3%). Dropped with the new protocol: the ' +
      "MLP (not the papers' kind of model; the papers attack convolutional layers), the fixed main xi (now the budget " +
      'rule), uapXis (the iterative algorithm now runs at every budget), and the generalizes-to-held-out -margin check ' +
      '(its statistic was the beats-random -margin statistic, twice).',
    "Changes on 2026-12-03 (training to the protocol's 98.5%): quick had trained every model for one epoch with a 97% " +
      'target (SGD 0.05, decay 0.7 per epoch; held-out 95.8-97.8% on the 1,000 digits of the fooling rates, the target ' +
      'missed by some model at 2 of 3 seeds). The target is now judged on the whole test split, a choice made after ' +
      "measuring that seed 2's 1,000 digits are harder than the split (two epochs: vgg-a 97.6% on them, 98.54% on all " +
      '10,000; resnet8 97.4% and 98.62%) and before any perturbation was computed; on the 1,000 that seed would need ' +
      'more than 4 epochs (vgg-a: 98.2% after 3 and 4). ' +
      'Its last run (3 seeds, main xi 0.2 / 0.2 / 0.15): NOT REPRODUCED, 0 of 13 core checks; per seed, sv-beats-random ' +
      'ratio 2.10 / 3.20 / 2.02, margin 0.03 / 0.03 / 0.04; uap-beats-random ratio 5.02 / 6.75 / 2.57, margin 0.11 / ' +
      '0.08 / 0.03; sv-same-order 0.31 / 0.22 / 0.27; fooling-grows-with-images -0.04 / -0.01 / -0.04; transfer ratio sv ' +
      '1.20 / 2.32 / 1.09, uap 0.47 / 0.46 / 0.50; defenses lowered the old perturbation by 0.01-0.04 (threshold 0.05). ' +
      "The run before it, identical but for the convolutions' rounding (OpenBLAS instead of oneDNN), had 1 of 13 core " +
      'checks (uap-beats-random ratio 3.2-3.7x at every seed) and 8 of 20 checks with another outcome: at one epoch the ' +
      'verdict did not survive a change of rounding. No threshold, role or other protocol choice changed.',
    'The transfer table is assembled after the sweep: every arm returns its trained weights (base64 float32, ' +
      'stored with the arm under .sweep/ for --resume and --shard), the main process rebuilds each model from them ' +
      "and applies every other model's main perturbations to its held-out images; the same pass measures the old " +
      'perturbations on the defended models.',
  ],
  checks(rows, { config }): Check[] {
    const c = config;
    const models = modelsOf(rows);
    const defended = defendedOf(rows);
    const xi = mainXiOf(rows);
    // The main budget is chosen per seed: the descriptions (one per check) name the rule, each seed's `ours` its xi.
    const at = "at the seed's main budget xi, chosen by the budget rule";
    const randomResolution = 1 / (c.testSize * c.randomDraws);
    const buildResolution = 1 / c.mainImages;
    const checks: Check[] = [];

    for (const method of ['sv', 'uap'] as const) {
      checks.push(
        ...ratioAndMargin(
          {
            id: `${method}-beats-random`,
            role: 'core',
            description: `${METHOD_NAME[method]} built from ${c.mainImages} images fools held-out images far more often than random sign noise of the same l_inf norm (${at}), on every model`,
            paper:
              method === 'sv'
                ? 'Khrulkov & Oseledets 2018: over 60% fooling rate from 64 images at ||v||_inf = 10/255 (abstract; Section 6); random noise of the same norm barely changes predictions'
                : 'Moosavi-Dezfooli et al. 2017, Table 1 (unverified): 78-94% at xi = 10/255 (l_inf); random noise of the same norm changes few labels (figure number and ~10% unverified)',
          },
          models.map((m) => ({ label: m, rate: rateOf(rows, c, { method, source: m, attacked: m }), base: randomRate(rows, m, xi) })),
          {
            baseName: 'random',
            resolution: randomResolution,
            minRatio: MIN_RATIO_OVER_RANDOM,
            minMargin: MIN_MARGIN_OVER_RANDOM,
            over: 'every model',
          },
        ),
      );
    }

    for (const method of ['sv', 'uap'] as const) {
      const per = models.map((m) => {
        const test = rateOf(rows, c, { method, source: m, attacked: m });
        const build = rateOf(rows, c, { method, source: m, attacked: m, evalSet: 'build' });
        const share = test / Math.max(build, buildResolution);
        return { label: m, value: share, detail: `held-out ${pct(test)} / build ${pct(build)} = ${fmt(share, 2)}` };
      });
      checks.push(
        worstCheck(
          {
            id: `${method}-generalizes-to-held-out-share`,
            role: 'core',
            description: `${METHOD_NAME[method]} built from ${c.mainImages} training images fools held-out test images about as often as its own build images (${at})`,
            paper:
              method === 'sv'
                ? 'Khrulkov & Oseledets 2018: a perturbation from a batch of 64 images fools > 60% of the 50,000 validation images'
                : 'Moosavi-Dezfooli et al. 2017, Table 1 (unverified: fooling ratio on X vs on the validation set nearly equal; X = 10,000 training images, secondary)',
          },
          per,
          'min',
          { op: '>=', value: MIN_HELD_OUT_SHARE },
          'every model',
          2,
        ),
      );
    }

    const svShare = models.map((m) => {
      const sv = rateOf(rows, c, { method: 'sv', source: m, attacked: m });
      const uap = rateOf(rows, c, { method: 'uap', source: m, attacked: m });
      const value = sv / Math.max(uap, randomResolution);
      return { label: m, value, detail: `singular vector ${pct(sv)} / iterative ${pct(uap)} = ${fmt(value, 2)}` };
    });
    checks.push(
      worstCheck(
        {
          id: 'sv-same-order-as-uap',
          role: 'core',
          description: `the singular-vector perturbation from ${c.mainImages} images reaches a held-out fooling rate of the same order as the iterative algorithm's from the same images (${at}), on every model`,
          paper:
            "Khrulkov & Oseledets 2018, Table 1 and abstract: from 64 images, fooling rates of the same order as Moosavi-Dezfooli et al.'s (which used 10,000 images); lecture slides: 0.52-0.60 on VGG-16/19",
        },
        svShare,
        'min',
        { op: '>=', value: MIN_SV_SHARE_OF_UAP },
        'every model',
        2,
      ),
    );
    const costRatio = models.map((m) => {
      const q = { layer: mainLayerOf(c, m), n_images: c.mainImages, xi, attacked: m, metric: 'backward_passes' };
      const sv = valueOf(rows, { ...q, source: m, method: 'sv' });
      const uap = valueOf(rows, { ...q, layer: '-', source: m, method: 'uap' });
      return { label: m, value: sv / uap, detail: `${sv} / ${uap} reverse passes = ${fmt(sv / uap, 2)}` };
    });
    checks.push(
      worstCheck(
        {
          id: 'sv-cheaper-than-uap',
          role: 'supporting',
          description: `the singular vector costs a fraction of the iterative algorithm's work from the same ${c.mainImages} images (per-image reverse passes; wall times in timings-seed-<s>.csv), on every model`,
          paper:
            'Khrulkov & Oseledets 2018: the singular vector needs a small batch of images and a few power iterations (their Section 6; no timing table, unverified)',
        },
        costRatio,
        'max',
        { op: '<', value: 1 },
        'every model',
        2,
      ),
    );

    // Growth in the number of images, both methods on every model, at the main budget.
    const ns = [...c.nImages].sort((a, b) => a - b);
    const imageCurves = models.flatMap((m) =>
      (['sv', 'uap'] as const).map((method) => ({
        label: `${m} ${method}`,
        pts: ns.map((n) => rateOf(rows, c, { method, source: m, attacked: m, n })),
      })),
    );
    const paperImages =
      'Moosavi-Dezfooli et al. 2017, Figure 6 (unverified): the fooling rate grows with the number of images and is already high from a few hundred; Khrulkov & Oseledets 2018: over 56% from 16 images, over 60% from 64 (secondary notes; 64 in the abstract)';
    checks.push(
      worstCheck(
        {
          id: 'fooling-grows-with-images',
          role: 'core',
          description: `the held-out fooling rate grows with the number of build images (${ns.join('/')}) for both methods on every model (${at}): the most images fool more than the fewest`,
          paper: paperImages,
        },
        imageCurves.map((k) => ({ label: k.label, value: k.pts[k.pts.length - 1] - k.pts[0], detail: `${k.pts.map(pct).join(' ')}` })),
        'min',
        { op: '>', value: 0 },
        'every curve',
      ),
      worstCheck(
        {
          id: 'fooling-saturates-with-images',
          role: 'core',
          description: `the held-out fooling rate saturates early in the number of build images: ${c.mainImages} images reach most of the rate of ${ns[ns.length - 1]}, for both methods on every model (${at})`,
          paper: paperImages,
        },
        imageCurves.map((k) => {
          const main = k.pts[ns.indexOf(c.mainImages)];
          const most = k.pts[k.pts.length - 1];
          const value = main / Math.max(most, randomResolution);
          return { label: k.label, value, detail: `${pct(main)} / ${pct(most)} = ${fmt(value, 2)}` };
        }),
        'min',
        { op: '>=', value: MIN_SATURATION_SHARE },
        'every curve',
        2,
      ),
    );

    for (const method of ['sv', 'uap'] as const) {
      const t = transferTable(rows, c, method);
      const off = t.models.flatMap((s, i) =>
        t.models
          .filter((_, j) => j !== i)
          .map((a) => ({ label: `${s}->${a}`, rate: t.rates[i][t.models.indexOf(a)], base: randomRate(rows, a, xi) })),
      );
      checks.push(
        ...ratioAndMargin(
          {
            id: `${method}-transfers-across-models`,
            role: 'core',
            description: `${METHOD_NAME[method]}: a perturbation built on one model fools the other models above their random-noise rate (off-diagonal of the transfer table, ${at})`,
            paper:
              method === 'sv'
                ? 'Khrulkov & Oseledets 2018, transfer table (rows source, columns attacked, VGG-16/VGG-19/ResNet50): 0.52 0.60 0.39 / 0.48 0.60 0.38 / 0.41 0.47 0.44 (unverified secondary source)'
                : 'Moosavi-Dezfooli et al. 2017, Table 2: universal perturbations transfer across VGG, GoogLeNet, CaffeNet and ResNet at roughly 40-75% (unverified)',
          },
          off,
          {
            baseName: 'random',
            resolution: randomResolution,
            minRatio: MIN_TRANSFER_RATIO,
            minMargin: MIN_TRANSFER_MARGIN,
            over: 'every off-diagonal entry',
          },
        ),
      );
    }

    // Growth with the budget (both methods), on every model.
    const xiCurves = models.flatMap((m) =>
      (['sv', 'uap'] as const).map((method) => ({
        label: `${m} ${method}`,
        pts: c.xis.map((x) => rateOf(rows, c, { method, source: m, attacked: m, xi: x })),
      })),
    );
    const usable = (p: number[]) => p.length >= 2 && p.every(Number.isFinite);
    const paperXi =
      'Moosavi-Dezfooli et al. 2017 and Khrulkov & Oseledets 2018: larger norms fool more (figure and section numbers unverified)';
    checks.push(
      worstCheck(
        {
          id: 'fooling-grows-with-xi-largest-fall',
          role: 'supporting',
          description:
            'the held-out fooling rate grows with the l_inf budget xi, for both methods on every model: it never falls between consecutive budgets by more than the slack',
          paper: paperXi,
        },
        xiCurves.map((k) => ({
          label: k.label,
          value: usable(k.pts) ? Math.max(...k.pts.slice(1).map((v, i) => k.pts[i] - v)) : NaN,
          detail: k.pts.map(pct).join(' '),
        })),
        'max',
        { op: '<=', value: XI_SLACK },
        'every curve; negative: every curve rises at every step',
      ),
      worstCheck(
        {
          id: 'fooling-grows-with-xi-net-rise',
          role: 'supporting',
          description:
            'the held-out fooling rate grows with the l_inf budget xi, for both methods on every model: the largest budget fools more than the smallest',
          paper: paperXi,
        },
        xiCurves.map((k) => ({
          label: k.label,
          value: usable(k.pts) ? k.pts[k.pts.length - 1] - k.pts[0] : NaN,
          detail: `curve ${k.pts.map(pct).join(' ')}`,
        })),
        'min',
        { op: '>', value: 0 },
        'every curve',
      ),
    );

    checks.push(
      worstCheck(
        {
          id: 'models-reach-target-accuracy',
          role: 'supporting',
          description: `every undefended model reached the target held-out accuracy ${c.targetAccuracy} (on the whole test split) before any perturbation was computed (the protocol's precondition)`,
          paper:
            'Moosavi-Dezfooli et al. and Khrulkov & Oseledets attack pre-trained ImageNet classifiers (VGG-16 about 71% top-1); MNIST nets of the kind reach 98.5% or more',
        },
        models.map((m) => {
          const acc = valueOf(rows, { method: 'clean', attacked: m, eval_set: 'test', metric: 'accuracy' });
          const epochs = valueOf(rows, { method: 'clean', attacked: m, eval_set: 'train', metric: 'epochs' });
          return { label: m, value: acc, detail: `${pct(acc)} after ${epochs} epochs` };
        }),
        'min',
        { op: '>=', value: c.targetAccuracy },
        'every model',
      ),
    );

    // Defenses of the defended model: the old perturbations (built on it undefended) and an adaptive attacker.
    const drops = defended.flatMap((d) =>
      (['sv', 'uap'] as const).map((method) => {
        const source = baseModel(d);
        const before = rateOf(rows, c, { method, source, attacked: source });
        const after = rateOf(rows, c, { method, source, attacked: d });
        return { label: `${d} ${method}`, value: before - after, detail: `${pct(before)} undefended -> ${pct(after)} defended` };
      }),
    );
    checks.push(
      worstCheck(
        {
          id: 'defenses-lower-old-perturbation',
          role: 'supporting',
          description: `each defense lowers the held-out fooling rate of the perturbations built on the undefended model (both methods, ${at})`,
          paper:
            'Moosavi-Dezfooli et al. 2017, Section 4 (unverified): fine-tuning on perturbed images lowers the fooling rate; lectures: detect and remove noise, add random noise during training',
        },
        drops,
        'min',
        { op: '>=', value: MIN_DEFENSE_DROP },
        'every defense and method',
      ),
    );
    checks.push(
      ...ratioAndMargin(
        {
          id: 'no-defense-is-universal',
          role: 'supporting',
          description: `an adaptive attacker (both methods recomputed against the defended classifier, the stronger counted) still fools each defended model far more often than random noise (${at})`,
          paper:
            'Moosavi-Dezfooli et al. 2017, Section 4 (unverified): after fine-tuning a new perturbation still fools 76.2% (VGG-F, from 93.7%); lectures: several defenses were proposed, none is universal',
        },
        defended.map((d) => {
          const sv = rateOf(rows, c, { method: 'sv', source: d, attacked: d });
          const uap = rateOf(rows, c, { method: 'uap', source: d, attacked: d });
          return { label: d, rate: Math.max(sv, uap), base: randomRate(rows, d, xi) };
        }),
        {
          baseName: 'random',
          resolution: randomResolution,
          minRatio: MIN_RATIO_OVER_RANDOM,
          minMargin: MIN_MARGIN_OVER_RANDOM,
          over: 'every defense',
        },
      ),
    );
    // Each seed's value says at which budget it was measured; the first check also shows the random rates that chose it.
    const ruleTable = [...c.xis]
      .sort((a, b) => a - b)
      .map((x) => `${fmt(x, 3)}: ${models.map((m) => `${m} ${pct(randomRate(rows, m, x))}`).join(', ')}`)
      .join('; ');
    return checks.map((k, i) =>
      k.description.includes(at)
        ? { ...k, ours: `xi = ${fmt(xi, 3)} (budget rule${i === 0 ? `; random rates per xi: ${ruleTable}` : ''}): ${k.ours}` }
        : k,
    );
  },
};
