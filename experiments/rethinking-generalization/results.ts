// The rows of results.csv: their type and column order.

/** One row of results.csv (the framework adds the seed column first): one epoch of one condition. */
export type ResultRow = {
  condition: string;
  label_corruption: number;
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
  'labels_changed',
  'epoch',
  'steps',
  'learning_rate',
  'loss',
  'train_accuracy',
  'test_accuracy',
];
