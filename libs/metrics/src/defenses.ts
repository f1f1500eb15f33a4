// Input-transformation defenses against adversarial perturbations, and the classifier they make.
import type { DifferentiableClassifier } from './deepfool.ts';

/**
 * Bit-depth reduction (Xu, Evans & Qi 2018, "feature squeezing"): each value is clipped to [0, 1]
 * and rounded to the nearest of 2^bits evenly spaced levels (1 bit: 0 below 0.5, 1 from 0.5 up).
 */
export function bitDepthReduction(values: ArrayLike<number>, bits: number): Float32Array {
  if (!(Number.isInteger(bits) && bits >= 1 && bits <= 16))
    throw new Error(`bitDepthReduction: bits must be an integer in 1..16, got ${bits}`);
  const levels = 2 ** bits - 1;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) throw new Error(`bitDepthReduction: value ${i} is NaN`);
    out[i] = Math.round(Math.min(1, Math.max(0, v)) * levels) / levels;
  }
  return out;
}

/**
 * The classifier x -> clf(transform(x)). Its input gradients are those of `clf` at transform(x):
 * the transform's own derivative is taken as the identity (BPDA, Athalye, Carlini & Wagner 2018),
 * as an attacker who knows the defense does when the transform has no useful gradient (rounding
 * is flat almost everywhere).
 */
export function transformedClassifier(
  clf: DifferentiableClassifier,
  transform: (x: Float32Array) => Float32Array,
): DifferentiableClassifier {
  return {
    inputSize: clf.inputSize,
    numClasses: clf.numClasses,
    get cost() {
      return clf.cost;
    },
    logits: (images) => clf.logits(transform(images)),
    gradients: (image, classes) => clf.gradients(transform(image), classes),
  };
}
