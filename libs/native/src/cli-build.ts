/**
 * Builds (or finds in the cache) the native BLAS addon and prints what happened:
 *   npx tsx libs/native/src/cli-build.ts [--rebuild]
 * Exit status 0 when the addon loads, 1 otherwise (the reason is printed).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { addonFileName, buildNativeBlas, defaultCacheDir, nativeDisabledByEnv } from './build.ts';

const rebuild = process.argv.includes('--rebuild');
if (nativeDisabledByEnv()) {
  console.log('claimlab native BLAS: disabled by CLAIMLAB_NATIVE=off (nothing built)');
  process.exit(0);
}
if (rebuild) rmSync(path.join(defaultCacheDir(), addonFileName()), { force: true });
try {
  const t0 = performance.now();
  const { blas, result } = buildNativeBlas();
  const ms = performance.now() - t0;
  const info = blas.info();
  console.log(`claimlab native BLAS: ${result.built ? `built in ${ms.toFixed(0)} ms` : 'loaded from cache'}: ${result.path}`);
  if (result.command) console.log(`  command:  ${result.command}`);
  console.log(`  OpenBLAS: ${info.config}`);
  console.log(`  core:     ${info.corename}, ${info.parallel}, ${info.threads} thread(s)`);
} catch (e) {
  console.error(`claimlab native BLAS: unavailable: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
