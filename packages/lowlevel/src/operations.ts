import type { RequestContext } from './request.js';
import type {
  Attr,
  ConnectionInfo,
  CopyFileRangeRequest,
  CreateReply,
  Entry,
  IoctlReply,
  IoctlRequest,
  IoctlRetry,
  Lock,
  Name,
  OpenReply,
  ReadReply,
  SetAttr,
  Statfs,
  Statx,
} from './types.js';
import type { DirectoryReply, PollHandle } from './replies.js';

/** What a handler returns: the value, or a promise of it. */
export type Result<T> = T | Promise<T>;

/**
 * The handlers of a low-level filesystem: one per member of libfuse's `struct fuse_lowlevel_ops`,
 * with libfuse's names in camelCase. Implement only what your filesystem supports: a missing
 * handler is not registered, so the kernel gets ENOSYS (and, for some operations, stops asking)
 * or libfuse's default answer (open, opendir, release, releasedir, flush succeed).
 *
 * A handler answers by returning (or resolving) and fails by throwing `new FuseError('ENOENT')`;
 * an error with a Node `code` (as `node:fs` throws) answers that errno; anything else answers EIO
 * and is reported to the session's logger. Handlers may be async; many run concurrently.
 *
 * Lookup counts: every successful reply that carries an entry (lookup, mknod, mkdir, symlink,
 * link, create, and each readdirplus entry other than `.` and `..`) increments the inode's lookup
 * count by one; {@link Operations.forget} decrements it. An inode must stay valid until its count
 * is zero, even after it was unlinked. When the kernel refuses such a reply (the request was
 * interrupted meanwhile), the binding undoes it as libfuse's `fuse.c` does: it calls `forget`
 * for the entry and `release`/`releasedir` for an open or create, so counts stay balanced.
 */
export interface Operations {
  /**
   * Called once when the kernel connects, before any other request. Sees the kernel's
   * capabilities and may change what the session asks for (`conn.want`, `maxWrite` …).
   * Must be synchronous: the kernel's INIT is answered as soon as it returns.
   */
  init?(conn: ConnectionInfo): void;
  /** Called once when the session ends (unmount or close). Synchronous. */
  destroy?(): void;

