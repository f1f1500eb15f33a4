import { describe, expect, it } from 'vitest';
import { PROFILES } from '../config.ts';
import { featureNetKey } from '../features.ts';

// A cached classifier is reused only where retraining would give the same weights: a classifier
// trained under another machine's kernels (OpenBLAS's Haswell against SkylakeX sgemm moved the
// quick profile's test accuracy from 0.9704 to 0.97) or by older code must not be loaded.
describe("the feature classifier's cache key", () => {
  const kernels = '@tensorflow/tfjs-backend-wasm + OpenBLAS 0.3.21 (Haswell, 1 threads) + oneDNN 2.6.3 (avx2, 1 threads)';
  const base = featureNetKey(PROFILES.quick, 0, undefined, 'a'.repeat(40), kernels);

  it('is stable for the same config, seed, data, code and kernels', () => {
    expect(base).toMatch(/^[0-9a-f]{12}$/);
    expect(featureNetKey(PROFILES.quick, 0, undefined, 'a'.repeat(40), kernels)).toBe(base);
  });

  it('changes with the kernels, the code, the seed, the data and the training config', () => {
    const others = [
      featureNetKey(PROFILES.quick, 0, undefined, 'a'.repeat(40), kernels.replace('Haswell', 'SkylakeX')),
      featureNetKey(PROFILES.quick, 0, undefined, 'a'.repeat(40), kernels.replace('1 threads) + oneDNN', '2 threads) + oneDNN')),
      featureNetKey(PROFILES.quick, 0, undefined, 'b'.repeat(40), kernels),
      featureNetKey(PROFILES.quick, 0, undefined, null, kernels),
      featureNetKey(PROFILES.quick, 1, undefined, 'a'.repeat(40), kernels),
      featureNetKey(PROFILES.quick, 0, ['0'.repeat(64)], 'a'.repeat(40), kernels),
      featureNetKey({ ...PROFILES.quick, classifierEpochs: PROFILES.quick.classifierEpochs + 1 }, 0, undefined, 'a'.repeat(40), kernels),
    ];
    for (const k of others) expect(k).not.toBe(base);
    expect(new Set(others).size).toBe(others.length);
  });
});
