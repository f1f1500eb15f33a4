import { mean, quantileSorted } from 'simple-statistics';
import { Rng } from './rng.ts';

/** A mean over seeds with its percentile-bootstrap interval. */
export interface MeanInterval {
  mean: number;
  low: number;
  high: number;
  /** Confidence level of [low, high], e.g. 0.95. */
  level: number;
  resamples: number;
}

/**
 * The percentile-bootstrap interval of the mean of `values` (Efron's percentile method, as
 * scipy.stats.bootstrap(method='percentile')): resample the values with replacement `resamples`
 * times from a seeded stream, and take the (1 - level)/2 and (1 + level)/2 quantiles (linear
 * interpolation, numpy's default) of the resampled means. The seed is the unit of replication:
 * pass one value per seed, never per epoch or grid point. With a handful of seeds the interval is
 * rough (it cannot be wider than the values' range); report the values beside it.
 */
export function bootstrapMeanInterval(
  values: readonly number[],
  opts: { resamples?: number; level?: number; rng?: Rng } = {},
): MeanInterval {
  const { resamples = 10_000, level = 0.95, rng = new Rng('bootstrap') } = opts;
  if (values.length === 0) throw new Error('bootstrapMeanInterval: no values (one per seed are needed)');
  if (!values.every(Number.isFinite)) throw new Error(`bootstrapMeanInterval: values must be finite, got ${JSON.stringify(values)}`);
  if (!(Number.isInteger(resamples) && resamples >= 1))
    throw new Error(`bootstrapMeanInterval: resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new Error(`bootstrapMeanInterval: level must be in (0, 1), got ${level}`);
  const n = values.length;
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += values[rng.int(n)];
    means[b] = sum / n;
  }
  means.sort();
  const sorted = Array.from(means);
  const alpha = (1 - level) / 2;
  return { mean: mean(values as number[]), low: quantileSorted(sorted, alpha), high: quantileSorted(sorted, 1 - alpha), level, resamples };
}
