import { closeSync, ftruncateSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { clearDataSources, dataSources } from '@claimlab/core';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CIFAR10_FILES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_RECORDS_PER_BATCH,
  Cifar10CorruptError,
  Cifar10NotFoundError,
  describeCifar10,
  encodeCifar10Record,
  loadCifar10,
} from '../src/cifar10.ts';
import { tempDir } from './helpers.ts';

/** A record in the raw official layout: label byte, then R, G, B planes of 1024 bytes each. */
function rawRecord(label: number, r: (p: number) => number, g: (p: number) => number, b: (p: number) => number): Uint8Array {
  const out = new Uint8Array(CIFAR10_RECORD_BYTES);
  out[0] = label;
  for (let p = 0; p < 1024; p++) {
    out[1 + p] = r(p);
    out[1 + 1024 + p] = g(p);
    out[1 + 2048 + p] = b(p);
  }
  return out;
}

/** Record k of a fixture: R = ramp p mod 256, G = 255 - (p mod 256), B = constant k (so records are distinguishable). */
const fixtureRecord = (label: number, k: number) =>
  rawRecord(
    label,
    (p) => p % 256,
    (p) => 255 - (p % 256),
    () => k,
  );

function writeBatch(dir: string, name: string, records: Uint8Array[]): void {
  const buf = new Uint8Array(records.length * CIFAR10_RECORD_BYTES);
  records.forEach((r, i) => buf.set(r, i * CIFAR10_RECORD_BYTES));
  writeFileSync(join(dir, name), buf);
}

/** Writes all six files; train batch b holds 2 records with labels (2b-2, 2b-1) mod 10 and B = 10*b + j. */
function writeAll(dir: string): void {
  CIFAR10_FILES.train.forEach((f, bi) => {
    const b = bi + 1;
    writeBatch(dir, f, [fixtureRecord((2 * b - 2) % 10, 10 * b), fixtureRecord((2 * b - 1) % 10, 10 * b + 1)]);
  });
  writeBatch(dir, 'test_batch.bin', [fixtureRecord(3, 200), fixtureRecord(9, 201), fixtureRecord(0, 202)]);
}

const px = (y: number, x: number, c: number, i = 0) => ((i * 32 + y) * 32 + x) * 3 + c;
const f = (v: number) => Math.fround(v / 255);

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('cifar'));
  vi.stubEnv('CIFAR10_DIR', undefined);
  clearDataSources();
});
afterEach(() => {
  cleanup();
  vi.unstubAllEnvs();
  clearDataSources();
});

