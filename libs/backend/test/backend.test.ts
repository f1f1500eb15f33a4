// The compute backend ladder (src/backend.ts, docs/ARCHITECTURE.md "Compute backends"), observed
// from outside: selectBackend caches its choice per process, so each case runs in a child
// process (node with tsx's loader) that calls selectBackend and prints what happened.
import { nativeDisabledByEnv } from '@claimlab/native';
import { oneDnnDisabledByEnv } from '@claimlab/onednn';
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseBackendName } from '../src/backend.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BACKEND_URL = new URL('../src/backend.ts', import.meta.url).href;
const WASM_KERNELS_URL = new URL('../src/wasm-kernels.ts', import.meta.url).href;

/** Whether a native TensorFlow package is installed here (then the tensorflow rung may load). */
const nativeInstalled = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].some((p) => {
  try {
    createRequire(BACKEND_URL).resolve(p);
    return true;
  } catch {
    return false;
  }
});

interface CallResult {
  ok: boolean;
  message?: string;
  info?: {
    name: string;
    provider: string;
    skipped: string[];
    native?: { threads: number; kernels: string[]; onednn: { threads: number; maxChannels: number } | null } | null;
  };
  active?: string;
  wasmKernels?: string[];
}

// Calls selectBackend once per entry of argv[1] (a JSON array; null = no forced backend).
const CHILD = `
import { selectBackend, tf } from ${JSON.stringify(BACKEND_URL)};
import { wasmKernelsRegistered } from ${JSON.stringify(WASM_KERNELS_URL)};
const results = [];
for (const forced of JSON.parse(process.argv[1])) {
  try {
    const info = await selectBackend(forced ?? undefined);
    results.push({ ok: true, info, active: tf.getBackend(), wasmKernels: wasmKernelsRegistered() });
  } catch (e) {
    results.push({ ok: false, message: e instanceof Error ? e.message : String(e) });
  }
}
console.log(JSON.stringify(results));
`;

function runChild(
  calls: (string | null)[],
  claimlabBackend?: string,
  extraEnv: Record<string, string> = {},
): Promise<{ results: CallResult[]; stderr: string }> {
  const env = { ...process.env, ...extraEnv };
  delete env.CLAIMLAB_BACKEND;
  if (claimlabBackend !== undefined) env.CLAIMLAB_BACKEND = claimlabBackend;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, JSON.stringify(calls)], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve({ results: JSON.parse(last) as CallResult[], stderr });
      } catch {
        reject(new Error(`child exited with ${code}; stdout: ${stdout.slice(-500)}; stderr: ${stderr.slice(-1000)}`));
      }
    });
  });
}

describe('parseBackendName', () => {
  it('accepts the ladder names and auto/empty/undefined (= use the ladder)', () => {
    expect(parseBackendName('tensorflow', 'x')).toBe('tensorflow');
    expect(parseBackendName('wasm', 'x')).toBe('wasm');
    expect(parseBackendName('cpu', 'x')).toBe('cpu');
    expect(parseBackendName('auto', 'x')).toBeUndefined();
    expect(parseBackendName('', 'x')).toBeUndefined();
    expect(parseBackendName(undefined, 'x')).toBeUndefined();
  });

  it('rejects an unknown name, naming its source and the valid ones', () => {
    expect(() => parseBackendName('webgl', '--backend')).toThrow(
      "Unknown backend 'webgl' from --backend. Use one of: auto, tensorflow, wasm, cpu.",
    );
  });
});

