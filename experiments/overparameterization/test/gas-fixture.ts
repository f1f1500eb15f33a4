// A Gas Sensor Array Drift directory in the published layout (batch1.dat .. batch10.dat with the
// published record counts, 128 features a line), written once per process under the OS temp
// directory, so the paper profile's reader runs in the tests. Every 7th line is ethanol (class 1).
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GAS_SENSOR_FILES, GAS_SENSOR_FEATURES } from '@claimlab/datasets';

let dir: string | null = null;

export function gasSensorFixture(): string {
  if (dir && existsSync(join(dir, 'batch10.dat'))) return dir;
  dir = mkdtempSync(join(tmpdir(), 'claimlab-gas-'));
  mkdirSync(dir, { recursive: true });
  let k = 0;
  for (const { file, records } of GAS_SENSOR_FILES) {
    const lines: string[] = [];
    for (let i = 0; i < records; i++, k++) {
      const gas = k % 7 === 0 ? 1 : 2 + (k % 5);
      // A hash of (line, feature): features that are not linearly dependent.
      const features = Array.from({ length: GAS_SENSOR_FEATURES }, (_, j) => {
        const h = Math.imul(k * 131 + j + 1, 0x9e3779b1) >>> 0;
        return `${j + 1}:${((h >>> 8) % 10000) / 100}`;
      });
      lines.push(`${gas};${(10 + (k % 13) * 5).toFixed(2)} ${features.join(' ')}`);
    }
    writeFileSync(join(dir, file), lines.join('\n') + '\n');
  }
  return dir;
}
