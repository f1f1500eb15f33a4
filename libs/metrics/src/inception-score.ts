/**
 * Inception score (Salimans et al. 2016, "Improved techniques for training
 * GANs", section 4): IS = exp(E_x KL(p(y|x) || p(y))), computed on `splits`
 * consecutive equal parts of the samples (10 in the paper and in the
 * reference code), reported as the mean and the (population, numpy.std)
 * standard deviation over the parts. p(y) is the mean of p(y|x) over each
 * part. Terms with p(y|x) = 0 contribute 0 (the limit of p log p).
 *
 * The class probabilities come from any classifier (Inception-v3 on
 * ImageNet in the paper; a classifier trained on MNIST here, so the score is
 * bounded by the 10 classes). Barratt & Sharma (2018) list its pitfalls:
 * scores are comparable only with the same network and split count.
 */

export interface InceptionScore {
  mean: number;
  std: number;
  /** exp(mean KL) of every split. */
  splits: number[];
}

/** probs: n rows of k class probabilities (row-major); rows are renormalised only if they deviate from 1 by > 1e-3 (then an error). */
export function inceptionScore(probs: ArrayLike<number>, n: number, k: number, splits = 10): InceptionScore {
  if (probs.length !== n * k) throw new RangeError(`inceptionScore: got ${probs.length} values, expected n*k = ${n * k}`);
  if (!Number.isInteger(splits) || splits < 1) throw new RangeError(`inceptionScore: splits must be a positive integer, got ${splits}`);
  if (n < splits) throw new RangeError(`inceptionScore: need at least one sample per split (${n} samples, ${splits} splits)`);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) {
      const p = probs[i * k + j];
      if (!(p >= 0)) throw new RangeError(`inceptionScore: probability row ${i} has a negative or non-finite value ${p}`);
      s += p;
    }
    if (Math.abs(s - 1) > 1e-3)
      throw new RangeError(`inceptionScore: probability row ${i} sums to ${s}, not 1 (pass softmax outputs, not logits)`);
  }
  const scores: number[] = [];
  const py = new Float64Array(k);
  for (let s = 0; s < splits; s++) {
    const lo = Math.floor((s * n) / splits);
    const hi = Math.floor(((s + 1) * n) / splits);
    py.fill(0);
    for (let i = lo; i < hi; i++) for (let j = 0; j < k; j++) py[j] += probs[i * k + j];
    for (let j = 0; j < k; j++) py[j] /= hi - lo;
    let kl = 0;
    for (let i = lo; i < hi; i++) {
      for (let j = 0; j < k; j++) {
        const p = probs[i * k + j];
        if (p > 0) kl += p * (Math.log(p) - Math.log(py[j]));
      }
    }
    scores.push(Math.exp(kl / (hi - lo)));
  }
  const mean = scores.reduce((a, b) => a + b, 0) / splits;
  const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / splits);
  return { mean, std, splits: scores };
}
