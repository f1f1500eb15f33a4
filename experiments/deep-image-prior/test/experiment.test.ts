import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runExperiment, UsageError, verifyExperiment } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import { runQuietly } from '@claimlab/core/testing';
import { loadImage, saveImagePng, squareImage } from '@claimlab/datasets';
import { fitNetwork, runArm } from '../arm.ts';
import { armsOf, experiment, settingsOf } from '../main.ts';
import { PROFILES } from '../config.ts';
import { TINY } from './tiny.ts';

const TINY_CONFIG = {
  ...PROFILES.quick,
  imageSize: 16,
  channelsDown: [4, 4],
  channelsUp: [4, 4],
  channelsSkip: [2, 2],
  inputDepth: 4,
  denoiseIterations: 12,
  stopIteration: 6,
  recordEvery: 2,
  snapshotAt: [3, 12],
  fitIterations: 8,
};

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-dip-'));

/** A tiny run of `seeds` seeds (one unless said: each seed is a full replicate). */
async function runTiny(out: string, extra: string[] = [], seeds = 1): Promise<string> {
  await runQuietly(experiment, [...TINY, '--seeds', String(seeds), '--out', out, ...extra], REPO_ROOT);
  return readFileSync(join(out, 'results.csv'), 'utf8');
}

const IDS = [
  'early-stopped-denoising-gain',
  'output-averaging-helps',
  'structure-before-noise',
  'overfitting-lowers-psnr',
  'overfitting-loss-keeps-falling',
  'figure2-fitting-order',
];

