// The rows of results.csv: their type and column order.

/** One row of results.csv: one epoch of one condition and repeat. */
export type ResultRow = {
  condition: string;
  label_corruption: number;
  repeat: number;
  /** Share of training labels the corruption actually changed (expected p * 9/10). */
  labels_changed: number;
  epoch: number;
  steps: number;
  learning_rate: number;
  loss: number;
  train_accuracy: number;
  test_accuracy: number;
};

export const COLUMNS: (keyof ResultRow)[] = [
  'condition',
  'label_corruption',
  'repeat',
  'labels_changed',
  'epoch',
  'steps',
  'learning_rate',
  'loss',
  'train_accuracy',
  'test_accuracy',
];
