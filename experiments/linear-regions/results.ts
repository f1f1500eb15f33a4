// The rows of results.csv: their type and column order.

/** One row of results.csv (the framework adds the seed column first): one metric of one network (condition, width, depth, network) after `layer` layers. */
export type ResultRow = {
  /** path: the circle; slice: the 2-D input slice; sawtooth: Telgarsky's construction on [0, 1]. */
  sweep: string;
  activation: string;
  sigma_w2: number;
  sigma_b2: number;
  width: number;
  /** Depth of the network built; `layer` <= depth is where it is cut (the first `layer` layers are a depth-`layer` network). */
  depth: number;
  layer: number;
  /** Which of the seed's random networks (and circle planes) of a setting, 0..networks-1. */
  network: number;
  /** transitions, regions (along the path), length (post-activation trajectory length), regions_2d (grid on the slice). */
  metric: string;
  value: number;
};

export const COLUMNS: (keyof ResultRow)[] = [
  'sweep',
  'activation',
  'sigma_w2',
  'sigma_b2',
  'width',
  'depth',
  'layer',
  'network',
  'metric',
  'value',
];
