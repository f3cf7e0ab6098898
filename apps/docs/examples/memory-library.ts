// memory-library.ts — fs-memory as a library: a size-limited scratch filesystem inside your own
// program, mounted with the lowlevel session it was written for.
import { mount, type Session } from '@fusekit/lowlevel';
import { MemoryFs } from '@fusekit/fs-memory';

export async function mountScratch(mountpoint: string): Promise<{ session: Session; memory: MemoryFs }> {
  const memory = new MemoryFs({
    size: 64 * 1024 * 1024, // ENOSPC beyond 64 MiB of file data
    inodes: 10_000, // and beyond 10,000 files
    mode: 0o1777, // a sticky, world-writable root, like /tmp
  });
  // mountOptions() adds what MemoryFs relies on (names as Buffers, default_permissions).
  const session = await mount(memory.operations, mountpoint, memory.mountOptions({ fsname: 'scratch', autoUnmount: true }));
  return { session, memory };
}
