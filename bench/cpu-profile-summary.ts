/**
 * Where an experiment run's CPU time goes: self time summed over V8 CPU profiles, by source file
 * and by function (not a test; issue 19). Profile a run, then summarise its processes' main threads:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx libs/core/src/cli.ts run experiments/<name> --seeds 1 --out /tmp/x
 *   npx tsx bench/cpu-profile-summary.ts /tmp/prof [--top N]
 * The sweep's workers inherit the flags, so each process writes its own profiles; Node also writes
 * one per module-loader thread (`.1.002`), which is idle and left out here (`.0.001` files only).
 * Time inside a native addon's function is counted to the JavaScript function that called it (e.g.
 * native-kernels.ts for OpenBLAS, convolutions.ts for oneDNN); tsx-compiled files report no line
 * numbers. Shares are of busy time: a process waiting (V8's `(idle)`, e.g. the sweep's parent) is
 * counted apart.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '20' } }, allowPositionals: true });
const top = Number(values.top);
if (positionals.length !== 1 || !Number.isInteger(top) || top < 1) {
  throw new Error('usage: tsx bench/cpu-profile-summary.ts DIR [--top N] (DIR holds the .cpuprofile files of node --cpu-prof-dir)');
}
const dir = positionals[0];
if (!existsSync(dir)) throw new Error(`${dir} does not exist: give the directory of node --cpu-prof-dir`);
const files = readdirSync(dir).filter((f) => f.endsWith('.0.001.cpuprofile'));
if (files.length === 0)
  throw new Error(`no main-thread profiles (*.0.001.cpuprofile) in ${dir}: run node with --cpu-prof --cpu-prof-dir=${dir}`);

/** A file's place, shortened: relative to the working directory, or the package inside node_modules. */
function where(url: string, functionName: string): string {
  if (url === '') return `(${functionName})`;
  if (!url.startsWith('file://') && !url.startsWith('/')) return url; // wasm://, node:
  const p = url.replace(/^file:\/\//, '');
  const nm = p.lastIndexOf('node_modules/');
  return nm >= 0 ? p.slice(nm + 'node_modules/'.length) : path.relative(process.cwd(), p) || p;
}

const byFile = new Map<string, number>();
const byFunction = new Map<string, number>();
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
let total = 0;
let idle = 0;
for (const f of files) {
  const profile = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  let fileTotal = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i];
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      return;
    }
    const file = where(url, functionName);
    add(byFile, file, us);
    const at = url === '' ? '' : `  ${file}${lineNumber > 0 ? `:${lineNumber + 1}` : ''}`;
    add(byFunction, `${functionName || '(anonymous)'}${at}`, us);
    fileTotal += us;
  });
  total += fileTotal;
  console.log(`${f}: ${(fileTotal / 1e6).toFixed(1)} s busy`);
}
const print = (title: string, m: Map<string, number>) => {
  console.log(
    `\n${title}: self time, share of the ${(total / 1e6).toFixed(1)} s the ${files.length} processes were busy (${(idle / 1e6).toFixed(1)} s idle besides)`,
  );
  for (const [k, us] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1e6).toFixed(1).padStart(8)} s ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
};
print('by file', byFile);
print('by function', byFunction);
