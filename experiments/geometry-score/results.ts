// The rows of results.csv: their type and column order.

/**
 * One row of results.csv: one measured value of one model.
 * metric 'mrlt' has one row per i (0..iMax-1); scalars have i = -1.
 */
export type ResultRow = {
  part: string;
  model: string;
  metric: string;
  i: number;
  value: number;
};

export const COLUMNS: (keyof ResultRow)[] = ['part', 'model', 'metric', 'i', 'value'];

export const METRICS = {
  mrlt: 'mrlt',
  gs: 'geometry_score',
  fid: 'fid',
  isMean: 'is_mean',
  isStd: 'is_std',
  accuracy: 'test_accuracy',
} as const;
