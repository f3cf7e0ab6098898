// bmap is only asked for on fuseblk mounts (a filesystem backed by a block device), so this
// test mounts over a loop device, as root.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sh, withMount } from '@fusekit/test-harness';
import { mount } from '../src/index.js';
import { MemFs } from './fixtures/memfs.js';
import { py } from './helpers.js';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('fuseblk', () => {
  it('[op:bmap] maps file blocks to device blocks (FIBMAP)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fusekit-blk-'));
    const image = join(dir, 'image');
    await writeFile(image, Buffer.alloc(1 << 20));
    const device = (await sh(`losetup -f --show ${image}`)).trim();
    try {
      const fs = new MemFs();
      await withMount(
        (mp) => mount(fs, mp, { options: ['blkdev', `fsname=${device}`, 'blksize=4096'] }),
        async (mp) => {
          expect(await sh(`findmnt -no FSTYPE ${mp}`)).toBe('fuseblk\n');
          const out = await py(`
import fcntl, os, struct
f = "${mp}/file"
open(f, "wb").write(b"x" * 20000)
fd = os.open(f, os.O_RDONLY)
print(struct.unpack("i", fcntl.ioctl(fd, 1, struct.pack("i", 3)))[0])`);
          expect(out).toBe('6');
        },
      );
    } finally {
      await sh(`losetup -d ${device}`);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
