import { describe, expect, it } from 'vitest';
import { affineClassifier, bitDepthReduction, predictLabels, transformedClassifier } from '../src/index.ts';

describe('bit-depth reduction (Xu et al. 2018)', () => {
  it('rounds to 2^bits evenly spaced levels in [0, 1], clipping first (hand-checked values)', () => {
    // 1 bit: 0 below 0.5, 1 from 0.5 up (Math.round rounds 0.5 up).
    expect(Array.from(bitDepthReduction([-0.3, 0, 0.49, 0.5, 0.7, 1, 1.4], 1))).toEqual([0, 0, 0, 1, 1, 1, 1]);
    // 2 bits: levels 0, 1/3, 2/3, 1.
    const two = Array.from(bitDepthReduction([0.1, 0.2, 0.5, 0.84, 0.9], 2));
    [0, 1 / 3, 2 / 3, 1, 1].forEach((v, i) => expect(two[i]).toBeCloseTo(v, 6));
    // 5 bits: 31 steps; 0.5 -> round(15.5) / 31 = 16 / 31.
    expect(bitDepthReduction([0.5], 5)[0]).toBeCloseTo(16 / 31, 6);
  });

  it('rejects a bad bit count or a NaN input', () => {
    expect(() => bitDepthReduction([0.5], 0)).toThrow(/bits must be an integer in 1..16, got 0/);
    expect(() => bitDepthReduction([0.5], 1.5)).toThrow(/got 1.5/);
    expect(() => bitDepthReduction([0.2, NaN], 1)).toThrow(/value 1 is NaN/);
  });
});

describe('transformedClassifier (a defense in front of a classifier)', () => {
  // Two classes on two inputs: logit0 = x0, logit1 = x1.
  const clf = affineClassifier([1, 0, 0, 1], [0, 0]);
  const squeezed = transformedClassifier(clf, (x) => bitDepthReduction(x, 1));

  it('classifies the transformed input: a perturbation that crosses no rounding threshold changes nothing', () => {
    // logit0 = x0 + x1, logit1 = 0.95. x = (0.3, 0.8): 1.1 -> class 0; with (-0.2, 0): 0.9 -> class 1.
    const sum = affineClassifier([1, 1, 0, 0], [0, 0.95]);
    const defended = transformedClassifier(sum, (x) => bitDepthReduction(x, 1));
    const x = Float32Array.from([0.3, 0.8]);
    expect(Array.from(predictLabels(sum, x))).toEqual([0]);
    expect(Array.from(predictLabels(sum, x, [-0.2, 0]))).toEqual([1]);
    // Squeezed, both inputs are (0, 1): logit0 = 1 > 0.95, class 0 before and after.
    expect(Array.from(predictLabels(defended, x))).toEqual([0]);
    expect(Array.from(predictLabels(defended, x, [-0.2, 0]))).toEqual([0]);
    // A perturbation that crosses 0.5 does change the squeezed input: (0.3, 0.8) + (0, -0.4) -> (0, 0): 0 < 0.95.
    expect(Array.from(predictLabels(defended, x, [0, -0.4]))).toEqual([1]);
  });

  it("takes the classifier's gradient at the transformed input (BPDA) and shares its cost counter", () => {
    const g = squeezed.gradients(Float32Array.from([0.7, 0.2]), [0, 1]);
    expect(Array.from(g.logits)).toEqual([1, 0]); // logits of the squeezed input
    expect(g.grads.map((v) => Array.from(v))).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(squeezed.cost).toBe(clf.cost);
    expect(squeezed.inputSize).toBe(2);
    expect(squeezed.numClasses).toBe(2);
  });
});
