// The small native helper: the system calls node:fs does not offer, and the host calls the pool
// flavour makes in node:fs's place, typed in one place. Every call runs on the helper's own
// threads (never libuv's thread pool: see native/host_pool.h) and rejects with an Error carrying
// `code`, `errno` and `syscall`, like node:fs, so its errors reach the kernel as the same errno;
// the calls of NativeHelper under `sync` run on the calling thread and answer -errno on failure
// instead (an Error costs more to build than most calls take).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAddon } from '@fusekit/lowlevel';

/** A path or name: a Buffer (exact bytes) or a string (UTF-8). */
type Bytes = Buffer | string;
/** A utimensat time: nanoseconds since the epoch, the current time, or unchanged. */
export type NativeTime = bigint | 'now' | 'omit';

export interface NativeHelper {
  /** open(2) with O_CLOEXEC, as fsuid/fsgid `uid`/`gid` (-1: the server's own); answers the fd. */
  open(path: Bytes, flags: number, mode: number, uid: number, gid: number): Promise<number>;
  /** mknod(2) as fsuid/fsgid `uid`/`gid`. */
  mknod(path: Bytes, mode: number, rdev: number, uid: number, gid: number): Promise<number>;
  /** mkdir(2) as fsuid/fsgid `uid`/`gid`. */
  mkdir(path: Bytes, mode: number, uid: number, gid: number): Promise<number>;
  /** symlink(2) as fsuid/fsgid `uid`/`gid`. */
  symlink(target: Bytes, path: Bytes, uid: number, gid: number): Promise<number>;
  /** renameat2(2) with RENAME_NOREPLACE / RENAME_EXCHANGE. */
  rename(from: Bytes, to: Bytes, flags: number): Promise<number>;
  /** utimensat(2) on a path (not following a final symlink) or futimens(2) on an fd. */
  utimens(pathOrFd: Bytes | number, atime: NativeTime, mtime: NativeTime): Promise<number>;
  /** lsetxattr(2). */
  setxattr(path: Bytes, name: Bytes, value: Buffer, flags: number): Promise<number>;
  /** lgetxattr(2): the value. */
  getxattr(path: Bytes, name: Bytes): Promise<Buffer>;
  /** llistxattr(2): the names, each followed by a NUL byte. */
  listxattr(path: Bytes): Promise<Buffer>;
  /** lremovexattr(2). */
  removexattr(path: Bytes, name: Bytes): Promise<number>;
  /** fallocate(2). */
  fallocate(fd: number, mode: number, offset: number, length: number): Promise<number>;
  /** lseek(2), for SEEK_DATA and SEEK_HOLE: the offset found. */
  lseek(fd: number, offset: number, whence: number): Promise<number>;
  /** copy_file_range(2) at explicit offsets: the bytes copied. */
  copyFileRange(fdIn: number, offsetIn: number, fdOut: number, offsetOut: number, length: number, flags: number): Promise<number>;
  /** Opens a host directory for {@link NativeHelper.list}: its fd. */
  dirOpen(path: Bytes): Promise<number>;
  /** Closes a directory of {@link NativeHelper.dirOpen}, once no listing of it runs. */
  dirClose(fd: number): Promise<void>;
  /**
   * The entries of a directory of {@link NativeHelper.dirOpen} from kernel offset `offset` (0, or
   * one this listing gave) that fit in `room` bytes of the kernel's reply, read with getdents64
   * (a batch kept between calls): `struct fuse_dirent` back to back, or with {@link LIST_PLUS}
   * readdirplus records (see listing.ts). Offsets are the host's cookies, or for cookies of
   * 2^52 and more (ext4's hashes) indexes into a table of the open directory. d_ino is the
   * host's with {@link LIST_USE_INO}, else 0xffffffff. Names in `hidden` (NUL-terminated, back
   * to back) are left out.
   */
  list(fd: number, offset: number, room: number, flags: number, hidden?: Buffer): Promise<Buffer>;
}

/** {@link NativeHelper.list} flags: readdirplus records with fstatat's attributes. */
export const LIST_PLUS = 1;
/** {@link NativeHelper.list} flags: the host's inode numbers. */
export const LIST_USE_INO = 2;

/** A helper call made synchronous: its value, or -errno on failure (a negative number). */
type Synchronous<T> = { [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R | number : never };

/**
 * The host calls the pool flavour makes here rather than through node:fs, whose asynchronous
 * calls borrow libuv's thread pool: a server that awaits node:fs calls on its own mount holds
 * those threads, and must not starve the calls that would answer them. (The synchronous flavour
 * keeps node:fs's synchronous calls.)
 */
interface PoolOnly {
  /**
   * lstat(2) of a path, or fstat(2) of an fd, as {@link SyncOnly.stat}'s 13 fields; null for a
   * path that does not exist.
   */
  stat(pathOrFd: Bytes | number): Promise<BigInt64Array | null>;
  /** statfs(2): type, bsize, blocks, bfree, bavail, files, ffree (node:fs's StatFs). */
  statfs(path: Bytes): Promise<BigInt64Array>;
  /** readlink(2): the target. */
  readlink(path: Bytes): Promise<Buffer>;
  access(path: Bytes, mode: number): Promise<void>;
  unlink(path: Bytes): Promise<void>;
  rmdir(path: Bytes): Promise<void>;
  link(from: Bytes, to: Bytes): Promise<void>;
  /** chmod(2), following a final symlink. */
  chmod(path: Bytes, mode: number): Promise<void>;
  fchmod(fd: number, mode: number): Promise<void>;
  lchown(path: Bytes, uid: number, gid: number): Promise<void>;
  fchown(fd: number, uid: number, gid: number): Promise<void>;
  truncate(path: Bytes, size: number): Promise<void>;
  ftruncate(fd: number, size: number): Promise<void>;
  close(fd: number): Promise<void>;
  /** pwrite(2) from `data` as it lies (not copied, kept alive until settled): the bytes written. */
  write(fd: number, data: Buffer, position: number): Promise<number>;
  /** fdatasync(2) if `datasync`, else fsync(2). */
  fsync(fd: number, datasync: boolean): Promise<void>;
}

// src/ and dist/ are both one level below the package root.
export const native = loadAddon<NativeHelper & PoolOnly & { sync: Synchronous<NativeHelper> & SyncOnly }>(
  dirname(dirname(fileURLToPath(import.meta.url))),
  '@fusekit/fs-passthrough',
);

/** Calls the helper makes only synchronously. */
interface SyncOnly {
  /**
   * lstat(2) of a path, or fstat(2) of an fd, into `out`: dev, ino, mode, nlink, uid, gid, rdev,
   * size, blksize, blocks, then atime, mtime and ctime in nanoseconds. 0, or -errno.
   */
  stat(pathOrFd: Bytes | number, out: BigInt64Array): number;
}
