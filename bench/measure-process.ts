/**
 * One single-process measurement in a process of its own, started with its thread settings in
 * the environment (CLAIMLAB_BLAS_THREADS, CLAIMLAB_ONEDNN_THREADS), as a run started with those
 * variables would have them.
 *
 * Why a fresh process per setting: oneDNN fixes a convolution's thread count when it creates the
 * primitive, and the addon keeps its primitives for the life of the process, so changing the
 * threads of a process that has already run a geometry changes nothing for that geometry (a
 * 2-thread row measured after the 1-thread one ran on one core: ResNet-20 at 1.03-1.11 CPU
 * seconds per second before 2026-12-05). The backend reads both variables when it loads.
 *
 *   node --import tsx bench/measure-process.ts '<json: { backend, spec, timing }>'
 * prints a ProcessMeasurement (the Measurement and the threads the backend loaded with) as JSON
 * on its last stdout line.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { selectBackend, type BackendName } from '@claimlab/backend';
import { measure, type Measurement, type TimingOptions, type WorkloadSpec } from './harness.ts';

export interface ThreadSetting {
  /** OpenBLAS threads (CLAIMLAB_BLAS_THREADS). */
  blas: number;
  /** oneDNN's OpenMP threads (CLAIMLAB_ONEDNN_THREADS). */
  onednn: number;
}

export interface MeasureJob {
  backend: BackendName;
  spec: WorkloadSpec;
  timing: TimingOptions;
}

const self = fileURLToPath(import.meta.url);

/** What the child prints: the measurement and the threads its native kernels loaded with (null: none loaded). */
export interface ProcessMeasurement {
  measurement: Measurement;
  /** OpenBLAS's threads, and oneDNN's (null where oneDNN did not load). */
  threads: { blas: number; onednn: number | null } | null;
}

/**
 * Runs `measure(spec, timing)` in a new process with `threads`; rejects with the child's exit and
 * stderr tail, or when the child's native kernels did not load with the threads asked for (a
 * setting measured at other threads than its label says would be a wrong row, not a slow one).
 */
export function measureInProcess(job: MeasureJob, threads: ThreadSetting): Promise<ProcessMeasurement> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', self, JSON.stringify(job)], {
      env: { ...process.env, CLAIMLAB_BLAS_THREADS: String(threads.blas), CLAIMLAB_ONEDNN_THREADS: String(threads.onednn) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0) {
        const tail = err.trim().split('\n').slice(-5).join('\n');
        return fail(new Error(`measure-process.ts (${job.spec.id}, ${threads.blas}/${threads.onednn} threads) exited ${code}:\n${tail}`));
      }
      const r = JSON.parse(out.trim().split('\n').pop() ?? '') as ProcessMeasurement;
      if (r.threads !== null && (r.threads.blas !== threads.blas || (r.threads.onednn ?? threads.onednn) !== threads.onednn)) {
        return fail(
          new Error(
            `measure-process.ts (${job.spec.id}): asked for ${threads.blas} OpenBLAS / ${threads.onednn} oneDNN threads, ` +
              `the backend loaded with ${r.threads.blas} / ${r.threads.onednn}`,
          ),
        );
      }
      ok(r);
    });
  });
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (!raw) throw new Error("usage: node --import tsx bench/measure-process.ts '<json: { backend, spec, timing }>'");
  const job = JSON.parse(raw) as MeasureJob;
  const backend = await selectBackend(job.backend);
  const native = backend.native;
  const threads = native ? { blas: native.threads, onednn: native.onednn?.threads ?? null } : null;
  const out: ProcessMeasurement = { measurement: measure(job.spec, job.timing), threads };
  console.log(JSON.stringify(out));
}

if (process.argv[1] === self) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
