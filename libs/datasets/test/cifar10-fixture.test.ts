import { describe, expect, it } from 'vitest';
import { loadCifar10 } from '../src/index.ts';
import { cifar10Fixture } from '../src/testing.ts';

describe('the CIFAR-10 fixture writer (test helper)', () => {
  it('writes the official layout the real reader accepts: 50,000 + 10,000 records, labels (i + batch) mod 10, label-dependent images', () => {
    const dir = cifar10Fixture();
    const train = loadCifar10({ split: 'train', dir });
    const test = loadCifar10({ split: 'test', dir });
    expect([train.n, test.n, train.height, train.width, train.channels]).toEqual([50000, 10000, 32, 32, 3]);
    expect(Array.from(train.labels.subarray(0, 3))).toEqual([0, 1, 2]); // batch 0
    expect(train.labels[10000]).toBe(1); // batch 1 starts at label 1
    expect(test.labels[0]).toBe(5); // test_batch is file 5
    // Every label occurs, equally often in the training split.
    const counts = new Array(10).fill(0);
    for (const l of train.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(5000));
    // Brightness grows with the label (20 per class), so the classes are learnable.
    const mean = (i: number) => train.images.subarray(i * 3072, (i + 1) * 3072).reduce((a, b) => a + b, 0) / 3072;
    expect(mean(9)).toBeGreaterThan(mean(0) + 0.5);
    // A second call reuses the files.
    expect(cifar10Fixture()).toBe(dir);
  }, 120_000);
});
