// memory-library.ts — fs-memory as a library: a size-limited scratch
// filesystem inside your own program, on the lowlevel session it was made for.
import { mount, type Session } from '@fusekit/lowlevel';
import { MemoryFs } from '@fusekit/fs-memory';

export async function mountScratch(mountpoint: string) {
  const memory = new MemoryFs({
    size: 64 * 1024 * 1024, // ENOSPC beyond 64 MiB of file data
    inodes: 10_000, // and beyond 10,000 files
    mode: 0o1777, // a sticky, world-writable root, like /tmp
  });
  // mountOptions() adds what MemoryFs relies on (Buffer names,
  // default_permissions) to the options you give.
  const options = memory.mountOptions({ fsname: 'scratch', autoUnmount: true });
  const session: Session = await mount(memory.operations, mountpoint, options);
  return { session, memory };
}
