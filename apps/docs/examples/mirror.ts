// mirror.ts — a read-only mirror of a host directory on the path API.
// node:fs results are returned as they are, and node:fs errors (ENOENT,
// EACCES …) answer the kernel as they are.
import { lstat, open, readdir, readlink, statfs } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { FuseError, opened, type FileSystem } from '@fusekit/highlevel';

export function createMirror(source: string): FileSystem<FileHandle> {
  const host = (path: string) => join(source, path);
  return {
    getattr: (path, handle) => (handle ? handle.stat({ bigint: true }) : lstat(host(path!), { bigint: true })),
    readlink: (path) => readlink(host(path)),
    readdir: (path) => readdir(host(path!)),
    statfs: (path) => statfs(host(path), { bigint: true }),
    async open(path, flags) {
      if ((flags & 3) !== 0) throw new FuseError('EROFS'); // O_WRONLY, O_RDWR
      // Any value can be the handle; opened() adds open flags when needed.
      return opened(await open(host(path), 'r'));
    },
    async read(_path, size, offset, handle) {
      const buffer = Buffer.alloc(size);
      const { bytesRead } = await handle.read(buffer, 0, size, offset);
      return buffer.subarray(0, bytesRead);
    },
    release: (_path, _flags, handle) => handle.close(),
  };
}