describe('CIFAR-10 binary reader', () => {
  it('places every channel plane at the right NHWC position', () => {
    writeAll(dir);
    const ds = loadCifar10({ split: 'test', dir, allowPartial: true });
    expect(ds).toMatchObject({ name: 'cifar10-test', n: 3, height: 32, width: 32, channels: 3, numClasses: 10 });
    expect(Array.from(ds.labels)).toEqual([3, 9, 0]);
    expect(ds.images.length).toBe(3 * 3072);
    for (let i = 0; i < 3; i++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          const p = y * 32 + x;
          expect(ds.images[px(y, x, 0, i)]).toBe(f(p % 256));
          expect(ds.images[px(y, x, 1, i)]).toBe(f(255 - (p % 256)));
          expect(ds.images[px(y, x, 2, i)]).toBe(f(200 + i));
        }
      }
    }
    // Spot checks: row 1, col 0 is plane index 32; row 31, col 31 is 1023 -> 1023 mod 256 = 255.
    expect(ds.images[px(1, 0, 0)]).toBe(f(32));
    expect(ds.images[px(31, 31, 0)]).toBe(1);
    expect(ds.images[px(31, 31, 1)]).toBe(0);
  });

  it('distinguishes rows from columns (a non-symmetric image)', () => {
    writeBatch(dir, 'test_batch.bin', [
      rawRecord(
        1,
        (p) => Math.floor(p / 32) * 8,
        (p) => (p % 32) * 8,
        () => 0,
      ),
    ]);
    const ds = loadCifar10({ split: 'test', dir, allowPartial: true });
    expect(ds.images[px(5, 2, 0)]).toBe(f(40)); // R = row * 8
    expect(ds.images[px(5, 2, 1)]).toBe(f(16)); // G = col * 8
    expect(ds.images[px(2, 5, 0)]).toBe(f(16));
  });

  it('concatenates data_batch_1..5 in order for the train split, and reads only what a limit needs', () => {
    writeAll(dir);
    const ds = loadCifar10({ split: 'train', dir, allowPartial: true });
    expect(ds.n).toBe(10);
    expect(Array.from(ds.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let i = 0; i < 10; i++) expect(ds.images[px(0, 0, 2, i)]).toBe(f(10 * (Math.floor(i / 2) + 1) + (i % 2)));

    // A bad label in the last batch is only seen when that batch is read.
    const bad = fixtureRecord(12, 0);
    writeBatch(dir, 'data_batch_5.bin', [fixtureRecord(8, 50), bad]);
    const first3 = loadCifar10({ split: 'train', dir, limit: 3, allowPartial: true });
    expect(first3.n).toBe(3);
    expect(Array.from(first3.labels)).toEqual([0, 1, 2]);
    expect(first3.images.length).toBe(3 * 3072);
    expect(() => loadCifar10({ split: 'train', dir, allowPartial: true })).toThrow(Cifar10CorruptError);
  });

  it('encodeCifar10Record inverts the decoder', () => {
    const hwc = Uint8Array.from({ length: 3072 }, (_, k) => (k * 7 + 3) % 256);
    writeBatch(dir, 'test_batch.bin', [encodeCifar10Record(6, hwc)]);
    const ds = loadCifar10({ split: 'test', dir, allowPartial: true });
    expect(ds.labels[0]).toBe(6);
    for (let k = 0; k < 3072; k++) expect(ds.images[k]).toBe(f(hwc[k]));
  });

  it('takes the directory from CIFAR10_DIR, and accepts the parent of cifar-10-batches-bin', () => {
    const sub = join(dir, 'cifar-10-batches-bin');
    mkdirSync(sub);
    writeAll(sub);
    vi.stubEnv('CIFAR10_DIR', sub);
    expect(loadCifar10({ split: 'test', allowPartial: true }).n).toBe(3);
    vi.stubEnv('CIFAR10_DIR', dir);
    expect(loadCifar10({ split: 'test', allowPartial: true }).n).toBe(3);
    expect(loadCifar10({ split: 'train', dir, allowPartial: true }).n).toBe(10);
  });
});

