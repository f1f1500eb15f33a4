// Describes the data a reader used, for the run's record of its data (@claimlab/core data-record.ts):
// the source (an npm package and its version, or a directory) and the size, SHA-256 and record
// count of every file.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, resolve } from 'node:path';
import { dirSource, REPO_ROOT, sha256File, type DataFileRecord, type DataRecord } from '@claimlab/core';

/** Hashes already computed in this process, by path, size and modification time (a large split is hashed once). */
const hashes = new Map<string, string>();

/** Size, SHA-256 and record count of one file. */
export function describeFile(path: string, records: number): DataFileRecord {
  const abs = resolve(path);
  const st = statSync(abs);
  const key = `${abs}\0${st.size}\0${st.mtimeMs}`;
  let sha256 = hashes.get(key);
  if (sha256 === undefined) {
    sha256 = sha256File(abs);
    hashes.set(key, sha256);
  }
  return { file: basename(abs), bytes: st.size, sha256, records };
}

/** "npm:<package>@<version>" of an installed package. */
export function npmSource(pkg: string): string {
  const file = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
  return `npm:${pkg}@${version}`;
}

/** "dir:<path>", relative to the repository root when the directory lies inside it. */
export function directorySource(dir: string): string {
  return dirSource(dir, REPO_ROOT);
}

/** The record of a data set read from `files` (paths and their record counts). */
export function describeDataSet(name: string, source: string, files: { path: string; records: number }[]): DataRecord {
  return { name, source, files: files.map((f) => describeFile(f.path, f.records)) };
}
