// Test helpers of @claimlab/datasets (imported by tests only, never by a run): a CIFAR-10 directory
// in the official binary layout, so that a paper profile runs through the real reader in a test.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES, CIFAR10_RECORDS_PER_BATCH } from './cifar10.ts';

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