describe('CIFAR-10 errors', () => {
  const howTo = (msg: string) => {
    expect(msg).toContain('bash scripts/fetch-cifar10.sh <dir>');
    expect(msg).toContain('cifar-10-binary.tar.gz');
    expect(msg).toContain('https://www.cs.toronto.edu/~kriz/cifar.html');
    expect(msg).toContain('--data-dir');
    expect(msg).toContain('CIFAR10_DIR');
  };
  const messageOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };

  it('says how to get the data when no directory is given', () => {
    const msg = messageOf(() => loadCifar10({ split: 'train' }));
    expect(msg).toMatch(/^CIFAR-10 data not found: no data directory given/);
    howTo(msg);
  });

  it('says how to get the data when the directory does not exist, from an argument or the environment', () => {
    const missing = join(dir, 'nope');
    let msg = messageOf(() => loadCifar10({ split: 'test', dir: missing }));
    expect(msg).toContain(`directory ${missing} does not exist`);
    howTo(msg);
    vi.stubEnv('CIFAR10_DIR', missing);
    msg = messageOf(() => loadCifar10({ split: 'test' }));
    expect(msg).toContain(`directory ${missing} (from CIFAR10_DIR) does not exist`);
  });

  it('names a missing batch file and says how to get the data', () => {
    writeBatch(dir, 'test_batch.bin', [fixtureRecord(1, 0)]);
    expect(loadCifar10({ split: 'test', dir, allowPartial: true }).n).toBe(1);
    let err: unknown;
    try {
      loadCifar10({ split: 'train', dir, allowPartial: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Cifar10NotFoundError);
    expect((err as Error).message).toContain(`file ${join(dir, 'data_batch_1.bin')} is missing`);
    howTo((err as Error).message);
  });

  it('reports a size that is not a whole number of records as corrupt', () => {
    writeFileSync(join(dir, 'test_batch.bin'), new Uint8Array(CIFAR10_RECORD_BYTES * 2 + 5));
    expect(() => loadCifar10({ split: 'test', dir })).toThrow(
      /test_batch\.bin: corrupt CIFAR-10 batch: size 6151 bytes is not a multiple of the 3073-byte record/,
    );
    writeFileSync(join(dir, 'test_batch.bin'), new Uint8Array(0));
    expect(() => loadCifar10({ split: 'test', dir })).toThrow(/corrupt CIFAR-10 batch: the file is empty/);
  });

  it('reports a label above 9 as corrupt', () => {
    writeBatch(dir, 'test_batch.bin', [fixtureRecord(1, 0), fixtureRecord(10, 0)]);
    expect(() => loadCifar10({ split: 'test', dir, allowPartial: true })).toThrow(
      /test_batch\.bin: corrupt CIFAR-10 batch: record 1 has label 10, expected 0\.\.9/,
    );
  });
});

/** A batch of `records` records at full size without writing them: the first record, then zeros (label 0; a sparse file). */
function writeSparseBatch(d: string, name: string, records: number, first: Uint8Array = fixtureRecord(4, 77)): void {
  const fd = openSync(join(d, name), 'w');
  try {
    writeSync(fd, first);
    ftruncateSync(fd, records * CIFAR10_RECORD_BYTES);
  } finally {
    closeSync(fd);
  }
}

describe('CIFAR-10 record counts', () => {
  it('accepts the official 10,000 records per batch', () => {
    for (const f of [...CIFAR10_FILES.train, ...CIFAR10_FILES.test]) writeSparseBatch(dir, f, CIFAR10_RECORDS_PER_BATCH);
    const test = loadCifar10({ split: 'test', dir, limit: 2 });
    expect(Array.from(test.labels)).toEqual([4, 0]);
    expect(test.images[px(0, 0, 2)]).toBe(f(77));
    expect(loadCifar10({ split: 'train', dir, limit: 1 }).n).toBe(1);
  });

  it('refuses a batch cut to 500 records, naming the file, both counts and the fetch script', () => {
    for (const f of CIFAR10_FILES.train) writeSparseBatch(dir, f, CIFAR10_RECORDS_PER_BATCH);
    writeSparseBatch(dir, 'data_batch_3.bin', 500);
    let err: unknown;
    try {
      loadCifar10({ split: 'train', dir, limit: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Cifar10CorruptError);
    const msg = (err as Error).message;
    expect(msg).toContain(
      `${join(dir, 'data_batch_3.bin')}: corrupt CIFAR-10 batch: holds 500 records (1536500 bytes), expected 10000 (30730000 bytes)`,
    );
    expect(msg).toContain('cut short');
    expect(msg).toContain('bash scripts/fetch-cifar10.sh <dir>');
    // the same without a limit, and for the test batch; allowPartial (tests only) accepts it
    writeSparseBatch(dir, 'test_batch.bin', 500);
    expect(() => loadCifar10({ split: 'test', dir })).toThrow(/test_batch\.bin: corrupt CIFAR-10 batch: holds 500 records/);
    expect(() => describeCifar10({ split: 'test', dir })).toThrow(/holds 500 records/);
    expect(loadCifar10({ split: 'test', dir, allowPartial: true }).n).toBe(500);
  });

  it('refuses a batch longer than 10,000 records', () => {
    writeSparseBatch(dir, 'test_batch.bin', CIFAR10_RECORDS_PER_BATCH + 1);
    expect(() => loadCifar10({ split: 'test', dir, limit: 1 })).toThrow(/holds 10001 records .*longer than a batch/);
  });
});

describe('the record of the CIFAR-10 data read', () => {
  it("names the split's files with size, SHA-256 and record count, once per split", () => {
    writeAll(dir);
    loadCifar10({ split: 'test', dir, allowPartial: true });
    loadCifar10({ split: 'test', dir, allowPartial: true, limit: 1 });
    loadCifar10({ split: 'train', dir, allowPartial: true, limit: 1 });
    const recs = dataSources();
    expect(recs.map((r) => [r.name, r.source])).toEqual([
      ['cifar10-test', `dir:${dir}`],
      ['cifar10-train', `dir:${dir}`],
    ]);
    expect(recs[0].files).toEqual([
      { file: 'test_batch.bin', bytes: 3 * CIFAR10_RECORD_BYTES, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), records: 3 },
    ]);
    expect(recs[1].files.map((x) => [x.file, x.records])).toEqual(CIFAR10_FILES.train.map((x) => [x, 2]));
    expect(describeCifar10({ split: 'test', dir, allowPartial: true })).toEqual(recs[0]);
  });
});
