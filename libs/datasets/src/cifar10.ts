import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { recordDataSource, type DataRecord } from '@claimlab/core';
import { describeDataSet, directorySource } from './data-source.ts';
import type { ImageDataset } from './types.ts';
import type { Split } from './mnist.ts';

/**
 * Reader for the official binary version of CIFAR-10 (cifar-10-binary.tar.gz,
 * https://www.cs.toronto.edu/~kriz/cifar.html), which extracts to
 * cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin.
 *
 * Each file is a sequence of 3073-byte records: 1 label byte (0..9), then
 * 3072 pixel bytes: the 1024 red values, the 1024 green, the 1024 blue, each
 * plane a row-major 32x32 image. Records are converted to NHWC floats in [0, 1].
 */

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
export const CIFAR10_FILES: Record<Split, readonly string[]> = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
};
export const CIFAR10_SIDE = 32;
export const CIFAR10_PLANE = CIFAR10_SIDE * CIFAR10_SIDE; // 1024
export const CIFAR10_RECORD_BYTES = 1 + 3 * CIFAR10_PLANE; // 3073
/** Records in every batch file of the official archive (5 training batches, 1 test batch). */
export const CIFAR10_RECORDS_PER_BATCH = 10000;
/** The folder the official tarball extracts to; accepted below a given directory too. */
export const CIFAR10_TAR_SUBDIR = 'cifar-10-batches-bin';
export const CIFAR10_ENV = 'CIFAR10_DIR';

export interface LoadCifar10Options {
  split: Split;
  /** Directory with data_batch_1.bin..data_batch_5.bin and test_batch.bin (or its parent holding cifar-10-batches-bin/). Default: $CIFAR10_DIR. */
  dir?: string;
  /** Load only the first `limit` examples (in file order; all if limit >= the split's size). Later files are not read. */
  limit?: number;
  /**
   * Accept batch files with fewer or more than the format's 10,000 records (small fixtures in
   * tests). The record size, the labels and the split's file set are still checked. No experiment sets it.
   */
  allowPartial?: boolean;
}

/** How to obtain the data; part of every "not found" error. */
export const CIFAR10_HOWTO = [
  'To get CIFAR-10 (binary version, about 163 MB):',
  '  - with internet: bash scripts/fetch-cifar10.sh <dir>   (downloads, checks the md5, extracts, prints the export line), or',
  `  - download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and extract it: tar xzf cifar-10-binary.tar.gz -C <dir>;`,
  `then pass --data-dir <dir>/${CIFAR10_TAR_SUBDIR} or set ${CIFAR10_ENV}=<dir>/${CIFAR10_TAR_SUBDIR}.`,
].join('\n');

export class Cifar10NotFoundError extends Error {
  constructor(problem: string) {
    super(`CIFAR-10 data not found: ${problem}.\n${CIFAR10_HOWTO}`);
    this.name = 'Cifar10NotFoundError';
  }
}

export class Cifar10CorruptError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(
      `${file}: corrupt CIFAR-10 batch: ${problem}. Re-download and re-extract the binary version: delete the damaged folder and run bash scripts/fetch-cifar10.sh <dir> (it checks the archive's md5 and every batch's size), ` +
        `and make sure it is cifar-10-binary.tar.gz, not the python or matlab version.`,
    );
    this.name = 'Cifar10CorruptError';
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The directory to read: `dir` if given, else $CIFAR10_DIR. A directory that
 * holds cifar-10-batches-bin/ but no batch files itself resolves to that subfolder.
 * Throws Cifar10NotFoundError (with instructions) when there is none.
 */
export function resolveCifar10Dir(dir?: string): string {
  const given = dir ?? process.env[CIFAR10_ENV];
  if (given === undefined || given === '') {
    throw new Cifar10NotFoundError(`no data directory given (pass --data-dir <dir>, or set ${CIFAR10_ENV})`);
  }
  const abs = resolve(given);
  const what = dir !== undefined ? `directory ${abs}` : `directory ${abs} (from ${CIFAR10_ENV})`;
  if (!existsSync(abs)) throw new Cifar10NotFoundError(`${what} does not exist`);
  if (!isDir(abs)) throw new Cifar10NotFoundError(`${what} is not a directory`);
  const hasBatches = [...CIFAR10_FILES.train, ...CIFAR10_FILES.test].some((f) => existsSync(join(abs, f)));
  const sub = join(abs, CIFAR10_TAR_SUBDIR);
  if (!hasBatches && isDir(sub)) return sub;
  return abs;
}

