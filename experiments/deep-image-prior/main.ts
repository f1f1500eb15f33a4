import { runSweep, UsageError, type ExperimentDefinition, type RunContext } from '@claimlab/core';
import { loadImage, squareImage } from '@claimlab/datasets';
import { imageFit, type Arm, type NetSettings, type Snapshot } from './arm.ts';
import { claim } from './claim.ts';
import { COLUMNS, type ResultRow } from './results.ts';
import { FIT_TARGETS, PROFILES, validateConfig, type DeepImagePriorConfig } from './config.ts';
import { imageSourceOf } from './data.ts';
import { drawFigures } from './figures.ts';

export function settingsOf(c: DeepImagePriorConfig, masterSeed: number): NetSettings {
  return {
    imageSource: imageSourceOf(c.image),
    masterSeed,
    imageSize: c.imageSize,
    fit: c.fit,
    noiseSigma: c.noiseSigma,
    channelsDown: c.channelsDown,
    channelsUp: c.channelsUp,
    channelsSkip: c.channelsSkip,
    upsampling: c.upsampling,
    inputDepth: c.inputDepth,
    inputScale: c.inputScale,
    learningRate: c.learningRate,
  };
}

/** The sweep: the denoising fit and the four Figure 2 fits, independent of one another. */
export function armsOf(c: DeepImagePriorConfig, masterSeed: number): Arm[] {
  const s = settingsOf(c, masterSeed);
  return [
    {
      kind: 'denoise',
      ...s,
      iterations: c.denoiseIterations,
      regNoiseStd: c.regNoiseStd,
      expWeight: c.expWeight,
      recordEvery: c.recordEvery,
      stopIteration: c.stopIteration,
      snapshotAt: c.snapshotAt,
    },
    ...FIT_TARGETS.map((target): Arm => ({
      kind: 'fit',
      ...s,
      target,
      iterations: c.fitIterations,
      regNoiseStd: c.fitRegNoise ? c.regNoiseStd : 0,
    })),
  ];
}

/**
 * The output snapshots of each seed's fits, for the figures (they are not results rows). Kept per
 * run, not per output directory, so that a later seed (or a later run into the same folder) never
 * replaces the snapshots of the seed the figures show. The key is the run's config object: the
 * framework gives each seed's procedure, and then the figures, a context object of its own, and
 * all of them share the run's config object (one per run), so a WeakMap on the context itself
 * would never find the procedure's entry from the figures; the seed picks the replicate.
 */
const snapshotsOfRun = new WeakMap<DeepImagePriorConfig, Map<number, Snapshot[]>>();

function keepSnapshots(ctx: RunContext<DeepImagePriorConfig>, snapshots: Snapshot[]): void {
  const bySeed = snapshotsOfRun.get(ctx.config) ?? new Map<number, Snapshot[]>();
  bySeed.set(ctx.seed, snapshots);
  snapshotsOfRun.set(ctx.config, bySeed);
}

/** The snapshots the procedure kept for this run and seed (none when it did not run in this process). */
export const snapshotsOf = (ctx: RunContext<DeepImagePriorConfig>): Snapshot[] => snapshotsOfRun.get(ctx.config)?.get(ctx.seed) ?? [];

export const experiment: ExperimentDefinition<DeepImagePriorConfig, ResultRow> = {
  name: 'deep-image-prior',
  description:
    'Ulyanov, Vedaldi & Lempitsky (2018), Deep Image Prior: denoising a single image (sigma = 25/255) by fitting a random hourglass network with early stopping, and the fitting speed of a natural image, the image with noise, shuffled pixels and uniform noise (Figure 2).',
  profiles: PROFILES,
  validate: validateConfig,
  claim,
  columns: COLUMNS,
  optionAliases: {
    image: {
      key: 'image',
      valueName: 'PATH',
      description: 'PNG or JPEG to use (or an embedded name: nagasaki-boats, french-alpine-landscape, locomotion-house-cat)',
    },
  },
  async procedure(ctx) {
    const c = ctx.config;
    // Load and crop the image once here, so a bad file or size fails before any worker starts.
    let img;
    try {
      const full = loadImage(imageSourceOf(c.image));
      img = squareImage(full, c.imageSize, c.fit as 'crop' | 'resize');
      ctx.log(`[deep-image-prior] image ${c.image} (${full.width}x${full.height}) -> ${img.width}x${img.height} (${c.fit})`);
    } catch (e) {
      throw new UsageError(`${(e as Error).message} (set the image with --image PATH)`);
    }
    const arms = armsOf(c, ctx.seed);
    ctx.log(
      `[deep-image-prior] hourglass ${c.channelsDown.length} scales, ${c.channelsDown.join('/')} down, ${c.channelsSkip.join('/')} skip; ` +
        `denoise ${c.denoiseIterations} iterations (stop at ${c.stopIteration}); Figure 2: ${FIT_TARGETS.length} targets x ${c.fitIterations} iterations`,
    );
    const results = await runSweep(ctx, {
      runner: imageFit,
      arms,
      label: 'fits',
      describeDone: (arm, r) => `${arm.kind === 'fit' ? `fit ${arm.target}` : 'denoise'} done in ${r.seconds.toFixed(1)}s`,
    });
    keepSnapshots(
      ctx,
      results.flatMap((r) => r.snapshots),
    );
    return results.flatMap((r) => r.rows);
  },
  figures: (rows, ctx) => drawFigures(rows, ctx.config, settingsOf(ctx.config, ctx.seed), snapshotsOf(ctx), ctx.figuresDir),
};
