import { describe, expect, it } from 'vitest';
import { type Check } from '@claimlab/core';
import { claimChecker } from '@claimlab/core/testing';
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

const IDS = [
  'early-stopped-denoising-gain',
  'output-averaging-helps',
  'structure-before-noise',
  'overfitting-lowers-psnr',
  'overfitting-loss-keeps-falling',
  'figure2-fitting-order',
];
const ROLES = ['core', 'supporting', 'supporting', 'supporting', 'supporting', 'core'];

/** One seed's checks, each consistent (pass agrees with its value and bound), in the claim's order. */

const checker = claimChecker(claim, ctx);
/** The checks of one seed's rows, each asserted consistent with its statistic, with their ids and roles. */
function checksOf(rows: ResultRow[]): Check[] {
  const checks = checker.checksOf(rows);
  expect(checks.map((c) => c.id)).toEqual(IDS);
  expect(checks.map((c) => c.role)).toEqual(ROLES);
  return checks;
}
const failing = (rows: ResultRow[]) =>
  checksOf(rows)
    .filter((c) => !c.pass)
    .map((c) => c.id);
describe('deep-image-prior claim checks', () => {
  it("pass on rows with the paper's pattern, each with its role, statistic and bound", () => {
    const checks = checksOf([...denoise(27, 24), ...fits(ORDERED)]);
    expect(checks.filter((c) => !c.pass).map((c) => c.id)).toEqual([]);
    expect(checks[0].ours).toContain('+7.00 dB');
    const stat = Object.fromEntries(checks.map((c) => [c.id, { value: c.value, bound: c.bound }]));
    expect(stat['early-stopped-denoising-gain'].value).toBeCloseTo(7, 10);
    expect(stat['early-stopped-denoising-gain'].bound).toEqual({ op: '>=', value: 4.5 });
    expect(stat['output-averaging-helps'].value).toBeCloseTo(0.5, 10);
    expect(stat['output-averaging-helps'].bound).toEqual({ op: '>', value: 0 });
    expect(stat['structure-before-noise'].value).toBeCloseTo(27 - 20, 10); // psnr_noisy at 40 is 18 + 2
    expect(stat['structure-before-noise'].bound).toEqual({ op: '>', value: 0 });
    expect(stat['overfitting-lowers-psnr'].value).toBeCloseTo(3, 10);
    expect(stat['overfitting-lowers-psnr'].bound).toEqual({ op: '>=', value: 1 });
    expect(stat['overfitting-loss-keeps-falling'].value).toBeCloseTo(0.02 / 100 - 0.02 / 40, 12);
    expect(stat['overfitting-loss-keeps-falling'].bound).toEqual({ op: '<', value: 0 });
    expect(stat['figure2-fitting-order']).toEqual({ value: 3, bound: { op: '>=', value: 3 } });
  });

  it('fail on a small gain, no averaging benefit, no overfitting, a loss that stops falling, or a wrong fitting order', () => {
    expect(failing([...denoise(23, 22.5), ...fits(ORDERED)])).toEqual(['early-stopped-denoising-gain', 'overfitting-lowers-psnr']);
    expect(failing([...denoise(27, 24, -0.2), ...fits(ORDERED)])).toEqual(['output-averaging-helps']);
    expect(failing([...denoise(27, 26.5), ...fits(ORDERED)])).toEqual(['overfitting-lowers-psnr']);
    // The PSNR falls but the loss at the last iteration is back above the loss at the PSNR-best iteration (40).
    const lossUp = denoise(27, 24).map((r) => (r.metric === 'loss' && r.iteration === 100 ? { ...r, value: 0.001 } : r));
    expect(failing([...lossUp, ...fits(ORDERED)])).toEqual(['overfitting-loss-keeps-falling']);
    // The output is closer to its noisy target than to the clean image.
    const fitsNoise = denoise(27, 24).map((r) => (r.metric === 'psnr_noisy' ? { ...r, value: 30 } : r));
    expect(failing([...fitsNoise, ...fits(ORDERED)])).toEqual(['structure-before-noise']);
    const swapped = checksOf([...denoise(27, 24), ...fits({ ...ORDERED, shuffled: 50 })]);
    expect(swapped.filter((c) => !c.pass).map((c) => c.id)).toEqual(['figure2-fitting-order']);
    expect(swapped[5].value).toBe(2); // image < image+noise < noise hold, shuffled < noise does not
  });

  it('fail with no statistic (value null) on an empty table or when an input is missing', () => {
    const empty = checksOf([]);
    expect(empty.map((c) => [c.id, c.pass, c.value])).toEqual(IDS.map((id) => [id, false, null]));
    // No noisy-input row: the gain is unknown, the other checks still have theirs.
    const noInput = checksOf([...denoise(27, 24), ...fits(ORDERED)].filter((r) => r.metric !== 'psnr_input'));
    expect(noInput[0]).toMatchObject({ pass: false, value: null });
    expect(noInput.slice(1).every((c) => c.pass)).toBe(true);
    // A Figure 2 target that was never fitted: the order is unknown, not 'two of three pairs'.
    const noNoise = checksOf([...denoise(27, 24), ...fits(ORDERED)].filter((r) => r.target !== 'noise'));
    expect(noNoise[5]).toMatchObject({ pass: false, value: null });
    // Denoising rows without the stopping iteration: every denoising statistic is missing.
    const noStop = checksOf([...denoise(27, 24).filter((r) => r.iteration !== 40), ...fits(ORDERED)]);
    expect(noStop.slice(0, 3).map((c) => c.value)).toEqual([null, null, null]);
    expect(noStop.slice(0, 3).some((c) => c.pass)).toBe(false);
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
