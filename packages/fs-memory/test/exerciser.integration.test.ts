import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, withMount } from '@fusekit/test-harness';
import { startMemoryFs } from './cli-path.js';
import { withTmpfs } from './oracle.js';

const EXERCISER = fileURLToPath(new URL('./exerciser.py', import.meta.url));

describe('randomized exerciser against tmpfs', () => {
  it('agrees with tmpfs on every outcome and on the whole tree after each of thousands of mixed operations', async () => {
    await withMount((mp) => startMemoryFs(mp), async (mp) => {
      await withTmpfs(async (tmpfs) => {
        for (const seed of [1, 2, 3]) {
          const r = await run('/usr/bin/python3', [EXERCISER, `${mp}/${seed}`, `${tmpfs}/${seed}`, String(seed), '1000'], { timeoutMs: 150_000 });
          expect(r.stderr).toBe('');
          const summary = JSON.parse(r.stdout) as { steps?: number; ops?: Record<string, number> };
          expect(summary, r.stdout).toHaveProperty('steps', 1000);
          expect(Object.keys(summary.ops ?? {}).length).toBeGreaterThan(20);
          expect(r.code).toBe(0);
        }
      });
    }, { timeoutMs: 480_000 });
  }, 500_000);
});
