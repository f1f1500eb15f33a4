// The log lines of the backend ladder when a faster rung is skipped: one line naming the reason in
// a few words and what to do, with the full compiler or loader output only when verbose
// (`--verbose` on the command line, or CLAIMLAB_VERBOSE=1).

/** True when CLAIMLAB_VERBOSE asks for the full output of skipped rungs ("1", "true", "yes", "on"). */
export function verboseFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CLAIMLAB_VERBOSE ?? '').trim().toLowerCase();
  return v === '1' || v === 'true' || v === 'yes' || v === 'on';
}

const VERBOSE_HINT = 'full output with --verbose or CLAIMLAB_VERBOSE=1';

/** What the reason and log line of one optional native addon say (libs/native, libs/onednn). */
interface AddonLogSpec {
  /** The environment switch that turns it off, e.g. CLAIMLAB_NATIVE. */
  offSwitch: string;
  /** The loader's text when the platform is not supported, and the reason given then. */
  unsupported: [RegExp, string];
  /** The compiler or linker output when the library is missing, and the reason given then. */
  libraryMissing: [RegExp, string];
  /** The reason when the addon's load-time sanity check failed. */
  wrongResult: string;
  /** The log line when switched off on purpose (reason appended), and when unavailable (reason inserted). */
  offLine: string;
  unavailableLine: (reason: string) => string;
}

const NATIVE_BLAS_LOG: AddonLogSpec = {
  offSwitch: 'CLAIMLAB_NATIVE',
  unsupported: [/not supported on Windows/, 'not supported on Windows'],
  libraryMissing: [
    /cannot find -l:?libopenblas|cannot find -lopenblas|library not found for -lopenblas|openblas\S*: No such file/i,
    'OpenBLAS not found by the linker',
  ],
  wrongResult: 'the addon loaded but computed a wrong product',
  offLine: '[claimlab] wasm without native BLAS',
  unavailableLine: (reason) =>
    `[claimlab] native BLAS unavailable (${reason}): install gcc and libopenblas-dev (Debian) for a 2-6x speed-up; continuing on wasm`,
};

const ONEDNN_LOG: AddonLogSpec = {
  offSwitch: 'CLAIMLAB_ONEDNN',
  unsupported: [/only set up for Linux/, 'only built on Linux'],
  libraryMissing: [/oneapi\/dnnl\/dnnl\.h: No such file|cannot find -ldnnl/, 'oneDNN not found (libdnnl-dev)'],
  wrongResult: 'the addon loaded but computed a wrong convolution',
  offLine: '[claimlab] convolutions on OpenBLAS only',
  unavailableLine: (reason) =>
    `[claimlab] oneDNN unavailable (${reason}): install libdnnl-dev (Debian) for 1.4-1.7x faster convolution nets; continuing with OpenBLAS convolutions`,
};

/** Why an addon did not load, in a few words, from its loader's error text (every compiler command line and its output). */
function addonReason(error: string, spec: AddonLogSpec): string {
  if (error.includes(`${spec.offSwitch}=off`)) return `disabled by ${spec.offSwitch}=off`;
  if (/node_api\.h not found/.test(error)) return "Node's headers (node_api.h) not found";
  if (spec.unsupported[0].test(error)) return spec.unsupported[1];
  if (/could not compile/.test(error)) {
    // Every attempt is 'cc: not found' (or another spawn error) when no compiler ran at all.
    if (!/-> exit/.test(error)) return 'no C compiler found';
    if (spec.libraryMissing[0].test(error)) return spec.libraryMissing[1];
    if (/fatal error: \S+\.h: No such file/.test(error)) return `a header is missing (${/fatal error: (\S+\.h)/.exec(error)![1]})`;
    return 'the addon did not compile';
  }
  if (/^cached .* failed to load/.test(error)) return 'the cached addon failed to load and could not be rebuilt';
  if (/sanity check failed/.test(error)) return spec.wrongResult;
  const first = error.split('\n')[0];
  return first.length > 80 ? `${first.slice(0, 80)}...` : first;
}

/**
 * An addon's log line: switched off on purpose (nothing to install, nothing more to show), or the
 * reason in a few words, what to install and that the run continues, with the full compiler
 * output only when verbose.
 */
function addonFallbackLog(error: string, verbose: boolean, spec: AddonLogSpec): string {
  const reason = addonReason(error, spec);
  if (error.includes(`${spec.offSwitch}=off`)) return `${spec.offLine} (${reason})`;
  const line = spec.unavailableLine(reason);
  return verbose ? `${line}\n${indentDetails(error)}` : `${line} (${VERBOSE_HINT})`;
}

/** Why the native BLAS addon did not load, in a few words, from lastNativeError()'s text. */
export const nativeBlasReason = (error: string): string => addonReason(error, NATIVE_BLAS_LOG);
/** The log line for a wasm backend without the native BLAS. */
export const nativeBlasFallbackLog = (error: string, verbose: boolean): string => addonFallbackLog(error, verbose, NATIVE_BLAS_LOG);
/** Why the oneDNN addon did not load, in a few words, from lastOneDnnError()'s text. */
export const oneDnnReason = (error: string): string => addonReason(error, ONEDNN_LOG);
/** The log line for native BLAS without oneDNN's convolutions. */
export const oneDnnFallbackLog = (error: string, verbose: boolean): string => addonFallbackLog(error, verbose, ONEDNN_LOG);

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
