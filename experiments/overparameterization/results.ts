// The rows of results.csv: their type and column order.

/** One row of results.csv (the framework adds the seed column first). */
export type ResultRow = {
  /** regression: the l_p runs; theory: Theorems 1 and 2; mnist: the convnet. */
  part: string;
  /** boston, synthetic, gas-sensor (regression, theory) or mnist. */
  dataset: string;
  /** Exponent of the l_p loss (0 for mnist). */
  p: number;
  /** gd, adagrad, adadelta, reference (the loss level of a data set and p), theory, original or overparameterized (mnist). */
  method: string;
  /** Depth of the linear net (gd; 1 for AdaGrad and AdaDelta; 0 for reference rows; 2 for the factorised mnist net, 1 the original). */
  depth: number;
  /** The learning rate of a run (theory: the relative step size of Theorem 1's comparison). */
  learning_rate: number;
  /**
   * regression: iterations_to_level, reached (1/0), diverged (1/0), final_loss per rate; loss (the curve of the
   * chosen rate); reference: initial_loss, optimum_loss, level. theory: theorem1_relative_gap, circulation.
   * mnist: step_loss, parameters.
   */
  metric: string;
  /** Iteration (step) of a curve point; 0 otherwise. */
  iteration: number;
  value: number;
};

export const COLUMNS: (keyof ResultRow)[] = ['part', 'dataset', 'p', 'method', 'depth', 'learning_rate', 'metric', 'iteration', 'value'];
