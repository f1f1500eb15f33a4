// The one-line notices of the backend ladder, on compiler failures captured from machines without
// OpenBLAS or without a C compiler (the text lastNativeError() gives there: every cc/gcc command
// line and the linker's errors).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  nativeBlasFallbackLog,
  nativeBlasReason,
  oneDnnFallbackLog,
  oneDnnReason,
  tensorflowFallbackLog,
  verboseFromEnv,
} from '../src/fallback-log.ts';

const captured = JSON.parse(readFileSync(new URL('./fixtures/native-build-failures.json', import.meta.url), 'utf8')) as {
  noOpenBlas: string;
  noCompiler: string;
};

describe('native BLAS fallback notice', () => {
  it('is one line naming the reason and the fix on a machine without OpenBLAS, with no compiler command line in it', () => {
    // the captured failure: four compiler command lines with their linker errors
    expect(captured.noOpenBlas.match(/ -> exit 1: /g)).toHaveLength(4);
    const line = nativeBlasFallbackLog(captured.noOpenBlas, false);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toBe(
      '[claimlab] native BLAS unavailable (OpenBLAS not found by the linker): install gcc and libopenblas-dev (Debian) for a 2-6x speed-up; continuing on wasm (full output with --verbose or CLAIMLAB_VERBOSE=1)',
    );
    expect(line).not.toMatch(/-O2|-fPIC|\/usr\/bin\/ld|collect2/);
  });

  it('names a missing compiler, Node headers or a turned-off addon in a few words', () => {
    expect(nativeBlasReason(captured.noCompiler)).toBe('no C compiler found');
    expect(nativeBlasReason("node_api.h not found (looked in /a, /b); install Node's headers (Debian: nodejs-dev or libnode-dev)")).toBe(
      "Node's headers (node_api.h) not found",
    );
    expect(nativeBlasFallbackLog('disabled by CLAIMLAB_NATIVE=off', false)).toBe(
      '[claimlab] wasm without native BLAS (disabled by CLAIMLAB_NATIVE=off)',
    );
  });

  it('shows the full compiler output, one attempt per line, only when verbose', () => {
    const lines = nativeBlasFallbackLog(captured.noOpenBlas, true).split('\n');
    expect(lines[0]).toBe(
      '[claimlab] native BLAS unavailable (OpenBLAS not found by the linker): install gcc and libopenblas-dev (Debian) for a 2-6x speed-up; continuing on wasm',
    );
    const commands = lines.filter((l) => /^ {4}(cc|gcc) -O2 -fPIC/.test(l));
    expect(commands).toHaveLength(4);
    expect(lines.filter((l) => l.includes('cannot find -lopenblas'))).toHaveLength(2);
    expect(lines.every((l, i) => i === 0 || l.startsWith('    '))).toBe(true);
  });

  it('CLAIMLAB_VERBOSE=1 (or true/yes/on) turns verbose on', () => {
    expect(verboseFromEnv({ CLAIMLAB_VERBOSE: '1' })).toBe(true);
    expect(verboseFromEnv({ CLAIMLAB_VERBOSE: 'yes' })).toBe(true);
    expect(verboseFromEnv({ CLAIMLAB_VERBOSE: '0' })).toBe(false);
    expect(verboseFromEnv({})).toBe(false);
  });
});

describe('oneDNN fallback notice', () => {
  // What compile() in libs/onednn/src/build.ts reports (gcc's own wording for the missing header
  // and the missing library), one attempt per compiler.
  const attempt = (cc: string, error: string) =>
    `${cc} -O2 -fPIC -shared -std=c11 -DNODE_GYP_MODULE_NAME=claimlab_dnnl -I /usr/include/node -o /x/claimlab_dnnl.node /x/claimlab_dnnl.c -ldnnl -lgomp -> exit 1: ${error}`;
  const noHeader = `could not compile claimlab_dnnl.c: ${['cc', 'gcc']
    .map((cc) =>
      attempt(
        cc,
        '/x/claimlab_dnnl.c:31:10: fatal error: oneapi/dnnl/dnnl.h: No such file or directory\n   31 | #include <oneapi/dnnl/dnnl.h>\ncompilation terminated.',
      ),
    )
    .join(' | ')}; install a C compiler and oneDNN (Debian: apt-get install -y gcc libdnnl-dev)`;
  const noLibrary = `could not compile claimlab_dnnl.c: ${attempt('cc', '/usr/bin/ld: cannot find -ldnnl: No such file or directory\ncollect2: error: ld returned 1 exit status')}; install ...`;

  it('is one line naming the reason and the fix, with no compiler command line in it unless verbose', () => {
    expect(oneDnnReason(noHeader)).toBe('oneDNN not found (libdnnl-dev)');
    expect(oneDnnReason(noLibrary)).toBe('oneDNN not found (libdnnl-dev)');
    const line = oneDnnFallbackLog(noHeader, false);
    expect(line).toBe(
      '[claimlab] oneDNN unavailable (oneDNN not found (libdnnl-dev)): install libdnnl-dev (Debian) for 1.4-1.7x faster convolution nets; continuing with OpenBLAS convolutions (full output with --verbose or CLAIMLAB_VERBOSE=1)',
    );
    expect(line).not.toMatch(/-O2|-fPIC/);
    const verbose = oneDnnFallbackLog(noHeader, true).split('\n');
    expect(verbose.filter((l) => /^ {4}(cc|gcc) -O2 -fPIC/.test(l))).toHaveLength(2);
  });

  it('names a missing compiler or a turned-off addon in a few words', () => {
    expect(oneDnnReason('could not compile claimlab_dnnl.c: cc: not found | gcc: not found; install ...')).toBe('no C compiler found');
    expect(oneDnnFallbackLog('disabled by CLAIMLAB_ONEDNN=off', false)).toBe(
      '[claimlab] convolutions on OpenBLAS only (disabled by CLAIMLAB_ONEDNN=off)',
    );
  });
});

describe('native TensorFlow fallback notice', () => {
  const notInstalled =
    "@tensorflow/tfjs-node-gpu: Cannot find package '@tensorflow/tfjs-node-gpu' imported from /home/ci/claimlab/libs/backend/src/backend.ts; " +
    "@tensorflow/tfjs-node: Cannot find package '@tensorflow/tfjs-node' imported from /home/ci/claimlab/libs/backend/src/backend.ts";

  it('says not installed in one line, without the loader paths', () => {
    expect(tensorflowFallbackLog(notInstalled, false)).toBe(
      '[claimlab] native TensorFlow not available, falling back to wasm (@tensorflow/tfjs-node[-gpu] not installed)',
    );
  });

  it('says failed to load for a broken install, with the loader errors only when verbose', () => {
    const broken =
      '@tensorflow/tfjs-node-gpu: libcudart.so.11.0: cannot open shared object file; @tensorflow/tfjs-node: The specified module could not be found';
    expect(tensorflowFallbackLog(broken, false)).toMatch(/failed to load\) \(full output with --verbose or CLAIMLAB_VERBOSE=1\)$/);
    expect(tensorflowFallbackLog(broken, true).split('\n')).toEqual([
      '[claimlab] native TensorFlow not available, falling back to wasm (@tensorflow/tfjs-node[-gpu] failed to load)',
      '    @tensorflow/tfjs-node-gpu: libcudart.so.11.0: cannot open shared object file',
      '    @tensorflow/tfjs-node: The specified module could not be found',
    ]);
  });
});
