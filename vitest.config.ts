import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['./test/support/globalSetup.ts'],
    // Every test file runs with a guard that refuses any non-loopback connection or DNS lookup.
    setupFiles: ['./test/support/noInternet.ts'],
    reporters: ['default', './test/support/countReporter.ts'],
  },
});