describe('selectBackend (each case in its own process)', () => {
  it('forcing cpu, forcing wasm, CLAIMLAB_BACKEND, an unknown name in it, and the cache', async () => {
    // Independent processes, run side by side to keep the test short.
    const [cpu, wasm, envCpu, envWasm, envUnknown, flagOverEnv] = await Promise.all([
      runChild(['cpu', 'cpu', null, 'wasm']),
      runChild(['wasm']),
      runChild([null], 'cpu'),
      runChild([null], 'wasm'),
      runChild([null], 'gpu'),
      runChild(['wasm'], 'cpu'),
    ]);

    // Forced cpu; asking again returns the cached choice; switching is refused.
    expect(cpu.results[0]).toMatchObject({
      ok: true,
      info: { name: 'cpu', provider: '@tensorflow/tfjs-backend-cpu', skipped: [] },
      active: 'cpu',
    });
    expect(cpu.results[1]).toMatchObject({ ok: true, info: { name: 'cpu' } });
    expect(cpu.results[2]).toMatchObject({ ok: true, info: { name: 'cpu' } });
    expect(cpu.results[3].ok).toBe(false);
    expect(cpu.results[3].message).toMatch(/already selected as 'cpu'.*cannot switch to 'wasm'/);

    // Forced wasm, with the project's kernels registered, and (unless CLAIMLAB_NATIVE=off) its
    // matmuls and convolutions on OpenBLAS, one thread by default.
    expect(wasm.results[0]).toMatchObject({ ok: true, info: { name: 'wasm', skipped: [] }, active: 'wasm' });
    expect(wasm.results[0].info!.provider).toMatch(
      /^@tensorflow\/tfjs-backend-wasm( \+ OpenBLAS .*, 1 threads\)( \+ oneDNN \d+\.\d+\.\d+ \(1 threads\))?)?$/,
    );
    expect(wasm.results[0].wasmKernels).toEqual(expect.arrayContaining(['Conv2DBackpropFilter', 'BatchMatMul']));
    if (!nativeDisabledByEnv()) {
      expect(wasm.results[0].info!.native).toMatchObject({
        threads: 1,
        kernels: expect.arrayContaining(['BatchMatMul', 'Conv2D', 'Conv2DBackpropFilter']),
      });
      // Its small convolutions on oneDNN, one thread, unless CLAIMLAB_ONEDNN=off.
      if (!oneDnnDisabledByEnv()) {
        expect(wasm.results[0].info!.native!.onednn).toMatchObject({ isa: expect.any(String), threads: 1, maxChannels: 64 });
        expect(wasm.results[0].info!.provider).toMatch(/ \+ oneDNN \d+\.\d+\.\d+ \([a-z0-9_]+, 1 threads\)$/);
      }
    }

    // CLAIMLAB_BACKEND is honoured; a flag (the forced argument) wins over it.
    expect(envCpu.results[0]).toMatchObject({ ok: true, info: { name: 'cpu' }, active: 'cpu' });
    expect(envWasm.results[0]).toMatchObject({ ok: true, info: { name: 'wasm' }, active: 'wasm' });
    expect(flagOverEnv.results[0]).toMatchObject({ ok: true, info: { name: 'wasm' }, active: 'wasm' });

    // An unknown name is an error naming the valid ones, never a silent fallback.
    expect(envUnknown.results[0].ok).toBe(false);
    expect(envUnknown.results[0].message).toBe("Unknown backend 'gpu' from CLAIMLAB_BACKEND. Use one of: auto, tensorflow, wasm, cpu.");
  });

  it('CLAIMLAB_NATIVE=off keeps wasm on its own kernels, saying so; CLAIMLAB_BLAS_THREADS and CLAIMLAB_ONEDNN_THREADS set the threads or are refused', async () => {
    const [off, two, bad, dnnlOff, dnnlBad] = await Promise.all([
      runChild(['wasm'], undefined, { CLAIMLAB_NATIVE: 'off' }),
      runChild(['wasm'], undefined, { CLAIMLAB_BLAS_THREADS: '2' }),
      runChild(['wasm'], undefined, { CLAIMLAB_BLAS_THREADS: 'two' }),
      runChild(['wasm'], undefined, { CLAIMLAB_ONEDNN: 'off' }),
      runChild(['wasm'], undefined, { CLAIMLAB_ONEDNN_THREADS: 'two' }),
    ]);
    // A bad CLAIMLAB_ONEDNN_THREADS stops the selection with the reason, never a quiet run without oneDNN.
    if (!nativeDisabledByEnv() && !oneDnnDisabledByEnv()) {
      expect(dnnlBad.results[0].ok).toBe(false);
      expect(dnnlBad.results[0].message).toMatch(/CLAIMLAB_ONEDNN_THREADS must be an integer from 1 to 256, got 'two'/);
    }
    // CLAIMLAB_ONEDNN=off keeps every convolution on OpenBLAS, saying so once.
    if (!nativeDisabledByEnv()) {
      expect(dnnlOff.results[0].info!.native).toMatchObject({ onednn: null });
      expect(dnnlOff.results[0].info!.skipped).toEqual(['oneDNN: disabled by CLAIMLAB_ONEDNN=off']);
      expect(dnnlOff.stderr).toContain('[claimlab] convolutions on OpenBLAS only (disabled by CLAIMLAB_ONEDNN=off)');
    }
    expect(off.results[0]).toMatchObject({
      ok: true,
      info: { name: 'wasm', provider: '@tensorflow/tfjs-backend-wasm', native: null },
      active: 'wasm',
    });
    expect(off.results[0].info!.skipped).toEqual(['native BLAS: disabled by CLAIMLAB_NATIVE=off']);
    expect(off.stderr).toContain('[claimlab] wasm without native BLAS (disabled by CLAIMLAB_NATIVE=off)');
    if (!nativeDisabledByEnv()) expect(two.results[0].info!.native).toMatchObject({ threads: 2 });
    expect(bad.results[0].ok).toBe(false);
    expect(bad.results[0].message).toMatch(/CLAIMLAB_BLAS_THREADS must be an integer from 1 to 256, got 'two'/);
  });

  it.skipIf(nativeInstalled)(
    'without @tensorflow/tfjs-node(-gpu): forcing tensorflow says how to install it; the ladder falls to wasm with one log line',
    async () => {
      const [forced, ladder] = await Promise.all([runChild(['tensorflow']), runChild([null])]);

      expect(forced.results[0].ok).toBe(false);
      const msg = forced.results[0].message!;
      expect(msg).toMatch(/^Backend 'tensorflow' was requested but could not be loaded/);
      expect(msg).toContain('npm install @tensorflow/tfjs-node-gpu');
      expect(msg).toContain('@tensorflow/tfjs-node');
      expect(msg).toMatch(/Cannot find (package|module) '@tensorflow\/tfjs-node'/);

      expect(ladder.results[0]).toMatchObject({ ok: true, info: { name: 'wasm' }, active: 'wasm' });
      expect(ladder.results[0].info!.skipped).toHaveLength(1);
      expect(ladder.results[0].info!.skipped[0]).toMatch(/^tensorflow: /);
      const logLines = ladder.stderr.split('\n').filter((l) => l.startsWith('[claimlab]'));
      expect(logLines).toHaveLength(1);
      expect(logLines[0]).toMatch(/native TensorFlow not available, falling back to wasm/);
    },
  );
});
