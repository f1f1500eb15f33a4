// The log lines of the backend ladder when a faster rung is skipped: one line naming the reason in
// a few words and what to do, with the full compiler or loader output only when verbose
// (`--verbose` on the command line, or CLAIMLAB_VERBOSE=1).

/** True when CLAIMLAB_VERBOSE asks for the full output of skipped rungs ("1", "true", "yes", "on"). */
export function verboseFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CLAIMLAB_VERBOSE ?? '').trim().toLowerCase();
  return v === '1' || v === 'true' || v === 'yes' || v === 'on';
}

const VERBOSE_HINT = 'full output with --verbose or CLAIMLAB_VERBOSE=1';

/**
 * Why the native BLAS addon did not load, in a few words, from lastNativeError()'s text (which
 * holds every compiler command line and its output).
 */
export function nativeBlasReason(error: string): string {
  if (/CLAIMLAB_NATIVE=off/.test(error)) return 'disabled by CLAIMLAB_NATIVE=off';
  if (/node_api\.h not found/.test(error)) return "Node's headers (node_api.h) not found";
  if (/not supported on Windows/.test(error)) return 'not supported on Windows';
  if (/could not compile/.test(error)) {
    // Every attempt is 'cc: not found' (or another spawn error) when no compiler ran at all.
    if (!/-> exit/.test(error)) return 'no C compiler found';
    if (/cannot find -l:?libopenblas|cannot find -lopenblas|library not found for -lopenblas|openblas\S*: No such file/i.test(error))
      return 'OpenBLAS not found by the linker';
    if (/fatal error: \S+\.h: No such file/.test(error)) return `a header is missing (${/fatal error: (\S+\.h)/.exec(error)![1]})`;
    return 'the addon did not compile';
  }
  if (/^cached .* failed to load/.test(error)) return 'the cached addon failed to load and could not be rebuilt';
  if (/sanity check failed/.test(error)) return 'the addon loaded but computed a wrong product';
  const first = error.split('\n')[0];
  return first.length > 80 ? `${first.slice(0, 80)}...` : first;
}

/**
 * The log line for a wasm backend without the native BLAS: the reason in a few words, what to
 * install and that the run continues; the full compiler output follows only when verbose.
 */
export function nativeBlasFallbackLog(error: string, verbose: boolean): string {
  const reason = nativeBlasReason(error);
  // Turned off on purpose: nothing to install, nothing more to show.
  if (/CLAIMLAB_NATIVE=off/.test(error)) return `[claimlab] wasm without native BLAS (${reason})`;
  const line = `[claimlab] native BLAS unavailable (${reason}): install gcc and libopenblas-dev (Debian) for a 2-6x speed-up; continuing on wasm`;
  return verbose ? `${line}\n${indentDetails(error)}` : `${line} (${VERBOSE_HINT})`;
}

/** Why the oneDNN addon did not load, in a few words, from lastOneDnnError()'s text. */
export function oneDnnReason(error: string): string {
  if (/CLAIMLAB_ONEDNN=off/.test(error)) return 'disabled by CLAIMLAB_ONEDNN=off';
  if (/node_api\.h not found/.test(error)) return "Node's headers (node_api.h) not found";
  if (/only set up for Linux/.test(error)) return 'only built on Linux';
  if (/could not compile/.test(error)) {
    if (!/-> exit/.test(error)) return 'no C compiler found';
    if (/oneapi\/dnnl\/dnnl\.h: No such file|cannot find -ldnnl/.test(error)) return 'oneDNN not found (libdnnl-dev)';
    return 'the addon did not compile';
  }
  if (/sanity check failed/.test(error)) return 'the addon loaded but computed a wrong convolution';
  const first = error.split('\n')[0];
  return first.length > 80 ? `${first.slice(0, 80)}...` : first;
}

/**
 * The log line for native BLAS without oneDNN's convolutions: the reason in a few words, what to
 * install and that the run continues; the full compiler output follows only when verbose.
 */
export function oneDnnFallbackLog(error: string, verbose: boolean): string {
  const reason = oneDnnReason(error);
  if (/CLAIMLAB_ONEDNN=off/.test(error)) return `[claimlab] convolutions on OpenBLAS only (${reason})`;
  const line = `[claimlab] oneDNN unavailable (${reason}): install libdnnl-dev (Debian) for 1.4-1.7x faster convolution nets; continuing with OpenBLAS convolutions`;
  return verbose ? `${line}\n${indentDetails(error)}` : `${line} (${VERBOSE_HINT})`;
}

/** The log line for a skipped native TensorFlow rung: not installed, or the reason in a few words. */
export function tensorflowFallbackLog(error: string, verbose: boolean): string {
  const notInstalled = error.split('; ').every((e) => /Cannot find (package|module)/.test(e));
  const reason = notInstalled ? 'not installed' : 'failed to load';
  const line = `[claimlab] native TensorFlow not available, falling back to wasm (@tensorflow/tfjs-node[-gpu] ${reason})`;
  if (notInstalled) return line;
  return verbose ? `${line}\n${indentDetails(error)}` : `${line} (${VERBOSE_HINT})`;
}

/** The full output, one attempt per line, indented under the log line. */
function indentDetails(error: string): string {
  return error
    .replace(/^(could not compile \S+): /, '$1:\n')
    .split(/ \| |; (?=@tensorflow)|\n/)
    .map((l) => `    ${l}`)
    .join('\n');
}
