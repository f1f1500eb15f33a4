import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import { countParams } from '@claimlab/models';
import { SeededDropout, tutorialNet, tutorialWeightDecayOn } from '../models.ts';

beforeAll(async () => {
  await selectBackend('cpu', () => {});
});

const FULL = { conv1: 32, conv2: 64, fc: 512 };
const net = (kind: 'original' | 'overparameterized', shape = FULL) =>
  tutorialNet({ net: kind, shape, weightsRng: new Rng(1), dropoutRng: new Rng(2) });

describe("TensorFlow's MNIST tutorial net and its factorised twin", () => {
  it("has the tutorial's parameter count; factorising both fc layers adds 512^2 + 10^2 (about 15.8%)", () => {
    const original = net('original');
    const over = net('overparameterized');
    // conv1 5*5*1*32 + 32, conv2 5*5*32*64 + 64, fc1 3136*512 + 512, fc2 512*10 + 10.
    const tutorial = 832 + 51264 + (7 * 7 * 64 * 512 + 512) + 5130;
    expect(countParams(original)).toBe(tutorial);
    expect(countParams(over)).toBe(tutorial + 512 * 512 + 10 * 10);
    expect(countParams(over) / countParams(original) - 1).toBeCloseTo(0.158, 3);
    original.dispose();
    over.dispose();
  });

  it('starts as the same function (the added factor is the identity) and decays the fc weights and biases but not the added factor', () => {
    const shape = { conv1: 2, conv2: 3, fc: 6 };
    const a = net('original', shape);
    const b = net('overparameterized', shape);
    const x = tf.randomUniform([3, 28, 28, 1], -0.5, 0.5, 'float32', 5);
    const ya = (a.apply(x, { training: false }) as tf.Tensor).arraySync() as number[][];
    const yb = (b.apply(x, { training: false }) as tf.Tensor).arraySync() as number[][];
    ya.forEach((row, i) => row.forEach((v, j) => expect(yb[i][j]).toBeCloseTo(v, 5)));
    expect(a.trainableWeights.filter(tutorialWeightDecayOn).map((w) => w.originalName)).toEqual([
      'fc1/kernel',
      'fc1/bias',
      'fc2/kernel',
      'fc2/bias',
    ]);
    expect(b.trainableWeights.filter(tutorialWeightDecayOn).map((w) => w.originalName)).toEqual([
      'fc1/kernel',
      'fc1_factor/bias',
      'fc2/kernel',
      'fc2_factor/bias',
    ]);
    tf.dispose([x, a, b] as unknown as tf.Tensor[]);
  });

  it('draws a fresh dropout mask at every training call from its seeded stream, none at inference', () => {
    const masks = (seed: number) => {
      const layer = new SeededDropout({ rate: 0.5, rng: new Rng(seed) });
      const x = tf.ones([4, 50]);
      const m1 = (layer.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][];
      const m2 = (layer.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][];
      const inference = (layer.apply(x, { training: false }) as tf.Tensor).arraySync() as number[][];
      return { m1, m2, inference };
    };
    const a = masks(9);
    const b = masks(9);
    expect(a.m1).toEqual(b.m1); // reproducible
    expect(a.m1).not.toEqual(a.m2); // fresh mask per step
    const flat = a.m1.flat();
    expect(new Set(flat)).toEqual(new Set([0, 2])); // kept units scaled by 1 / (1 - rate)
    expect(flat.filter((v) => v === 0).length).toBeGreaterThan(60);
    expect(flat.filter((v) => v === 0).length).toBeLessThan(140);
    expect(a.inference.flat().every((v) => v === 1)).toBe(true);
  });
});
