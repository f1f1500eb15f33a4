import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearDataSources, dataSources } from '@claimlab/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GAS_SENSOR_FILES, GasSensorDataError, loadBostonHousing, loadGasSensorDrift } from '../src/regression.ts';
import { tempDir } from './helpers.ts';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('gas-sensor'));
  vi.stubEnv('GAS_SENSOR_DIR', undefined);
  clearDataSources();
});
afterEach(() => {
  cleanup();
  vi.unstubAllEnvs();
  clearDataSources();
});

describe('loadBostonHousing', () => {
  it("reads the package's 506 x 13 table, its first and last records as published, and records the source", () => {
    const d = loadBostonHousing();
    expect([d.n, d.dim, d.features.length, d.targets.length]).toEqual([506, 13, 506 * 13, 506]);
    // Harrison & Rubinfeld's first record (crim 0.00632 ... lstat 4.98, medv 24.0) and last (medv 11.9).
    expect(Array.from(d.features.subarray(0, 13))).toEqual([0.00632, 18, 2.31, 0, 0.538, 6.575, 65.2, 4.09, 1, 296, 15.3, 396.9, 4.98]);
    expect([d.targets[0], d.targets[505]]).toEqual([24, 11.9]);
    expect(d.featureNames[12]).toBe('lstat');
    const [record] = dataSources();
    expect(record.name).toBe('boston-house-prices');
    expect(record.source).toMatch(/^npm:@stdlib\/datasets-harrison-boston-house-prices@/);
    expect(record.files).toEqual([expect.objectContaining({ file: 'data.json', records: 506 })]);
  });
});

/** A line of the UCI format: '<class>;<concentration> 1:<v> ... 128:<v>'. */
const line = (cls: number, conc: number, base: number) =>
  `${cls};${conc.toFixed(6)} ${Array.from({ length: 128 }, (_, j) => `${j + 1}:${(base + j / 10).toFixed(6)}`).join(' ')}`;

/** Every batch file with two records: ethanol (class 1) and ammonia (class 3). */
function writeBatches(at = dir) {
  GAS_SENSOR_FILES.forEach(({ file }, i) => writeFileSync(join(at, file), `${line(1, 10 * (i + 1), i)}\n${line(3, 500, -i)}\n`));
}

describe('loadGasSensorDrift', () => {
  it("keeps one gas's examples of every batch in file order, with its concentrations, and records every file", () => {
    writeBatches();
    const d = loadGasSensorDrift({ dir, allowPartial: true });
    expect([d.n, d.dim]).toEqual([10, 128]);
    expect(Array.from(d.targets)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(d.features[128 * 3 + 5]).toBeCloseTo(3.5, 12);
    const ammonia = loadGasSensorDrift({ dir, gas: 'ammonia', allowPartial: true });
    expect(Array.from(ammonia.targets)).toEqual(Array(10).fill(500));
    expect(ammonia.features[128 * 2]).toBeCloseTo(-2, 12);
    const sources = dataSources();
    expect(sources.map((s) => s.name)).toEqual(['gas-sensor-drift-ethanol', 'gas-sensor-drift-ammonia']);
    expect(sources[0].files.map((f) => [f.file, f.records])).toEqual(GAS_SENSOR_FILES.map((f) => [f.file, 2]));
  });

  it('reads the directory from $GAS_SENSOR_DIR', () => {
    writeBatches();
    vi.stubEnv('GAS_SENSOR_DIR', dir);
    expect(loadGasSensorDrift({ allowPartial: true }).n).toBe(10);
  });

  it('refuses a missing directory or file, a short file, a malformed line, with the way to fetch the data', () => {
    expect(() => loadGasSensorDrift()).toThrow(/no data directory given.*\n.*fetch-gas-sensor\.sh/);
    expect(() => loadGasSensorDrift({ dir: join(dir, 'nope') })).toThrow(/does not exist/);
    expect(() => loadGasSensorDrift({ dir })).toThrow(/lacks batch1\.dat, batch2\.dat/);
    writeBatches();
    expect(() => loadGasSensorDrift({ dir })).toThrow(/batch1\.dat holds 2 records, expected the published 445/);
    writeFileSync(join(dir, 'batch4.dat'), `${line(1, 5, 0).replace(' 7:', ' 8:')}\n`);
    expect(() => loadGasSensorDrift({ dir, allowPartial: true })).toThrow(/batch4\.dat line 1: feature 7 reads '8:/);
    writeFileSync(join(dir, 'batch4.dat'), `${line(1, 5, 0).replace('1;', '9;')}\n`);
    expect(() => loadGasSensorDrift({ dir, allowPartial: true })).toThrow(GasSensorDataError);
    writeFileSync(join(dir, 'batch4.dat'), `${line(1, 5, 0).split(' ').slice(0, 100).join(' ')}\n`);
    expect(() => loadGasSensorDrift({ dir, allowPartial: true })).toThrow(/has 99 features, expected 128/);
    writeFileSync(join(dir, 'batch4.dat'), `${line(1, 5, 0).replace('2:', '2:x')}\n`);
    expect(() => loadGasSensorDrift({ dir, allowPartial: true })).toThrow(/feature 2 reads/);
  });

  it("sums the published record counts to the data set's 13,910", () => {
    expect(GAS_SENSOR_FILES.reduce((s, f) => s + f.records, 0)).toBe(13_910);
  });
});
