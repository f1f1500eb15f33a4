import { describe, expect, it } from 'vitest';
import { PROFILES } from '../config.ts';
import { claim, fasterThan, fitSpeed, iterationsToReach } from '../claim.ts';
import { type ResultRow } from '../results.ts';

const ctx = { profile: 'quick' as const, config: { ...PROFILES.quick, stopIteration: 40, fitMseThreshold: 0.01 } };

/** Denoising rows: PSNR rises to `peak` at iteration 40 then falls to `last` at 100; averaging adds `avgGain`. */
function denoise(peak: number, last: number, avgGain = 0.5, input = 20): ResultRow[] {
  const rows: ResultRow[] = [{ run: 'denoise', target: 'image+noise', iteration: 0, metric: 'psnr_input', value: input }];
  for (let it = 10; it <= 100; it += 10) {
    const psnr = it <= 40 ? input + ((peak - input) * it) / 40 : peak - ((peak - last) * (it - 40)) / 60;
    const row = (metric: string, value: number) => rows.push({ run: 'denoise', target: 'image+noise', iteration: it, metric, value });
    row('psnr_gt', psnr);
    row('psnr_gt_avg', psnr + avgGain);
    row('psnr_noisy', 18 + it / 20); // the fit to the noisy target keeps improving
    row('loss', 0.02 / it);
  }
  return rows;
}

/** Figure 2 rows: loss of target t decays as exp(-it / tau_t) from v0_t. */
function fits(taus: Record<string, number>, n = 100): ResultRow[] {
  return Object.entries(taus).flatMap(([target, tau]) =>
    Array.from({ length: n }, (_, i) => ({ run: 'fit', target, iteration: i + 1, metric: 'loss', value: 0.08 * Math.exp(-(i + 1) / tau) })),
  );
}

const ORDERED = { image: 5, 'image+noise': 10, shuffled: 20, noise: 40 };

describe('deep-image-prior claim checks', () => {
  it("pass on rows with the paper's pattern", () => {
    const checks = claim.checks([...denoise(27, 24), ...fits(ORDERED)], ctx);
    expect(checks.map((c) => c.id)).toEqual([
      'early-stopped-denoising-gain',
      'output-averaging-helps',
      'structure-before-noise',
      'overfitting-lowers-psnr',
      'figure2-fitting-order',
    ]);
    expect(checks.filter((c) => !c.pass).map((c) => c.id)).toEqual([]);
    expect(checks[0].ours).toContain('+7.00 dB');
  });

  it('fail on a small gain, no averaging benefit, no overfitting, or a wrong fitting order', () => {
    const failing = (rows: ResultRow[]) =>
      claim
        .checks(rows, ctx)
        .filter((c) => !c.pass)
        .map((c) => c.id);
    expect(failing([...denoise(23, 22.5), ...fits(ORDERED)])).toEqual(['early-stopped-denoising-gain', 'overfitting-lowers-psnr']);
    expect(failing([...denoise(27, 24, -0.2), ...fits(ORDERED)])).toEqual(['output-averaging-helps']);
    expect(failing([...denoise(27, 26.5), ...fits(ORDERED)])).toEqual(['overfitting-lowers-psnr']);
    expect(failing([...denoise(27, 24), ...fits({ ...ORDERED, shuffled: 50 })])).toEqual(['figure2-fitting-order']);
    expect(claim.checks([], ctx).every((c) => !c.pass)).toBe(true);
  });

  it('orders censored fits: reached before unreached, unreached by final MSE', () => {
    const rows = fits({ a: 5, b: 30, c: 60 }, 50); // a reaches 0.01 at it 11; b, c never within 50
    expect(
      iterationsToReach(
        rows.filter((r) => r.target === 'a').map((r) => ({ iteration: r.iteration, value: r.value })),
        0.01,
      ),
    ).toBe(11);
    const [a, b, c] = ['a', 'b', 'c'].map((t) => fitSpeed(rows, t, 0.01));
    expect(b.reached).toBeNull();
    expect(fasterThan(a, b)).toBe(true);
    expect(fasterThan(b, a)).toBe(false);
    expect(fasterThan(b, c)).toBe(true);
    expect(fasterThan(c, b)).toBe(false);
    expect(fasterThan(a, fitSpeed(rows, 'missing', 0.01))).toBe(false);
  });
});
