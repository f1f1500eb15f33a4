import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackendInfo } from '@claimlab/backend';
import { collectProvenance, redactPath, redactPaths } from '../src/provenance.ts';

const ROOT = '/home/someone/claimlab';

describe('paths in provenance', () => {
  it('are relative to the repository root, a package name inside node_modules, or <outside repo>/basename', () => {
    expect(redactPath('/home/someone/claimlab/libs/backend/src/backend.ts', ROOT)).toBe('libs/backend/src/backend.ts');
    expect(redactPath('/home/someone/claimlab/', ROOT)).toBe('.');
    expect(redactPath('/home/someone/claimlab/node_modules/@tensorflow/tfjs-node/dist/index.js', ROOT)).toBe('@tensorflow/tfjs-node');
    expect(redactPath('/usr/lib/node_modules/seedrandom/index.js', ROOT)).toBe('seedrandom');
    expect(redactPath('/home/someone/claimlab/node_modules/.cache/claimlab-native/blas.node', ROOT)).toBe(
      'node_modules/.cache/claimlab-native/blas.node',
    );
    expect(redactPath('/home/someone/claimlab-old/libs/x.ts', ROOT)).toBe('<outside repo>/x.ts');
    expect(redactPath('/usr/bin/ld', ROOT)).toBe('<outside repo>/ld');
  });

  it('are found inside messages, leaving URLs, fractions and relative paths alone', () => {
    const skipped =
      "tensorflow: @tensorflow/tfjs-node-gpu: Cannot find package '@tensorflow/tfjs-node-gpu' imported from /home/someone/claimlab/libs/backend/src/backend.ts";
    expect(redactPaths(skipped, ROOT)).toBe(
      "tensorflow: @tensorflow/tfjs-node-gpu: Cannot find package '@tensorflow/tfjs-node-gpu' imported from libs/backend/src/backend.ts",
    );
    expect(redactPaths('/usr/bin/ld: cannot find -lopenblas; see https://example.org/a/b, 1/2 of libs/x.ts', ROOT)).toBe(
      '<outside repo>/ld: cannot find -lopenblas; see https://example.org/a/b, 1/2 of libs/x.ts',
    );
  });

  it('collectProvenance records the backend with no absolute path of this machine', () => {
    const root = mkdtempSync(join(tmpdir(), 'claimlab-prov-'));
    const backend: BackendInfo = {
      name: 'wasm',
      provider: '@tensorflow/tfjs-backend-wasm',
      skipped: [
        `tensorflow: @tensorflow/tfjs-node: Cannot find package '@tensorflow/tfjs-node' imported from ${root}/libs/backend/src/backend.ts`,
        `native BLAS: cached ${root}/node_modules/.cache/claimlab-native/a.node failed to load: /opt/openblas/lib/libopenblas.so.0: cannot open`,
      ],
      native: null,
    };
    const p = collectProvenance(backend, root);
    expect(p.backend.skipped).toEqual([
      "tensorflow: @tensorflow/tfjs-node: Cannot find package '@tensorflow/tfjs-node' imported from libs/backend/src/backend.ts",
      'native BLAS: cached node_modules/.cache/claimlab-native/a.node failed to load: <outside repo>/libopenblas.so.0: cannot open',
    ]);
    expect(JSON.stringify(p)).not.toContain(root);
    expect(JSON.stringify(p)).not.toContain(tmpdir());
    // the caller's object is left as it was
    expect(backend.skipped[0]).toContain(root);
  });
});
