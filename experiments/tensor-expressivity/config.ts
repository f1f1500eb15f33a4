import { ConfigProblems, type Profiles } from '@claimlab/core';
import { isPowerOfTwo } from '@claimlab/tensors';

/** A mode size n with a TT / HT rank r; the theorems' q = min(n, r). */
export type ModeRank = { n: number; r: number };

export type TensorExpressivityConfig = {
  /** Orders d of the random TT / CP tensors (even: the odd/even matricization is square when d is even). */
  orders: number[];
  /** (n, r) pairs of the TT and HT draws; HT uses the orders that are powers of two. */
  modeRanks: ModeRank[];
  /** CP ranks R of the random CP tensors (mode size: the first modeRanks entry's n). */
  cpRanks: number[];
  /** Independent draws per (family, d, n, r) at each seed; every draw must reach the bound. */
  draws: number;
  /** Settings whose matricization has more rows than this are skipped (the SVD is O(rows^3) in JS). */
  maxMatricizationRows: number;
  /** CP-ALS of a random TT tensor: orders, mode size, TT-rank, CP ranks tried, restarts, the target relative error. */
  alsOrders: number[];
  alsModeSize: number;
  alsTtRank: number;
  alsCpRanks: number[];
  alsRestarts: number;
  alsMaxIterations: number;
  alsTargetError: number;
  /** Trained networks: MNIST subsets drawn per seed. */
  trainSize: number;
  testSize: number;
  /** Square patches of the 28 x 28 image, read in row-major order: d = (28 / patchSize)^2 positions. */
  patchSize: number;
  /** m: learned features per patch, f(x) = [1, ReLU(A x + b)]. */
  featureDim: number;
  /** TT-ranks of the recurrent TT networks. */
  ttRanks: number[];
  /**
   * CP networks are trained at budget multiples of every TT network: rank R is the largest with
   * params(CP, R) <= multiple x params(TT, r). 1 = matched budgets (CP never has more parameters).
   */
  cpBudgetMultiples: number[];
  learningRate: number;
  momentum: number;
  decayPerEpoch: number;
  batchSize: number;
  epochs: number;
  /** Seeds of a run (the framework's replicates): each seed draws its own tensors, data subsets and initial weights. */
  seeds: number;
};

/**
 * quick: d = 2..10, matricizations up to 256 rows: n = r = 2 (to 32 x 32), n = r = 3 (to 243 x 243),
 * plus the off-diagonal pairs (2, 4) and (4, 2) (q = 2; n = 4 to d = 8, 256 x 256) for the bound where it
 * need not be tight;
 * 3 draws of each; CP ranks 1-12. CP-ALS of a TT-rank-2 binary tensor at d = 4, 6, 8. Trained
 * networks: 4,000 MNIST training and 1,000 test images, 7 x 7 patches (d = 16), m = 4 features,
 * TT-ranks 2, 4, 8 and CP networks at 1x and 4x each TT budget, 10 epochs of SGD (momentum 0.9,
 * lr 0.01, decay 0.9 per epoch: the rate that trained both kinds stably in a probe at lr 0.002,
 * 0.01, 0.05; 0.05 diverged for both). A few minutes on 2 cores.
 *
 * paper: larger orders (n = r = 3 to d = 12: 729 x 729), all of MNIST, TT-ranks up to 16,
 * 30 epochs. The paper's own trained networks (MNIST and CIFAR-10, batch 32) could not be read
 * here: docs/REFERENCES.md.
 */
export const PROFILES: Profiles<TensorExpressivityConfig> = {
  quick: {
    orders: [2, 4, 6, 8, 10],
    modeRanks: [
      { n: 2, r: 2 },
      { n: 3, r: 3 },
      { n: 2, r: 4 },
      { n: 4, r: 2 },
    ],
    cpRanks: [1, 3, 6, 12],
    draws: 3,
    maxMatricizationRows: 256,
    alsOrders: [4, 6, 8],
    alsModeSize: 2,
    alsTtRank: 2,
    alsCpRanks: [1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32],
    alsRestarts: 2,
    alsMaxIterations: 300,
    alsTargetError: 0.01,
    trainSize: 4000,
    testSize: 1000,
    patchSize: 7,
    featureDim: 4,
    ttRanks: [2, 4, 8],
    cpBudgetMultiples: [1, 4],
    learningRate: 0.01,
    momentum: 0.9,
    decayPerEpoch: 0.9,
    batchSize: 32,
    epochs: 10,
    seeds: 3,
  },
  paper: {
    orders: [2, 4, 6, 8, 10, 12],
    modeRanks: [
      { n: 2, r: 2 },
      { n: 3, r: 3 },
      { n: 2, r: 4 },
      { n: 4, r: 2 },
    ],
    cpRanks: [1, 3, 6, 12, 24],
    draws: 5,
    maxMatricizationRows: 729,
    alsOrders: [4, 6, 8, 10],
    alsModeSize: 2,
    alsTtRank: 2,
    alsCpRanks: [1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64],
    alsRestarts: 3,
    alsMaxIterations: 500,
    alsTargetError: 0.01,
    trainSize: 60000,
    testSize: 10000,
    patchSize: 7,
    featureDim: 4,
    ttRanks: [2, 4, 8, 16],
    cpBudgetMultiples: [1, 4, 16],
    learningRate: 0.01,
    momentum: 0.9,
    decayPerEpoch: 0.9,
    batchSize: 32,
    epochs: 30,
    seeds: 3,
  },
};

