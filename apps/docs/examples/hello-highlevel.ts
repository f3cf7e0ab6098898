// hello-highlevel.ts — the same one-file filesystem, through the path API.
// Run: node hello-highlevel.js ./mnt   (then: cat ./mnt/hello; Ctrl-C)
import { FuseError, mount, type Attributes, type FileSystem } from '@fusekit/highlevel';

const text = Buffer.from('Hello from fusekit!\n');
const root: Attributes = { mode: 0o040755, nlink: 2 };
const hello: Attributes = { mode: 0o100444, nlink: 1, size: text.length };

const helloFs: FileSystem = {
  getattr(path) {
    if (path === '/') return root;
    if (path === '/hello') return hello;
    throw new FuseError('ENOENT');
  },
  readdir(path) {
    if (path !== '/') throw new FuseError('ENOTDIR');
    return ['hello']; // '.' and '..' are added, and offsets kept, for you
  },
  read: (_path, size, offset) => text.subarray(offset, offset + size),
};

const session = await mount(helloFs, process.argv[2] ?? './mnt', {
  fsname: 'hello',
  subtype: 'hello',
  autoUnmount: true,
});
console.log(`mounted at ${session.mountpoint}; Ctrl-C to unmount`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void session.close());
}
await session.closed;
