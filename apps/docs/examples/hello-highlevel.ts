// hello-highlevel.ts — the same one-file filesystem, written against the path API.
import { FuseError, type Attributes, type FileSystem } from '@fusekit/highlevel';

const text = Buffer.from('Hello from fusekit!\n');
const root: Attributes = { mode: 0o040755, nlink: 2 };
const hello: Attributes = { mode: 0o100444, nlink: 1, size: text.length };

export const helloFs: FileSystem = {
  getattr(path) {
    if (path === '/') return root;
    if (path === '/hello') return hello;
    throw new FuseError('ENOENT');
  },
  readdir(path) {
    if (path !== '/') throw new FuseError('ENOTDIR');
    return ['hello']; // '.' and '..' are added for you; offsets are handled for you
  },
  read: (_path, size, offset) => text.subarray(offset, offset + size),
};
