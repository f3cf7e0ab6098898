// The public, path-based FileSystem interface: what a user of @fusekit/highlevel implements.
// It mirrors libfuse's `struct fuse_operations` with node:fs/promises-like shapes.
import type {
  ConnectionInfo,
  CopyRange,
  FdData,
  IoctlArgs,
  IoctlReply,
  IoctlRetry,
  Lock,
  PollHandle,
  RequestContext,
  Result,
  Statfs,
} from '@fusekit/lowlevel';

// A value or a promise of it: every method may be sync or async (the same type as lowlevel's).
export type { Result };

/**
 * A path inside the filesystem, always absolute (`'/'`, `'/dir/file'`): a string, or a Buffer
 * when the session is mounted with `namesAsBuffers` (names that are not UTF-8 round-trip).
 */
export type PathLike = string | Buffer;

/**
 * File attributes. A `node:fs` `Stats` or `BigIntStats` is accepted as is; so is any object with
 * these fields. `ino` identifies hard links (see `MountOptions.hardLinks`), and is `st_ino` with
 * `MountOptions.useIno`; otherwise the inode number the kernel sees is the session's own node id. Timestamps are read from
 * `*Ns` (bigint nanoseconds) if present, else from `*Ms` (milliseconds), else from `Date`s.
 */
export interface Attributes {
  /** File type and permission bits (`S_IFREG | 0o644` …). */
  mode: number | bigint;
  /** The backend's inode number: recognises hard links, and is `st_ino` with `useIno`. */
  ino?: number | bigint;
  /** The backend's device number (with `ino`, identifies a file). */
  dev?: number | bigint;
  nlink?: number | bigint;
  uid?: number | bigint;
  gid?: number | bigint;
  rdev?: number | bigint;
  size?: number | bigint;
  blocks?: number | bigint;
  blksize?: number | bigint;
  atimeNs?: bigint;
  mtimeNs?: bigint;
  ctimeNs?: bigint;
  atimeMs?: number | bigint;
  mtimeMs?: number | bigint;
  ctimeMs?: number | bigint;
  atime?: Date;
  mtime?: Date;
  ctime?: Date;
  /**
   * Birth time, answered to statx(2) callers that ask for it (`stat -c %W`, node:fs `birthtime`).
   * A filesystem whose attributes carry none (or 0, as node:fs reports an unknown one) is told
   * so to the kernel once (ENOSYS), and it stops asking.
   */
  birthtimeNs?: bigint;
  birthtimeMs?: number | bigint;
  birthtime?: Date;
  /** Seconds the kernel may cache these attributes (default: the session's `attrTimeout`). */
  attrTimeout?: number;
  /** Seconds the kernel may cache the name → file binding (default: the session's `entryTimeout`). */
  entryTimeout?: number;
}

/** An ioctl on an open file, as {@link FileSystem.ioctl} receives it: lowlevel's {@link IoctlArgs} with the file's path and handle. */
export interface PathIoctlRequest<P extends PathLike = string, FH = unknown> extends IoctlArgs {
  /** The file's path (null with `nullPath`, or once it has no name). */
  path: P | null;
  handle: FH;
}

/**
 * A copy between two open files, as {@link FileSystem.copyFileRange} receives it: lowlevel's
 * {@link CopyRange} with both files' paths and handles.
 */
export interface PathCopyFileRangeRequest<P extends PathLike = string, FH = unknown> extends CopyRange {
  pathIn: P | null;
  handleIn: FH;
  pathOut: P | null;
  handleOut: FH;
}

/** Filesystem statistics: `struct statvfs` fields, or a `node:fs` `StatFs`/bigint `StatFs` as is. */
export type FilesystemStats =
  | Statfs
  | {
      bsize: number | bigint;
      blocks: number | bigint;
      bfree: number | bigint;
      bavail: number | bigint;
      files: number | bigint;
      ffree: number | bigint;
    };

/**
 * One directory entry from {@link FileSystem.readdir}: a name, or an object with the name and
 * - `attributes`: answered to readdirplus, which spares the kernel a lookup per entry; or a
 *   function giving them (undefined: the name alone), called only when readdirplus needs them,
 *   so a plain readdir costs no stat per entry;
 * - `mode`: the file type (its `S_IFMT` bits, or a whole mode), for plain readdir's `d_type`
 *   when `attributes` are not given as an object.
 *
 * Names may be strings or Buffers in either names mode (`fs.readdir(dir, { encoding: 'buffer' })` fits).
 */
