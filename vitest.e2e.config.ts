import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['scripts/e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
  },
});
