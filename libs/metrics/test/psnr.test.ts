import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mse, psnr, psnrFromMse, ssim } from '../src/psnr.ts';

describe('mse and psnr', () => {
  it('match hand-computed values', () => {
    // differences 0.1 everywhere: MSE 0.01, PSNR = 10 log10(1 / 0.01) = 20 dB
    const a = new Float32Array([0.2, 0.4, 0.6, 0.8]);
    const b = a.map((v) => v + 0.1);
    expect(mse(a, b)).toBeCloseTo(0.01, 7);
    expect(psnr(a, b)).toBeCloseTo(20, 4);
    // one value off by 1 of 4: MSE 0.25 -> 10 log10(4) = 6.0206 dB; on the 0-255 scale the same ratio
    expect(psnr([0, 0, 0, 0], [1, 0, 0, 0])).toBeCloseTo(10 * Math.log10(4), 10);
    expect(psnr([0, 0, 0, 0], [255, 0, 0, 0], 255)).toBeCloseTo(10 * Math.log10(4), 10);
    // sigma = 25/255 Gaussian noise (unclipped) gives 20.17 dB in expectation: 20 log10(255/25)
    expect(psnrFromMse((25 / 255) ** 2)).toBeCloseTo(20 * Math.log10(255 / 25), 10);
    expect(psnr([0.5, 0.5], [0.5, 0.5])).toBe(Infinity);
  });

  it('rejects mismatched or empty inputs', () => {
    expect(() => mse([1, 2], [1])).toThrow(/differ in length \(2 vs 1\)/);
    expect(() => psnr([], [])).toThrow(/empty/);
    expect(() => psnrFromMse(-1)).toThrow(/>= 0/);
  });
});

describe('ssim (Wang et al. 2004: 11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03)', () => {
  const h = 12,
    w = 13;
  const constant = (v: number, c = 1) => new Float32Array(h * w * c).fill(v);

  it('is 1 for identical images and matches the closed form for constant images', () => {
    const img = Float32Array.from({ length: h * w * 3 }, (_, i) => ((i * 7919) % 101) / 100);
    expect(ssim(img, img, h, w, 3)).toBeCloseTo(1, 12);
    // constant images: variances and covariance vanish, SSIM = (2 a b + C1) / (a^2 + b^2 + C1) (times C2/C2)
    const c1 = 0.01 ** 2;
    const [a, b] = [0.3, 0.6];
    expect(ssim(constant(a), constant(b), h, w, 1)).toBeCloseTo((2 * a * b + c1) / (a * a + b * b + c1), 10);
    // with dataRange 255 the constants scale: C1 = (0.01 * 255)^2
    const c255 = (0.01 * 255) ** 2;
    expect(ssim(constant(30), constant(90), h, w, 1, { dataRange: 255 })).toBeCloseTo(
      (2 * 30 * 90 + c255) / (30 * 30 + 90 * 90 + c255),
      10,
    );
  });

  it('matches an independent numpy/scipy implementation (scripts/reference/psnr_ssim_reference.py) to 1e-6', () => {
    const ref = JSON.parse(readFileSync(new URL('./fixtures/psnr-ssim-reference.json', import.meta.url), 'utf8')) as {
      height: number;
      width: number;
      channels: number;
      reference: number[];
      cases: { name: string; estimate: number[]; psnr: number; ssim: number }[];
    };
    expect(ref.cases.map((c) => c.name)).toEqual(['noisy', 'scaled', 'uniform']);
    for (const c of ref.cases) {
      expect(Math.abs(psnr(ref.reference, c.estimate) - c.psnr)).toBeLessThan(1e-6);
      expect(Math.abs(ssim(ref.reference, c.estimate, ref.height, ref.width, ref.channels) - c.ssim)).toBeLessThan(1e-6);
    }
  });

  it('rejects images smaller than the window or of the wrong size', () => {
    expect(() => ssim(constant(0.1), constant(0.2), h, w, 2)).toThrow(/expected 12\*13\*2/);
    expect(() => ssim(new Float32Array(100), new Float32Array(100), 10, 10, 1)).toThrow(/at least the window size 11/);
  });
});
