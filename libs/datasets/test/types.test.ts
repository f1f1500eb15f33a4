import { describe, expect, it } from 'vitest';
import { checkDataset, imageSize, subset, takeFirst, type ImageDataset } from '../src/types.ts';

// 4 images of 1x2x2 (HWC); image i holds values 10*i + k, label i mod 3.
const ds: ImageDataset = {
  name: 'toy',
  images: Float32Array.from({ length: 16 }, (_, k) => 10 * Math.floor(k / 4) + (k % 4)),
  labels: Int32Array.from([0, 1, 2, 0]),
  n: 4,
  height: 1,
  width: 2,
  channels: 2,
  numClasses: 3,
};

describe('ImageDataset helpers', () => {
  it('subset copies the chosen examples in the given order', () => {
    const s = subset(ds, [2, 0, 2]);
    expect(s).toMatchObject({ n: 3, height: 1, width: 2, channels: 2, numClasses: 3, name: 'toy/subset3' });
    expect(Array.from(s.labels)).toEqual([2, 0, 2]);
    expect(Array.from(s.images)).toEqual([20, 21, 22, 23, 0, 1, 2, 3, 20, 21, 22, 23]);
    s.images[0] = -1;
    expect(ds.images[8]).toBe(20); // a copy
    expect(() => subset(ds, [4])).toThrow(/index 4 at position 0 is not an integer in 0\.\.3/);
    expect(subset(ds, Int32Array.from([1]), 'one').name).toBe('one');
  });

  it('takeFirst copies the first k examples (all when k >= n)', () => {
    const t = takeFirst(ds, 2);
    expect(t.n).toBe(2);
    expect(Array.from(t.images)).toEqual([0, 1, 2, 3, 10, 11, 12, 13]);
    expect(Array.from(t.labels)).toEqual([0, 1]);
    expect(t.name).toBe('toy/first2');
    expect(t.images.buffer).not.toBe(ds.images.buffer);
    expect(takeFirst(ds, 10).n).toBe(4);
    expect(() => takeFirst(ds, -1)).toThrow(RangeError);
  });

  it('checkDataset and imageSize validate the shape', () => {
    expect(imageSize(ds)).toBe(4);
    expect(() => checkDataset(ds)).not.toThrow();
    expect(() => checkDataset({ ...ds, n: 5 })).toThrow(/images has 16 values, expected/);
    expect(() => checkDataset({ ...ds, labels: Int32Array.from([0, 1, 3, 0]) })).toThrow(/label 3 at index 2 is outside 0\.\.2/);
  });
});
