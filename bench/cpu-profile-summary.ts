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
import { fileURLToPath } from 'node:url';
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

/** Self time (microseconds) of a run's main-thread profiles by file and by function; idle apart. */
export interface ProfileSummary {
  /** The `.0.001.cpuprofile` files read, with each one's busy microseconds. */
  files: { name: string; busyUs: number }[];
  byFile: Map<string, number>;
  byFunction: Map<string, number>;
  busyUs: number;
  idleUs: number;
}

/** A file's place, shortened: relative to `cwd`, or the package inside node_modules; wasm:// and node: as they are. */
export function whereOf(url: string, functionName: string, cwd = process.cwd()): string {
  if (url === '') return `(${functionName})`;
  if (!url.startsWith('file://') && !url.startsWith('/')) return url;
  const p = url.replace(/^file:\/\//, '');
  const nm = p.lastIndexOf('node_modules/');
  return nm >= 0 ? p.slice(nm + 'node_modules/'.length) : path.relative(cwd, p) || p;
}

export function summariseProfiles(dir: string, cwd = process.cwd()): ProfileSummary {
  if (!existsSync(dir)) throw new Error(`${dir} does not exist: give the directory of node --cpu-prof-dir`);
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.0.001.cpuprofile'))
    .sort();
  if (names.length === 0)
    throw new Error(`no main-thread profiles (*.0.001.cpuprofile) in ${dir}: run node with --cpu-prof --cpu-prof-dir=${dir}`);
  const summary: ProfileSummary = { files: [], byFile: new Map(), byFunction: new Map(), busyUs: 0, idleUs: 0 };
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const name of names) {
    const profile = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as CpuProfile;
    if (!Array.isArray(profile.nodes) || !Array.isArray(profile.samples) || profile.samples.length !== profile.timeDeltas?.length) {
      throw new Error(`${name} is not a V8 CPU profile (nodes, samples and timeDeltas of equal length expected)`);
    }
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    let busy = 0;
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i];
      const node = nodes.get(id);
      if (node === undefined) throw new Error(`${name}: sample ${i} names node ${id}, which the profile does not have`);
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)') {
        summary.idleUs += us;
        return;
      }
      const file = whereOf(url, functionName, cwd);
      add(summary.byFile, file, us);
      const at = url === '' ? '' : `  ${file}${lineNumber > 0 ? `:${lineNumber + 1}` : ''}`;
      add(summary.byFunction, `${functionName || '(anonymous)'}${at}`, us);
      busy += us;
    });
    summary.files.push({ name, busyUs: busy });
    summary.busyUs += busy;
  }
  return summary;
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '20' } }, allowPositionals: true });
  const top = Number(values.top);
  if (positionals.length !== 1 || !Number.isInteger(top) || top < 1) {
    throw new Error('usage: tsx bench/cpu-profile-summary.ts DIR [--top N] (DIR holds the .cpuprofile files of node --cpu-prof-dir)');
  }
  const s = summariseProfiles(positionals[0]);
  for (const f of s.files) console.log(`${f.name}: ${(f.busyUs / 1e6).toFixed(1)} s busy`);
  const print = (title: string, m: Map<string, number>) => {
    console.log(
      `\n${title}: self time, share of the ${(s.busyUs / 1e6).toFixed(1)} s the ${s.files.length} processes were busy (${(s.idleUs / 1e6).toFixed(1)} s idle besides)`,
    );
    for (const [k, us] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${(us / 1e6).toFixed(1).padStart(8)} s ${((100 * us) / s.busyUs).toFixed(1).padStart(5)}%  ${k}`);
    }
  };
  print('by file', s.byFile);
  print('by function', s.byFunction);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
