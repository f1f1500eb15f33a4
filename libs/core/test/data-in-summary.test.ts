// summary.json keeps the record of the data a run read, and verify compares it with the data present.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSources, recordDataSource, sha256File, type DataRecord } from '../src/data-record.ts';
import { setSummaryDataHook, verifyExperiment } from '../src/experiment.ts';
import type { Summary } from '../src/results.ts';
import { runQuietly } from '../src/testing.ts';
import { toyExperiment } from './fixtures/toy-experiment.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-data-'));

describe("summary.json's data record", () => {
  const dataDir = tmp();
  const file = join(dataDir, 'digits.bin');
  let out: string;
  let record: DataRecord;

  beforeAll(async () => {
    writeFileSync(file, Buffer.from([1, 2, 3, 4]));
    record = { name: 'digits', source: `dir:${dataDir}`, files: [{ file: 'digits.bin', bytes: 4, sha256: sha256File(file), records: 4 }] };
    recordDataSource({ ...record, name: 'left from an earlier run in this process' });
    // The toy reads no data set: the hook stands in for a reader that recorded one during the run.
    setSummaryDataHook(() => [...dataSources(), record]);
    out = tmp();
    await runQuietly(toyExperiment, ['--out', out, '--backend', 'cpu', '--workers', '1', '--seeds', '1'], tmp());
  });
  afterAll(() => setSummaryDataHook(() => dataSources()));

  const dataProblems = () => {
    const v = verifyExperiment(toyExperiment, out, { repoRoot: tmp() });
    return { stale: v.problems.filter((p) => p.includes('data digits')), notes: v.notes };
  };

  it("records this run's data only (the registry is cleared when a run starts)", () => {
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    expect(summary.data).toEqual([record]);
  });

  it('verify: the same data pass, other data make the result stale, absent data are a note', () => {
    expect(dataProblems()).toEqual({ stale: [], notes: [] });
    writeFileSync(file, Buffer.from([1, 2, 3, 5])); // same size, other bytes
    const changed = dataProblems();
    expect(changed.stale).toHaveLength(1);
    expect(changed.stale[0]).toMatch(/^stale: data digits \(dir:.*\) differs from what the run read: .*digits\.bin has SHA-256/);
    rmSync(dataDir, { recursive: true });
    const absent = dataProblems();
    expect(absent.stale).toEqual([]);
    expect(absent.notes).toHaveLength(1);
    expect(absent.notes[0]).toMatch(/data digits .* cannot be checked here: digits\.bin is not in/);
  });
});
