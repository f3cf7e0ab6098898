// The fuse-native peer of fusekit's low-level benchmark: npm `fuse-native` (libfuse 2's
// path-based API, one libfuse worker thread per request handing over to the JS thread).
// Serves what every peer serves: the root directory and one 1 GiB file `/data` whose byte at
// offset o is (o & 0xff), answered from memory, zero attr/entry timeouts, opened with direct_io.
//
// usage: node bench-fs.cjs <mountpoint>   (prints "ready" once mounted; SIGINT/SIGTERM
// or the end of stdin unmount)
'use strict';
const Fuse = require('fuse-native');

const FILE_SIZE = 2 ** 30;
const MAX_READ = 2 ** 20;
// The pattern repeats every 256 bytes, so any read is one slice of this buffer.
const pattern = Buffer.alloc(MAX_READ + 256);
for (let i = 0; i < pattern.length; i++) pattern[i] = i & 0xff;

const epoch = new Date(0);
const rootStat = { mode: 0o40755, nlink: 2, size: 0, uid: 0, gid: 0, mtime: epoch, atime: epoch, ctime: epoch };
const fileStat = { mode: 0o100444, nlink: 1, size: FILE_SIZE, uid: 0, gid: 0, mtime: epoch, atime: epoch, ctime: epoch };

const ops = {
  getattr(path, cb) {
    if (path === '/') return cb(0, rootStat);
    if (path === '/data') return cb(0, fileStat);
    return cb(Fuse.ENOENT);
  },
  readdir(path, cb) {
    if (path !== '/') return cb(Fuse.ENOTDIR);
    return cb(0, ['data'], [fileStat]);
  },
  open(path, flags, cb) {
    if (path !== '/data') return cb(Fuse.EISDIR);
    if ((flags & 3) !== 0) return cb(Fuse.EACCES);
    return cb(0, 42);
  },
  release(_path, _fd, cb) {
    cb(0);
  },
  read(_path, _fd, buf, len, pos, cb) {
    if (pos >= FILE_SIZE) return cb(0);
    const n = Math.min(len, FILE_SIZE - pos, MAX_READ);
    const start = pos & 0xff;
    // fuse-native hands over libfuse's buffer: the data must be copied into it.
    pattern.copy(buf, 0, start, start + n);
    return cb(n);
  },
};

// fuse-native has no option for direct_io, and drops timeouts of 0 (`if (opts.entryTimeout)`),
// so the libfuse 2 options are appended here (libfuse 2's defaults are 1 s).
class BenchFuse extends Fuse {
  _fuseOptions() {
    const extra = 'attr_timeout=0,entry_timeout=0,negative_timeout=0,direct_io';
    const base = super._fuseOptions();
    return base ? `${base},${extra}` : `-o${extra}`;
  }
}

const mountpoint = process.argv[2];
if (!mountpoint) {
  console.error('usage: node bench-fs.cjs <mountpoint>');
  process.exit(2);
}
// timeout: false — no per-request JS timer (fuse-native's default arms one per request).
const fuse = new BenchFuse(mountpoint, ops, {
  timeout: false,
  defaultPermissions: true,
  autoUnmount: true,
  fsname: 'fuse-native-bench',
});
fuse.mount((err) => {
  if (err) {
    console.error(`fuse-native: mount failed: ${err.message}`);
    process.exit(1);
  }
  console.log('ready');
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  const timer = setTimeout(() => process.exit(1), 5000);
  fuse.unmount(() => {
    clearTimeout(timer);
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// The bench keeps our stdin open: end of file means it is gone (maybe killed), so unmount.
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
