// cpu-profile-summary.ts on hand-made V8 CPU profiles: self time summed by file and function,
// idle counted apart, module-loader threads' files left out, bad input named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { summariseProfiles, whereOf } from '../cpu-profile-summary.ts';

const cwd = '/repo';
const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });
const nodes = [
  { id: 1, callFrame: frame('(root)', '') },
  { id: 2, callFrame: frame('(idle)', '') },
  { id: 3, callFrame: frame('countAlongPath', 'file:///repo/libs/metrics/src/linear-regions.ts') },
  { id: 4, callFrame: frame('affine', 'file:///repo/libs/metrics/src/linear-regions.ts') },
  { id: 5, callFrame: frame('kernelFunc', 'file:///repo/node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js', 4703) },
  { id: 6, callFrame: frame('(garbage collector)', '') },
];

function profileDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cpuprof-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), JSON.stringify(content));
  return dir;
}

describe('summariseProfiles', () => {
  it('sums self time by file and function over the main-thread profiles, idle apart', () => {
    const dir = profileDir({
      'CPU.1.0.001.cpuprofile': { nodes, samples: [3, 3, 4, 2, 5], timeDeltas: [100, 200, 50, 1000, 25] },
      'CPU.2.0.001.cpuprofile': { nodes, samples: [4, 6, 2], timeDeltas: [70, 30, 500] },
      // A module-loader thread's profile: not counted.
      'CPU.1.1.002.cpuprofile': { nodes, samples: [3], timeDeltas: [99999] },
    });
    const s = summariseProfiles(dir, cwd);
    expect(s.files).toEqual([
      { name: 'CPU.1.0.001.cpuprofile', busyUs: 375 },
      { name: 'CPU.2.0.001.cpuprofile', busyUs: 100 },
    ]);
    expect(s.busyUs).toBe(475);
    expect(s.idleUs).toBe(1500);
    expect(Object.fromEntries(s.byFile)).toEqual({
      'libs/metrics/src/linear-regions.ts': 420,
      '@tensorflow/tfjs-core/dist/tf-core.node.js': 25,
      '((garbage collector))': 30,
    });
    expect(Object.fromEntries(s.byFunction)).toEqual({
      'countAlongPath  libs/metrics/src/linear-regions.ts': 300,
      'affine  libs/metrics/src/linear-regions.ts': 120,
      'kernelFunc  @tensorflow/tfjs-core/dist/tf-core.node.js:4704': 25,
      '(garbage collector)': 30,
    });
  });

  it('names a missing directory, one without main-thread profiles, and a file that is not a profile', () => {
    expect(() => summariseProfiles('/no/such/dir')).toThrow(/does not exist: give the directory of node --cpu-prof-dir/);
    expect(() => summariseProfiles(profileDir({ 'CPU.1.1.002.cpuprofile': { nodes, samples: [], timeDeltas: [] } }))).toThrow(
      /no main-thread profiles/,
    );
    expect(() => summariseProfiles(profileDir({ 'CPU.1.0.001.cpuprofile': { nodes, samples: [3, 4], timeDeltas: [1] } }))).toThrow(
      /not a V8 CPU profile/,
    );
    expect(() => summariseProfiles(profileDir({ 'CPU.1.0.001.cpuprofile': { nodes, samples: [42], timeDeltas: [1] } }))).toThrow(
      /names node 42/,
    );
  });

  it('shortens places: relative to the checkout, the package in node_modules, wasm and node: as they are', () => {
    expect(whereOf('file:///repo/libs/onednn/src/convolutions.ts', 'f', cwd)).toBe('libs/onednn/src/convolutions.ts');
    expect(whereOf('file:///x/node_modules/@tensorflow/tfjs/dist/tf.node.js', 'f', cwd)).toBe('@tensorflow/tfjs/dist/tf.node.js');
    expect(whereOf('wasm://wasm/0019ea4a', 'f', cwd)).toBe('wasm://wasm/0019ea4a');
    expect(whereOf('node:fs', 'f', cwd)).toBe('node:fs');
    expect(whereOf('', '(program)', cwd)).toBe('((program))');
  });
});
