// The rows of results.csv: their type and column order.

/**
 * One row of results.csv: one measured value of one architecture.
 *  - section 'train':   epoch, metric batch_loss | learning_rate
 *  - section 'final':   metric train_loss | train_error | test_loss | test_error | params (after training)
 *  - section 'surface': alpha, beta, metric loss | accuracy (2-D grid on the surface subset)
 *  - section 'slice':   alpha, metric loss | accuracy (1-D slice along the first direction)
 *  - section 'hessian': alpha, beta, metric lambda_max | lambda_min (extreme Hessian eigenvalues)
 * Unused coordinates are 0.
 */
export type ResultRow = {
  arch: string;
  depth: number;
  /** 1 with shortcuts (ResNet), 0 without (noshort). */
  shortcuts: number;
  section: string;
  epoch: number;
  alpha: number;
  beta: number;
  metric: string;
  value: number;
};

export const COLUMNS: (keyof ResultRow)[] = ['arch', 'depth', 'shortcuts', 'section', 'epoch', 'alpha', 'beta', 'metric', 'value'];

/**
 * A loss that overflowed at a far grid point, or a Hessian-vector product that did (recorded as NaN
 * for lambda_max and lambda_min), is a measured outcome: it is written as NaN / Infinity and the
 * run goes on. The claim leaves such points out (summariseArchs says how).
 */
export const NON_FINITE_COLUMNS: (keyof ResultRow)[] = ['value'];
