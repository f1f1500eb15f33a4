import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['libs/*/test/**/*.test.ts', 'experiments/*/test/**/*.test.ts', 'scripts/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    // Each test file loads its own tfjs backend; forks keep wasm/global state apart.
    pool: 'forks',
    // vitest's default (cores - 1) runs the files one at a time on a 2-core machine; two forks keep
    // both cores busy. Tests share nothing on disk but atomically written caches, and none is timed.
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
