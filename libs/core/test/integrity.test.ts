// summary.json carries digests of results.csv, of each figure and of its own fields; verify
// recomputes the checks from results.csv and the digests, and names what was edited.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyExperiment } from '../src/experiment.ts';
import { canonicalJson, fieldDigests, sha256 } from '../src/integrity.ts';
import type { Summary } from '../src/results.ts';
import { runQuietly } from '../src/testing.ts';
import { toyExperiment } from './fixtures/toy-experiment.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-integrity-'));

describe('digests in summary.json', () => {
  let out: string;
  let original: string;
  let table: string;
  const summaryPath = () => join(out, 'summary.json');
  /** verify's problems after editing a copy of the run's summary.json (restored afterwards). */
  const problemsAfter = (edit: (s: Summary) => void, csv?: string): string[] => {
    const s = JSON.parse(original) as Summary;
    edit(s);
    writeFileSync(summaryPath(), JSON.stringify(s, null, 2));
    if (csv !== undefined) writeFileSync(join(out, 'results.csv'), csv);
    try {
      return verifyExperiment(toyExperiment, out).problems;
    } finally {
      writeFileSync(summaryPath(), original);
      writeFileSync(join(out, 'results.csv'), table);
    }
  };

  beforeAll(async () => {
    out = tmp();
    await runQuietly(toyExperiment, ['--out', out, '--backend', 'cpu', '--workers', '1', '--seeds', '2', '--set', 'threshold=0.05'], tmp());
    original = readFileSync(join(out, 'summary.json'), 'utf8');
    table = readFileSync(join(out, 'results.csv'), 'utf8');
  });

  it('records sha256 of results.csv and of every other field, and verify passes on the untouched run', () => {
    const s = JSON.parse(original) as Summary;
    expect(s.integrity!.algorithm).toBe('sha256');
    expect(s.integrity!.files).toEqual({ 'results.csv': sha256(table) });
    const { integrity: _i, ...fields } = s;
    expect(s.integrity!.fields).toEqual(fieldDigests(fields));
    expect(Object.keys(s.integrity!.fields)).toEqual(
      expect.arrayContaining(['outcome', 'core', 'checks', 'seeds', 'config', 'provenance', 'data']),
    );
    expect(s.integrity!.fields.config).toBe(sha256(canonicalJson(s.config)));
    // the place for the data a run read: empty until a recorder is wired in
    expect(s.data).toEqual([]);
    expect(verifyExperiment(toyExperiment, out).problems).toEqual([]);
  });

  it("names a check's edited value", () => {
    const problems = problemsAfter((s) => {
      s.checks[0].values[0] = 0.999;
    });
    expect(problems).toContain("summary.json's field 'checks' was edited after the run wrote it (its sha256 differs)");
    expect(problems.join('\n')).toMatch(
      /check 'mean-above-threshold': summary.json differs from what results.csv gives \(REPRODUCED, 2 of 2 seeds\) in values: summary.json has \[0.999,[^\]]*\], results.csv gives \[0\.\d+/,
    );
    // a field verify cannot re-derive from the table, e.g. the text shown as ours, is caught by its digest
    expect(
      problemsAfter((s) => {
        s.checks[1].threshold = '>= 1';
      }),
    ).toEqual(["summary.json's field 'checks' was edited after the run wrote it (its sha256 differs)"]);
  });

  it('names an edited seed, outcome, core count, config or provenance', () => {
    expect(
      problemsAfter((s) => {
        s.seeds = [0, 7];
      }),
    ).toEqual([
      "summary.json's field 'seeds' was edited after the run wrote it (its sha256 differs)",
      'results.csv holds seeds [0, 1] but summary.json lists [0, 7]',
    ]);
    expect(
      problemsAfter((s) => {
        s.outcome = 'NOT REPRODUCED';
      }),
    ).toEqual([
      "summary.json's field 'outcome' was edited after the run wrote it (its sha256 differs)",
      'summary.json says NOT REPRODUCED but results.csv gives REPRODUCED',
    ]);
    expect(
      problemsAfter((s) => {
        s.core = { asExpected: 0, total: 1 };
      }),
    ).toEqual([
      "summary.json's field 'core' was edited after the run wrote it (its sha256 differs)",
      "summary.json's core count differs from what results.csv gives (1 of 1)",
    ]);
    expect(
      problemsAfter((s) => {
        (s.config as { arms: number }).arms = 50;
      }),
    ).toContain("summary.json's field 'config' was edited after the run wrote it (its sha256 differs)");
    expect(
      problemsAfter((s) => {
        s.provenance.gitCommit = 'f'.repeat(40);
      }),
    ).toEqual(["summary.json's field 'provenance' was edited after the run wrote it (its sha256 differs)"]);
  });

  it('names an edited results.csv even where no check changes, and a summary without digests', () => {
    // the same numbers, written differently: the checks are the same, the file is not
    const rewritten = table.replace(/\n(\d+),(\d+),(0\.\d+)/, '\n$1,$2,$30');
    expect(rewritten).not.toBe(table);
    expect(problemsAfter(() => {}, rewritten)).toEqual([
      'results.csv differs from the file the run wrote (its sha256 is not the one in summary.json)',
    ]);
    expect(
      problemsAfter((s) => {
        delete s.integrity;
      }),
    ).toEqual([
      'summary.json carries no digests of its files and fields (written before they were recorded, or removed): re-run the experiment',
    ]);
  });
});
