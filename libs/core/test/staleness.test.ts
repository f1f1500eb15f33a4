import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codePathsOf, configDifferences, countsForResults, stalenessProblems } from '../src/staleness.ts';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * A tiny repository: experiments/demo depends on libs/a, which depends on
 * libs/b, which depends on libs/native (addon C source, src/, README);
 * libs/c is unrelated. Tests, fixtures, Markdown and images are committed too,
 * so that editing them shows up in `git diff` and only the filter keeps them out.
 */
function repo(): { root: string; commit: string } {
  const root = mkdtempSync(join(tmpdir(), 'claimlab-stale-'));
  const write = (p: string, s: string) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), s);
  };
  write('experiments/demo/package.json', JSON.stringify({ dependencies: { '@claimlab/a': '*' } }));
  write('experiments/demo/main.ts', 'x');
  write('experiments/demo/claim.ts', 'claim');
  write('experiments/demo/reference.json', '{"v":1}');
  write('experiments/demo/README.md', '# demo');
  write('experiments/demo/test/x.test.ts', 'test');
  write('libs/a/package.json', JSON.stringify({ dependencies: { '@claimlab/b': '*', 'left-pad': '*' } }));
  write('libs/a/src/z.ts', 'z');
  write('libs/a/test/y.test.ts', 'test');
  write('libs/a/test/helpers.ts', 'helper');
  write('libs/a/test/fixtures/ref.json', '{"v":1}');
  write('libs/a/docs/design.txt', 'design notes');
  write('libs/a/figure.png', 'png');
  write('libs/b/package.json', JSON.stringify({ dependencies: { '@claimlab/native': '*' } }));
  write('libs/b/src.ts', 'b');
  write('libs/native/package.json', '{}');
  write('libs/native/addon/claimlab_blas.c', 'int x;');
  write('libs/native/src/build.ts', 'build');
  write('libs/native/README.md', '# native');
  write('libs/c/package.json', '{}');
  write('libs/c/src.ts', 'c');
  write('package-lock.json', JSON.stringify(lockfile));
  git(root, 'init', '-q');
  git(root, 'config', 'user.name', 't');
  git(root, 'config', 'user.email', 't@t');
  git(root, 'config', 'commit.gpgsign', 'false');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'init');
  return { root, commit: git(root, 'rev-parse', 'HEAD') };
}

const lockfile = {
  lockfileVersion: 3,
  packages: {
    '': { workspaces: ['libs/*', 'experiments/*'], dependencies: { 'left-pad': '^1.3.0' } },
    'experiments/demo': { name: '@claimlab/exp-demo' },
    'node_modules/left-pad': { version: '1.3.0', integrity: 'sha512-abc' },
  },
};

/** What plain `git diff` sees, so that a "fresh" result is known to come from the filter, not from git missing the edit. */
const diffed = (root: string, commit: string) => git(root, 'diff', '--name-only', commit).split('\n').filter(Boolean);

const config = { lr: 0.1, nested: { depth: 2 }, levels: [0, 1] };
const staleMessage = (commit: string, files: string) =>
  `stale: code changed since the run's commit ${commit.slice(0, 10)} (${files}); re-run the experiment`;

