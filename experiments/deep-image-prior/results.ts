// The rows of results.csv: their type and column order.

/**
 * One row of results.csv: one metric of one fit at one iteration.
 * run 'denoise' (target 'image+noise'): loss (MSE to the noisy target), psnr_gt (output vs clean),
 * psnr_noisy (output vs noisy target), psnr_gt_avg (exponentially averaged output vs clean),
 * ssim_gt / ssim_gt_avg (at the stopping iteration), and at iteration 0 the noisy input's
 * psnr_input / ssim_input. run 'fit' (Figure 2): loss per iteration for each target.
 * Iteration i is the forward pass of the i-th Adam step, before its update (as the authors' closure).
 */
export type ResultRow = {
  run: string;
  target: string;
  iteration: number;
  metric: string;
  value: number;
};

export const COLUMNS: (keyof ResultRow)[] = ['run', 'target', 'iteration', 'metric', 'value'];