/** Validates a resolved config; each problem is named with its fix. */
export function validateConfig(c: TensorExpressivityConfig): void {
  const problems = new ConfigProblems();
  const lists: [string, unknown][] = [
    ['orders', c.orders],
    ['modeRanks', c.modeRanks],
    ['cpRanks', c.cpRanks],
    ['alsOrders', c.alsOrders],
    ['alsCpRanks', c.alsCpRanks],
    ['ttRanks', c.ttRanks],
    ['cpBudgetMultiples', c.cpBudgetMultiples],
  ];
  for (const [name, v] of lists) if (!Array.isArray(v) || v.length === 0) problems.push(`${name} must be a non-empty list`);
  for (const d of Array.isArray(c.orders) ? c.orders : []) {
    if (!(Number.isInteger(d) && d >= 2 && d % 2 === 0)) problems.push(`every order must be an even integer >= 2, got ${d}`);
  }
  for (const d of Array.isArray(c.alsOrders) ? c.alsOrders : []) {
    if (!(Number.isInteger(d) && d >= 2 && d % 2 === 0)) problems.push(`every ALS order must be an even integer >= 2, got ${d}`);
  }
  for (const mr of Array.isArray(c.modeRanks) ? c.modeRanks : []) {
    problems.positiveIntegers({ 'modeRanks n': mr?.n, 'modeRanks r': mr?.r });
  }
  if (Array.isArray(c.orders) && !c.orders.some(isPowerOfTwo))
    problems.push('orders must include a power of two (2, 4, 8, ...) for the HT draws');
  for (const R of Array.isArray(c.cpRanks) ? c.cpRanks : []) problems.positiveIntegers({ 'cp rank': R });
  for (const R of Array.isArray(c.alsCpRanks) ? c.alsCpRanks : []) problems.positiveIntegers({ 'ALS cp rank': R });
  for (const r of Array.isArray(c.ttRanks) ? c.ttRanks : []) problems.positiveIntegers({ 'TT rank': r });
  for (const k of Array.isArray(c.cpBudgetMultiples) ? c.cpBudgetMultiples : []) problems.positiveNumbers({ 'budget multiple': k });
  const { draws, maxMatricizationRows, alsModeSize, alsTtRank, alsRestarts, alsMaxIterations, trainSize, testSize } = c;
  problems.positiveIntegers({ draws, maxMatricizationRows, alsModeSize, alsTtRank, alsRestarts, alsMaxIterations, trainSize, testSize });
  const { patchSize, featureDim, batchSize, epochs, seeds } = c;
  problems.positiveIntegers({ patchSize, featureDim, batchSize, epochs, seeds });
  if (Number.isInteger(c.patchSize) && (28 % c.patchSize !== 0 || c.patchSize === 28))
    problems.push(`patchSize must divide 28 and be smaller (2, 4, 7 or 14), got ${c.patchSize}`);
  if (!(c.alsTargetError > 0 && c.alsTargetError < 1)) problems.push(`alsTargetError must be in (0, 1), got ${c.alsTargetError}`);
  problems.positiveNumbers({ learningRate: c.learningRate });
  if (!(c.momentum >= 0 && c.momentum < 1)) problems.push(`momentum must be in [0, 1), got ${c.momentum}`);
  if (!(c.decayPerEpoch > 0 && c.decayPerEpoch <= 1)) problems.push(`decayPerEpoch must be in (0, 1], got ${c.decayPerEpoch}`);
  problems.throwIfAny();
}
