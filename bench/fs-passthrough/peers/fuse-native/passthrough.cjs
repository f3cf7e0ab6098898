// The fuse-native peer of bench/fs-passthrough: a passthrough over node:fs written the way a
// fuse-native user would (npm `fuse-native` 2.2.6, libfuse 2's path API, callbacks).
//
// usage: node passthrough.cjs <source> <mountpoint>   (SIGINT/SIGTERM or the end of stdin unmount)
'use strict';
const fs = require('node:fs');
const { constants } = require('node:os');
const Fuse = require('fuse-native');

const [source, mountpoint] = process.argv.slice(2);
if (!source || !mountpoint) {
  console.error('usage: node passthrough.cjs <source> <mountpoint>');
  process.exit(2);
}
const host = (path) => source + path;
// fuse-native wants negative errnos.
const errno = (error) => -(constants.errno[error?.code] ?? constants.errno.EIO);
const done = (cb) => (error) => cb(error ? errno(error) : 0);
const value = (cb) => (error, result) => (error ? cb(errno(error)) : cb(0, result));

const ops = {
  getattr: (path, cb) => fs.lstat(host(path), value(cb)),
  fgetattr: (_path, fd, cb) => fs.fstat(fd, value(cb)),
  readdir: (path, cb) => fs.readdir(host(path), value(cb)),
  readlink: (path, cb) => fs.readlink(host(path), value(cb)),
  open: (path, flags, cb) => fs.open(host(path), flags, value(cb)),
  create: (path, mode, cb) => fs.open(host(path), fs.constants.O_CREAT | fs.constants.O_RDWR, mode, value(cb)),
  read: (_path, fd, buf, len, pos, cb) => fs.read(fd, buf, 0, len, pos, (e, n) => cb(e ? errno(e) : n)),
  write: (_path, fd, buf, len, pos, cb) => fs.write(fd, buf, 0, len, pos, (e, n) => cb(e ? errno(e) : n)),
  release: (_path, fd, cb) => fs.close(fd, done(cb)),
  fsync: (_path, datasync, fd, cb) => (datasync ? fs.fdatasync : fs.fsync)(fd, done(cb)),
  truncate: (path, size, cb) => fs.truncate(host(path), size, done(cb)),
  ftruncate: (_path, fd, size, cb) => fs.ftruncate(fd, size, done(cb)),
  unlink: (path, cb) => fs.unlink(host(path), done(cb)),
  rmdir: (path, cb) => fs.rmdir(host(path), done(cb)),
  mkdir: (path, mode, cb) => fs.mkdir(host(path), mode, done(cb)),
  rename: (from, to, cb) => fs.rename(host(from), host(to), done(cb)),
  link: (from, to, cb) => fs.link(host(from), host(to), done(cb)),
  symlink: (target, path, cb) => fs.symlink(target, host(path), done(cb)),
  chmod: (path, mode, cb) => fs.chmod(host(path), mode, done(cb)),
  chown: (path, uid, gid, cb) => fs.lchown(host(path), uid, gid, done(cb)),
  utimens: (path, atime, mtime, cb) => fs.lutimes(host(path), new Date(atime), new Date(mtime), done(cb)),
  statfs: (path, cb) =>
    fs.statfs(host(path), (e, s) =>
      e
        ? cb(errno(e))
        : cb(0, {
            bsize: s.bsize,
            frsize: s.bsize,
            blocks: s.blocks,
            bfree: s.bfree,
            bavail: s.bavail,
            files: s.files,
            ffree: s.ffree,
            favail: s.ffree,
            fsid: 0,
            flag: 0,
            namemax: 255,
          }),
    ),
};

// libfuse 2 writes in 4 KiB requests unless asked for big_writes (128 KiB), which fuse-native
// has no option for: appended here to give it its best showing.
class PassthroughFuse extends Fuse {
  _fuseOptions() {
    const base = super._fuseOptions();
    return base ? `${base},big_writes` : '-obig_writes';
  }
}

// timeout: false — no per-request JS timer (fuse-native's default arms one per request).
const fuse = new PassthroughFuse(mountpoint, ops, { timeout: false, autoUnmount: true, fsname: 'ptbench-fuse-native' });
fuse.mount((error) => {
  if (error) {
    console.error(`fuse-native: mount failed: ${error.message}`);
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