export type DirectoryEntry<P extends PathLike = string> =
  | P
  | PathLike
  | {
      name: P | PathLike;
      attributes?: Attributes | (() => Attributes | undefined);
      mode?: number;
    };

/**
 * One readdir or readdirplus reply of {@link FileSystem.readdirEncoded}, filled as libfuse's
 * `fuse_add_direntry[_plus]`: every add answers false, adding nothing, once the reply is full.
 *
 * In readdir, entries may come already encoded ({@link EncodedListing.addEncoded}): no object
 * and no JavaScript per name. In readdirplus ({@link EncodedListing.plus}), an entry given with
 * its attributes ({@link EncodedListing.add}) is a lookup reply too: it spares the kernel a
 * LOOKUP and counts a lookup of the node, as libfuse's fuse.c does.
 */
export interface EncodedListing<P extends PathLike = string> {
  /** True for readdirplus: give attributes where you have them. */
  readonly plus: boolean;
  /**
   * The mount's `useIno`: encoded entries carry the backend's inode numbers; without it,
   * 0xffffffff (libfuse's FUSE_UNKNOWN_INO), as libfuse's fuse.c lists without `use_ino`.
   */
  readonly useIno: boolean;
  /** Bytes still free in the reply (as {@link EncodedListing.addEncoded} counts them). */
  readonly room: number;
  /** Names to leave out: files hidden by `hideOnUnlink` in this directory (usually none). */
  readonly hidden: readonly P[];
  /**
   * readdir only: adds entries in the kernel's format, `struct fuse_dirent` back to back (as
   * `<linux/fuse.h>` defines it: ino, off, namelen, type, the name, zero padding to 8 bytes),
   * with one copy and no checks. False, adding nothing, when they do not fit in
   * {@link EncodedListing.room}.
   */
  addEncoded(entries: Uint8Array): boolean;
  /**
   * Adds `name` with its attributes (in readdir, its inode number and type only). In
   * readdirplus a name whose node the kernel holds already goes as a name only: the kernel
   * has its attributes cached, and counts no lookup.
   */
  add(name: P, attributes: Attributes, nextOffset: number): boolean;
  /** Adds `name` without attributes: its inode number and file type (`S_IFMT` bits). */
  addName(name: P, ino: number, mode: number, nextOffset: number): boolean;
}

/** A timestamp for {@link FileSystem.utimens}: nanoseconds, the current time, or unchanged. */
export type TimeSpec = bigint | 'now' | 'omit';

/** How an open file or directory is to be treated by the kernel (`fuse_file_info` bits). */
export interface OpenFlags {
  /** Bypass the page cache for this open file (reads and writes go straight to the filesystem). */
  directIo?: boolean;
  /** Keep the data cached by earlier opens of the file. */
  keepCache?: boolean;
  /** The file is not seekable. */
  nonseekable?: boolean;
  /** The kernel may cache the directory listing (opendir only). */
  cacheReaddir?: boolean;
  /** Do not send flush on close. */
  noflush?: boolean;
  /**
   * Kernel passthrough (`open` and `create` of regular files): a file descriptor of the backing
   * file, whose reads, writes and mmap the kernel then does itself, with no `read` or `write`
   * call for this open file. Used only where the session agreed to passthrough
   * (`capabilities.passthrough`; see the lowlevel `PassthroughCapability`); otherwise ignored,
   * and the open file is served by `read`/`write` as usual. The layer registers one backing id
   * per file while it is open (the kernel requires every open of an inode to share it) and
   * releases it with the file's last release; the descriptor stays the FileSystem's to close
   * (any time after `open` returns). `keepCache` and `directIo` are dropped with it (the
   * kernel's direct I/O would send reads and writes here again; the caller's own O_DIRECT
   * reaches the backing file). Every open of a file that
   * has a passthrough open must give one too: the kernel fails other opens of it with EIO.
   */
  backingFd?: number;
  /**
   * Kernel passthrough with a backing id the FileSystem registered itself (lowlevel
   * `RequestContext.backingOpen`) and releases itself; passed to the kernel as it is.
   */
  backingId?: number;
}

/**
 * The answer of `open`, `create` or `opendir` when more than a bare handle is to be said;
 * make one with {@link opened}.
 */
export class Opened<H> {
  constructor(
    /** The handle passed back to every later call on this open file. */
    readonly handle: H,
    readonly flags: OpenFlags = {},
    /** For `create`: the new file's attributes, which saves the getattr call that follows. */
    readonly attributes?: Attributes,
  ) {}
}

