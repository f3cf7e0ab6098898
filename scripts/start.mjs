#!/usr/bin/env node
// The README's main job: mount a filesystem at ./mnt, serve it in the foreground, unmount on Ctrl-C.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { FuseError, mount } from '@fusekit/lowlevel';

const mountpoint = resolve(process.argv[2] ?? 'mnt');
mkdirSync(mountpoint, { recursive: true });

const text = Buffer.from('Hello from fusekit!\n');
const root = { ino: 1, mode: 0o40755, nlink: 2 };
const file = { ino: 2, mode: 0o100444, nlink: 1, size: text.length };
const session = await mount(
  {
    lookup: (parent, name) => { if (parent === 1 && name === 'hello') return file; throw new FuseError('ENOENT'); },
    getattr: (ino) => (ino === 1 ? root : ino === 2 ? file : Promise.reject(new FuseError('ENOENT'))),
    read: (_ino, size, offset) => text.subarray(offset, offset + size),
    readdir: (_ino, offset, _fh, dir) => {
      const entries = [['.', root], ['..', root], ['hello', file]];
      for (let i = offset; i < entries.length && dir.add(entries[i][0], entries[i][1], i + 1); i++);
    },
  },
  mountpoint,
  { fsname: 'fusekit', subtype: 'fusekit-hello', autoUnmount: true },
);
console.log(`Mounted at ${mountpoint}. Try:\n  ls -l ${mountpoint}\n  cat ${mountpoint}/hello\nStop with Ctrl-C (or: fusermount3 -u ${mountpoint}).`);
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void session.close());
await session.closed;
console.log('Unmounted.');
