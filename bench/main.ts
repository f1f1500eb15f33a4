/**
 * nx run bench:run  (tsx bench/main.ts [--backend NAME] [--workloads a,b] [--quick] [--out DIR]
 *                    [--no-torch] [--no-parallel] [--no-profile] [--torch-threads N] [--threads LIST])
 *
 * Training-step throughput of the workloads the experiments use, on the selected backend, next
 * to PyTorch (CPU) on the same machine when a Python with torch is found; the 1024x1024 matmul
 * as the measured peak; per-kernel profiles; the aggregate throughput of a 2-process sweep.
 * Writes results/bench/results.csv, summary.json (provenance, load average) and
 * profile-<workload>.csv. A benchmark, not a test: nothing here fails on a slow number.
 */
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { collectProvenance, runArmsParallel, toCsv, writeFileAtomic, type Row } from '@claimlab/core';
import { parseBackendName, selectBackend } from '@claimlab/backend';
import {
  findWorkloads,
  FULL_TIMING,
  matmulGflops,
  measure,
  PROFILE_COLUMNS,
  profileStep,
  QUICK_TIMING,
  RESULT_COLUMNS,
  round,
  type Measurement,
  type TimingOptions,
  type WorkloadSpec,
} from './harness.ts';
import { measureInProcess } from './measure-process.ts';
import { sweepWorkload, type SweepArm, type SweepArmResult } from './parallel-arm.ts';

const HELP = `Usage: tsx bench/main.ts [options]
  --backend NAME      tensorflow | wasm | cpu (default: the ladder, or CLAIMLAB_BACKEND)
  --workloads a,b     workload ids (default: all): mlp-b64, mlp-b256, mlp-b1024, cnn-b64,
                      resnet20-b32, resnet20-noshort-b32, dip128-b1, dip64-c16-b1, dip128-c32-b1
  --quick             fewer and shorter timing windows
  --out DIR           output directory (default: results/bench)
  --no-torch          skip the PyTorch peer
  --no-parallel       skip the 1- vs 2-process sweep measurement
  --no-profile        skip the per-kernel profiles
  --torch-threads N   PyTorch threads (default: number of cores)
  --threads LIST      our thread settings for the single-process rows when the wasm backend runs
                      its matmuls and convolutions natively (OpenBLAS and oneDNN threads, e.g. 1,2;
                      default: 1 and the number of cores); each is measured in a process started
                      at that setting, the row reports the faster as PyTorch's does, and the
                      1-thread rate for the per-thread ratio.
                      Sweep workers and profiles always use 1 thread, as the experiments run
  --python PATH       Python interpreter with torch (default: the first of CLAIMLAB_PYTHON,
                      python3, /usr/bin/python3, python that can import torch)`;

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/**
 * Issue #19's goal for one run: every workload at >= 0.7x PyTorch's faster single-process setting,
 * and our 2-process sweep at >= 1.0x PyTorch's own 2-process sweep (1 thread per process each).
 */
const GOAL = { singleProcessRatio: 0.7, sweepVsTorchSweep: 1.0 } as const;
const log = (line: string) => console.error(line);

interface TorchOut {
  torch: string;
  threads: number;
  matmul_gflops?: number;
  results: Record<string, { samples_per_s: number; step_ms_median: number; steps_per_window: number; cpu_per_wall: number }>;
}

