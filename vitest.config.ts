import { defineConfig } from 'vitest/config';

// One run over every package. Integration tests mount real filesystems, so they get generous
// timeouts and never run in parallel files that could starve each other on a 2-core machine.
export default defineConfig({
  resolve: { conditions: ['@fusekit/source'] },
  ssr: { resolve: { conditions: ['@fusekit/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default', './scripts/vitest-summary.ts'],
  },
});
