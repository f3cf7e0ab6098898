import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One run over every package. Integration tests mount real filesystems, so they get generous
// timeouts and never run in parallel files that could starve each other on a 2-core machine.
export default defineConfig({
  // Tests import the packages' sources, as tsconfig.base.json's paths do; the packages' exports
  // name only dist/, which is what users get.
  resolve: {
    alias: [{ find: /^@fusekit\/([a-z-]+)$/, replacement: fileURLToPath(new URL('packages/$1/src/index.ts', import.meta.url)) }],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default', './scripts/vitest-summary.ts'],
  },
});
