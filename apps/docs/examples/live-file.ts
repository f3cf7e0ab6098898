// live-file.ts — a file whose content changes inside the filesystem process.
// The kernel may cache its attributes and pages for an hour (cheap reads);
// every change is pushed out with invalidateInode, so no reader sees stale data.
import { FuseError, mount, type Attr, type Session } from '@fusekit/lowlevel';

export async function mountLiveFile(mountpoint: string) {
  let content = Buffer.from('one\n');
  const root: Attr = { ino: 1, mode: 0o040755, nlink: 2 };
  const status = (): Attr => ({
    ino: 2,
    mode: 0o100444,
    nlink: 1,
    size: content.length,
    attrTimeout: 3600,
  });

  const session: Session = await mount(
    {
      lookup(parent, name) {
        if (parent !== 1 || name !== 'status') throw new FuseError('ENOENT');
        return { ...status(), entryTimeout: 3600 };
      },
      getattr: (ino) => (ino === 1 ? root : status()),
      // Keep cached pages across opens: they are invalidated when stale.
      open: () => ({ keepCache: true }),
      read: (_ino, size, offset) => content.subarray(offset, offset + size),
    },
    mountpoint,
  );

  /** Changes the file, then drops the kernel's cached pages and attributes. */
  async function update(text: string): Promise<void> {
    content = Buffer.from(text);
    try {
      await session.invalidateInode(2);
    } catch (error) {
      // ENOENT: the kernel had nothing cached for the inode; nothing to drop.
      if (!(error instanceof FuseError && error.code === 'ENOENT')) throw error;
    }
  }
  return { session, update };
}
