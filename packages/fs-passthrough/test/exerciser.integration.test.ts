// The randomized tree exerciser (shared with fs-memory) against fusekit-passthrough over a
// tmpfs: every outcome and the whole tree must match a second tmpfs after each step. Not with
// --writeback, where st_blocks lags until writeback (see the README's limits).
import { describe, expect, it } from 'vitest';
import { runExerciser } from '@fusekit/posix-suite';
import { withMount } from '@fusekit/test-harness';
import { makeTmpfs, startPassthroughFs } from './cli-path.js';

describe('randomized exerciser against tmpfs', () => {
  for (const [args, seeds] of [
    [[], [1, 2, 3]],
    [['--cache=always'], [4]],
  ] as const) {
    it(`agrees with tmpfs after each of thousands of mixed operations (${args.join(' ') || 'defaults'})`, async () => {
      const oracle = await makeTmpfs('fusekit-pt-oracle-');
      try {
        await withMount(
          (mp) => startPassthroughFs(mp, args),
          async (mp) => {
            for (const seed of seeds) {
              const r = await runExerciser(`${mp}/${seed}`, `${oracle.dir}/${seed}`, seed, 1000, 60_000);
              expect(r.stderr).toBe('');
              expect(r.summary, r.stdout).toHaveProperty('steps', 1000);
              expect(Object.keys(r.summary.ops ?? {}).length).toBeGreaterThan(20);
              expect(r.code).toBe(0);
            }
          },
          { timeoutMs: 120_000 },
        );
      } finally {
        await oracle.close();
      }
    }, 130_000);
  }
});
