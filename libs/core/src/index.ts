// The experiment harness: run options and context, seeded randomness, sweeps and workers,
// claims and verdicts, results and provenance, staleness. The compute side is @claimlab/backend.
export * from './rng.ts';
export * from './atomic.ts';
export * from './run-context.ts';
export * from './provenance.ts';
export * from './claims.ts';
export * from './progress.ts';
export * from './results.ts';
export * from './experiment.ts';
export * from './parallel.ts';
export * from './sweep.ts';
export * from './staleness.ts';
export * from './run-lock.ts';
export * from './integrity.ts';
export { cliMain, CLI } from './commands.ts';
export * from './config-problems.ts';
export * from './outcomes.ts';
export * from './bootstrap.ts';
export * from './data-record.ts';
