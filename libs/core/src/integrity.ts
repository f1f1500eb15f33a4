// Digests that tie a summary.json to the files it describes and to its own fields: SHA-256 of
// results.csv and of each figure, and of each top-level field of the summary (outcome, core
// counts, checks, seeds, config, provenance, ...). verify recomputes them, so an edit of the table,
// a figure or the summary after the run wrote them is reported, naming what changed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Integrity {
  algorithm: 'sha256';
  /** Digest of each file the summary describes, by its path relative to the output directory (results.csv, figures/...). */
  files: Record<string, string>;
  /** Digest of each top-level field of summary.json (all but this one), over its canonical JSON (keys sorted). */
  fields: Record<string, string>;
}

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v as object)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/** The digest of every top-level field of a summary except `integrity` (after a JSON round trip, as it is read back). */
export function fieldDigests(summary: object): Record<string, string> {
  const plain = JSON.parse(JSON.stringify(summary)) as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(plain)
      .filter((k) => k !== 'integrity')
      .sort()
      .map((k) => [k, sha256(canonicalJson(plain[k]))]),
  );
}

/** The integrity block of a summary: digests of `files` (paths relative to `dir`) and of the summary's fields. */
export function integrityOf(dir: string, files: string[], summary: object): Integrity {
  return {
    algorithm: 'sha256',
    files: Object.fromEntries(files.map((f) => [f, sha256(readFileSync(join(dir, f)))])),
    fields: fieldDigests(summary),
  };
}

/**
 * What differs between a saved summary's digests and the output directory and summary as they are
 * now: a file edited, missing or not recorded, a field edited, added or removed. Empty when
 * nothing changed since the run wrote them.
 */
export function integrityProblems(
  outDir: string,
  summary: { integrity?: Integrity; files?: { results: string; figures: string[] } },
): string[] {
  const integrity = summary.integrity;
  if (!integrity || typeof integrity !== 'object' || !integrity.files || !integrity.fields) {
    return [
      'summary.json carries no digests of its files and fields (written before they were recorded, or removed): re-run the experiment',
    ];
  }
  const problems: string[] = [];
  const described = summary.files ? [summary.files.results, ...(summary.files.figures ?? [])] : [];
  for (const f of described) if (!(f in integrity.files)) problems.push(`summary.json lists ${f} but records no digest of it`);
  for (const [f, digest] of Object.entries(integrity.files)) {
    const path = join(outDir, f);
    if (!existsSync(path)) problems.push(`${f} is missing (summary.json records its digest)`);
    else if (sha256(readFileSync(path)) !== digest)
      problems.push(`${f} differs from the file the run wrote (its sha256 is not the one in summary.json)`);
  }
  const now = fieldDigests(summary);
  for (const k of Object.keys(integrity.fields)) {
    if (!(k in now)) problems.push(`summary.json's field '${k}' was removed after the run wrote it`);
    else if (now[k] !== integrity.fields[k])
      problems.push(`summary.json's field '${k}' was edited after the run wrote it (its sha256 differs)`);
  }
  for (const k of Object.keys(now))
    if (!(k in integrity.fields)) problems.push(`summary.json's field '${k}' was added after the run wrote it`);
  return problems;
}
