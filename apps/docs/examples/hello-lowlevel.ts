// hello-lowlevel.ts — one read-only file, served through the inode API.
// Run: node hello-lowlevel.js ./mnt   (then: cat ./mnt/hello; Ctrl-C)
import { FuseError, mount, type Attr } from '@fusekit/lowlevel';

const text = Buffer.from('Hello from fusekit!\n');
const root: Attr = { ino: 1, mode: 0o040755, nlink: 2 }; // inode 1: the root
const hello: Attr = { ino: 2, mode: 0o100444, nlink: 1, size: text.length };

const session = await mount(
  {
    lookup(parent, name) {
      if (parent === root.ino && name === 'hello') return hello;
      throw new FuseError('ENOENT');
    },
    getattr(ino) {
      if (ino === root.ino) return root;
      if (ino === hello.ino) return hello;
      throw new FuseError('ENOENT');
    },
    read: (_ino, size, offset) => text.subarray(offset, offset + size),
    readdir(_ino, offset, _fh, dir) {
      const entries = [
        ['.', root],
        ['..', root],
        ['hello', hello],
      ] as const;
      // Each entry says where to continue after it; stop when the reply is full.
      for (let i = offset; i < entries.length; i++) {
        if (!dir.add(entries[i]![0], entries[i]![1], i + 1)) break;
      }
    },
  },
  process.argv[2] ?? './mnt',
  { fsname: 'hello', subtype: 'hello', autoUnmount: true },
);
console.log(`mounted at ${session.mountpoint}; Ctrl-C to unmount`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void session.close());
}
await session.closed;
