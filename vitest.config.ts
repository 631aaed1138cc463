import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Test files share each worker process: ccxt, DuckDB and the sources load once per worker, not
    // once per file (the suite takes about half the time). Tests leave no global state behind them
    // (temp dirs, servers and venues are closed in their hooks).
    // Four workers on two cores: many tests wait on child processes, servers and timers, so two
    // workers left the cores idle ~60% of the time (suite 272 s with 2, 148 s with 4).
    poolOptions: { forks: { isolate: false, minForks: 4, maxForks: 4 } },
    globalSetup: ['./test/support/globalSetup.ts'],
    // Every test file runs with a guard that refuses any non-loopback connection or DNS lookup.
    setupFiles: ['./test/support/noInternet.ts'],
    // No test records into the user's runs database (~/.perp-arb/runs.sqlite); the runs tests give their own file.
    env: { PERP_ARB_RUNS_DB: 'off' },
    reporters: ['default', './test/support/countReporter.ts'],
  },
});
