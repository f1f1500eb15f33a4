import { describe, expect, it, beforeAll } from 'vitest';
import { Rng } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import { countParams, ReflectionPad2D, skipHourglass, type SkipHourglassOptions } from '../src/index.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const small = { channelsDown: [8, 8, 8], channelsUp: [8, 8, 8], channelsSkip: [2, 2, 2], inputDepth: 4 };

describe('skipHourglass (deep image prior)', () => {
  it('maps noise to an image of the same size in (0, 1), with the default (paper) configuration', () => {
    const m = skipHourglass({ rng: new Rng(0), size: [64, 64] });
    const z = tf.randomUniform([1, 64, 64, 32], 0, 0.1, 'float32', 1);
    const y = m.predict(z) as tf.Tensor;
    expect(y.shape).toEqual([1, 64, 64, 3]);
    const v = y.dataSync();
    expect(v.every((a) => a > 0 && a < 1)).toBe(true);
    // Parameters (conv weights + biases, BN gamma + beta), per scale with input depth c_in
    // (32 at the outermost scale, 128 below), 128 down/up, 4 skip channels, 3x3 convs:
    //   skip 1x1: c_in*4 + 4, BN 8; down: c_in*128*9 + 128, BN 256; 128*128*9 + 128, BN 256;
    //   BN on concat (4 + 128): 264; up: 132*128*9 + 128, BN 256; 1x1: 128*128 + 128, BN 256;
    // then the output 1x1 conv 128*3 + 3.
    const scale = (cin: number) =>
      cin * 4 + 4 + 8 + cin * 128 * 9 + 128 + 256 + 128 * 128 * 9 + 128 + 256 + 264 + 132 * 128 * 9 + 128 + 256 + 128 * 128 + 128 + 256;
    const expected = scale(32) + 4 * scale(128) + 128 * 3 + 3;
    expect(expected).toBe(2_217_831);
    expect(countParams(m)).toBe(expected);
  });

  it('is configurable: scales, widths, zero padding, nearest upsampling, no sigmoid, no skips', () => {
    const cfgs: Omit<SkipHourglassOptions, 'rng'>[] = [
      { ...small },
      { ...small, padding: 'zero', upsampling: 'nearest', needSigmoid: false },
      { ...small, channelsSkip: [0, 2, 0], need1x1Up: false, outputChannels: 1 },
    ];
    for (const cfg of cfgs) {
      const m = skipHourglass({ rng: new Rng(1), size: [16, 24], ...cfg });
      const y = m.predict(tf.ones([2, 16, 24, 4])) as tf.Tensor;
      expect(y.shape).toEqual([2, 16, 24, cfg.outputChannels ?? 3]);
    }
    expect(() => skipHourglass({ rng: new Rng(1), size: [20, 16], ...small })).toThrow(/divisible/);
    expect(() => skipHourglass({ rng: new Rng(1), ...small, channelsUp: [8, 8] })).toThrow(/same/);
    expect(() => skipHourglass({ rng: new Rng(1), size: [8, 8], ...small })).toThrow(/too small/);
  });

  it('is deterministic per seed and trains without leaking tensors', () => {
    const w = (seed: number) =>
      skipHourglass({ rng: new Rng(seed), size: [16, 16], ...small })
        .getWeights()
        .map((t) => Array.from(t.dataSync()));
    expect(w(3)).toEqual(w(3));
    expect(w(3)[0]).not.toEqual(w(4)[0]);
    const m = skipHourglass({ rng: new Rng(3), size: [16, 16], ...small });
    const z = tf.randomUniform([1, 16, 16, 4], 0, 0.1, 'float32', 2);
    const target = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 3);
    const opt = tf.train.adam(0.01);
    const step = () =>
      tf.tidy(
        () =>
          opt
            .minimize(() => tf.losses.meanSquaredError(target, m.apply(z, { training: true }) as tf.Tensor) as tf.Scalar, true)!
            .dataSync()[0],
      );
    const first = step();
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 5; i++) last = step();
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first);
    opt.dispose();
  });
});

describe('ReflectionPad2D', () => {
  it('matches tf.mirrorPad (reflect) and has the exact gradient', () => {
    const x = tf.randomNormal([2, 5, 4, 3], 0, 1, 'float32', 7);
    for (const pad of [1, 2]) {
      const layer = new ReflectionPad2D({ pad });
      const y = layer.apply(x) as tf.Tensor;
      const ref = tf.mirrorPad(
        x,
        [
          [0, 0],
          [pad, pad],
          [pad, pad],
          [0, 0],
        ],
        'reflect',
      );
      expect(y.shape).toEqual(ref.shape);
      expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
    }
    // d/dx sum(pad_1(x)): each input pixel counts once plus once per reflection of it. Along an
    // axis of size n, index 1 and n-2 are reflected once; so the count is (1 + [h in {1, n-2}]) * (1 + [w in {1, m-2}]).
    const g = tf
      .grad((t: tf.Tensor) => (new ReflectionPad2D({ pad: 1 }).apply(t) as tf.Tensor).sum())(x)
      .arraySync() as number[][][][];
    const f = (i: number, n: number) => (i === 1 || i === n - 2 ? 2 : 1);
    for (let h = 0; h < 5; h++) for (let w = 0; w < 4; w++) expect(g[1][h][w][2]).toBe(f(h, 5) * f(w, 4));
  });
});
