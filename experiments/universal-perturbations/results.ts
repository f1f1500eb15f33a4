// The rows of results.csv: their type and column order.

/** One row of results.csv: one measured value of one perturbation (or of a model) on one model. */
export type ResultRow = {
  /** Model the perturbation was built on; '-' for the random baseline and for the models' own accuracy. */
  source: string;
  /** sv (Khrulkov & Oseledets), uap (Moosavi-Dezfooli et al.), random (same l_inf norm), clean (no perturbation). */
  method: string;
  /** Hidden layer of the singular vector; '-' for the other methods. */
  layer: string;
  /** Images the perturbation was built from (0: none). */
  n_images: number;
  /** l_inf budget (input scale [0, 1]); 0 for clean rows. */
  xi: number;
  /** Model evaluated (attacked). */
  attacked: string;
  /** test: held-out images; build: the images the perturbation was built from; train: the model's training set; '-': not an evaluation. */
  eval_set: string;
  /** fooling_rate, accuracy, singular_value, iterations (power method), passes (universal algorithm), backward_passes (per-image reverse passes spent). */
  metric: string;
  value: number;
};

export const COLUMNS: (keyof ResultRow)[] = ['source', 'method', 'layer', 'n_images', 'xi', 'attacked', 'eval_set', 'metric', 'value'];

/**
 * Files written beside results.csv, one per seed (the procedure runs once per seed): the perturbations
 * themselves and the wall-clock times (not compared across runs). The figures read the first seed's.
 */
export const perturbationsFileOf = (seed: number) => `perturbations-seed-${seed}.json`;
export const timingsFileOf = (seed: number) => `timings-seed-${seed}.csv`;
