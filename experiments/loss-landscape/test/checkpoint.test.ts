import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import type { ImageDataset } from '@claimlab/datasets';
import { cifarResNet } from '@claimlab/models';
import { trainResNet } from '../arm.ts';
import { PROFILES } from '../config.ts';

beforeAll(async () => {
  await selectBackend('wasm', () => {});
});

const rng = new Rng('ll-checkpoint');
const data: ImageDataset = {
  name: 'blobs',
  images: rng.fork('x').normalArray(24 * 64),
  labels: Int32Array.from({ length: 24 }, (_, i) => i % 3),
  n: 24,
  height: 8,
  width: 8,
  channels: 1,
  numClasses: 3,
};
const config = { ...PROFILES.quick, epochs: 4, batchSize: 8, lrDecayEpochs: [2] };
const net = () => cifarResNet({ depth: 8, numClasses: 3, rng: new Rng('w'), inputShape: [8, 8, 1], widthMultiplier: 0.25, shortcuts: false });
const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('trainResNet checkpoints', () => {
  it('a run interrupted after epoch 2 and resumed from its checkpoint equals an uninterrupted run (losses, weights, BN statistics)', () => {
    const straight = net();
    const full = trainResNet(straight, data, config, 0.05, new Rng('b'), () => {});
    const file = join(mkdtempSync(join(tmpdir(), 'claimlab-ll-ckpt-')), 'arm.ckpt');
    const checkpoint = { file, identity: 'resnet-8-noshort', resume: false };
    expect(() =>
      trainResNet(net(), data, config, 0.05, new Rng('b'), (epoch) => {
        if (epoch === 2) throw new Error('killed');
      }, checkpoint),
    ).toThrow('killed');
    expect(existsSync(file)).toBe(true);
    const resumedModel = net();
    const seen: number[] = [];
    const resumed = trainResNet(resumedModel, data, config, 0.05, new Rng('unused'), (e) => seen.push(e), { ...checkpoint, resume: true });
    expect(seen).toEqual([3, 4]);
    expect(resumed).toEqual(full);
    expect(weightsOf(resumedModel)).toEqual(weightsOf(straight));
    expect(existsSync(file)).toBe(false);
  });
});
