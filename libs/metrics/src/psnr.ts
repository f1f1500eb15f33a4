// Full-reference image quality: MSE, PSNR and SSIM on plain arrays (HWC, any channel count).

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) throw new Error(`${what}: arrays differ in length (${a.length} vs ${b.length})`);
  if (a.length === 0) throw new Error(`${what}: empty arrays`);
}

/** Mean squared error, accumulated in float64. */
export function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  sameLength(a, b, 'mse');
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s / a.length;
}

/** PSNR in dB from an MSE: 10 log10(dataRange^2 / mse); Infinity for mse = 0. */
export function psnrFromMse(m: number, dataRange = 1): number {
  if (!(m >= 0)) throw new Error(`psnrFromMse: MSE must be >= 0, got ${m}`);
  return 10 * Math.log10((dataRange * dataRange) / m);
}

/**
 * Peak signal-to-noise ratio in dB between a reference and an estimate with values on a scale of
 * `dataRange` (1 for images in [0, 1], 255 for 8-bit): 10 log10(dataRange^2 / MSE), as in
 * skimage.metrics.peak_signal_noise_ratio (which the deep image prior code uses, as compare_psnr).
 * Identical inputs give Infinity.
 */
export function psnr(reference: ArrayLike<number>, estimate: ArrayLike<number>, dataRange = 1): number {
  return psnrFromMse(mse(reference, estimate), dataRange);
}

export interface SsimOptions {
  /** Value range of the images (default 1). */
  dataRange?: number;
  /** Gaussian window side (default 11) and standard deviation (default 1.5). */
  windowSize?: number;
  sigma?: number;
  k1?: number;
  k2?: number;
}

/** Normalised 1-D Gaussian of odd length n. */
function gaussian1d(n: number, sigma: number): Float64Array {
  const g = new Float64Array(n);
  const c = (n - 1) / 2;
  let s = 0;
  for (let i = 0; i < n; i++) s += g[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < n; i++) g[i] /= s;
  return g;
}

/** 'valid' separable filtering of one channel of an HWC array. */
function filterValid(x: Float64Array, h: number, w: number, g: Float64Array): Float64Array {
  const n = g.length;
  const ow = w - n + 1;
  const oh = h - n + 1;
  const rows = new Float64Array(h * ow);
  for (let y = 0; y < h; y++)
    for (let xo = 0; xo < ow; xo++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += g[k] * x[y * w + xo + k];
      rows[y * ow + xo] = s;
    }
  const out = new Float64Array(oh * ow);
  for (let yo = 0; yo < oh; yo++)
    for (let xo = 0; xo < ow; xo++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += g[k] * rows[(yo + k) * ow + xo];
      out[yo * ow + xo] = s;
    }
  return out;
}

/**
 * Structural similarity (Wang, Bovik, Sheikh & Simoncelli 2004, IEEE TIP 13(4)): the mean over
 * every fully-inside 11x11 Gaussian window (sigma 1.5) of
 *   ((2 mu_x mu_y + C1)(2 sigma_xy + C2)) / ((mu_x^2 + mu_y^2 + C1)(sigma_x^2 + sigma_y^2 + C2)),
 * C1 = (K1 L)^2, C2 = (K2 L)^2, K1 = 0.01, K2 = 0.03, L = dataRange; window statistics are
 * Gaussian-weighted (population) moments, as in the authors' ssim_index.m ('valid' filtering).
 * Multi-channel images: the mean of the per-channel SSIMs. Images are HWC arrays of `height` x `width` x `channels`.
 */
export function ssim(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  opts: SsimOptions = {},
): number {
  sameLength(a, b, 'ssim');
  const { dataRange = 1, windowSize = 11, sigma = 1.5, k1 = 0.01, k2 = 0.03 } = opts;
  if (a.length !== height * width * channels) throw new Error(`ssim: ${a.length} values, expected ${height}*${width}*${channels}`);
  if (windowSize % 2 !== 1 || height < windowSize || width < windowSize) {
    throw new Error(`ssim: images (${height}x${width}) must be at least the window size ${windowSize} (odd)`);
  }
  const g = gaussian1d(windowSize, sigma);
  const c1 = (k1 * dataRange) ** 2;
  const c2 = (k2 * dataRange) ** 2;
  const n = height * width;
  let total = 0;
  for (let c = 0; c < channels; c++) {
    const x = new Float64Array(n),
      y = new Float64Array(n),
      xx = new Float64Array(n),
      yy = new Float64Array(n),
      xy = new Float64Array(n);
    for (let p = 0; p < n; p++) {
      x[p] = a[p * channels + c];
      y[p] = b[p * channels + c];
      xx[p] = x[p] * x[p];
      yy[p] = y[p] * y[p];
      xy[p] = x[p] * y[p];
    }
    const [mx, my, mxx, myy, mxy] = [x, y, xx, yy, xy].map((v) => filterValid(v, height, width, g));
    let s = 0;
    for (let i = 0; i < mx.length; i++) {
      const vx = mxx[i] - mx[i] * mx[i];
      const vy = myy[i] - my[i] * my[i];
      const cxy = mxy[i] - mx[i] * my[i];
      s += ((2 * mx[i] * my[i] + c1) * (2 * cxy + c2)) / ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2));
    }
    total += s / mx.length;
  }
  return total / channels;
}
