// Helpers for the experiments' tests (imported as '@claimlab/core/testing').
import { spawn } from 'node:child_process';
import type { ExperimentDefinition } from './experiment.ts';
import { runExperiment } from './experiment.ts';
import type { Summary, Row } from './results.ts';
import type { SeededConfig } from './run-context.ts';

/** Runs `fn` with the process's stderr (the run log and progress) silenced. */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    return await fn();
  } finally {
    process.stderr.write = write;
  }
}

/**
 * Runs `fn` with the environment variables of `vars` set (a string) or unset
 * (undefined), and restores their previous values (or absence) afterwards,
 * even when `fn` throws.
 */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.keys(vars).map((name) => [name, process.env[name]] as const);
  const assign = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  for (const [name, value] of Object.entries(vars)) assign(name, value);
  try {
    return await fn();
  } finally {
    for (const [name, value] of saved) assign(name, value);
  }
}

/** runExperiment with its log silenced. */
export function runQuietly<C extends SeededConfig, R extends Row>(
  def: ExperimentDefinition<C, R>,
  argv: string[],
  repoRoot: string,
): Promise<Summary | null> {
  return quietly(() => runExperiment(def, argv, repoRoot));
}

/**
 * Starts `node --import tsx script args` and kills it (SIGKILL, like a crash
 * or a scheduler's pre-emption) as soon as `ready()` returns true; resolves
 * once it has exited. Rejects if `ready()` never holds within `timeoutMs`.
 */
export async function spawnAndKillWhen(
  script: string,
  args: string[],
  cwd: string,
  ready: () => boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        if (ready()) {
          clearInterval(timer);
          resolve();
        } else if (Date.now() - started > timeoutMs) {
          clearInterval(timer);
          reject(new Error(`the condition to kill ${script} never held within ${timeoutMs} ms`));
        }
      }, 5);
    });
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}
