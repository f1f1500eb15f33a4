/**
 * Which linear algebra a metric runs on: 'native' is OpenBLAS / LAPACK through libs/native's addon,
 * 'js' the metric's own JavaScript loops, 'auto' (the default) 'native' where the addon loads and
 * 'js' where it does not (CLAIMLAB_NATIVE=off, or no gcc / OpenBLAS). The two differ in the last
 * bits (another summation order); which one ran follows provenance.backend.native.
 */
import { lastNativeError, loadNativeBlas } from '@claimlab/native';

export type Linalg = 'auto' | 'native' | 'js';

export type Blas = NonNullable<ReturnType<typeof loadNativeBlas>>;

/** The native addon for `linalg`, or null for the JavaScript routines; 'native' without it throws with the reason. */
export function blasFor(linalg: Linalg, what: string): Blas | null {
  if (linalg === 'js') return null;
  const blas = loadNativeBlas();
  if (linalg === 'native' && blas === null)
    throw new Error(
      `${what}: linalg 'native' needs the native addon (libs/native), which did not load: ${lastNativeError() ?? 'unknown reason'}. ` +
        "Install gcc and libopenblas-dev, or use linalg 'js'.",
    );
  return blas;
}
