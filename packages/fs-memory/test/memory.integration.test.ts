// Memory comes back: after 100,000 files are created and deleted, the kernel forgets their
// inodes, fusekit-memory frees them, and the server's resident memory returns near its start.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sh, withMount } from '@fusekit/test-harness';
import { startMemoryFs } from './cli-path.js';

const rssKiB = async (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]);
const inodesUsed = async (mp: string) => {
  const [files = 0, free = 0] = (await sh(`stat -f -c '%c %d' "${mp}"`)).trim().split(' ').map(Number);
  return files - free;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const churn = (mp: string, count: number) =>
  sh(
    `/usr/bin/python3 -c '
import os
for d in range(10):
    os.mkdir("${mp}/d%d" % d)
    for i in range(${count / 10}):
        os.close(os.open("${mp}/d%d/file-with-a-longish-name-%06d" % (d, i), os.O_CREAT | os.O_WRONLY, 0o644))
' && rm -rf "${mp}"/d*`,
    { timeoutMs: 170_000 },
  );

describe('memory use', () => {
  it('returns close to its starting point after creating and deleting 100,000 files', async () => {
    await withMount(
      (mp) => startMemoryFs(mp),
      async (mp, fs) => {
        const pid = fs.child.pid!;
        await churn(mp, 10_000); // warm up: code paths compiled, heap grown once
        await sleep(1000);
        const before = await rssKiB(pid);
        const inodesBefore = await inodesUsed(mp);

        let peak = before;
        const sampler = setInterval(
          () =>
            void rssKiB(pid).then(
              (v) => {
                peak = Math.max(peak, v);
              },
              () => undefined,
            ),
          100,
        );
        await sh(
          `/usr/bin/python3 -c '
import os
for d in range(10):
    os.mkdir("${mp}/d%d" % d)
    for i in range(10000):
        os.close(os.open("${mp}/d%d/file-with-a-longish-name-%06d" % (d, i), os.O_CREAT | os.O_WRONLY, 0o644))
'`,
          { timeoutMs: 170_000 },
        );
        expect(await inodesUsed(mp)).toBe(inodesBefore + 100_010);
        await sh(`rm -rf "${mp}"/d*`, { timeoutMs: 170_000 });
        clearInterval(sampler);

        // Unlinked inodes are freed when the kernel forgets them; statfs counts what is held.
        expect(await inodesUsed(mp)).toBe(inodesBefore);
        // The heap shrinks after V8's next collections: give it a few seconds.
        let after = await rssKiB(pid);
        for (let i = 0; i < 40 && after - before > 0.35 * (peak - before); i++) {
          await sleep(250);
          after = await rssKiB(pid);
        }
        console.log(`fusekit-memory RSS: before ${before} KiB, peak ${peak} KiB, after ${after} KiB`);
        expect(peak - before).toBeGreaterThan(10_000); // the files did cost memory while they lived
        expect(after - before).toBeLessThan(0.35 * (peak - before));
      },
      { timeoutMs: 200_000 },
    );
  }, 220_000);

  it('returns close to its starting point after writing and deleting a 256 MiB file', async () => {
    await withMount(
      (mp) => startMemoryFs(mp),
      async (mp, fs) => {
        const pid = fs.child.pid!;
        await sh(`head -c 16M /dev/urandom > ${mp}/warm && rm ${mp}/warm`); // the write path warmed up
        await sleep(1000);
        const before = await rssKiB(pid);
        await sh(`head -c 256M /dev/urandom > ${mp}/big`, { timeoutMs: 60_000 });
        const peak = await rssKiB(pid);
        await sh(`rm ${mp}/big`);
        // Nothing else happens: only the filesystem's own reclaim makes V8 let the data go.
        let after = peak;
        for (let i = 0; i < 80 && after - before > 0.2 * (peak - before); i++) {
          await sleep(250);
          after = await rssKiB(pid);
        }
        console.log(`fusekit-memory RSS: before ${before} KiB, with the file ${peak} KiB, after ${after} KiB`);
        expect(peak - before).toBeGreaterThan(200 * 1024);
        expect(after - before).toBeLessThan(0.2 * (peak - before));
      },
      { timeoutMs: 100_000 },
    );
  }, 120_000);
});
