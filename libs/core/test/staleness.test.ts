import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codePathsOf, configDifferences, stalenessProblems } from '../src/staleness.ts';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();
}

/** A tiny repository: experiments/demo depends on libs/a, which depends on libs/b; libs/c is unrelated. */
function repo(): { root: string; commit: string } {
  const root = mkdtempSync(join(tmpdir(), 'claimlab-stale-'));
  const write = (p: string, s: string) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), s);
  };
  write('experiments/demo/package.json', JSON.stringify({ dependencies: { '@claimlab/a': '*' } }));
  write('experiments/demo/main.ts', 'x');
  write('libs/a/package.json', JSON.stringify({ dependencies: { '@claimlab/b': '*' } }));
  write('libs/b/package.json', '{}');
  write('libs/b/src.ts', 'b');
  write('libs/c/src.ts', 'c');
  write('package-lock.json', '{}');
  git(root, 'init', '-q');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'init');
  return { root, commit: git(root, 'rev-parse', 'HEAD') };
}

const config = { lr: 0.1, nested: { depth: 2 }, levels: [0, 1] };

describe('staleness of saved results', () => {
  it('depends on the experiment, its libs transitively and the lockfile', () => {
    expect(codePathsOf(repo().root, 'demo')).toEqual(['experiments/demo', 'libs/a', 'libs/b', 'package-lock.json']);
  });

  it('is fresh when nothing it depends on changed, stale when a dependency changed, even uncommitted', () => {
    const { root, commit } = repo();
    const saved = { gitCommit: commit, gitDirty: false, config, overrides: [] };
    expect(stalenessProblems(root, 'demo', saved, config)).toEqual([]);
    writeFileSync(join(root, 'libs/c/src.ts'), 'changed'); // unrelated lib
    expect(stalenessProblems(root, 'demo', saved, config)).toEqual([]);
    writeFileSync(join(root, 'libs/b/src.ts'), 'changed');
    expect(stalenessProblems(root, 'demo', saved, config)[0]).toMatch(/stale: code changed since .*libs\/b\/src\.ts/);
  });

  it('flags unknown commits, dirty runs and config drift, but not command-line overrides', () => {
    const { root, commit } = repo();
    expect(stalenessProblems(root, 'demo', { gitCommit: null, gitDirty: null, config, overrides: [] }, config)[0]).toMatch(/no git commit/);
    expect(stalenessProblems(root, 'demo', { gitCommit: 'f'.repeat(40), gitDirty: false, config, overrides: [] }, config)[0]).toMatch(/not in this repository/);
    expect(stalenessProblems(root, 'demo', { gitCommit: commit, gitDirty: true, config, overrides: [] }, config)[0]).toMatch(/uncommitted changes/);
    const saved = { gitCommit: commit, gitDirty: false, config: { ...config, lr: 0.5 }, overrides: [] as string[] };
    expect(stalenessProblems(root, 'demo', saved, config)).toEqual([expect.stringMatching(/config value 'lr' differs/)]);
    expect(stalenessProblems(root, 'demo', { ...saved, overrides: ['lr'] }, config)).toEqual([]);
  });

  it('configDifferences names the differing paths', () => {
    expect(configDifferences(config, { lr: 0.1, nested: { depth: 3 }, levels: [0, 1], extra: 1 })).toEqual(['extra', 'nested.depth']);
  });
});