function readPrefix(file: string, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const fd = openSync(file, 'r');
  try {
    let done = 0;
    while (done < bytes) {
      const got = readSync(fd, out, done, bytes - done, done);
      if (got === 0) throw new Cifar10CorruptError(file, `file shrank while being read (got ${done} of ${bytes} bytes)`);
      done += got;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * Decodes `count` records of `buf` into NHWC floats at example offset `at` of
 * `images`/`labels`. `file` names the source in errors.
 */
export function decodeCifar10Records(
  buf: Uint8Array,
  count: number,
  images: Float32Array,
  labels: Int32Array,
  at: number,
  file = '<buffer>',
): void {
  const P = CIFAR10_PLANE;
  for (let r = 0; r < count; r++) {
    const base = r * CIFAR10_RECORD_BYTES;
    const label = buf[base];
    if (label > 9) throw new Cifar10CorruptError(file, `record ${r} has label ${label}, expected 0..9`);
    labels[at + r] = label;
    const px = base + 1;
    let o = (at + r) * 3 * P;
    for (let p = 0; p < P; p++) {
      images[o++] = BYTE_TO_UNIT[buf[px + p]];
      images[o++] = BYTE_TO_UNIT[buf[px + P + p]];
      images[o++] = BYTE_TO_UNIT[buf[px + 2 * P + p]];
    }
  }
}

/** Encodes one record (label + HWC bytes of a 32x32x3 image) in the official layout; for fixtures and tests. */
export function encodeCifar10Record(label: number, hwc: Uint8Array): Uint8Array {
  if (hwc.length !== 3 * CIFAR10_PLANE)
    throw new RangeError(`encodeCifar10Record: expected ${3 * CIFAR10_PLANE} HWC bytes, got ${hwc.length}`);
  const out = new Uint8Array(CIFAR10_RECORD_BYTES);
  out[0] = label;
  for (let p = 0; p < CIFAR10_PLANE; p++) {
    for (let c = 0; c < 3; c++) out[1 + c * CIFAR10_PLANE + p] = hwc[p * 3 + c];
  }
  return out;
}

/** The split's files with their record counts; throws when one is missing, not whole records, or (unless allowPartial) not 10,000 records. */
function splitFiles(dir: string, split: Split, allowPartial: boolean): { path: string; records: number }[] {
  return CIFAR10_FILES[split].map((f) => {
    const path = join(dir, f);
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) throw new Cifar10NotFoundError(`${path} is not a regular file`);
      size = st.size;
    } catch (e) {
      if (e instanceof Cifar10NotFoundError) throw e;
      throw new Cifar10NotFoundError(`file ${path} is missing (the ${split} split needs ${CIFAR10_FILES[split].join(', ')})`);
    }
    if (size === 0 || size % CIFAR10_RECORD_BYTES !== 0) {
      throw new Cifar10CorruptError(
        path,
        size === 0
          ? 'the file is empty'
          : `size ${size} bytes is not a multiple of the ${CIFAR10_RECORD_BYTES}-byte record (1 label byte + 3072 pixel bytes)`,
      );
    }
    const records = size / CIFAR10_RECORD_BYTES;
    if (!allowPartial && records !== CIFAR10_RECORDS_PER_BATCH) {
      throw new Cifar10CorruptError(
        path,
        `holds ${records} records (${size} bytes), expected ${CIFAR10_RECORDS_PER_BATCH} (${CIFAR10_RECORDS_PER_BATCH * CIFAR10_RECORD_BYTES} bytes), ` +
          `as every batch of the official archive: the file is ${records < CIFAR10_RECORDS_PER_BATCH ? 'cut short' : 'longer than a batch'}`,
      );
    }
    return { path, records };
  });
}

function recordOf(dir: string, split: Split, files: { path: string; records: number }[]): DataRecord {
  return describeDataSet(`cifar10-${split}`, directorySource(dir), files);
}

/**
 * Describes the data `loadCifar10` reads for these options without decoding it: the source
 * (dir:<path>) and each batch file's size, SHA-256 and record count. Checks the files as
 * loadCifar10 does.
 */
export function describeCifar10(opts: Pick<LoadCifar10Options, 'split' | 'dir' | 'allowPartial'>): DataRecord {
  const dir = resolveCifar10Dir(opts.dir);
  return recordOf(dir, opts.split, splitFiles(dir, opts.split, opts.allowPartial ?? false));
}

/**
 * Loads a CIFAR-10 split (train: data_batch_1..5 in order, 50000 images; test:
 * test_batch, 10000) as an ImageDataset of 32x32x3 NHWC floats in [0, 1].
 * All of the split's files must be present; each must hold 10,000 3073-byte records
 * (unless allowPartial) with labels 0..9. The data read is recorded (recordDataSource of @claimlab/core).
 */
export function loadCifar10(opts: LoadCifar10Options): ImageDataset {
  const { split, limit } = opts;
  if (split !== 'train' && split !== 'test') throw new Error(`loadCifar10: split must be 'train' or 'test', got ${String(split)}`);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new RangeError(`loadCifar10: limit must be a non-negative integer, got ${limit}`);
  }
  const dir = resolveCifar10Dir(opts.dir);

  // Check every file of the split before reading any, so a half-extracted archive fails fast.
  const files = splitFiles(dir, split, opts.allowPartial ?? false);
  const total = files.reduce((s, f) => s + f.records, 0);
  const n = Math.min(limit ?? total, total);
  const images = new Float32Array(n * 3 * CIFAR10_PLANE);
  const labels = new Int32Array(n);
  let at = 0;
  for (const f of files) {
    if (at >= n) break;
    const count = Math.min(f.records, n - at);
    const buf = readPrefix(f.path, count * CIFAR10_RECORD_BYTES);
    decodeCifar10Records(buf, count, images, labels, at, f.path);
    at += count;
  }
  recordDataSource(recordOf(dir, split, files));
  return {
    name: `cifar10-${split}`,
    images,
    labels,
    n,
    height: CIFAR10_SIDE,
    width: CIFAR10_SIDE,
    channels: 3,
    numClasses: 10,
  };
}