/** The first interpreter that can import torch, or null with the reasons. */
export function findTorchPython(explicit?: string): { python: string | null; tried: string[] } {
  const candidates = explicit
    ? [explicit]
    : [process.env.CLAIMLAB_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter((c): c is string => !!c);
  const tried: string[] = [];
  for (const c of [...new Set(candidates)]) {
    const r = spawnSync(c, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return { python: c, tried };
    tried.push(`${c}: ${r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop()}`);
  }
  return { python: null, tried };
}

function runTorch(python: string, workloads: WorkloadSpec[], timing: TimingOptions, threads: number, matmul: boolean): TorchOut {
  const cfg = JSON.stringify({ workloads, timing, threads, matmul: matmul ? 1024 : 0 });
  const r = spawnSync(python, [join(repoRoot, 'bench', 'torch_bench.py'), cfg], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`torch_bench.py failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''})`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as TorchOut;
}

interface TorchSweepArm {
  steps: number;
  seconds: number;
  samples_per_s: number;
  late_ms: number;
  cpu_per_wall: number;
}

/**
 * PyTorch's own sweep, the fair peer of ours: `processes` torch_bench.py processes at 1 thread
 * each, started together, each counting the steps it completes inside the common window.
 */
async function runTorchSweep(
  python: string,
  spec: WorkloadSpec,
  warmupSteps: number,
  processes: number,
  window: { startAt: number; endAt: number },
): Promise<TorchSweepArm[]> {
  const cfg = JSON.stringify({ workloads: [spec], timing: { warmupSteps, windows: 1, minWindowMs: 0 }, threads: 1, window });
  const one = () =>
    new Promise<TorchSweepArm>((ok, fail) => {
      const child = spawn(python, [join(repoRoot, 'bench', 'torch_bench.py'), cfg], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', fail);
      child.on('close', (code) => {
        if (code !== 0) return fail(new Error(`torch_bench.py (sweep) failed with exit ${code}`));
        ok((JSON.parse(out.trim().split('\n').pop() ?? '') as { sweep: TorchSweepArm }).sweep);
      });
    });
  return Promise.all(Array.from({ length: processes }, one));
}

const loadavg = () => os.loadavg().map((v) => round(v, 2));

/**
 * Our thread settings from --threads ("1,2"): distinct integers from 1 to 256, 1 always included
 * (the per-thread ratio needs it), in increasing order. Default: 1 and the number of cores.
 */
export function parseThreadSettings(value: string | undefined, cores: number): number[] {
  const raw = value === undefined ? [1, cores] : value.split(',').map((t) => t.trim());
  const out = raw.map((t) => {
    const n = Number(t);
    if (String(t) === '' || !Number.isInteger(n) || n < 1 || n > 256) {
      throw new Error(`--threads: each setting must be an integer from 1 to 256, got '${t}' in '${value}' (e.g. --threads 1,2)`);
    }
    return n;
  });
  return [...new Set([1, ...out])].sort((a, b) => a - b);
}

/** The measurement with the highest throughput, first on ties; throws on none. */
export function fastestSetting<T extends { samplesPerS: number }>(byThreads: { threads: number; m: T }[]): { threads: number; m: T } {
  if (byThreads.length === 0) throw new Error('fastestSetting: no measurement');
  return byThreads.reduce((best, b) => (b.m.samplesPerS > best.m.samplesPerS ? b : best));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string' },
      workloads: { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: 'results/bench' },
      'no-torch': { type: 'boolean', default: false },
      'no-parallel': { type: 'boolean', default: false },
      'no-profile': { type: 'boolean', default: false },
      'torch-threads': { type: 'string' },
      threads: { type: 'string' },
      python: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const startedAt = new Date();
  const workloads = findWorkloads(
    values.workloads
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const timing = values.quick ? QUICK_TIMING : FULL_TIMING;
  const outDir = resolve(repoRoot, values.out!);
  // This process loads at one thread, as the experiments run (sweeps use the cores): the matmul
  // peak and the profiles run here; each single-process row is measured at every --threads
  // setting, each in a process of its own that loads at that setting, as PyTorch's are.
  const ourThreads = parseThreadSettings(values.threads, os.cpus().length);
  const envBlasThreads = process.env.CLAIMLAB_BLAS_THREADS;
  const envOneDnnThreads = process.env.CLAIMLAB_ONEDNN_THREADS;
  process.env.CLAIMLAB_BLAS_THREADS = '1';
  process.env.CLAIMLAB_ONEDNN_THREADS = '1';
  const backend = await selectBackend(parseBackendName(values.backend, '--backend'));
  // Thread settings apply only where the native kernels run; elsewhere one measurement.
  const threadSettings = backend.native ? ourThreads : [1];
  const provenance = collectProvenance(backend, repoRoot);
  const load: Record<string, number[]> = { start: loadavg() };
  log(
    `[bench] backend ${backend.provider}; ${workloads.length} workloads; ${values.quick ? 'quick' : 'full'} timing; load average ${load.start.join(' ')}`,
  );

  // PyTorch peer: found once; run right after each of our measurements (never at the same time),
  // so that both sides of a ratio see about the same load on a shared machine.
  const torchByThreads = new Map<number, TorchOut>();
  let torchPython: string | null = null;
  let torchNote = '';
  let torchThreadSettings: number[] = [];
  if (!values['no-torch']) {
    const { python, tried } = findTorchPython(values.python);
    torchPython = python;
    if (python === null) {
      torchNote = `no Python with torch found (${tried.join('; ')}); install it with 'apt-get install python3-torch'`;
      log(`[bench] ${torchNote}`);
    } else {
      // PyTorch runs with 1 thread and with one per core; the peer is the faster of the two for each
      // workload. On a machine whose cores are busy with other work, OpenMP with 2 threads can be
      // several times slower than 1 thread, so taking only the default would flatter us.
      torchThreadSettings = values['torch-threads'] ? [Number(values['torch-threads'])] : [...new Set([1, os.cpus().length])];
      log(`[bench] PyTorch peer: ${python}, ${torchThreadSettings.join(' and ')} thread(s)`);
    }
  } else torchNote = 'skipped (--no-torch)';
  const torchPeer = (specs: WorkloadSpec[], matmul: boolean) => {
    if (torchPython === null) return;
    for (const threads of torchThreadSettings) {
      try {
        const r = runTorch(torchPython, specs, timing, threads, matmul);
        const acc = torchByThreads.get(r.threads) ?? { torch: r.torch, threads: r.threads, results: {} };
        Object.assign(acc.results, r.results);
        if (r.matmul_gflops !== undefined) acc.matmul_gflops = r.matmul_gflops;
        torchByThreads.set(r.threads, acc);
      } catch (e) {
        torchNote = (e as Error).message;
        log(`[bench] ${torchNote}`);
      }
    }
  };

  // The machine's measured peak on this backend.
  const peak = matmulGflops(1024, timing);
  log(`[bench] matmul 1024x1024: ${peak.toFixed(1)} GFLOP/s`);
  torchPeer([], true);

  /** Per workload, the faster of our thread settings (`measured`) and every setting's rate. */
  const measured: Measurement[] = [];
  const ourByThreads: Record<string, { threads: number; samplesPerS: number; cpuPerWall: number }[]> = {};
  const ourBestThreads: Record<string, number> = {};
  /** 1-minute load average right after each of our measurements. */
  const loadAt: Record<string, number> = {};
  const profiles: Record<string, { file: string; wallMs: number; top: { kernel: string; share: number }[] }> = {};
  for (const spec of workloads) {
    const byThreads: { threads: number; m: Measurement }[] = [];
    for (const threads of threadSettings) {
      // Each setting in a fresh process that loads at those threads (measure-process.ts says why).
      const m = backend.native
        ? (await measureInProcess({ backend: backend.name, spec, timing }, { blas: threads, onednn: threads })).measurement
        : measure(spec, timing);
      byThreads.push({ threads, m });
      log(
        `[bench] ${spec.id}${backend.native ? ` (${threads} thread${threads > 1 ? 's' : ''})` : ''}: ${m.samplesPerS.toFixed(1)} samples/s, ${m.stepMsMedian.toFixed(1)} ms/step, ${m.gflops.toFixed(2)} GFLOP/s ` +
          `(${((100 * m.gflops) / peak).toFixed(0)}% of matmul peak), ${m.cpuPerWall.toFixed(2)} CPU s per s, leaked tensors ${m.leakedTensors}`,
      );
    }
    loadAt[spec.id] = round(os.loadavg()[0], 2);
    const best = fastestSetting(byThreads);
    measured.push(best.m);
    ourBestThreads[spec.id] = best.threads;
    ourByThreads[spec.id] = byThreads.map((b) => ({
      threads: b.threads,
      samplesPerS: round(b.m.samplesPerS, 2),
      cpuPerWall: round(b.m.cpuPerWall, 3),
    }));
    torchPeer([spec], false);
    if (!values['no-profile']) {
      const p = await profileStep(spec);
      const file = `profile-${spec.id}.csv`;
      writeFileAtomic(join(outDir, file), toCsv(p.rows as unknown as Row[], PROFILE_COLUMNS));
      profiles[spec.id] = {
        file,
        wallMs: round(p.wallMs, 1),
        top: p.rows
          .filter((r) => !r.nested)
          .slice(0, 5)
          .map((r) => ({ kernel: r.kernel, share: r.share })),
      };
      log(
        `[bench]   profile: ${p.rows
          .filter((r) => !r.nested)
          .slice(0, 4)
          .map((r) => `${r.kernel} ${(100 * r.share).toFixed(0)}%`)
          .join(', ')}`,
      );
    }
  }
  load.afterOurs = loadavg();

  // Sweep throughput: the MLP (batch 256) trained by 1 process, then by 2 processes at once.
  type SweepResult = {
    processes: number;
    arms: SweepArmResult[];
    aggregateSamplesPerS: number;
    /** PyTorch's own sweep with the same processes (1 thread each), when torch is found. */
    torch?: { arms: TorchSweepArm[]; aggregateSamplesPerS: number };
  };
  let parallel: null | { workload: string; results: SweepResult[] } = null;
  if (!values['no-parallel']) {
    const spec = findWorkloads(['mlp-b256'])[0];
    // The workers inherit CLAIMLAB_BLAS_THREADS = CLAIMLAB_ONEDNN_THREADS = 1 (set above).

    // Lead: time for new processes to load and warm up before the common window opens.
    const lead = values.quick ? 8_000 : 12_000;
    const duration = values.quick ? 4_000 : 10_000;
    const results: SweepResult[] = [];
    for (const processes of [1, 2]) {
      const startAt = Date.now() + (processes === 1 ? 0 : lead);
      const arms: SweepArm[] = Array.from({ length: processes }, (_, i) => ({
        spec,
        seed: i,
        warmupSteps: timing.warmupSteps,
        startAt,
        endAt: startAt + duration,
      }));
      const r = await runArmsParallel({ runner: sweepWorkload, arms, workers: processes, backend: backend.name });
      const aggregate = r.reduce((s, a) => s + a.samplesPerS, 0);
      results.push({ processes, arms: r, aggregateSamplesPerS: aggregate });
      log(
        `[bench] sweep ${spec.id} x ${processes} process(es): ${aggregate.toFixed(1)} samples/s in aggregate (late by ${r.map((a) => a.lateMs).join(', ')} ms)`,
      );
    }
    // PyTorch's sweep with the same processes, window lengths and 1 thread each, after ours.
    if (torchPython !== null) {
      for (const r of results) {
        const startAt = Date.now() + lead;
        try {
          const arms = await runTorchSweep(torchPython, spec, timing.warmupSteps, r.processes, { startAt, endAt: startAt + duration });
          r.torch = { arms, aggregateSamplesPerS: arms.reduce((s2, a) => s2 + a.samples_per_s, 0) };
          log(
            `[bench] PyTorch sweep ${spec.id} x ${r.processes} process(es), 1 thread each: ${r.torch.aggregateSamplesPerS.toFixed(1)} samples/s in aggregate (late by ${arms.map((a) => Math.round(a.late_ms)).join(', ')} ms)`,
          );
        } catch (e) {
          torchNote = (e as Error).message;
          log(`[bench] ${torchNote}`);
        }
      }
    }
    parallel = { workload: spec.id, results };
  }
  for (const [name, value] of [
    ['CLAIMLAB_BLAS_THREADS', envBlasThreads],
    ['CLAIMLAB_ONEDNN_THREADS', envOneDnnThreads],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  load.afterParallel = loadavg();

  if (parallel && torchPython !== null && !workloads.some((w) => w.id === parallel!.workload))
    torchPeer(findWorkloads([parallel.workload]), false);
  const torchRuns = [...torchByThreads.values()];
  let torch: null | (TorchOut & { python: string; bestThreads: Record<string, number> }) = null;
  if (torchPython !== null && torchRuns.length > 0) {
    const best: TorchOut['results'] = {};
    const bestThreads: Record<string, number> = {};
    for (const r of torchRuns) {
      for (const [id, v] of Object.entries(r.results)) {
        if (!best[id] || v.samples_per_s > best[id].samples_per_s) {
          best[id] = v;
          bestThreads[id] = r.threads;
        }
      }
    }
    const mm = torchRuns.filter((r) => r.matmul_gflops !== undefined).sort((x, y) => y.matmul_gflops! - x.matmul_gflops!)[0];
    torch = {
      torch: torchRuns[0].torch,
      threads: mm?.threads ?? torchRuns[0].threads,
      matmul_gflops: mm?.matmul_gflops,
      results: best,
      python: torchPython,
      bestThreads,
    };
  }
  load.end = loadavg();

  const rows: Row[] = [];
  const la = load.start[0];
  const torchAt = (threads: number, id: string): number | '' => {
    const v = torchRuns.find((r) => r.threads === threads)?.results[id]?.samples_per_s;
    return v === undefined ? '' : round(v, 2);
  };
  const torchCells = (id: string, flopsPerStep: number, batch: number) => {
    const t = torch?.results[id];
    if (!t)
      return {
        torch_samples_per_s: '',
        torch_gflops: '',
        torch_threads: '',
        torch_1thread_samples_per_s: '',
        torch_all_threads_samples_per_s: '',
        torch_cpu_per_wall: '',
      };
    return {
      torch_samples_per_s: round(t.samples_per_s, 2),
      torch_gflops: round((flopsPerStep * t.samples_per_s) / batch / 1e9, 3),
      torch_threads: torch!.bestThreads[id],
      torch_1thread_samples_per_s: torchAt(1, id),
      torch_all_threads_samples_per_s: torchAt(os.cpus().length, id),
      torch_cpu_per_wall: round(t.cpu_per_wall, 3),
    };
  };
  /** ours / theirs to 4 digits, or '' (an empty cell) when theirs is missing or not positive. */
  const ratioOf = (ours: number, theirs: number | '' | undefined): number | '' =>
    theirs === undefined || theirs === '' || !(theirs > 0) ? '' : round(ours / theirs, 4);
  /** ratioOf for summary.json, where a missing ratio is null. */
  const ratioOrNull = (ours: number, theirs: number | '' | undefined): number | null => {
    const r = ratioOf(ours, theirs);
    return r === '' ? null : r;
  };
  const mmAt = (threads: number): number | '' => {
    const g = torchRuns.find((r) => r.threads === threads)?.matmul_gflops;
    return g === undefined ? '' : round((g * 1e9) / (2 * 1024 ** 3), 2);
  };
  rows.push({
    workload: 'matmul-1024',
    kind: 'matmul',
    backend: backend.name,
    threads: backend.native ? 1 : '',
    batch: 1,
    processes: 1,
    params: 0,
    forward_macs_per_sample: 1024 ** 3,
    train_flops_per_step: 2 * 1024 ** 3,
    warmup_steps: timing.warmupSteps,
    windows: timing.windows,
    steps_per_window: '',
    step_ms_median: round((2 * 1024 ** 3) / peak / 1e6, 3),
    samples_per_s: round((peak * 1e9) / (2 * 1024 ** 3), 2),
    ours_1thread_samples_per_s: '',
    gflops: round(peak, 3),
    fraction_of_matmul_peak: 1,
    torch_samples_per_s: torch?.matmul_gflops ? round((torch.matmul_gflops * 1e9) / (2 * 1024 ** 3), 2) : '',
    torch_gflops: torch?.matmul_gflops ? round(torch.matmul_gflops, 3) : '',
    torch_threads: torch?.threads ?? '',
    torch_1thread_samples_per_s: mmAt(1),
    torch_all_threads_samples_per_s: mmAt(os.cpus().length),
    cpu_per_wall: '',
    torch_cpu_per_wall: '',
    ratio: ratioOf(peak, torch?.matmul_gflops),
    ratio_1thread: '',
    torch_sweep_samples_per_s: '',
    ratio_to_torch_sweep: '',
    leaked_tensors: 0,
    loadavg_1m: la,
  });
  /** Our rate at `threads`, or '' when that setting was not measured. */
  const oursAt = (threads: number, id: string): number | '' => ourByThreads[id]?.find((b) => b.threads === threads)?.samplesPerS ?? '';
  for (const m of measured) {
    const t = torchCells(m.workload, m.trainFlopsPerStep, m.batch);
    const ts = torch?.results[m.workload]?.samples_per_s;
    const ours1 = oursAt(1, m.workload);
    rows.push({
      workload: m.workload,
      kind: m.kind,
      backend: backend.name,
      threads: backend.native ? ourBestThreads[m.workload] : '',
      batch: m.batch,
      processes: 1,
      params: m.params,
      forward_macs_per_sample: m.forwardMacsPerSample,
      train_flops_per_step: m.trainFlopsPerStep,
      warmup_steps: m.warmupSteps,
      windows: m.windows,
      steps_per_window: m.stepsPerWindow,
      step_ms_median: round(m.stepMsMedian, 3),
      samples_per_s: round(m.samplesPerS, 2),
      ours_1thread_samples_per_s: ours1,
      gflops: round(m.gflops, 3),
      fraction_of_matmul_peak: round(m.gflops / peak, 4),
      cpu_per_wall: round(m.cpuPerWall, 3),
      ...t,
      ratio: ratioOf(m.samplesPerS, ts),
      ratio_1thread: ours1 === '' ? '' : ratioOf(ours1, torchAt(1, m.workload)),
      torch_sweep_samples_per_s: '',
      ratio_to_torch_sweep: '',
      leaked_tensors: m.leakedTensors,
      loadavg_1m: loadAt[m.workload] ?? la,
    });
  }
  if (parallel) {
    const single = measured.find((m) => m.workload === parallel!.workload);
    const flopsPerSample = single ? single.trainFlopsPerStep / single.batch : NaN;
    for (const p of parallel.results) {
      const ts = torch?.results[parallel.workload]?.samples_per_s;
      const spec = findWorkloads([parallel.workload])[0];
      rows.push({
        workload: `${parallel.workload}-sweep`,
        kind: 'sweep',
        backend: backend.name,
        threads: backend.native ? 1 : '',
        batch: spec.batch,
        processes: p.processes,
        params: single?.params ?? '',
        forward_macs_per_sample: single?.forwardMacsPerSample ?? '',
        train_flops_per_step: single?.trainFlopsPerStep ?? '',
        warmup_steps: timing.warmupSteps,
        windows: 1,
        steps_per_window: p.arms.reduce((s, a) => s + a.steps, 0),
        step_ms_median: '',
        samples_per_s: round(p.aggregateSamplesPerS, 2),
        ours_1thread_samples_per_s: '',
        gflops: Number.isFinite(flopsPerSample) ? round((p.aggregateSamplesPerS * flopsPerSample) / 1e9, 3) : '',
        fraction_of_matmul_peak: Number.isFinite(flopsPerSample) ? round((p.aggregateSamplesPerS * flopsPerSample) / 1e9 / peak, 4) : '',
        torch_samples_per_s: ts ? round(ts, 2) : '',
        torch_gflops: '',
        torch_threads: torch?.bestThreads[parallel.workload] ?? '',
        torch_1thread_samples_per_s: torchAt(1, parallel.workload),
        torch_all_threads_samples_per_s: torchAt(os.cpus().length, parallel.workload),
        cpu_per_wall: round(
          p.arms.reduce((s2, a) => s2 + a.cpuPerWall, 0),
          3,
        ),
        torch_cpu_per_wall: '',
        ratio: ratioOf(p.aggregateSamplesPerS, ts),
        ratio_1thread: ratioOf(p.aggregateSamplesPerS, torchAt(1, parallel.workload)),
        torch_sweep_samples_per_s: p.torch ? round(p.torch.aggregateSamplesPerS, 2) : '',
        ratio_to_torch_sweep: ratioOf(p.aggregateSamplesPerS, p.torch?.aggregateSamplesPerS),
        leaked_tensors: p.arms.reduce((s, a) => s + a.leakedTensors, 0),
        loadavg_1m: la,
      });
    }
  }

  const finishedAt = new Date();
  const goal = measured.map((m) => {
    const ts = torch?.results[m.workload]?.samples_per_s;
    const ours1 = oursAt(1, m.workload);
    return {
      workload: m.workload,
      ourThreads: backend.native ? ourBestThreads[m.workload] : null,
      ratio: ratioOrNull(m.samplesPerS, ts),
      ratio1Thread: ours1 === '' ? null : ratioOrNull(ours1, torchAt(1, m.workload)),
      meetsSingleProcessGoal: ts ? m.samplesPerS / ts >= GOAL.singleProcessRatio : null,
    };
  });
  const twoProcess = parallel?.results.find((p) => p.processes === 2);
  const sweepAgg = twoProcess?.aggregateSamplesPerS;
  const sweepVsTorchSweep = twoProcess ? ratioOrNull(twoProcess.aggregateSamplesPerS, twoProcess.torch?.aggregateSamplesPerS) : null;
  const sweepTorch = parallel ? torch?.results[parallel.workload]?.samples_per_s : undefined;
  const summary = {
    bench: 'bench',
    issue: 19,
    statement:
      'Training-step throughput (samples/s, median of timed windows after warm-up) and achieved GFLOP/s ' +
      '(3 x forward conv/dense multiply-adds x 2 per sample) on the selected backend, against PyTorch CPU on the same machine.',
    goal: GOAL,
    options: {
      quick: values.quick,
      workloads: workloads.map((w) => w.id),
      timing,
      torch: !values['no-torch'],
      parallel: !values['no-parallel'],
      ourThreads: threadSettings,
    },
    loadavg: {
      ...load,
      note: 'os.loadavg() (1, 5, 15 min) at start, after our measurements, after the sweep, at the end; cores: ' + os.cpus().length,
    },
    matmulPeakGflops: round(peak, 3),
    torch: torch
      ? {
          python: torch.python,
          version: torch.torch,
          note: 'ratio = ours / the faster PyTorch setting (1 thread or one per core) per workload',
          threadSettings: torchRuns.map((r) => r.threads),
          bestThreads: torch.bestThreads,
          matmulGflops: Object.fromEntries(torchRuns.map((r) => [`${r.threads}`, r.matmul_gflops ? round(r.matmul_gflops, 3) : null])),
          runs: torchRuns,
        }
      : { available: false, note: torchNote },
    workloads: workloads,
    measurements: measured,
    /** Every thread setting's rate per workload; `measurements` holds the faster one's details. */
    ourThreadSettings: {
      note: 'OpenBLAS and oneDNN threads per process (wasm element-wise kernels run on one thread); the matmul peak, profiles and sweep workers use 1',
      byWorkload: ourByThreads,
      bestThreads: ourBestThreads,
    },
    goalStatus: goal,
    sweep: parallel
      ? {
          ...parallel,
          twoProcessAggregateVsTorchSingle: sweepAgg ? ratioOrNull(sweepAgg, sweepTorch) : null,
          twoProcessAggregateVsTorchTwoProcess: sweepVsTorchSweep,
          meetsSweepGoal: sweepVsTorchSweep === null ? null : sweepVsTorchSweep >= GOAL.sweepVsTorchSweep,
        }
      : null,
    profiles,
    provenance,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallSeconds: round((finishedAt.getTime() - startedAt.getTime()) / 1000, 1),
    files: { results: 'results.csv', profiles: Object.values(profiles).map((p) => p.file) },
  };
  writeFileAtomic(join(outDir, 'results.csv'), toCsv(rows, RESULT_COLUMNS));
  writeFileAtomic(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');

  // The table a reader wants: ours, PyTorch's, the ratio, the share of the matmul peak.
  console.log(
    `\nbackend ${backend.provider}, matmul peak ${peak.toFixed(1)} GFLOP/s${torch?.matmul_gflops ? ` (PyTorch ${torch.matmul_gflops.toFixed(1)}, ${torch.threads} threads)` : ''}; load average ${load.start.join(' ')} -> ${load.end.join(' ')}`,
  );
  console.log(
    `${'workload'.padEnd(24)} ${'samples/s'.padStart(10)} ${'GFLOP/s'.padStart(8)} ${'%peak'.padStart(6)} ${'torch s/s'.padStart(10)} ${'ratio'.padStart(7)}`,
  );
  for (const r of rows) {
    const ratio = r.ratio === '' ? '-' : Number(r.ratio).toFixed(3);
    const name = r.kind === 'sweep' ? `${r.workload} x${r.processes}` : String(r.workload);
    const g = r.gflops === '' ? '-' : Number(r.gflops).toFixed(2);
    const f = r.fraction_of_matmul_peak === '' ? '-' : (100 * Number(r.fraction_of_matmul_peak)).toFixed(0);
    const ts = r.torch_samples_per_s === '' ? '-' : Number(r.torch_samples_per_s).toFixed(1);
    console.log(
      `${name.padEnd(24)} ${Number(r.samples_per_s).toFixed(1).padStart(10)} ${g.padStart(8)} ${f.padStart(6)} ${ts.padStart(10)} ${ratio.padStart(7)}`,
    );
  }
  console.log(`\nwrote ${join(outDir, 'results.csv')}, summary.json${Object.keys(profiles).length ? ' and profile-*.csv' : ''}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    // Exit explicitly: a sweep worker still connected over IPC must not keep the benchmark alive
    // (runArmsParallel before 3dbdae1 left the worker that finished the last arm running).
    () => process.exit(0),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
