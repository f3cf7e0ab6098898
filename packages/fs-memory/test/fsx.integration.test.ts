// fsx-style single-file torture against fusekit-memory, with and without the writeback cache:
// random reads, writes, shared maps, truncates, fallocates, copies, syncs and reopens (some
// O_DIRECT), through three opens in two processes, checked byte for byte against a model.
import { describe, expect, it } from 'vitest';
import { runFsx } from '@fusekit/posix-suite';
import { withMount } from '@fusekit/test-harness';
import { startMemoryFs } from './cli-path.js';

// The third file starts 128 KiB below 4 GiB, where 32-bit offset arithmetic would break.
const RUNS = [{ seed: 1 }, { seed: 2 }, { seed: 3, base: 2 ** 32 - 128 * 1024 }];
const OPS = 20_000;
// tmpfs refuses FALLOC_FL_ZERO_RANGE too: so may we.
const UNSUPPORTED = ['zero_range'];

describe('fsx against fusekit-memory', () => {
  for (const args of [[], ['-o', 'writeback']]) {
    it(`keeps every byte of files under ${OPS} random operations each (${args.join(' ') || 'defaults'})`, async () => {
      await withMount(
        (mp) => startMemoryFs(mp, args),
        async (mp) => {
          // The runs go at once, on files of their own: the server sees their requests interleaved.
          const summaries = await Promise.all(RUNS.map((r) => runFsx(mp, { ...r, ops: OPS, timeoutMs: 60_000 })));
          for (const s of summaries) {
            expect(
              Object.keys(s.disabled).filter((op) => !UNSUPPORTED.includes(op)),
              JSON.stringify(s),
            ).toEqual([]);
            expect(s.counts).toMatchObject({
              mapread: expect.any(Number),
              mapwrite: expect.any(Number),
              punch_hole: expect.any(Number),
              copy_range: expect.any(Number),
            });
            expect(s.via.direct).toBeGreaterThan(0);
            expect(s.via.child).toBeGreaterThan(0);
          }
        },
        { timeoutMs: 90_000 },
      );
    }, 100_000);
  }
});
