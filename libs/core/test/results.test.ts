import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/atomic.ts';
import { readResultsCsv, toCsv } from '../src/results.ts';

describe('results table', () => {
  it('round-trips numbers exactly and quotes strings that need it', () => {
    const rows = [
      { condition: 'a,b', p: 0.1 + 0.2, n: 3 },
      { condition: 'plain', p: 1e-9, n: -2 },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'claimlab-'));
    writeFileAtomic(join(dir, 'r.csv'), toCsv(rows, ['condition', 'p', 'n']));
    expect(readFileSync(join(dir, 'r.csv'), 'utf8').split('\n')[0]).toBe('condition,p,n');
    expect(readResultsCsv(join(dir, 'r.csv'))).toEqual(rows);
  });

  it('refuses missing columns, extra columns and non-finite numbers', () => {
    expect(() => toCsv([{ a: 1 }], ['a', 'b'])).toThrow(/no value for column 'b'/);
    expect(() => toCsv([{ a: 1, c: 2 }], ['a'])).toThrow(/not in the header: c/);
    expect(() => toCsv([{ a: NaN }], ['a'])).toThrow(/NaN is not finite/);
  });

  it('writes non-finite numbers only in the declared columns, as NaN / Infinity / -Infinity, and reads them back', () => {
    const rows = [
      { metric: 'loss', value: NaN },
      { metric: 'lambda', value: Infinity },
      { metric: 'NaN-ish label', value: -Infinity },
      { metric: 'ok', value: 0.5 },
    ];
    const text = toCsv(rows, ['metric', 'value'], ['value']);
    expect(text.trim().split('\n').slice(1)).toEqual(['loss,NaN', 'lambda,Infinity', 'NaN-ish label,-Infinity', 'ok,0.5']);
    const dir = mkdtempSync(join(tmpdir(), 'claimlab-'));
    writeFileAtomic(join(dir, 'r.csv'), text);
    expect(readResultsCsv(join(dir, 'r.csv'))).toEqual(rows);
    expect(() => toCsv([{ a: NaN, b: 1 }], ['a', 'b'], ['b'])).toThrow(/column 'a': NaN is not finite .*nonFiniteColumns/);
    expect(() => toCsv([{ a: 1 }], ['a'], ['value'])).toThrow(/nonFiniteColumns names 'value', which is not a column/);
  });

  it('a missing table is a clear error', () => {
    expect(() => readResultsCsv('/nonexistent/results.csv')).toThrow(/No results table .* run the experiment first/);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'claimlab-'));
    const path = join(dir, 'sub', 'x.txt');
    writeFileAtomic(path, 'one');
    writeFileAtomic(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['x.txt']);
  });

  it('keeps the old content when the write fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'claimlab-'));
    const path = join(dir, 'x.txt');
    writeFileSync(path, 'old');
    // A directory where the temp file's parent should be makes the write fail.
    expect(() => writeFileAtomic(join(path, 'y.txt'), 'new')).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('old');
  });
});
