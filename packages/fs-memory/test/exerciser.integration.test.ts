import { describe, expect, it } from 'vitest';
import { runExerciser } from '@fusekit/posix-suite';
import { withMount } from '@fusekit/test-harness';
import { startMemoryFs } from './cli-path.js';
import { withTmpfs } from './oracle.js';

describe('randomized exerciser against tmpfs', () => {
  it('agrees with tmpfs on every outcome and on the whole tree after each of thousands of mixed operations', async () => {
    await withMount(
      (mp) => startMemoryFs(mp),
      async (mp) => {
        await withTmpfs(async (tmpfs) => {
          for (const seed of [1, 2, 3]) {
            const r = await runExerciser(`${mp}/${seed}`, `${tmpfs}/${seed}`, seed, 1000);
            expect(r.stderr).toBe('');
            expect(r.summary, r.stdout).toHaveProperty('steps', 1000);
            expect(Object.keys(r.summary.ops ?? {}).length).toBeGreaterThan(20);
            expect(r.code).toBe(0);
          }
        });
      },
      { timeoutMs: 480_000 },
    );
  }, 500_000);
});