/**
 * Answers `open`/`create`/`opendir` with a handle and open flags (and, for `create`, the new
 * file's attributes).
 *
 * @example return opened(await fs.open(path, flags), { keepCache: true })
 */
export function opened<H>(handle: H, flags: OpenFlags = {}, attributes?: Attributes): Opened<H> {
  return new Opened(handle, flags, attributes);
}

/**
 * A path-based filesystem, like `node:fs/promises`: implement the methods your filesystem
 * supports; a missing method answers ENOSYS (and for some operations the kernel stops asking).
 *
 * Errors: throw `new FuseError('ENOENT')`, or let an error with a Node `code` (as `node:fs`
 * throws) propagate: it answers that errno. Any other error answers EIO and is logged; no
 * method can crash the process. Methods may be async; many run at once, but two operations
 * that conflict on a path (a rename of an ancestor and a stat below it, an unlink and a lookup
 * of the same name) never overlap, so a method never acts on a stale path.
 *
 * Paths are absolute (`/` is the root). Operations on an open file or directory also get the
 * handle that `open`/`create`/`opendir` answered (`undefined` if you do not implement those).
 * Their `path` is `null` when the file was unlinked (or renamed over) while open, or always with
 * the `nullPath` mount option; use the handle then. An operation that may be called with or
 * without a handle (getattr, chmod, chown, truncate, utimens) always gets a path when it gets
 * no handle.
 *
 * Type parameters: `FH` the handle of an open file, `DH` of an open directory, `P` the path type
 * (`Buffer` with the `namesAsBuffers` mount option).
 *
 * Every method gets a {@link RequestContext} last: the caller's uid, gid, pid and umask, and an
 * `AbortSignal` that fires when the kernel interrupts the request.
 */
export interface FileSystem<FH = unknown, DH = unknown, P extends PathLike = string> {
  /**
   * Called once when the kernel connects, before any other call. May change what the session
   * asks of the kernel (`conn.want`, `conn.maxWrite` …). Synchronous.
   */
  init?(conn: ConnectionInfo): void;
  /** Called once when the session ends. Synchronous. */
  destroy?(): void;

  /**
   * Attributes of a file (stat, lstat: do not follow a final symlink; fstat gets `handle`).
   * Needed for almost everything: each name the kernel looks up is answered through it.
   * @example getattr(path) { return fs.lstat(root + path, { bigint: true }) }
   */
  getattr?(path: P | null, handle: FH | undefined, ctx: RequestContext): Result<Attributes>;
  /** The target of a symbolic link (a string or a Buffer, in either names mode). */
  readlink?(path: P, ctx: RequestContext): Result<PathLike>;
  /**
   * Create a file node: regular (if `create` is not implemented), device, fifo or socket.
   * `mode` includes the type bits. Answer the new node's attributes, or nothing (then
   * `getattr` is asked).
   */
  mknod?(path: P, mode: number, rdev: number, ctx: RequestContext): Result<Attributes | void>;
  /** Create a directory (`mode` has no type bits). Answer its attributes, or nothing (getattr is asked). */
  mkdir?(path: P, mode: number, ctx: RequestContext): Result<Attributes | void>;
  /**
   * Remove a file. If it is open, it must keep working through its handles until release (a
   * descriptor-backed backend gets that for free); a backend that cannot do that mounts with
   * `hideOnUnlink`.
   */
  unlink?(path: P, ctx: RequestContext): Result<void>;
  /** Remove an empty directory. */
  rmdir?(path: P, ctx: RequestContext): Result<void>;
  /** Create a symbolic link at `path` pointing to `target` (argument order of `fs.symlink`). */
  symlink?(target: P, path: P, ctx: RequestContext): Result<Attributes | void>;
  /**
   * Rename `from` to `to`, replacing `to` atomically if it exists. `flags` is 0, or
   * `RENAME_NOREPLACE` (1: fail with EEXIST if `to` exists) or `RENAME_EXCHANGE` (2: swap both);
   * throw EINVAL for flags you do not support.
   */
  rename?(from: P, to: P, flags: number, ctx: RequestContext): Result<void>;
  /** Create a hard link `to` for the existing file `from` (argument order of `fs.link`). */
  link?(from: P, to: P, ctx: RequestContext): Result<Attributes | void>;
  /** Change permission bits (`mode` has no type bits). */
  chmod?(path: P | null, mode: number, handle: FH | undefined, ctx: RequestContext): Result<void>;
  /**
   * Change owner and/or group; `-1` leaves that one unchanged (as chown(2), `fs.lchown`). Also
   * called with `-1, -1` for a setattr that changes nothing: chown(-1, -1), or the kernel asking
   * to clear setuid/setgid (with the `handleKillprivV2` capability), which chown(2) does.
   */
  chown?(path: P | null, uid: number, gid: number, handle: FH | undefined, ctx: RequestContext): Result<void>;
  /** Change the size (truncate, ftruncate with `handle`). */
  truncate?(path: P | null, size: number, handle: FH | undefined, ctx: RequestContext): Result<void>;
  /** Change access and modification times: nanoseconds, `'now'`, or `'omit'` (leave unchanged). */
  utimens?(path: P | null, atime: TimeSpec, mtime: TimeSpec, handle: FH | undefined, ctx: RequestContext): Result<void>;