describe('exp-deep-image-prior on a tiny config', () => {
  // One serial run of two seeds (5 and 6) serves the determinism and the summary/verify tests.
  const serialOut = tmp();
  let serial: Promise<string> | undefined;
  const serialRun = () => (serial ??= runTiny(serialOut, ['--seed', '5', '--workers', '1'], 2));

  it('gives a byte-identical results.csv for the same seeds (serial and on 2 workers), each seed its own replicate', async () => {
    const a = await serialRun();
    const b = await runTiny(tmp(), ['--seed', '5', '--workers', '2'], 2);
    expect(b).toBe(a);
    const lines = a.trim().split('\n');
    expect(lines[0]).toBe('seed,run,target,iteration,metric,value');
    const ofSeed = (seed: number) => lines.filter((l) => l.startsWith(`${seed},`)).map((l) => l.slice(l.indexOf(',') + 1));
    expect(ofSeed(5).length + ofSeed(6).length).toBe(lines.length - 1);
    // Another seed: another noise draw, network and input, so other numbers on the same layout.
    const fitRows = (seed: number) =>
      ofSeed(seed)
        .filter((l) => l.startsWith('fit,image+noise,'))
        .map((l) => Number(l.split(',')[4]));
    expect(fitRows(6)).not.toEqual(fitRows(5));
    expect(ofSeed(6).map((l) => l.split(',').slice(0, 4).join())).toEqual(ofSeed(5).map((l) => l.split(',').slice(0, 4).join()));
    // Each seed's rows are what its arm computes on its own.
    const fit = (seed: number) =>
      runArm(armsOf({ ...TINY_CONFIG, image: 'nagasaki-boats' }, seed)[2], () => {}).then((r) => r.rows.map((x) => x.value));
    expect(await fit(6)).toEqual(fitRows(6));
    const seed5 = ofSeed(5);
    expect(seed5.filter((l) => l.startsWith('fit,')).length).toBe(4 * 8);
    expect(seed5.filter((l) => /^fit,shuffled,\d+,loss,/.test(l)).length).toBe(8);
    // denoise: psnr_gt recorded at 1, every 2nd, 12, the stop (6) and the snapshots (3, 12)
    expect(seed5.filter((l) => /^denoise,image\+noise,\d+,psnr_gt,/.test(l)).map((l) => Number(l.split(',')[2]))).toEqual([
      1, 2, 3, 4, 6, 8, 10, 12,
    ]);
    expect(seed5.some((l) => l.startsWith('denoise,image+noise,0,psnr_input,'))).toBe(true);
    expect(seed5.some((l) => l.startsWith('denoise,image+noise,6,ssim_gt_avg,'))).toBe(true);
  }, 180_000);

  it("writes summary and the first seed's figures; verify re-derives every check at every seed and catches tampering", async () => {
    const out = serialOut;
    await serialRun();
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.seeds).toEqual([5, 6]);
    expect(['REPRODUCED', 'NOT REPRODUCED', 'INCONCLUSIVE']).toContain(summary.outcome);
    expect(summary.core.total).toBe(2);
    expect(summary.checks.map((c: { id: string }) => c.id)).toEqual(IDS);
    expect(summary.checks.map((c: { role: string }) => c.role)).toEqual([
      'core',
      'supporting',
      'supporting',
      'supporting',
      'supporting',
      'core',
    ]);
    for (const c of summary.checks) {
      expect(c.seeds).toEqual([5, 6]);
      expect(c.passes).toHaveLength(2);
      expect(c.values).toHaveLength(2);
    }
    for (const f of [
      'psnr-vs-iteration.svg',
      'psnr-vs-iteration.png',
      'fitting-loss.png',
      'denoising-panels.png',
      'images/clean.png',
      'images/noisy.png',
      'images/output-00012.png',
      'images/average-00006.png',
    ]) {
      expect(existsSync(join(out, 'figures', f)), f).toBe(true);
    }
    expect(summary.files.figures).toContain('figures/denoising-panels.png');
    const panel = loadImage(join(out, 'figures', 'images', 'output-00003.png'));
    expect([panel.width, panel.height]).toEqual([16, 16]);
    // The panels are the first seed's outputs (the figures show seed 5), not the last seed's.
    const denoise5 = await runArm(armsOf({ ...TINY_CONFIG, image: 'nagasaki-boats' }, 5)[0], () => {});
    const out12 = denoise5.snapshots.find((x) => x.kind === 'output' && x.iteration === 12)!;
    expect(readFileSync(join(out, 'figures', 'images', 'output-00012.png')).equals(Buffer.from(out12.png, 'base64'))).toBe(true);

    const outcome = verifyExperiment(experiment, out);
    expect(outcome.problems.filter((p) => /summary\.json (says|differs|reports)|differs from what results\.csv gives/.test(p))).toEqual([]);
    expect(outcome.seeds).toEqual([5, 6]);
    expect(outcome.outcome).toBe(summary.outcome);
    expect(outcome.checks.map((c) => c.passes)).toEqual(summary.checks.map((c: { passes: boolean[] }) => c.passes));
    expect(outcome.checks.map((c) => c.values)).toEqual(summary.checks.map((c: { values: unknown[] }) => c.values));

    // Tamper with seed 5's table: a 50 dB noisy input changes that seed's gain (and fails it).
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').replace(/^(5,denoise,image\+noise,0,psnr_input,).*$/m, '$150');
    writeFileSync(join(out, 'results.csv'), csv);
    const after = verifyExperiment(experiment, out);
    expect(after.ok).toBe(false);
    expect(
      after.problems.some((p) => p.startsWith("check 'early-stopped-denoising-gain': summary.json differs from what results.csv gives")),
    ).toBe(true);
    expect(after.checks[0].passes[0]).toBe(false);
  }, 180_000);

  it('takes --image PATH (same as --set image=PATH), recorded as an override', async () => {
    const dir = tmp();
    const photo = squareImage(loadImage('locomotion-house-cat'), 32, 'resize');
    saveImagePng(photo, join(dir, 'cat.png'));
    const out = join(dir, 'out');
    await runTiny(out, [
      '--image',
      join(dir, 'cat.png'),
      '--workers',
      '1',
      '--set',
      'fitIterations=2',
      '--set',
      'denoiseIterations=6',
      '--set',
      'snapshotAt=[6]',
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.config.image).toBe(join(dir, 'cat.png'));
    expect(summary.overrides).toContain('image');
  }, 60_000);

  it('rejects bad input with clear errors and writes nothing', async () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const bad = join(dir, 'broken.jpg');
    writeFileSync(bad, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    await expect(runExperiment(experiment, [...TINY, '--image', bad, '--out', out], REPO_ROOT)).rejects.toThrow(
      /looks like JPEG but cannot be decoded.*--image PATH/s,
    );
    await expect(runExperiment(experiment, [...TINY, '--image', join(dir, 'missing.png'), '--out', out], REPO_ROOT)).rejects.toThrow(
      /not found/,
    );
    const small = join(dir, 'small.png');
    saveImagePng({ name: 'small', width: 8, height: 8, data: new Float32Array(8 * 8 * 3).fill(0.5) }, small);
    await expect(runExperiment(experiment, [...TINY, '--image', small, '--out', out], REPO_ROOT)).rejects.toThrow(
      /\(8x8\) is smaller than the 16x16 crop/,
    );
    await expect(runExperiment(experiment, [...TINY, '--set', 'imageSize=18', '--out', out], REPO_ROOT)).rejects.toThrow(
      /imageSize 18 must be divisible by 2\^2/,
    );
    await expect(runExperiment(experiment, [...TINY, '--set', 'stopIteration=50', '--out', out], REPO_ROOT)).rejects.toThrow(UsageError);
    await expect(runExperiment(experiment, [...TINY, '--seeds', '0', '--out', out], REPO_ROOT)).rejects.toThrow(
      /--seeds must be an integer >= 1/,
    );
    await expect(runExperiment(experiment, [...TINY, '--set', 'seeds=1.5', '--out', out], REPO_ROOT)).rejects.toThrow(
      /seeds must be a positive integer, got 1\.5/,
    );
    await expect(runExperiment(experiment, [...TINY, '--imagee', 'x.png'], REPO_ROOT)).rejects.toThrow(/imagee/);
    await expect(runExperiment(experiment, [...TINY, '--set', 'sigma=0.1'], REPO_ROOT)).rejects.toThrow(/Unknown config key 'sigma'/);
    expect(existsSync(join(out, 'results.csv'))).toBe(false);
  }, 60_000);

  it('stops with a clear error on a NaN loss and does not leak tensors across steps', async () => {
    await selectBackend('wasm', () => {});
    const s = {
      ...settingsOf({ ...PROFILES.quick, imageSize: 16, channelsDown: [4, 4], channelsUp: [4, 4], channelsSkip: [2, 2], inputDepth: 4 }, 0),
    };
    const target = new Float32Array(16 * 16 * 3).fill(0.5);
    const counts: number[] = [];
    fitNetwork(s, target, 6, 1 / 30, 'leak-test', () => counts.push(tf.memory().numTensors));
    expect(new Set(counts.slice(1)).size).toBe(1);
    const before = tf.memory().numTensors;
    expect(() => fitNetwork(s, new Float32Array(16 * 16 * 3).fill(NaN), 3, 0, 'nan-test', () => {})).toThrow(
      /the loss became NaN at iteration 1 \(nan-test\); lower learningRate/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
