// The rows of results.csv: their type and column order.

/**
 * One row of results.csv (the framework adds the seed column first): one measured quantity.
 * part 'rank': one random tensor's odd/even matricization; part 'als': a CP-ALS fit of a random
 * TT tensor at one CP rank; part 'train': one trained network.
 */
export type ResultRow = {
  part: string;
  /** rank: tt, tt-shared, ht, cp; als: tt; train: tt-net, cp-net. */
  family: string;
  /** Order of the tensor (rank, als) or the number of patches of the sequence (train). */
  d: number;
  /** Mode size (rank, als) or the feature vector's size m + 1 (train). */
  n: number;
  /** TT / HT rank r, or the CP rank R (cp tensors, CP-ALS fits, CP networks). */
  rank_param: number;
  /** Which draw of the setting (rank), the ALS fit (0), or the CP budget multiple (train cp-net; 0 for tt-net). */
  draw: number;
  /**
   * rank: matricization_rank, bound (q^(d/2), or R for cp), rows, smallest_kept and largest_dropped
   * (singular values relative to sigma_max on both sides of the rank tolerance), sigma_at_bound and
   * sigma_past_bound (sigma_bound and sigma_(bound+1) relative to sigma_max; 0 past the last);
   * als: als_error (best over restarts), floor (Eckart-Young bound of the matricization);
   * train: params, test_accuracy, train_accuracy, loss, tt_params_matched (cp-net: the TT budget it was sized to).
   */
  metric: string;
  value: number;
};

export const COLUMNS: (keyof ResultRow)[] = ['part', 'family', 'd', 'n', 'rank_param', 'draw', 'metric', 'value'];
