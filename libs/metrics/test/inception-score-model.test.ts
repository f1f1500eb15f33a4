import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@claimlab/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGraphModelFromDir, runGraphModel } from '../src/inception-score-model.ts';

// A hand-written tfjs graph model (GraphDef JSON): features = x W, probs = softmax(features).
function writeTinyGraphModel(dir: string, w: number[]): string {
  const f32 = { type: 'DT_FLOAT' };
  const model = {
    format: 'graph-model',
    generatedBy: 'hand',
    convertedBy: null,
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: f32, shape: { shape: { dim: [{ size: '-1' }, { size: '2' }] } } } },
        {
          name: 'w',
          op: 'Const',
          attr: { dtype: f32, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }, { size: '3' }] } } } },
        },
        { name: 'features', op: 'MatMul', input: ['x', 'w'], attr: { T: f32, transpose_a: { b: false }, transpose_b: { b: false } } },
        { name: 'probs', op: 'Softmax', input: ['features'], attr: { T: f32 } },
      ],
      versions: { producer: 1 },
    },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'w', shape: [2, 3], dtype: 'float32' }] }],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
  writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.from(new Float32Array(w).buffer));
  return join(dir, 'model.json');
}

describe('user-supplied graph model (Inception-v3 stand-in)', () => {
  beforeAll(async () => {
    await selectBackend('cpu', () => {});
  });

  it('loads model.json with its shards from disk and returns the requested outputs in batches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-model-'));
    try {
      const w = [1, 0, 2, 0, 1, -1];
      const model = await loadGraphModelFromDir(writeTinyGraphModel(dir, w));
      const x = Float32Array.from([1, 2, 3, 4, 0.5, -1]);
      const [feat, probs] = runGraphModel(model, x, 3, { sampleShape: [2], outputs: ['features', 'probs'], batchSize: 2 });
      expect(feat.width).toBe(3);
      // row 1: [1, 2] W = [1, 2, 0]
      expect(Array.from(feat.data.slice(0, 3))).toEqual([1, 2, 0]);
      expect(Array.from(feat.data.slice(3, 6))).toEqual([3, 4, 2]);
      for (let i = 0; i < 3; i++) {
        const row = Array.from(probs.data.slice(3 * i, 3 * i + 3));
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      }
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what is wrong with a missing or non-graph model', async () => {
    await expect(loadGraphModelFromDir('/nonexistent/model.json')).rejects.toThrow(/Cannot read a tfjs graph model/);
    const dir = mkdtempSync(join(tmpdir(), 'graph-model-'));
    try {
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ foo: 1 }));
      await expect(loadGraphModelFromDir(join(dir, 'model.json'))).rejects.toThrow(/is not a tfjs graph model/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