  /**
   * Open a file; answer the handle later calls get (any value: a `FileHandle`, a number …),
   * or {@link opened}`(handle, flags)`. `flags` are open(2)'s, without O_CREAT/O_EXCL/O_NOCTTY;
   * O_TRUNC is included and must be honoured (atomic open-with-truncate).
   */
  open?(path: P, flags: number, ctx: RequestContext): Result<FH | Opened<FH>>;
  /**
   * Create and open a file that does not exist yet (`mode` includes the type bits). Answer as
   * `open`; the new file's attributes come from `getattr` unless given with {@link opened}.
   * Without `create` the kernel uses `mknod` then `open`.
   */
  create?(path: P, mode: number, flags: number, ctx: RequestContext): Result<FH | Opened<FH>>;
  /**
   * Create and open an unnamed regular file in directory `path` (open(2) with O_TMPFILE; libfuse
   * 3.17's `tmpfile`). Answer as `create`; the file's attributes come from `getattr` with a null
   * path and the handle unless given with {@link opened}. Without it O_TMPFILE fails with
   * EOPNOTSUPP. Naming it later with linkat(2) is not supported by this layer (ENOENT).
   */
  tmpfile?(path: P, mode: number, flags: number, ctx: RequestContext): Result<FH | Opened<FH>>;
  /**
   * Read up to `size` bytes at `offset`: exactly `size` except at end of file (unless direct I/O).
   * Answer bytes, a list of byte chunks, or a file descriptor range `{ fd, position, size }`
   * (zero-copy).
   */
  read?(path: P | null, size: number, offset: number, handle: FH, ctx: RequestContext): Result<Uint8Array | Uint8Array[] | FdData>;
  /** Write `data` at `offset`; answer the number of bytes written (all of them unless direct I/O). */
  write?(path: P | null, data: Buffer, offset: number, handle: FH, ctx: RequestContext): Result<number>;
  /**
   * Called on each close() of a descriptor of the file (maybe several per open): report delayed
   * write errors here. POSIX locks of `lockOwner` are released right after (through `lock`).
   */
  flush?(path: P | null, lockOwner: bigint, handle: FH, ctx: RequestContext): Result<void>;
  /**
   * The file is closed for good (exactly once per open/create). Errors are not reported to
   * anyone. flock locks of the file are released before (through `flock`).
   */
  release?(path: P | null, flags: number, handle: FH, ctx: RequestContext): Result<void>;
  /** Flush file contents to stable storage (only data if `datasync`). */
  fsync?(path: P | null, datasync: boolean, handle: FH, ctx: RequestContext): Result<void>;

  /** Open a directory; answer a handle (or {@link opened}`(handle, { cacheReaddir })`). */
  opendir?(path: P, flags: number, ctx: RequestContext): Result<DH | Opened<DH>>;
  /**
   * List a directory: names, or `{ name, attributes, mode }` (attributes let the kernel skip a
   * lookup per entry: readdirplus; see {@link DirectoryEntry}). An array, any iterable, or an async iterable (consumed as the
   * kernel asks for more). `.` and `..` are added for you. Called again when the directory is
   * read from the start (rewinddir).
   */
  readdir?(path: P | null, handle: DH, ctx: RequestContext): Result<Iterable<DirectoryEntry<P>> | AsyncIterable<DirectoryEntry<P>>>;
  /**
   * List a directory in the kernel's own format, for filesystems that read their directories
   * natively (as fs-passthrough does): called for every readdir and readdirplus request, with the
   * kernel's `offset` (0, or a `nextOffset` you gave), instead of {@link FileSystem.readdir}. Add
   * entries to `listing` from `offset` on until an add answers false or the directory ends; the
   * offsets are yours (stable, non-zero, as the host's telldir cookies), and so are `.` and `..`.
   * Names in {@link EncodedListing.hidden} must be left out. See {@link EncodedListing}.
   */
  readdirEncoded?(path: P | null, offset: number, handle: DH, listing: EncodedListing<P>, ctx: RequestContext): Result<void>;
  /** Close a directory (exactly once per opendir). */
  releasedir?(path: P | null, handle: DH, ctx: RequestContext): Result<void>;
  /** Flush directory contents to stable storage. */
  fsyncdir?(path: P | null, datasync: boolean, handle: DH, ctx: RequestContext): Result<void>;

