// Correctness of the bench harness on tiny workloads. Nothing here times anything or
// asserts a speed: CI must not depend on how fast the machine is.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, beforeAll } from 'vitest';
import { toCsv, type Row } from '@claimlab/core';
import { selectBackend, tf } from '@claimlab/backend';
import {
  build,
  forwardMacsPerSample,
  measure,
  PROFILE_COLUMNS,
  profileStep,
  RESULT_COLUMNS,
  trainFlopsPerStep,
  WORKLOADS,
  type WorkloadSpec,
} from '../harness.ts';
import { measureInProcess } from '../measure-process.ts';
import { runArm } from '../parallel-arm.ts';
import { fastestSetting, findTorchPython, parseThreadSettings } from '../main.ts';

let wasm: Awaited<ReturnType<typeof selectBackend>>;
beforeAll(async () => {
  wasm = await selectBackend('wasm');
});

const tinyMlp: WorkloadSpec = { id: 'tiny-mlp', kind: 'mlp', batch: 2, inputShape: [2, 2, 1], hidden: [3], classes: 2 };
const tinyCnn: WorkloadSpec = {
  id: 'tiny-cnn',
  kind: 'cnn',
  batch: 2,
  inputShape: [8, 8, 1],
  filters: [2, 3],
  kernel: 3,
  fc: 4,
  classes: 2,
};
const tinyTiming = { warmupSteps: 1, windows: 3, minWindowMs: 5 };

describe('FLOP counting', () => {
  it('counts the multiply-adds of a hand-computable MLP and CNN', () => {
    const mlp = build(tinyMlp);
    // 2x2x1 = 4 inputs -> 3 -> 2: 4*3 + 3*2 = 18 multiply-adds per sample.
    expect(forwardMacsPerSample(mlp.model)).toBe(18);
    // Training step: 3 x forward x 2 FLOPs x batch 2 = 216.
    expect(trainFlopsPerStep(mlp.model, 2)).toBe(216);
    mlp.dispose();
    const cnn = build(tinyCnn);
    // conv 3x3 1->2 on 8x8: 8*8*9*1*2 = 1152; pool -> 4x4; conv 3x3 2->3: 4*4*9*2*3 = 864;
    // pool -> 2x2x3 = 12; dense 12*4 = 48; dense 4*2 = 8. Total 2072.
    expect(forwardMacsPerSample(cnn.model)).toBe(2072);
    cnn.dispose();
  });

  it('counts ResNet-20 at 40.55M multiply-adds per 32x32 image', () => {
    // conv1 32*32*27*16 = 442,368; stage 1: 6 x 32*32*9*16*16 = 14,155,776;
    // stages 2 and 3: (1,179,648 + 5 x 2,359,296) = 12,976,128 each; fc 640.
    const r = build(WORKLOADS.find((w) => w.id === 'resnet20-b32')!);
    expect(forwardMacsPerSample(r.model)).toBe(40_551_040);
    r.dispose();
  });
});

