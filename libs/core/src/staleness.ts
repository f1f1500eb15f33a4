import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config, ConfigValue } from './run-context.ts';

/**
 * The source paths a saved result depends on: the experiment's folder, the
 * libs it depends on (transitively, through the @claimlab/* dependencies of
 * their package.json files, e.g. core -> backend -> native) and the lockfile
 * (where only a change to what it already held counts: `lockfileOnlyGrew`).
 * Which files under them count is decided by `countsForResults`.
 */
export function codePathsOf(repoRoot: string, experiment: string): string[] {
  const paths = new Set<string>([`experiments/${experiment}`, 'package-lock.json']);
  const visit = (dir: string) => {
    const pkgPath = join(repoRoot, dir, 'package.json');
    if (!existsSync(pkgPath)) return;
    const deps = Object.keys((JSON.parse(readFileSync(pkgPath, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
    for (const d of deps) {
      if (!d.startsWith('@claimlab/')) continue;
      const lib = `libs/${d.slice('@claimlab/'.length)}`;
      if (!paths.has(lib) && existsSync(join(repoRoot, lib))) {
        paths.add(lib);
        visit(lib);
      }
    }
  };
  visit(`experiments/${experiment}`);
  return [...paths].sort();
}

/** Folders whose contents never change a result: tests (with their fixtures) and docs. */
const NON_CODE_DIRS = new Set(['test', 'tests', '__tests__', 'docs']);
/**
 * File names that never change a result: test files, test-helper modules named testing.ts (a
 * package's `./testing` export, which no run imports), prose, images.
 */
const NON_CODE_FILE = /\.(test|spec)\.[cm]?[jt]sx?$|^testing\.[cm]?[jt]s$|\.(md|markdown)$|\.(png|jpe?g|gif|svg|webp|bmp)$/i;

/**
 * Whether a changed file (a repository-relative path, as git prints it) under
 * `codePathsOf` can change a saved result. Everything counts (sources, data
 * files such as *.json, package.json files, libs/native's addon C sources,
 * package-lock.json, any file type not listed) except what cannot: files in a
 * test/, tests/, __tests__/ or docs/ folder, *.test.* / *.spec.* files, testing.ts
 * test-helper modules, Markdown and images.
 */
export function countsForResults(path: string): boolean {
  const parts = path.split('/');
  const name = parts.pop() ?? '';
  return !parts.some((dir) => NON_CODE_DIRS.has(dir)) && !NON_CODE_FILE.test(name);
}

/**
 * Why a saved run no longer matches the code, if it does not: the code it
 * depends on (files under `codePathsOf` for which `countsForResults` holds)
 * changed since its recorded commit (committed or not), the run
 * was made from a dirty work tree, or the profile's config changed.
 */
export function stalenessProblems(
  repoRoot: string,
  experiment: string,
  saved: { gitCommit: string | null; gitDirty: boolean | null; config: unknown; overrides: string[] },
  currentProfileConfig: Config,
): string[] {
  const problems: string[] = [];
  if (!saved.gitCommit) {
    problems.push('the saved run records no git commit, so it cannot be matched to the code; re-run the experiment');
  } else {
    const paths = codePathsOf(repoRoot, experiment);
    try {
      // --no-renames: a file moved from src/ into test/ must show its old path
      // too (a deleted source); -z: paths unquoted, whatever their characters.
      const changed = execFileSync('git', ['diff', '--name-only', '--no-renames', '-z', saved.gitCommit, '--', ...paths], {
        cwd: repoRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
        .split('\0')
        .filter((path) => path && countsForResults(path))
        .filter((path) => path !== 'package-lock.json' || !lockfileOnlyGrew(repoRoot, saved.gitCommit!));
      if (changed.length) {
        problems.push(
          `stale: code changed since the run's commit ${saved.gitCommit.slice(0, 10)} (${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', ...' : ''}); re-run the experiment`,
        );
      }
    } catch {
      problems.push(
        `the run's commit ${saved.gitCommit.slice(0, 10)} is not in this repository (shallow clone?), so staleness cannot be checked`,
      );
    }
    if (saved.gitDirty) problems.push('the run was made from a work tree with uncommitted changes; re-run it from a clean checkout');
  }
  for (const path of configDifferences(currentProfileConfig, saved.config as ConfigValue)) {
    if (!saved.overrides.some((o) => path === o || path.startsWith(`${o}.`))) {
      problems.push(
        `stale: config value '${path}' differs between the profile in config.ts and the saved run (not a command-line override); re-run the experiment`,
      );
    }
  }
  return problems;
}

/**
 * Whether the lockfile now only adds to what it held at `commit`: every entry (package,
 * version, integrity, dependency) recorded then is still there, unchanged. Adding a
 * workspace package (a new experiment) or a dependency only a new experiment imports
 * cannot change an older result, so it does not make it stale; any removed or changed
 * entry, or a lockfile that cannot be read, still does.
 */
export function lockfileOnlyGrew(repoRoot: string, commit: string): boolean {
  try {
    const before = JSON.parse(
      execFileSync('git', ['show', `${commit}:package-lock.json`], {
        cwd: repoRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 1 << 28,
      }),
    ) as unknown;
    const now = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as unknown;
    return includes(now, before);
  } catch {
    return false;
  }
}

/** Whether `outer` holds everything `inner` does: objects key by key (extra keys allowed), anything else exactly. */
function includes(outer: unknown, inner: unknown): boolean {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(inner)) return isObj(outer) && Object.keys(inner).every((k) => k in outer && includes(outer[k], inner[k]));
  return JSON.stringify(outer) === JSON.stringify(inner);
}

/** Dotted paths at which two config values differ. */
export function configDifferences(a: ConfigValue | undefined, b: ConfigValue | undefined, prefix = ''): string[] {
  const isObj = (v: unknown): v is Record<string, ConfigValue> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => configDifferences(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(root)'];
}
