// Which data a run read: the readers of @claimlab/datasets describe each data set they load (its
// source and the size, SHA-256 and record count of every file) and record it here, so the
// harness can write the records into a run's results and check them later. The registry is per
// process: a sweep's worker processes keep their own.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** One file a reader used. */
export interface DataFileRecord {
  /** Base name, e.g. "train-images-idx3-ubyte". */
  file: string;
  bytes: number;
  /** SHA-256 of the whole file, lowercase hex. */
  sha256: string;
  /** Items the file holds (images, labels, CIFAR-10 records). */
  records: number;
}

/** The data behind one loaded data set. */
export interface DataRecord {
  /** e.g. "mnist-train", "cifar10-test". */
  name: string;
  /**
   * "npm:<package>@<version>" for data shipped in an npm package; "dir:<path>" for a directory,
   * the path relative to the repository root when inside it, else absolute.
   */
  source: string;
  files: DataFileRecord[];
}

export type DataCheckStatus = 'same' | 'differs' | 'cannot-check';

export interface DataCheck {
  name: string;
  source: string;
  status: DataCheckStatus;
  detail: string;
}

const registry: DataRecord[] = [];

const copy = (r: DataRecord): DataRecord => ({ name: r.name, source: r.source, files: r.files.map((f) => ({ ...f })) });

/**
 * Records the data behind a loaded data set. A second record with the same name and source adds
 * only the files the first lacks (a reader that loads a split twice records it once).
 */
export function recordDataSource(record: DataRecord): void {
  const known = registry.find((r) => r.name === record.name && r.source === record.source);
  if (!known) {
    registry.push(copy(record));
    return;
  }
  for (const f of record.files) if (!known.files.some((g) => g.file === f.file)) known.files.push({ ...f });
}

/** Every data set recorded in this process so far, in the order first recorded (copies). */
export function dataSources(): DataRecord[] {
  return registry.map(copy);
}

/** Forgets every record (a new run in the same process, tests). */
export function clearDataSources(): void {
  registry.length = 0;
}

/** SHA-256 of a file in lowercase hex, read in 1 MiB chunks. */
export function sha256File(path: string): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      hash.update(buf.subarray(0, got));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** "dir:<path>": relative to `repoRoot` when the directory lies inside it, else the absolute path. */
export function dirSource(dir: string, repoRoot: string): string {
  const abs = resolve(dir);
  const rel = relative(resolve(repoRoot), abs);
  if (rel === '') return 'dir:.';
  if (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return `dir:${rel}`;
  return `dir:${abs}`;
}

/** Splits "npm:<package>@<version>" (scoped packages included); null when malformed. */
function parseNpmSource(rest: string): { pkg: string; version: string } | null {
  const at = rest.lastIndexOf('@');
  if (at <= 0 || at === rest.length - 1) return null;
  return { pkg: rest.slice(0, at), version: rest.slice(at + 1) };
}

function installedVersion(pkg: string, repoRoot: string): string | null {
  let file: string | undefined;
  try {
    file = createRequire(join(repoRoot, 'package.json')).resolve(`${pkg}/package.json`);
  } catch {
    const direct = join(repoRoot, 'node_modules', pkg, 'package.json');
    if (existsSync(direct)) file = direct;
  }
  if (file === undefined) return null;
  try {
    const v = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

function checkNpm(r: DataRecord, rest: string, repoRoot: string): Omit<DataCheck, 'name' | 'source'> {
  const parsed = parseNpmSource(rest);
  if (!parsed) return { status: 'cannot-check', detail: `source ${r.source} is not of the form npm:<package>@<version>` };
  const installed = installedVersion(parsed.pkg, repoRoot);
  if (installed === null)
    return { status: 'cannot-check', detail: `the npm package ${parsed.pkg} is not installed under ${repoRoot} (npm ci installs it)` };
  if (installed !== parsed.version)
    return {
      status: 'differs',
      detail: `the run read ${parsed.pkg}@${parsed.version}; ${parsed.pkg}@${installed} is installed here`,
    };
  return { status: 'same', detail: `${parsed.pkg}@${installed} is installed here, as in the run` };
}

function checkDir(r: DataRecord, rest: string, repoRoot: string): Omit<DataCheck, 'name' | 'source'> {
  const dir = isAbsolute(rest) ? rest : resolve(repoRoot, rest);
  const differs: string[] = [];
  const absent: string[] = [];
  for (const f of r.files) {
    const path = join(dir, f.file);
    let bytes: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) throw new Error('not a file');
      bytes = st.size;
    } catch {
      absent.push(f.file);
      continue;
    }
    if (bytes !== f.bytes) {
      differs.push(`${path} has ${bytes} bytes, the run read ${f.bytes}`);
      continue;
    }
    const sha = sha256File(path);
    if (sha !== f.sha256) differs.push(`${path} has SHA-256 ${sha}, the run read ${f.sha256}`);
  }
  if (differs.length > 0) return { status: 'differs', detail: differs.join('; ') };
  if (r.files.length === 0) return { status: 'cannot-check', detail: `the record of ${r.name} lists no files` };
  if (absent.length > 0)
    return {
      status: 'cannot-check',
      detail: `${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'} not in ${dir} here, so ${absent.length === 1 ? 'its hash' : 'their hashes'} cannot be recomputed${
        absent.length < r.files.length ? ' (the files present match the run)' : ''
      }`,
    };
  return { status: 'same', detail: `all ${r.files.length} files in ${dir} have the sizes and SHA-256 hashes the run read` };
}

/**
 * Checks recorded data against this machine, one result per record: directory sources by
 * recomputing the size and SHA-256 of every file that is present ('cannot-check' when one is
 * absent and none differs), npm sources by the installed package's version.
 */
export function checkDataRecords(records: DataRecord[], repoRoot: string): DataCheck[] {
  return records.map((r) => {
    const colon = r.source.indexOf(':');
    const kind = colon < 0 ? '' : r.source.slice(0, colon);
    const rest = r.source.slice(colon + 1);
    const result =
      kind === 'npm'
        ? checkNpm(r, rest, repoRoot)
        : kind === 'dir'
          ? checkDir(r, rest, repoRoot)
          : ({ status: 'cannot-check', detail: `unknown source ${r.source} (expected npm:<package>@<version> or dir:<path>)` } as const);
    return { name: r.name, source: r.source, ...result };
  });
}