describe('measurement', () => {
  it('times a tiny workload without leaking tensors', () => {
    const before = tf.memory().numTensors;
    for (const spec of [tinyMlp, tinyCnn]) {
      const m = measure(spec, tinyTiming);
      expect(m.leakedTensors).toBe(0);
      expect(new Set(m.tensorsPerWindow).size).toBe(1);
      expect(m.samplesPerS).toBeGreaterThan(0);
      expect(Number.isFinite(m.gflops)).toBe(true);
      expect(m.gflops).toBeCloseTo(m.trainFlopsPerStep / m.stepMsMedian / 1e6, 6);
      expect(m.windows).toBe(3);
    }
    // Model, batch and optimizer are released afterwards.
    expect(tf.memory().numTensors).toBe(before);
  });

  it('profiles one step into kernel rows whose shares add up to 1', async () => {
    const p = await profileStep(tinyCnn);
    const names = p.rows.map((r) => r.kernel);
    expect(names).toContain('Conv2D');
    expect(names[names.length - 1]).toBe('(outside kernels)');
    const share = p.rows.filter((r) => r.nested === 0).reduce((s, r) => s + r.share, 0);
    expect(share).toBeGreaterThan(0.99);
    expect(share).toBeLessThan(1.01);
    const csv = toCsv(p.rows as unknown as Row[], PROFILE_COLUMNS);
    expect(csv.split('\n')[0]).toBe('kernel,calls,total_ms,share,nested');
  });

  it('has the results.csv columns the issue asks for', () => {
    for (const c of [
      'workload',
      'backend',
      'batch',
      'samples_per_s',
      'gflops',
      'torch_samples_per_s',
      'ratio',
      'processes',
      'loadavg_1m',
    ]) {
      expect(RESULT_COLUMNS).toContain(c);
    }
  });

  it('parses our thread settings: 1 always measured, distinct, in order; bad settings named', () => {
    expect(parseThreadSettings(undefined, 2)).toEqual([1, 2]);
    expect(parseThreadSettings(undefined, 1)).toEqual([1]);
    expect(parseThreadSettings('2', 4)).toEqual([1, 2]);
    expect(parseThreadSettings('4, 2,2', 8)).toEqual([1, 2, 4]);
    for (const bad of ['0', '1,x', '', '1.5', '300', '2,'])
      expect(() => parseThreadSettings(bad, 2)).toThrow(/--threads: each setting must be an integer from 1 to 256/);
  });

  it('reports the faster thread setting, the first on a tie, and refuses none', () => {
    const at = (threads: number, samplesPerS: number) => ({ threads, m: { samplesPerS } });
    expect(fastestSetting([at(1, 10), at(2, 15)]).threads).toBe(2);
    expect(fastestSetting([at(1, 10), at(2, 7)]).threads).toBe(1);
    expect(fastestSetting([at(1, 10), at(2, 10)]).threads).toBe(1);
    expect(() => fastestSetting([])).toThrow(/no measurement/);
  });

  it('measures a thread setting in a process that loaded at it, and names a child that failed', async () => {
    const job = { backend: 'wasm' as const, spec: tinyMlp, timing: tinyTiming };
    const r = await measureInProcess(job, { blas: 2, onednn: 2 });
    expect(r.measurement.workload).toBe('tiny-mlp');
    expect(r.measurement.leakedTensors).toBe(0);
    expect(r.measurement.samplesPerS).toBeGreaterThan(0);
    // The child's native kernels loaded at 2 threads (this process runs at 1): the setting reached it.
    const native = wasm.native;
    expect(r.threads).toEqual(native ? { blas: 2, onednn: native.onednn ? 2 : null } : null);
    if (native) expect(native.threads).toBe(1);
    // A bad setting stops the child's backend; the error carries the child's reason.
    await expect(measureInProcess(job, { blas: 1, onednn: 0 })).rejects.toThrow(
      /tiny-mlp, 1\/0 threads\) exited 1:[\s\S]*CLAIMLAB_ONEDNN_THREADS must be an integer from 1 to 256, got '0'/,
    );
  }, 60_000);

  it('runs a sweep arm over a wall-clock window without leaking', async () => {
    const now = Date.now();
    const r = await runArm({ spec: tinyMlp, seed: 0, warmupSteps: 1, startAt: now, endAt: now + 100 }, () => {});
    expect(r.steps).toBeGreaterThan(0);
    expect(r.leakedTensors).toBe(0);
    expect(r.samplesPerS).toBeCloseTo((r.steps * 2) / r.seconds, 6);
  });
});

describe('PyTorch peer', () => {
  it('reports a missing interpreter instead of failing', () => {
    const r = findTorchPython('/nonexistent/python3');
    expect(r.python).toBeNull();
    expect(r.tried).toHaveLength(1);
  });

  const py = findTorchPython();
  it.skipIf(py.python === null)('torch_bench.py prints JSON for the same workload list', () => {
    const script = fileURLToPath(new URL('../torch_bench.py', import.meta.url));
    const cfg = { workloads: [tinyMlp, tinyCnn], timing: tinyTiming, threads: 1 };
    const r = spawnSync(py.python!, [script, JSON.stringify(cfg)], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { threads: number; results: Record<string, { samples_per_s: number }> };
    expect(out.threads).toBe(1);
    expect(Object.keys(out.results)).toEqual(['tiny-mlp', 'tiny-cnn']);
    expect(out.results['tiny-cnn'].samples_per_s).toBeGreaterThan(0);
  });

  it.skipIf(py.python === null)('torch_bench.py as one process of a sweep counts its steps inside the common window', () => {
    const script = fileURLToPath(new URL('../torch_bench.py', import.meta.url));
    // After Python and torch have loaded: 2 s was enough alone, but not with the suite's two test files
    // loading at once (a fresh clone's run loaded torch after the window had closed: 0 steps).
    const startAt = Date.now() + 8_000;
    const cfg = { workloads: [tinyMlp], timing: tinyTiming, threads: 1, window: { startAt, endAt: startAt + 300 } };
    const r = spawnSync(py.python!, [script, JSON.stringify(cfg)], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      threads: number;
      sweep: { steps: number; seconds: number; samples_per_s: number; late_ms: number };
    };
    expect(out.threads).toBe(1);
    expect(out.sweep.steps).toBeGreaterThan(0);
    expect(out.sweep.seconds).toBeGreaterThan(0);
    expect(out.sweep.late_ms).toBeGreaterThanOrEqual(0);
    expect(out.sweep.samples_per_s).toBeCloseTo((out.sweep.steps * tinyMlp.batch) / out.sweep.seconds, 6);
  });
});
