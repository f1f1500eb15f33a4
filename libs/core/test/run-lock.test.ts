// One run at a time per output directory, and a run's figures, table and summary published together.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExperiment, verifyExperiment, type ExperimentDefinition } from '../src/experiment.ts';
import { publishStaged, STAGING_DIR } from '../src/results.ts';
import { acquireRunLock, RUN_LOCK } from '../src/run-lock.ts';
import { UsageError } from '../src/run-context.ts';
import { toyExperiment, type ToyConfig, type ToyRow } from './fixtures/toy-experiment.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'claimlab-lock-'));
const ARGS = ['--backend', 'cpu', '--workers', '1', '--seeds', '1'];
const RUN_LOCK_URL = new URL('../src/run-lock.ts', import.meta.url).href;

/** Runs `fn` with stderr captured; returns its result (or error) and what it logged. */
async function captured<T>(fn: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; log: string }> {
  const write = process.stderr.write;
  let log = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    log += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const [result] = await Promise.allSettled([fn()]);
    return { result, log };
  } finally {
    process.stderr.write = write;
  }
}

/** A process that takes the run lock of `outDir` and holds it until killed. */
async function lockHolder(outDir: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const script = `import { acquireRunLock } from ${JSON.stringify(RUN_LOCK_URL)}; acquireRunLock(process.argv[1], { what: 'holder' }); console.log('locked'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, outDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { pid: child.pid!, kill: async () => (child.kill('SIGKILL'), await exited) };
}

/** The toy experiment with one figure that names the run's seed, and a look at the output directory while the figures are drawn. */
function withFigures(
  seen: { outDir?: string[]; table?: string | null; figuresDir?: string } = {},
): ExperimentDefinition<ToyConfig, ToyRow> {
  return {
    ...toyExperiment,
    async figures(rows, ctx) {
      seen.outDir = readdirSync(ctx.outDir).sort();
      seen.figuresDir = ctx.figuresDir;
      seen.table = existsSync(join(ctx.outDir, 'results.csv')) ? readFileSync(join(ctx.outDir, 'results.csv'), 'utf8') : null;
      mkdirSync(ctx.figuresDir, { recursive: true });
      const file = join(ctx.figuresDir, `seed-${ctx.seed}.svg`);
      writeFileSync(file, `<svg><!-- seed ${ctx.seed}, ${rows.length} rows --></svg>`);
      return [file];
    },
  };
}

describe('the run lock', () => {
  it('refuses a second run into the same directory while the first runs, naming its pid and start time', async () => {
    const out = tmp();
    const { result: both } = await captured(() =>
      Promise.allSettled([
        runExperiment(toyExperiment, ['--out', out, ...ARGS], tmp()),
        runExperiment(toyExperiment, ['--out', out, ...ARGS], tmp()),
      ]),
    );
    if (both.status !== 'fulfilled') throw both.reason;
    const [first, second] = both.value;
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const error = (second as PromiseRejectedResult).reason as Error;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(
      new RegExp(`is in use by another run \\(toy \\(quick\\), pid ${process.pid} on this host, started \\d{4}-\\d\\d-\\d\\dT`),
    );
    // the first run's results are whole, and its lock is gone
    expect(verifyExperiment(toyExperiment, out).problems).toEqual([]);
    expect(existsSync(join(out, RUN_LOCK))).toBe(false);
  });

  it('refuses a run while another process holds the lock, whose file names its pid, host and start time', async () => {
    const out = tmp();
    const holder = await lockHolder(out);
    try {
      const owner = JSON.parse(readFileSync(join(out, RUN_LOCK), 'utf8'));
      expect(owner).toMatchObject({ pid: holder.pid, hostname: hostname(), what: 'holder' });
      expect(Date.parse(owner.startedAt)).toBeGreaterThan(Date.now() - 60_000);
      const { result } = await captured(() => runExperiment(toyExperiment, ['--out', out, ...ARGS], tmp()));
      expect(result.status).toBe('rejected');
      expect(String((result as PromiseRejectedResult).reason.message)).toContain(
        `pid ${holder.pid} on this host, started ${owner.startedAt}`,
      );
      expect(existsSync(join(out, 'summary.json'))).toBe(false);
    } finally {
      await holder.kill();
    }
  });

  it('reclaims the stale lock of a killed run with a log line, and runs', async () => {
    const out = tmp();
    const holder = await lockHolder(out);
    await holder.kill(); // like a run killed mid-way: its lock stays behind
    expect(existsSync(join(out, RUN_LOCK))).toBe(true);
    const { result, log } = await captured(() => runExperiment(toyExperiment, ['--out', out, ...ARGS], tmp()));
    expect(result.status).toBe('fulfilled');
    expect(log).toMatch(
      new RegExp(`reclaiming the stale lock .*\\.run\\.lock: holder, pid ${holder.pid} on this host, started .*, is no longer running`),
    );
    expect(existsSync(join(out, RUN_LOCK))).toBe(false);
    expect(verifyExperiment(toyExperiment, out).problems).toEqual([]);
  });

  it('lets shards of one sweep run side by side, but not beside a whole run', () => {
    const out = tmp();
    const a = acquireRunLock(out, { shard: { index: 0, count: 2 }, log: () => {} });
    const b = acquireRunLock(out, { shard: { index: 1, count: 2 }, log: () => {} });
    expect(() => acquireRunLock(out, { shard: { index: 1, count: 2 }, log: () => {} })).toThrow(
      /in use by another run .*it runs the same shard/,
    );
    expect(() => acquireRunLock(out, { log: () => {} })).toThrow(
      /a shard's run \(\.run-shard-0-of-2\.lock\) is still storing its arms here/,
    );
    a.release();
    b.release();
    const whole = acquireRunLock(out, { log: () => {} });
    expect(() => acquireRunLock(out, { shard: { index: 0, count: 2 }, log: () => {} })).toThrow(/a shard cannot run beside a whole run/);
    whole.release();
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('publishing a run', () => {
  it('draws the figures into a staging folder: the output directory keeps the previous run whole until the end', async () => {
    const out = tmp();
    await captured(() => runExperiment(withFigures(), ['--out', out, ...ARGS, '--seed', '1'], tmp()));
    const firstTable = readFileSync(join(out, 'results.csv'), 'utf8');
    expect(readdirSync(join(out, 'figures'))).toEqual(['seed-1.svg']);

    const seen: { outDir?: string[]; table?: string | null; figuresDir?: string } = {};
    const { result } = await captured(() => runExperiment(withFigures(seen), ['--out', out, ...ARGS, '--seed', '2'], tmp()));
    expect(result.status).toBe('fulfilled');
    // while the second run drew its figures, the directory held the first run's files, its own only in staging
    expect(seen.outDir).toEqual(['.run.lock', '.sweep', 'figures', 'results.csv', 'summary.json']);
    expect(seen.table).toBe(firstTable);
    expect(seen.figuresDir).toBe(join(out, STAGING_DIR, 'figures'));
    // afterwards: the second run's figures only (the first's replaced whole), its table and summary, nothing staged
    expect(readdirSync(out).sort()).toEqual(['figures', 'results.csv', 'summary.json']);
    expect(readdirSync(join(out, 'figures'))).toEqual(['seed-2.svg']);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.seeds).toEqual([2]);
    expect(summary.files.figures).toEqual(['figures/seed-2.svg']);
    expect(Object.keys(summary.integrity.files).sort()).toEqual(['figures/seed-2.svg', 'results.csv']);
    expect(verifyExperiment(toyExperiment, out).problems).toEqual([]);
  });

  it('moves the figures first, then results.csv, then summary.json', () => {
    const out = tmp();
    const staging = join(out, STAGING_DIR);
    mkdirSync(join(staging, 'figures'), { recursive: true });
    mkdirSync(join(out, 'figures'));
    writeFileSync(join(out, 'figures', 'old.svg'), 'old');
    for (const f of ['figures/new.svg', 'results.csv', 'summary.json']) writeFileSync(join(staging, f), f);
    expect(publishStaged(staging, out)).toEqual(['figures', 'results.csv', 'summary.json']);
    expect(readdirSync(out).sort()).toEqual(['figures', 'results.csv', 'summary.json']);
    expect(readdirSync(join(out, 'figures'))).toEqual(['new.svg']);
  });

  it('a run that fails while drawing its figures leaves the previous run untouched and nothing staged', async () => {
    const out = tmp();
    await captured(() => runExperiment(withFigures(), ['--out', out, ...ARGS, '--seed', '1'], tmp()));
    const before = ['results.csv', 'summary.json', 'figures/seed-1.svg'].map((f) => readFileSync(join(out, f), 'utf8'));
    const failing = { ...withFigures(), figures: async () => Promise.reject(new Error('plot failed')) };
    const { result } = await captured(() => runExperiment(failing, ['--out', out, ...ARGS, '--seed', '2'], tmp()));
    expect(result.status).toBe('rejected');
    expect(['results.csv', 'summary.json', 'figures/seed-1.svg'].map((f) => readFileSync(join(out, f), 'utf8'))).toEqual(before);
    // the arms it completed stay for --resume; no lock, nothing staged
    expect(readdirSync(out).sort()).toEqual(['.sweep', 'figures', 'results.csv', 'summary.json']);
  });

  it("verify reports one run's figures beside another run's table and summary", async () => {
    const a = tmp();
    const b = tmp();
    await captured(() => runExperiment(withFigures(), ['--out', a, ...ARGS, '--seed', '3', '--set', 'arms=4'], tmp()));
    await captured(() => runExperiment(withFigures(), ['--out', b, ...ARGS, '--seed', '3'], tmp()));
    // the same figure name, drawn from other rows: as if a run were killed after moving its figures only
    writeFileSync(join(b, 'figures', 'seed-3.svg'), readFileSync(join(a, 'figures', 'seed-3.svg')));
    expect(verifyExperiment(toyExperiment, b).problems).toEqual([
      'figures/seed-3.svg differs from the file the run wrote (its sha256 is not the one in summary.json)',
    ]);
  });
});
