// memory-library.ts — fs-memory as a library: a size-limited scratch
// filesystem inside your own program, on the lowlevel session it was made for.
import type { Session } from '@fusekit/lowlevel';
import { MemoryFs } from '@fusekit/fs-memory';

export async function mountScratch(mountpoint: string) {
  const memory = new MemoryFs({
    size: 64 * 1024 * 1024, // ENOSPC beyond 64 MiB of file data
    inodes: 10_000, // and beyond 10,000 files
    mode: 0o1777, // a sticky, world-writable root, like /tmp
  });
  // mount() adds what MemoryFs relies on (Buffer names,
  // default_permissions) to the options you give.
  const session: Session = await memory.mount(mountpoint, { fsname: 'scratch', autoUnmount: true });
  return { session, memory };
}
