// The fusekit peer of the low-level benchmark: @fusekit/lowlevel (the built package, dist/).
// Serves what every peer serves: the root directory and one 1 GiB file `data` whose byte at
// offset o is (o & 0xff), answered from memory, zero attr/entry timeouts, opened with direct_io.
//
// usage: node bench-fs.mjs <mountpoint>   (prints "ready" once mounted; SIGINT/SIGTERM
// or the end of stdin unmount)
import { FuseError, mount } from '@fusekit/lowlevel';

const FILE_SIZE = 2 ** 30;
const MAX_READ = 2 ** 20;
// The pattern repeats every 256 bytes, so any read is one slice of this buffer.
const pattern = Buffer.alloc(MAX_READ + 256);
for (let i = 0; i < pattern.length; i++) pattern[i] = i & 0xff;

const root = { ino: 1, mode: 0o40755, nlink: 2 };
const file = { ino: 2, mode: 0o100444, nlink: 1, size: FILE_SIZE };

/** @type {import('@fusekit/lowlevel').Operations} */
const ops = {
  lookup(parent, name) {
    if (parent === 1 && name === 'data') return file;
    throw new FuseError('ENOENT');
  },
  getattr(ino) {
    if (ino === 1) return root;
    if (ino === 2) return file;
    throw new FuseError('ENOENT');
  },
  readdir(ino, offset, _fh, dir) {
    if (ino !== 1) throw new FuseError('ENOTDIR');
    const entries = [
      ['.', root],
      ['..', root],
      ['data', file],
    ];
    for (let i = offset; i < entries.length; i++) {
      if (!dir.add(entries[i][0], entries[i][1], i + 1)) break;
    }
  },
  open(ino, flags) {
    if (ino !== 2) throw new FuseError('EISDIR');
    if ((flags & 3) !== 0) throw new FuseError('EACCES');
    return { directIo: true };
  },
  read(_ino, size, offset) {
    if (offset >= FILE_SIZE) return pattern.subarray(0, 0);
    const n = Math.min(size, FILE_SIZE - offset, MAX_READ);
    const start = offset & 0xff;
    return pattern.subarray(start, start + n);
  },
};

const mountpoint = process.argv[2];
if (!mountpoint) {
  console.error('usage: node bench-fs.mjs <mountpoint>');
  process.exit(2);
}
const session = await mount(ops, mountpoint, {
  attrTimeout: 0,
  entryTimeout: 0,
  autoUnmount: true,
  fsname: 'fusekit-bench',
});
console.log('ready');

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 5000).unref();
  session.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// The bench keeps our stdin open: end of file means it is gone (maybe killed), so unmount.
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
await session.closed;
process.exit(0);
