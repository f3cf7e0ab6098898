// Reads answered from a file descriptor (fuse_reply_data): from the page cache on the JS thread,
// and from a disk (cache dropped) on the session's data thread; the handler may close its fd
// as soon as it has answered.
import { randomBytes } from 'node:crypto';
import { open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sh, withMount } from '@fusekit/test-harness';
import { FuseError, mount } from '../src/index.js';

describe('fd-backed reads', () => {
  it('[op:read] answers from a file descriptor, cached or not, and survives the fd being closed', async () => {
    // Under the repository (a disk, not tmpfs), so dropping caches forces real reads.
    const backing = join(import.meta.dirname, '..', 'build', `fd-data-${process.pid}.bin`);
    const data = randomBytes(3 * 1024 * 1024 + 123);
    await writeFile(backing, data);
    try {
      await withMount(
        (mp) =>
          mount(
            {
              lookup: (_p, name) => {
                if (name !== 'f') throw new FuseError('ENOENT');
                return { ino: 2, mode: 0o100444, nlink: 1, size: data.length };
              },
              getattr: (ino) => (ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : { ino: 2, mode: 0o100444, nlink: 1, size: data.length }),
              read: async (_ino, size, offset) => {
                const handle = await open(backing, 'r');
                try {
                  return { fd: handle.fd, position: offset, size };
                } finally {
                  // Closed before the reply is written: the binding must not depend on it.
                  setImmediate(() => void handle.close());
                }
              },
            },
            mp,
          ),
        async (mp) => {
          const expected = (await sh(`sha256sum ${backing} | cut -d' ' -f1`)).trim();
          await sh(`dd if=${backing} iflag=nocache count=0 status=none`);
          expect((await sh(`sha256sum ${mp}/f | cut -d' ' -f1`)).trim()).toBe(expected);
          await sh(`dd if=${mp}/f iflag=nocache count=0 status=none; cat ${backing} > /dev/null`);
          expect((await sh(`dd if=${mp}/f bs=1M iflag=direct status=none | sha256sum | cut -d' ' -f1`)).trim()).toBe(expected);
        },
      );
    } finally {
      await rm(backing, { force: true });
    }
  });

  it('[op:read] reads a file the handler says is in memory at once, to its end', async () => {
    const backing = `/dev/shm/fusekit-fd-data-${process.pid}.bin`; // tmpfs
    const data = randomBytes(1024 * 1024 + 4321);
    await writeFile(backing, data);
    const handle = await open(backing, 'r');
    try {
      const size = data.length;
      await withMount(
        (mp) =>
          mount(
            {
              lookup: (_p, name) => {
                if (name !== 'f') throw new FuseError('ENOENT');
                return { ino: 2, mode: 0o100444, nlink: 1, size };
              },
              getattr: (ino) => (ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : { ino: 2, mode: 0o100444, nlink: 1, size }),
              read: (_ino, want, offset) => ({ fd: handle.fd, position: offset, size: want, inMemory: true }),
            },
            mp,
          ),
        async (mp) => {
          const expected = (await sh(`sha256sum ${backing} | cut -d' ' -f1`)).trim();
          expect((await sh(`sha256sum ${mp}/f | cut -d' ' -f1`)).trim()).toBe(expected);
          // Direct reads of 64 KiB: the last one is short, at the end of the file.
          expect((await sh(`dd if=${mp}/f bs=64K iflag=direct status=none | sha256sum | cut -d' ' -f1`)).trim()).toBe(expected);
        },
      );
    } finally {
      await handle.close();
      await rm(backing, { force: true });
    }
  });
});
