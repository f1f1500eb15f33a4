import { describe, expect, it, beforeAll } from 'vitest';
import { Rng } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import { cifarResNet, countParams, OptionAShortcut } from '../src/index.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const weightsByName = (m: tf.LayersModel) => new Map(m.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]));

describe('cifarResNet (He et al. 2016, CIFAR-10 variant)', () => {
  it("has the paper's parameter counts", () => {
    // ResNet-20, width 1, option A (trainable weights; BN contributes gamma and beta):
    //   conv1 3*3*3*16 = 432, BN 2*16 = 32                                            ->     464
    //   stage 1: 3 blocks x 2 x (3*3*16*16 + 2*16) = 3 x 2 x 2,336                     ->  14,016
    //   stage 2: (3*3*16*32 + 64) + (3*3*32*32 + 64) = 13,952; 2 blocks x 2 x 9,280   ->  51,072
    //   stage 3: (3*3*32*64 + 128) + (3*3*64*64 + 128) = 55,552; 2 x 2 x 36,992        -> 203,520
    //   fc 64*10 + 10                                                                 ->     650
    //   total 269,722 (He et al.: 0.27M)
    expect(countParams(cifarResNet({ depth: 20, numClasses: 10, rng: new Rng(0) }))).toBe(269_722);
    // Same network without shortcuts: option A has no parameters, so the count is unchanged.
    expect(countParams(cifarResNet({ depth: 20, numClasses: 10, rng: new Rng(0), shortcuts: false }))).toBe(269_722);
    // Projection shortcuts add 1x1 convs + BN at the two stage changes: (16*32 + 64) + (32*64 + 128) = 2,752.
    expect(countParams(cifarResNet({ depth: 20, numClasses: 10, rng: new Rng(0), shortcutType: 'projection' }))).toBe(272_474);
    // ResNet-56: 464 + 9*4,672 + (13,952 + 8*18,560) + (55,552 + 8*73,984) + 650 = 853,018 (0.85M).
    expect(countParams(cifarResNet({ depth: 56, numClasses: 10, rng: new Rng(0) }))).toBe(853_018);
  });

  it('rejects depths that are not 6n + 2', () => {
    expect(() => cifarResNet({ depth: 21, numClasses: 10, rng: new Rng(0) })).toThrow(/6n \+ 2/);
  });

  it('produces logits of the right shape, for width multipliers too, and trains without leaking', () => {
    const m = cifarResNet({ depth: 20, numClasses: 10, rng: new Rng(1), widthMultiplier: 0.5 });
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1);
    const y = m.apply(x, { training: true }) as tf.Tensor;
    expect(y.shape).toEqual([2, 10]);
    y.dispose();
    const opt = tf.train.sgd(0.01);
    const step = () =>
      tf.tidy(() => {
        opt.minimize(() => (m.apply(x, { training: true }) as tf.Tensor).square().mean() as tf.Scalar);
      });
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    x.dispose();
  });

  it('with and without shortcuts differ only in the shortcut path', () => {
    for (const shortcutType of ['A', 'projection'] as const) {
      const a = cifarResNet({ depth: 20, numClasses: 10, rng: new Rng(2), shortcutType });
      const b = cifarResNet({ depth: 20, numClasses: 10, rng: new Rng(2), shortcutType, shortcuts: false });
      const la = a.layers.map((l) => l.name);
      const lb = b.layers.map((l) => l.name);
      // Every layer of the noshort twin is in the ResNet; the extra ones are the shortcut path.
      expect(lb.every((n) => la.includes(n))).toBe(true);
      const extra = la.filter((n) => !lb.includes(n));
      expect(extra.length).toBeGreaterThan(0);
      expect(extra.every((n) => /_(add|shortcut|proj|proj_bn)$/.test(n))).toBe(true);
      expect(extra.filter((n) => n.endsWith('_add'))).toHaveLength(9);
      // Identical initial weights on the common layers, whatever the shortcut type.
      const wa = weightsByName(a);
      const wb = weightsByName(b);
      for (const [name, v] of wb) expect(wa.get(name), name).toEqual(v);
      for (const name of wa.keys()) if (!wb.has(name)) expect(name).toMatch(/_proj/);
      // Same weights, different function: the outputs differ.
      const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 3);
      const ya = (a.predict(x) as tf.Tensor).dataSync();
      const yb = (b.predict(x) as tf.Tensor).dataSync();
      expect(Array.from(ya)).not.toEqual(Array.from(yb));
    }
  });

  it('takes MNIST-sized inputs (28x28x1 -> 14 -> 7) at a narrow width, and its 1-D weights are exactly the BN parameters and the fc bias', () => {
    for (const shortcutType of ['A', 'projection'] as const) {
      for (const shortcuts of [true, false]) {
        const m = cifarResNet({
          depth: 8,
          numClasses: 10,
          rng: new Rng(7),
          inputShape: [28, 28, 1],
          widthMultiplier: 0.25,
          shortcuts,
          shortcutType,
        });
        const x = tf.zeros([2, 28, 28, 1]);
        const y = m.predict(x) as tf.Tensor;
        expect(y.shape).toEqual([2, 10]);
        // Loss-landscape directions are zeroed on 1-D parameters (Li et al. 2018, --xignore biasbn): those must be BN gamma/beta and the fc bias only.
        const oneD = m.trainableWeights.filter((w) => w.shape.length <= 1).map((w) => w.originalName);
        expect(
          oneD.every((n) => /bn.*\/(gamma|beta)$/.test(n) || n === 'fc/bias'),
          oneD.join(', '),
        ).toBe(true);
        expect(m.trainableWeights.filter((w) => w.shape.length > 1).every((w) => /(conv\d?|proj|fc)\/kernel$/.test(w.originalName))).toBe(
          true,
        );
        // Running statistics are not trainable, so directions over trainable weights never touch them.
        expect(m.nonTrainableWeights.every((w) => /moving_(mean|variance)$/.test(w.originalName))).toBe(true);
        tf.dispose([x, y]);
        m.dispose();
      }
    }
  });

  it('with a stride-2 stem halves every map (28 -> 14 -> 7 -> 4 with projection shortcuts), and refuses another stride', () => {
    const rng = new Rng('stem');
    const m = cifarResNet({
      depth: 8,
      numClasses: 10,
      rng,
      inputShape: [28, 28, 1],
      widthMultiplier: 0.5,
      stemStride: 2,
      shortcutType: 'projection',
    });
    expect(m.getLayer('relu1').outputShape).toEqual([null, 14, 14, 8]);
    expect(m.getLayer('s2b1_relu2').outputShape).toEqual([null, 7, 7, 16]);
    expect(m.getLayer('s3b1_relu2').outputShape).toEqual([null, 4, 4, 32]);
    // The same parameters as with stride 1: a stride changes no weight shape.
    const plain = cifarResNet({ depth: 8, numClasses: 10, rng, inputShape: [28, 28, 1], widthMultiplier: 0.5, shortcutType: 'projection' });
    expect(countParams(m)).toBe(countParams(plain));
    expect(plain.getLayer('relu1').outputShape).toEqual([null, 28, 28, 8]);
    expect(() => cifarResNet({ depth: 8, numClasses: 10, rng, stemStride: 3 as 2 })).toThrow(/stemStride must be 1 or 2, got 3/);
    m.dispose();
    plain.dispose();
  });

  it('is deterministic per seed', () => {
    const w = (seed: number) => weightsByName(cifarResNet({ depth: 20, numClasses: 10, rng: new Rng(seed) }));
    const a = w(5);
    const b = w(5);
    const c = w(6);
    expect([...a.values()]).toEqual([...b.values()]);
    expect(a.get('conv1/kernel')).not.toEqual(c.get('conv1/kernel'));
  });
});

describe('OptionAShortcut', () => {
  it('subsamples by 2 and zero-pads channels, with the matching gradient', () => {
    const layer = new OptionAShortcut({ filters: 4, stride: 2 });
    const x = tf.range(0, 2 * 4 * 6 * 2).reshape([2, 4, 6, 2]) as tf.Tensor4D;
    const y = layer.apply(x) as tf.Tensor;
    const expected = tf.pad(tf.stridedSlice(x, [0, 0, 0, 0], [2, 4, 6, 2], [1, 2, 2, 1]), [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 2],
    ]);
    expect(y.shape).toEqual([2, 2, 3, 4]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(expected.dataSync()));
    const g = tf.grad((t: tf.Tensor) => (layer.apply(t) as tf.Tensor).sum())(x);
    const gv = g.arraySync() as number[][][][];
    for (let b = 0; b < 2; b++)
      for (let h = 0; h < 4; h++)
        for (let w = 0; w < 6; w++) for (let c = 0; c < 2; c++) expect(gv[b][h][w][c]).toBe(h % 2 === 0 && w % 2 === 0 ? 1 : 0);
  });
});
