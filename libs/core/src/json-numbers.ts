// JSON that keeps non-finite numbers: a measured NaN or Infinity (e.g. a Hessian-vector product
// that overflowed at one grid point) must survive a sweep's stored arm results, where plain
// JSON.stringify would turn it into null.

const TAG = '__claimlab_number__:';

/** JSON.stringify, with NaN, Infinity and -Infinity written as tagged strings that parseJson restores. */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `${TAG}${v}` : v));
}

/** JSON.parse of stringifyJson's output: tagged strings become NaN, Infinity and -Infinity again. */
export function parseJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => (typeof v === 'string' && v.startsWith(TAG) ? Number(v.slice(TAG.length)) : v));
}
