import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT, type RunContext } from '@claimlab/core';
import { MnistNotFoundError } from '@claimlab/datasets';
import { PROFILES, type GeometryScoreConfig } from '../config.ts';
import { mnistSets } from '../data.ts';
import { featureNet } from '../features.ts';
import { armsOf } from '../main.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'claimlab-gs-data-dir-'));
  vi.stubEnv('MNIST_DIR', undefined);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

describe('geometry-score reads MNIST from --data-dir', () => {
  const missing = () => join(dir, 'does-not-exist');

  it("passes the run's data directory to every MNIST arm", () => {
    const config = { ...PROFILES.quick, mnist: true };
    const ctx = { config, seed: 0, repoRoot: REPO_ROOT, dataDir: missing() } as unknown as RunContext<GeometryScoreConfig>;
    const arms = armsOf(ctx).filter((a) => a.kind === 'mnist');
    expect(arms.length).toBeGreaterThan(0);
    for (const a of arms) expect(a).toMatchObject({ dataDir: missing() });
    const none = armsOf({ ...ctx, dataDir: undefined }).filter((a) => a.kind === 'mnist');
    for (const a of none) expect(a).toMatchObject({ dataDir: null });
  });

  it('refuses a directory that does not exist in the MNIST sets and the feature classifier, instead of reading the npm copy', async () => {
    expect(() => mnistSets(PROFILES.quick, 0, missing())).toThrow(MnistNotFoundError);
    expect(() => mnistSets(PROFILES.quick, 0, missing())).toThrow(`directory ${missing()} does not exist`);
    await expect(featureNet(PROFILES.quick, 0, join(dir, 'cache'), () => {}, missing())).rejects.toThrow(MnistNotFoundError);
  });
});