  /** Filesystem statistics (statfs/statvfs; `fs.statfs` answers fit). */
  statfs?(path: P, ctx: RequestContext): Result<FilesystemStats>;
  /** Set an extended attribute; `flags`: XATTR_CREATE (1), XATTR_REPLACE (2). */
  setxattr?(path: P, name: P, value: Buffer, flags: number, ctx: RequestContext): Result<void>;
  /** The value of an extended attribute; throw ENODATA if it does not exist. Size probes are handled for you. */
  getxattr?(path: P, name: P, ctx: RequestContext): Result<Uint8Array>;
  /** The names of a file's extended attributes (strings or Buffers, in either names mode). */
  listxattr?(path: P, ctx: RequestContext): Result<PathLike[]>;
  /** Remove an extended attribute (ENODATA if absent). */
  removexattr?(path: P, name: P, ctx: RequestContext): Result<void>;
  /**
   * Check access (access(2); `mode` is F_OK or R_OK|W_OK|X_OK). Not called when the kernel checks
   * permissions itself (`default_permissions`, on by default).
   */
  access?(path: P, mode: number, ctx: RequestContext): Result<void>;

  /**
   * POSIX record locks (fcntl F_GETLK 5, F_SETLK 6, F_SETLKW 7). For F_GETLK answer the
   * conflicting lock, or `lock` with type F_UNLCK; for F_SETLKW wait (honour `ctx.signal`).
   * Without it the kernel handles locks locally.
   */
  lock?(path: P | null, cmd: number, lock: Lock, owner: bigint, handle: FH, ctx: RequestContext): Result<Lock | void>;
  /** BSD flock(2): `op` is LOCK_SH, LOCK_EX or LOCK_UN, maybe | LOCK_NB. Without it the kernel handles flock locally. */
  flock?(path: P | null, op: number, owner: bigint, handle: FH, ctx: RequestContext): Result<void>;
  /** Allocate or deallocate space (fallocate(2) `mode`: KEEP_SIZE, PUNCH_HOLE …). */
  fallocate?(path: P | null, mode: number, offset: number, length: number, handle: FH, ctx: RequestContext): Result<void>;
  /**
   * Copy a range between two open files (copy_file_range(2)): `request` carries `pathIn`,
   * `handleIn`, `offIn`, `pathOut`, `handleOut`, `offOut`, `len` and `flags`. Answer the number
   * of bytes copied.
   */
  copyFileRange?(request: PathCopyFileRangeRequest<P, FH>, ctx: RequestContext): Result<number>;
  /** Find the next data or hole (`whence`: SEEK_DATA 3, SEEK_HOLE 4); answer the offset. */
  lseek?(path: P | null, offset: number, whence: number, handle: FH, ctx: RequestContext): Result<number>;
  /**
   * ioctl(2) on an open file: `request` carries `path`, `handle`, `cmd`, `arg`, `flags`, `inBuf`
   * and `outBufsz`. Answer `{ result, data }` (at most `outBufsz` bytes), or `{ retry }` for
   * unrestricted ioctls.
   */
  ioctl?(request: PathIoctlRequest<P, FH>, ctx: RequestContext): Result<IoctlReply | IoctlRetry>;
  /**
   * Poll for readiness: answer the ready events. When `pollHandle` is given, keep it and call
   * `pollHandle.notify()` when readiness changes, then `pollHandle.release()`.
   */
  poll?(path: P | null, events: number, pollHandle: PollHandle | undefined, handle: FH, ctx: RequestContext): Result<number>;
  /** Map a block index within the file to a device block (block-device mounts only). */
  bmap?(path: P, blocksize: number, index: number, ctx: RequestContext): Result<number>;
}

/** Names of all FileSystem methods. */
export type FileSystemMethod = keyof FileSystem;
