/**
 * Builds (or finds in the cache) the oneDNN addon and prints what happened:
 *   npx tsx libs/onednn/src/cli-build.ts
 * Exit status 0 when the addon loads (or CLAIMLAB_ONEDNN=off), 1 otherwise (the reason is printed).
 */
import { buildOneDnn, oneDnnDisabledByEnv } from './build.ts';

if (oneDnnDisabledByEnv()) {
  console.log('claimlab oneDNN: disabled by CLAIMLAB_ONEDNN=off (nothing built)');
  process.exit(0);
}
try {
  const t0 = performance.now();
  const { dnnl, path, command } = buildOneDnn();
  const info = dnnl.info();
  console.log(`claimlab oneDNN: ${command ? `built in ${(performance.now() - t0).toFixed(0)} ms` : 'loaded from cache'}: ${path}`);
  if (command) console.log(`  command: ${command}`);
  console.log(`  oneDNN ${info.version}, ${info.cpuRuntime}, ${dnnl.getThreads()} thread(s), ISA ${info.isa} (${info.isaSource})`);
} catch (e) {
  console.error(`claimlab oneDNN: unavailable: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
