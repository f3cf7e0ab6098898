// fsx-style single-file torture against fusekit-passthrough over a tmpfs, in its cache modes:
// random reads, writes, shared maps, truncates, fallocates, copies, syncs and reopens (some
// O_DIRECT), through three opens in two processes, checked byte for byte against a model.
import { describe, expect, it } from 'vitest';
import { runFsx } from '@fusekit/posix-suite';
import { run, withMount } from '@fusekit/test-harness';
import { startPassthroughFs } from './cli-path.js';

// The third file starts 128 KiB below 4 GiB, where 32-bit offset arithmetic would break.
const RUNS = [{ seed: 1 }, { seed: 2 }, { seed: 3, base: 2 ** 32 - 128 * 1024 }];
const OPS = 20_000;

// What each mode may refuse: ZERO_RANGE, as the tmpfs below does. Shared maps work in every mode,
// direct_io opens (every open with --cache=never, O_DIRECT ones otherwise) included.
// Kernel passthrough is the default as root: --passthrough=off keeps the served data path covered.
const modes: [string[], string[]][] = [
  [[], ['zero_range']],
  [['--passthrough=off'], ['zero_range']],
  [['--cache=always', '--writeback'], ['zero_range']],
  [['--cache=never'], ['zero_range']],
];

describe('fsx against fusekit-passthrough', () => {
  for (const [args, unsupported] of modes) {
    it(`keeps every byte of files under ${OPS} random operations each (${args.join(' ') || 'defaults'})`, async () => {
      await withMount(
        (mp) => startPassthroughFs(mp, args),
        async (mp) => {
          // The runs go at once, on files of their own: the server sees their requests interleaved.
          const summaries = await Promise.all(RUNS.map((r) => runFsx(mp, { ...r, ops: OPS, timeoutMs: 60_000 })));
          for (const s of summaries) {
            expect(
              Object.keys(s.disabled).filter((op) => !unsupported.includes(op)),
              JSON.stringify(s),
            ).toEqual([]);
            expect(s.counts).toMatchObject({ punch_hole: expect.any(Number), copy_range: expect.any(Number) });
            expect(s.via.direct).toBeGreaterThan(0);
            expect(s.via.child).toBeGreaterThan(0);
          }
        },
        { timeoutMs: 90_000 },
      );
    }, 100_000);
  }

  // The first failure fsx found (fixed): with the writeback cache an O_DIRECT open was direct_io,
  // whose reads of a hole below data not yet written back ended at the host file's end.
  it('reads zeros through O_DIRECT from a hole below data another open has not written back (--writeback)', async () => {
    await withMount(
      (mp) => startPassthroughFs(mp, ['--writeback']),
      async (mp) => {
        const r = await run(
          '/usr/bin/python3',
          [
            '-c',
            `
import os, mmap
cached = os.open('${mp}/f', os.O_RDWR | os.O_CREAT, 0o644)
direct = os.open('${mp}/f', os.O_RDWR | os.O_DIRECT)
os.pwrite(cached, b'x', 8192)
buf = mmap.mmap(-1, 4096)
print(os.preadv(direct, [buf], 0), buf[:4096] == bytes(4096))
`,
          ],
          { timeoutMs: 20_000 },
        );
        expect(r.stderr).toBe('');
        expect(r.stdout.trim()).toBe('4096 True');
      },
      { timeoutMs: 30_000 },
    );
  }, 40_000);
});