  /**
   * Look up a directory entry by name. Valid replies: an {@link Entry} (increments the lookup
   * count), or an error. An entry with `ino: 0` caches the name's absence for `entryTimeout`.
   */
  lookup?(parent: number, name: Name, ctx: RequestContext): Result<Entry>;
  /**
   * The kernel drops `nlookup` references to an inode (both FORGET and BATCH_FORGET end here).
   * No reply is sent. When the count reaches zero the inode may be freed; on unmount the kernel
   * may not send forgets for all inodes.
   */
  forget?(ino: number, nlookup: number): Result<void>;
  /** Get file attributes. `fh` is set when the kernel asks for an open file (fstat). Valid replies: attributes, error. */
  getattr?(ino: number, fh: number | undefined, ctx: RequestContext): Result<Attr>;
  /**
   * Set file attributes: only the fields present in `changes` are to be set (chmod, chown,
   * truncate, utimens). `fh` is set for ftruncate/futimens. Valid replies: the new attributes, error.
   */
  setattr?(ino: number, changes: SetAttr, fh: number | undefined, ctx: RequestContext): Result<Attr>;
  /** Read a symbolic link. Valid replies: the target, error. */
  readlink?(ino: number, ctx: RequestContext): Result<Name>;
  /** Create a file node (regular, device, fifo, socket). Valid replies: entry (lookup count +1), error. */
  mknod?(parent: number, name: Name, mode: number, rdev: number, ctx: RequestContext): Result<Entry>;
  /** Create a directory. `mode` lacks the type bits. Valid replies: entry (lookup count +1), error. */
  mkdir?(parent: number, name: Name, mode: number, ctx: RequestContext): Result<Entry>;
  /** Remove a file. If its lookup count is not zero, the inode lives on until forget. Valid replies: none (return), error. */
  unlink?(parent: number, name: Name, ctx: RequestContext): Result<void>;
  /** Remove an empty directory (lookup counts as for unlink). Valid replies: none (return), error. */
  rmdir?(parent: number, name: Name, ctx: RequestContext): Result<void>;
  /** Create a symbolic link `name` → `target`. Valid replies: entry (lookup count +1), error. */
  symlink?(target: Name, parent: number, name: Name, ctx: RequestContext): Result<Entry>;
  /**
   * Rename an entry. An existing target is replaced atomically (its lookup count behaves as for
   * unlink). `flags`: `RENAME_NOREPLACE` (fail with EEXIST if the target exists) or
   * `RENAME_EXCHANGE` (swap both atomically); answer EINVAL for flags you do not support.
   */
  rename?(parent: number, name: Name, newParent: number, newName: Name, flags: number, ctx: RequestContext): Result<void>;
  /** Create a hard link. Valid replies: entry (lookup count +1), error. */
  link?(ino: number, newParent: number, newName: Name, ctx: RequestContext): Result<Entry>;
  /**
   * Open a file. `flags` are open(2)'s (O_CREAT, O_EXCL, O_NOCTTY are filtered out; O_TRUNC is
   * passed when atomic_o_trunc is wanted, as by default). Valid replies: {@link OpenReply} (or
   * nothing: fh 0), error.
   */
  open?(ino: number, flags: number, ctx: RequestContext): Result<OpenReply | void>;
  /**
   * Read data. Return exactly `size` bytes except at end of file or on error (unless direct_io).
   * Valid replies: bytes, parts (iov), a file descriptor range ({@link FdData}, zero-copy), error.
   */
  read?(ino: number, size: number, offset: number, fh: number | undefined, flags: number, ctx: RequestContext): Result<ReadReply>;
  /**
   * Write data; return the number of bytes written (all of them, unless direct_io). `data` is
   * the handler's to keep (no copy needed to store it): large writes (64 KiB and up) arrive
   * where the kernel put them, in memory only this Buffer refers to, small ones as a copy. With the
   * writeback cache, `writepage` is true for delayed writes (then uid/gid/pid are not meaningful).
   * Valid replies: count, error. Implement this or {@link Operations.writeBuf}, not both.
   */
  write?(
    ino: number,
    data: Buffer,
    offset: number,
    fh: number | undefined,
    flags: number,
    writepage: boolean,
    ctx: RequestContext,
  ): Result<number>;
  /** Like write, registered as libfuse's `write_buf` (the data arrives through a fuse_bufvec, spliced when possible). */
  writeBuf?(
    ino: number,
    data: Buffer,
    offset: number,
    fh: number | undefined,
    flags: number,
    writepage: boolean,
    ctx: RequestContext,
  ): Result<number>;
  /** Called on each close() of a file descriptor (maybe several per open). Valid replies: none, error. */
  flush?(ino: number, fh: number | undefined, lockOwner: bigint, ctx: RequestContext): Result<void>;
  /**
   * The last reference to an open file is gone (exactly once per open). Errors are not reported
   * to the caller. `flockOwner` is set when flock locks of that owner should be released.
   */
  release?(ino: number, fh: number | undefined, flags: number, flockOwner: bigint | undefined, ctx: RequestContext): Result<void>;
  /** Synchronize file contents (only data if `datasync`). Valid replies: none, error. */
  fsync?(ino: number, datasync: boolean, fh: number | undefined, ctx: RequestContext): Result<void>;
  /** Open a directory. Valid replies: {@link OpenReply} (`cacheReaddir` applies here), error. */
  opendir?(ino: number, flags: number, ctx: RequestContext): Result<OpenReply | void>;
  /**
   * Read a directory from `offset` (0, or a `nextOffset` you returned earlier). Call
   * `dir.add(name, attr, nextOffset)` per entry until it returns false (the reply is full);
   * only `ino` and the type bits of `mode` are used. Return to send what was added (nothing:
   * end of directory). Offsets must stay valid while entries are added and removed.
   */
  readdir?(
    ino: number,
    offset: number,
    fh: number | undefined,
    dir: DirectoryReply<Pick<Attr, 'ino' | 'mode'>>,
    ctx: RequestContext,
  ): Result<void>;
  /**
   * Like readdir, with full entries: each entry that `dir.add` accepts (other than `.` and
   * `..`) increments that inode's lookup count, exactly as a lookup would; `dir.addName` lists a
   * name without an entry (no dentry, no lookup count). If the kernel refuses the reply (the
   * request was interrupted), the binding calls `forget` for the counts it would have raised.
   */
  readdirplus?(ino: number, offset: number, fh: number | undefined, dir: DirectoryReply<Entry>, ctx: RequestContext): Result<void>;
  /** Release an open directory (exactly once per opendir). */
  releasedir?(ino: number, fh: number | undefined, ctx: RequestContext): Result<void>;
  /** Synchronize directory contents. */
  fsyncdir?(ino: number, datasync: boolean, fh: number | undefined, ctx: RequestContext): Result<void>;
  /** Get filesystem statistics. Valid replies: {@link Statfs}, error. */
  statfs?(ino: number, ctx: RequestContext): Result<Statfs>;
  /** Set an extended attribute. `flags`: XATTR_CREATE (1) or XATTR_REPLACE (2). */
  setxattr?(ino: number, name: Name, value: Buffer, flags: number, ctx: RequestContext): Result<void>;
  /**
   * Get an extended attribute's value. The binding answers the kernel's size probes and
   * ERANGE itself. Throw ENODATA when the attribute does not exist.
   */
  getxattr?(ino: number, name: Name, ctx: RequestContext): Result<Uint8Array>;
  /** List extended attribute names (size probes and ERANGE are handled by the binding). */
  listxattr?(ino: number, ctx: RequestContext): Result<Name[]>;
  /** Remove an extended attribute (ENODATA if absent). */
  removexattr?(ino: number, name: Name, ctx: RequestContext): Result<void>;
  /** Check access permissions (access(2)); not called with `default_permissions`. */
  access?(ino: number, mask: number, ctx: RequestContext): Result<void>;
  /**
   * Create and open a file (if it does not exist). Valid replies: {@link CreateReply} (lookup
   * count +1), error. Without it the kernel uses mknod + open.
   */
  create?(parent: number, name: Name, mode: number, flags: number, ctx: RequestContext): Result<CreateReply>;
  /**
   * Create an unnamed regular file in directory `parent` and open it (open(2) with O_TMPFILE;
   * libfuse 3.17's `tmpfile`). It has no name (answer `nlink: 0`): its lookup count is what
   * keeps it, until {@link Operations.forget}. Unless
   * it was opened with O_EXCL, the caller may give it a name later with linkat(2) from
   * `/proc/self/fd/N`, which arrives as {@link Operations.link}. Valid replies:
   * {@link CreateReply} (lookup count +1), error; ENOSYS (not implementing it) makes the kernel
   * answer EOPNOTSUPP from then on. fusekit serves it itself: libfuse 3.14 does not know it.
   */
  tmpfile?(parent: number, mode: number, flags: number, ctx: RequestContext): Result<CreateReply>;
  /**
   * statx(2) attributes, with the birth time (libfuse 3.18's `statx`): the kernel asks when a
   * caller wants `STATX_BTIME` (`stat -c %W`, Node's `fs.stat` `birthtime`) and uses
   * {@link Operations.getattr} for the rest. `flags` are the caller's `AT_STATX_*` sync hints,
   * `mask` the `STATX_*` fields wanted; `fh` is set for an open file. Valid replies: a
   * {@link Statx}, error; ENOSYS (not implementing it) makes the kernel stop asking. fusekit
   * serves it itself: libfuse 3.14 does not know it.
   */
  statx?(ino: number, flags: number, mask: number, fh: number | undefined, ctx: RequestContext): Result<Statx>;
  /** Test for a POSIX lock: answer the conflicting lock, or `lock` with type F_UNLCK. */
  getlk?(ino: number, fh: number | undefined, owner: bigint, lock: Lock, ctx: RequestContext): Result<Lock>;
  /**
   * Acquire, modify or release a POSIX lock. If `sleep`, wait for the lock (honour `ctx.signal`),
   * else answer EAGAIN on conflict. Without getlk/setlk the kernel handles locks locally.
   */
  setlk?(ino: number, fh: number | undefined, owner: bigint, lock: Lock, sleep: boolean, ctx: RequestContext): Result<void>;
  /** BSD flock(); `op` is LOCK_SH, LOCK_EX or LOCK_UN, maybe with LOCK_NB. */
  flock?(ino: number, fh: number | undefined, owner: bigint, op: number, ctx: RequestContext): Result<void>;
  /** Map a block index within the file to a device block (fuseblk only). */
  bmap?(ino: number, blocksize: number, index: number, ctx: RequestContext): Result<number>;
  /**
   * ioctl(2) on an open file: `request` carries libfuse's `ino`, `fh`, `cmd`, `arg`, `flags`,
   * `inBuf` and `outBufsz`. Valid replies: `{ result, data }` (at most `outBufsz` bytes of
   * data), `{ retry }` (unrestricted ioctls: the caller's memory ranges to retry with), error.
   */
  ioctl?(request: IoctlRequest, ctx: RequestContext): Result<IoctlReply | IoctlRetry>;
  /**
   * Poll for I/O readiness: answer the ready events. When `handle` is given, keep it and call
   * `handle.notify()` once readiness changes, then `handle.release()`.
   */
  poll?(ino: number, fh: number | undefined, events: number, handle: PollHandle | undefined, ctx: RequestContext): Result<number>;
  /** Allocate or deallocate space (fallocate(2) `mode`: KEEP_SIZE, PUNCH_HOLE …). */
  fallocate?(ino: number, mode: number, offset: number, length: number, fh: number | undefined, ctx: RequestContext): Result<void>;
  /**
   * Copy a range between two open files (copy_file_range(2)): `request` carries libfuse's
   * `inoIn`, `offIn`, `fhIn`, `inoOut`, `offOut`, `fhOut`, `len` and `flags`. Valid replies:
   * the number of bytes copied, error.
   */
  copyFileRange?(request: CopyFileRangeRequest, ctx: RequestContext): Result<number>;
  /** Find the next data or hole (`whence`: SEEK_DATA 3, SEEK_HOLE 4); answer the new offset. */
  lseek?(ino: number, offset: number, whence: number, fh: number | undefined, ctx: RequestContext): Result<number>;
}

/** Names of all handlers, in the native op order. */
export type OperationName = keyof Operations;
