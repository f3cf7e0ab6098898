// Which lowlevel handlers a path-based FileSystem gets, and the Dispatcher method each calls: the
// bookkeeping ones always (lookup, forget, open, release …), the others only for what the
// FileSystem implements, so the kernel gets ENOSYS (and stops asking) for the rest.
import type { Name, Operations, Result } from '@fusekit/lowlevel';
import type { Dispatcher } from './dispatch.js';
import type { FileSystem, PathLike } from './filesystem.js';
import type { Names } from './names.js';

export function lowlevelOperations<P extends PathLike>(
  d: Dispatcher<P>,
  fs: FileSystem<unknown, unknown, P>,
  names: Names<P>,
  readdirplus: boolean,
): Operations {
  const ops: Operations = {
    init: (conn) => d.init(conn),
    destroy: () => d.destroy(),
    lookup: (parent, name, ctx) => d.lookup(parent, name, ctx),
    forget: (ino, n) => d.table.forget(ino, n),
    getattr: (ino, fh, ctx) => d.getattr(ino, fh, ctx),
    open: (ino, flags, ctx) => d.open(ino, flags, ctx),
    release: (_ino, fh, flags, owner, ctx) => d.fileOps.release(fh, flags, owner, ctx),
    opendir: (ino, flags, ctx) => d.opendir(ino, flags, ctx),
    releasedir: (_ino, fh, ctx) => d.fileOps.releasedir(fh, ctx),
  };
  if (fs.chmod || fs.chown || fs.truncate || fs.utimens) ops.setattr = (ino, changes, fh, ctx) => d.setattr(ino, changes, fh, ctx);
  // Birth times come with getattr's answer (statx); ENOSYS once one comes without.
  if (fs.getattr) ops.statx = (ino, _flags, _mask, fh, ctx) => d.statx(ino, fh, ctx);
  if (fs.tmpfile) ops.tmpfile = (parent, mode, flags, ctx) => d.tmpfile(parent, mode, flags, ctx);
  if (fs.readlink) ops.readlink = (ino, ctx) => d.readlink(ino, ctx);
  if (fs.mknod) ops.mknod = (parent, name, mode, rdev, ctx) => d.mknod(parent, name, mode, rdev, ctx);
  if (fs.mkdir) ops.mkdir = (parent, name, mode, ctx) => d.mkdir(parent, name, mode, ctx);
  if (fs.unlink) ops.unlink = (parent, name, ctx) => d.unlink(parent, name, ctx);
  if (fs.rmdir) ops.rmdir = (parent, name, ctx) => d.rmdir(parent, name, ctx);
  if (fs.symlink) ops.symlink = (target, parent, name, ctx) => d.symlink(target, parent, name, ctx);
  if (fs.rename) ops.rename = (p, n, np, nn, flags, ctx) => d.rename(p, n, np, nn, flags, ctx);
  if (fs.link) ops.link = (ino, np, nn, ctx) => d.link(ino, np, nn, ctx);
  if (fs.create) ops.create = (parent, name, mode, flags, ctx) => d.create(parent, name, mode, flags, ctx);
  if (fs.read) ops.read = (_ino, size, off, fh, _flags, ctx) => d.fileOps.read(fh, size, off, ctx);
  if (fs.write) ops.write = (_ino, data, off, fh, _flags, _wp, ctx) => d.fileOps.write(fh, data, off, ctx);
  if (fs.flush || fs.lock) ops.flush = (_ino, fh, owner, ctx) => d.fileOps.flush(fh, owner, ctx);
  if (fs.fsync) ops.fsync = (_ino, datasync, fh, ctx) => d.fileOps.fsync(fh, datasync, ctx);
  if (fs.readdir || fs.readdirEncoded) {
    ops.readdir = (_ino, off, fh, dir, ctx) => d.readdir(off, fh, dir, false, ctx);
    if (readdirplus) ops.readdirplus = (_ino, off, fh, dir, ctx) => d.readdir(off, fh, dir, true, ctx);
  }
  if (fs.fsyncdir) ops.fsyncdir = (_ino, datasync, fh, ctx) => d.fileOps.fsyncdir(fh, datasync, ctx);
  if (fs.statfs) ops.statfs = (ino, ctx) => d.statfs(ino, ctx);
  if (fs.setxattr)
    ops.setxattr = (ino, name, value, flags, ctx) => d.onPath(ctx, ino, (p) => fs.setxattr!(p, names.coerce(name), value, flags, ctx));
  if (fs.getxattr) ops.getxattr = (ino, name, ctx) => d.onPath(ctx, ino, (p) => fs.getxattr!(p, names.coerce(name), ctx));
  if (fs.listxattr) ops.listxattr = (ino, ctx) => d.onPath(ctx, ino, (p) => fs.listxattr!(p, ctx) as Result<Name[]>);
  if (fs.removexattr) ops.removexattr = (ino, name, ctx) => d.onPath(ctx, ino, (p) => fs.removexattr!(p, names.coerce(name), ctx));
  if (fs.access) ops.access = (ino, mask, ctx) => d.onPath(ctx, ino, (p) => fs.access!(p, mask, ctx));
  if (fs.bmap) ops.bmap = (ino, blocksize, index, ctx) => d.onPath(ctx, ino, (p) => fs.bmap!(p, blocksize, index, ctx));
  if (fs.lock) {
    ops.getlk = (_ino, fh, owner, lock, ctx) => d.fileOps.getlk(fh, owner, lock, ctx);
    ops.setlk = (_ino, fh, owner, lock, sleep, ctx) => d.fileOps.setlk(fh, owner, lock, sleep, ctx);
  }
  if (fs.flock) ops.flock = (_ino, fh, owner, op, ctx) => d.fileOps.flock(fh, owner, op, ctx);
  if (fs.fallocate)
    ops.fallocate = (_ino, mode, off, len, fh, ctx) => d.fileOps.onFile(ctx, fh, (p, h) => fs.fallocate!(p, mode, off, len, h, ctx));
  if (fs.lseek) ops.lseek = (_ino, off, whence, fh, ctx) => d.fileOps.onFile(ctx, fh, (p, h) => fs.lseek!(p, off, whence, h, ctx));
  if (fs.ioctl)
    ops.ioctl = ({ fh, cmd, arg, flags, inBuf, outBufsz }, ctx) =>
      d.fileOps.onFile(ctx, fh, (path, handle) => fs.ioctl!({ path, handle, cmd, arg, flags, inBuf, outBufsz }, ctx));
  if (fs.poll) ops.poll = (_ino, fh, events, ph, ctx) => d.fileOps.poll(fh, events, ph, ctx);
  if (fs.copyFileRange) ops.copyFileRange = (request, ctx) => d.fileOps.copyFileRange(request, ctx);
  return ops;
}