describe('staleness of saved results', () => {
  it('depends on the experiment, its libs transitively and the lockfile', () => {
    expect(codePathsOf(repo().root, 'demo')).toEqual(['experiments/demo', 'libs/a', 'libs/b', 'libs/native', 'package-lock.json']);
  });

  it('in this repository, every experiment reaches libs/native through core and backend', () => {
    const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
    const experiments = readdirSync(join(repoRoot, 'experiments'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(experiments.length).toBeGreaterThan(0);
    for (const name of experiments) {
      expect(codePathsOf(repoRoot, name), name).toEqual(
        expect.arrayContaining(['libs/core', 'libs/backend', 'libs/native', 'package-lock.json']),
      );
    }
  });

  it('is fresh when nothing it depends on changed, stale when a dependency changed, even uncommitted', () => {
    const { root, commit } = repo();
    const saved = { gitCommit: commit, gitDirty: false, config, overrides: [] };
    expect(stalenessProblems(root, 'demo', saved, config)).toEqual([]);
    writeFileSync(join(root, 'libs/c/src.ts'), 'changed'); // unrelated lib
    expect(diffed(root, commit)).toEqual(['libs/c/src.ts']);
    expect(stalenessProblems(root, 'demo', saved, config)).toEqual([]);
    writeFileSync(join(root, 'libs/b/src.ts'), 'changed');
    expect(stalenessProblems(root, 'demo', saved, config)).toEqual([staleMessage(commit, 'libs/b/src.ts')]);
  });

  it.each([
    'experiments/demo/test/x.test.ts',
    'experiments/demo/README.md',
    'libs/a/test/y.test.ts',
    'libs/a/test/helpers.ts',
    'libs/a/test/fixtures/ref.json',
    'libs/a/docs/design.txt',
    'libs/a/figure.png',
    'libs/native/README.md',
  ])('stays fresh when only %s changed', (file) => {
    const { root, commit } = repo();
    writeFileSync(join(root, file), 'edited');
    expect(diffed(root, commit)).toEqual([file]);
    expect(stalenessProblems(root, 'demo', { gitCommit: commit, gitDirty: false, config, overrides: [] }, config)).toEqual([]);
  });

  it.each([
    'libs/a/src/z.ts',
    'libs/a/package.json',
    'experiments/demo/claim.ts',
    'experiments/demo/reference.json',
    'libs/native/addon/claimlab_blas.c',
    'libs/native/src/build.ts',
    'package-lock.json',
  ])('goes stale when %s changed, and names it', (file) => {
    const { root, commit } = repo();
    writeFileSync(join(root, file), '{"edited":true}');
    expect(stalenessProblems(root, 'demo', { gitCommit: commit, gitDirty: false, config, overrides: [] }, config)).toEqual([
      staleMessage(commit, file),
    ]);
  });

  it('stays fresh when the lockfile only grew (a new experiment and its own dependency), and goes stale when an entry it held changed', () => {
    const { root, commit } = repo();
    const saved = { gitCommit: commit, gitDirty: false, config, overrides: [] };
    const grown = structuredClone(lockfile) as { packages: Record<string, Record<string, unknown>> };
    (grown.packages['']!.dependencies as Record<string, string>)['@stdlib/datasets-x'] = '^0.2.3';
    grown.packages['experiments/new'] = { name: '@claimlab/exp-new' };
    grown.packages['node_modules/@stdlib/datasets-x'] = { version: '0.2.3' };
    writeFileSync(join(root, 'package-lock.json'), JSON.stringify(grown, null, 2));
    expect(diffed(root, commit)).toEqual(['package-lock.json']);
    expect(stalenessProblems(root, 'demo', saved, config)).toEqual([]);
    grown.packages['node_modules/left-pad']!.version = '1.3.1';
    writeFileSync(join(root, 'package-lock.json'), JSON.stringify(grown, null, 2));
    expect(stalenessProblems(root, 'demo', saved, config)).toEqual([staleMessage(commit, 'package-lock.json')]);
    writeFileSync(join(root, 'package-lock.json'), '{ not json');
    expect(stalenessProblems(root, 'demo', saved, config)).toEqual([staleMessage(commit, 'package-lock.json')]);
  });

  it('counts committed changes, lists only the files that count, and sees a source moved into test/', () => {
    const { root, commit } = repo();
    const saved = { gitCommit: commit, gitDirty: false, config, overrides: [] };
    writeFileSync(join(root, 'libs/a/test/y.test.ts'), 'edited');
    writeFileSync(join(root, 'experiments/demo/README.md'), 'edited');
    writeFileSync(join(root, 'experiments/demo/claim.ts'), 'edited');
    git(root, 'commit', '-qam', 'edit');
    expect(stalenessProblems(root, 'demo', saved, config)).toEqual([staleMessage(commit, 'experiments/demo/claim.ts')]);

    const { root: root2, commit: commit2 } = repo();
    mkdirSync(join(root2, 'libs/b/test'));
    git(root2, 'mv', 'libs/b/src.ts', 'libs/b/test/src.ts');
    git(root2, 'commit', '-qm', 'move');
    expect(stalenessProblems(root2, 'demo', { ...saved, gitCommit: commit2 }, config)).toEqual([staleMessage(commit2, 'libs/b/src.ts')]);
  });

  it('reports a run from a dirty tree even when only prose changed since', () => {
    const { root, commit } = repo();
    writeFileSync(join(root, 'experiments/demo/README.md'), 'edited');
    expect(stalenessProblems(root, 'demo', { gitCommit: commit, gitDirty: true, config, overrides: [] }, config)).toEqual([
      'the run was made from a work tree with uncommitted changes; re-run it from a clean checkout',
    ]);
  });

  it('countsForResults: sources, data, the native addon and the lockfile count; tests, test-helper modules, docs and images do not', () => {
    const counts = [
      'libs/core/src/rng.ts',
      'experiments/x/claim.ts',
      'experiments/geometry-score/authors-example-reference.json',
      'libs/native/addon/claimlab_blas.c',
      'libs/native/src/index.ts',
      'libs/core/package.json',
      'package-lock.json',
      'libs/x/src/latest.ts',
      'libs/x/src/testing-data.ts', // only a module named exactly testing.ts is a test helper
      'libs/x/src/contesting.ts',
    ];
    const ignored = [
      'libs/core/test/rng.test.ts',
      'libs/metrics/test/fixtures/ref.json',
      'libs/backend/test/kernel-cases.ts',
      'experiments/x/test/claim.test.ts',
      'libs/x/src/y.test.ts',
      'libs/x/src/y.spec.js',
      'libs/core/src/testing.ts', // the ./testing export: helpers for tests, imported by no run
      'libs/native/README.md',
      'experiments/x/NOTES.markdown',
      'libs/x/docs/api.html',
      'experiments/x/figure.PNG',
      'experiments/x/a.jpeg',
      'experiments/x/a.svg',
    ];
    expect(counts.filter((p) => !countsForResults(p))).toEqual([]);
    expect(ignored.filter((p) => countsForResults(p))).toEqual([]);
  });

  it('flags unknown commits, dirty runs and config drift, but not command-line overrides', () => {
    const { root, commit } = repo();
    expect(stalenessProblems(root, 'demo', { gitCommit: null, gitDirty: null, config, overrides: [] }, config)[0]).toMatch(/no git commit/);
    expect(stalenessProblems(root, 'demo', { gitCommit: 'f'.repeat(40), gitDirty: false, config, overrides: [] }, config)[0]).toMatch(
      /not in this repository/,
    );
    expect(stalenessProblems(root, 'demo', { gitCommit: commit, gitDirty: true, config, overrides: [] }, config)[0]).toMatch(
      /uncommitted changes/,
    );
    const saved = { gitCommit: commit, gitDirty: false, config: { ...config, lr: 0.5 }, overrides: [] as string[] };
    expect(stalenessProblems(root, 'demo', saved, config)).toEqual([expect.stringMatching(/config value 'lr' differs/)]);
    expect(stalenessProblems(root, 'demo', { ...saved, overrides: ['lr'] }, config)).toEqual([]);
  });

  it('configDifferences names the differing paths', () => {
    expect(configDifferences(config, { lr: 0.1, nested: { depth: 3 }, levels: [0, 1], extra: 1 })).toEqual(['extra', 'nested.depth']);
  });
});
