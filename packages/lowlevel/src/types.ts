/** An entry name, link target or xattr name: a string, or a Buffer in `namesAsBuffers` mode. */
export type Name = string | Buffer;

/**
 * File attributes, as in `struct stat`. Numbers must be non-negative safe integers;
 * timestamps are nanoseconds since the epoch as `bigint` (a `node:fs` `BigIntStats` fits as is;
 * a plain `Stats` is read through its `*Ms` fields).
 */
export interface Attr {
  /** Inode number (`st_ino`); for entries also the kernel's node id, unless `nodeid` is given. */
  ino: number;
  /** File type and permission bits (`st_mode`, e.g. `0o100644`). */
  mode: number;
  /** Number of hard links (`st_nlink`). */
  nlink?: number;
  /** Owner user id. */
  uid?: number;
  /** Owner group id. */
  gid?: number;
  /** Device number, for character and block devices. */
  rdev?: number;
  /** Size in bytes. */
  size?: number;
  /** Allocated 512-byte blocks. */
  blocks?: number;
  /** Preferred I/O block size. */
  blksize?: number;
  /** Last access, in nanoseconds since the epoch. */
  atimeNs?: bigint;
  /** Last modification of the contents, in nanoseconds since the epoch. */
  mtimeNs?: bigint;
  /** Last change of the inode, in nanoseconds since the epoch. */
  ctimeNs?: bigint;
  /** Seconds the kernel may cache these attributes; the session's `attrTimeout` if absent. */
  attrTimeout?: number;
}

/**
 * A directory entry for lookup-style replies (`fuse_entry_param`). A node id of 0 (`ino: 0`) is a
 * negative entry: the kernel caches the absence of the name for `entryTimeout` seconds.
 */
export interface Entry extends Attr {
  /**
   * The kernel's node id for this entry (`fuse_entry_param.ino`): the number later requests name
   * it by, and whose lookup count this reply increments. Default `ino`. Give it when the inode
   * number you report (`st_ino`) is not your node id, as libfuse's high-level API does with
   * `use_ino`: say, to report a backend's stable inode numbers while node ids are your own.
   */
  nodeid?: number;
  /** Distinguishes reuses of one inode number over the filesystem's lifetime. */
  generation?: number;
  /** Seconds the kernel may cache the name → inode binding; the session's `entryTimeout` if absent. */
  entryTimeout?: number;
}

/** How a file or directory was opened (`fuse_file_info` fields the filesystem sets). */
export interface OpenReply {
  /** A file handle of the filesystem's choosing, passed back with each later request. */
  fh?: number;
  /** Bypass the page cache for this open file. */
  directIo?: boolean;
  /** Keep cached data from earlier opens. */
  keepCache?: boolean;
  /** The file is not seekable. */
  nonseekable?: boolean;
  /** The kernel may cache readdir results (opendir only). */
  cacheReaddir?: boolean;
  /** Do not send FLUSH on close. */
  noflush?: boolean;
  /**
   * Kernel passthrough (FOPEN_PASSTHROUGH, protocol 7.40): a backing id from
   * {@link Session.backingOpen} or {@link RequestContext.backingOpen}. The kernel then reads,
   * writes, splices and maps this open file straight from the backing file: no READ or WRITE
   * reaches the filesystem for it. See {@link PassthroughCapability} for the whole contract.
   * Only for `open` and `create`; not with `keepCache`, `nonseekable` or `cacheReaddir` (the
   * kernel fails such an open with EIO). The id stays registered until the filesystem closes it.
   */
  backingId?: number;
}

/** `create` answers with the new entry and its open file. */
export type CreateReply = Entry & OpenReply;

/** Data answered straight from a file descriptor (zero-copy: splice where the kernel allows). */
export interface FdData {
  fd: number;
  position: number;
  size: number;
  /**
   * The file is in memory (tmpfs, ramfs: `fstatfs` says so), so reading it never waits: it is
   * read at once, without first trying a read that must not wait (which tmpfs refuses) and
   * asking the kernel what the file is, two system calls per read saved. Unset, the binding
   * finds out per read. Wrong, a read of an uncached file on a disk blocks the event loop.
   */
  inMemory?: boolean;
}

/** What a read handler returns: bytes, bytes in parts (iov), or a file descriptor range. */
export type ReadReply = Uint8Array | Uint8Array[] | FdData;

/** Changes requested by `setattr`; only the fields being changed are present. */
export interface SetAttr {
  /** New permission bits (chmod); the type bits are not to be changed. */
  mode?: number;
  /** New owner (chown). */
  uid?: number;
  /** New group (chown). */
  gid?: number;
  /** New size (truncate, ftruncate, open with O_TRUNC without atomic_o_trunc). */
  size?: number;
  /** New access time in nanoseconds, or `'now'` (UTIME_NOW). */
  atimeNs?: bigint | 'now';
  /** New modification time in nanoseconds, or `'now'` (UTIME_NOW). */
  mtimeNs?: bigint | 'now';
  /** New change time in nanoseconds (sent by the kernel with the writeback cache). */
  ctimeNs?: bigint;
}

/**
 * What a statx(2) answers, as libfuse 3.18's `fuse_reply_statx` sends it: the attributes, the
 * birth time, and which fields are valid.
 */
export interface Statx extends Attr {
  /** Birth (creation) time in nanoseconds since the epoch. */
  btimeNs?: bigint;
  /**
   * The `STATX_*` fields this answer fills (`constants.STATX_BASIC_STATS`, `constants.STATX_BTIME`).
   * Default: the basic stats, with `STATX_BTIME` when `btimeNs` is given. The kernel caches the
   * attributes only when every basic stat is in the mask.
   */
  mask?: number;
}

/** Filesystem statistics, as in `struct statvfs`. */
export interface Statfs {
  /** Preferred block size. */
  bsize?: number;
  /** Fragment size: the unit of `blocks`, `bfree` and `bavail`. */
  frsize?: number;
  /** Size of the filesystem in `frsize` units. */
  blocks?: number;
  /** Free blocks. */
  bfree?: number;
  /** Free blocks available to unprivileged users. */
  bavail?: number;
  /** Inodes in total. */
  files?: number;
  /** Free inodes. */
  ffree?: number;
  /** Free inodes available to unprivileged users. */
  favail?: number;
  /** Filesystem id. */
  fsid?: number;
  /** Mount flags (`ST_RDONLY` …); the kernel reports its own. */
  flag?: number;
  /** Longest file name. */
  namemax?: number;
}

/** A POSIX record lock. `end` is inclusive; `-1` means to the end of the file. */
export interface Lock {
  /** `F_RDLCK`, `F_WRLCK` or `F_UNLCK`. */
  type: number;
  /** First byte of the range. */
  start: number;
  /** Last byte of the range (inclusive), or -1 for "to the end of the file". */
  end: number;
  /** Process holding (or asking for) the lock. */
  pid: number;
}

/**
 * An ioctl(2) as libfuse's `ioctl` callback receives it, with libfuse's names in camelCase.
 * Both layers pass it as one object: lowlevel's {@link IoctlRequest} adds the inode and file
 * handle, highlevel's the path and handle.
 */
export interface IoctlArgs {
  /** The command (the ioctl's request number). */
  cmd: number;
  /** The caller's argument: an integer, or a pointer in the caller's address space. */
  arg: bigint;
  /** `FUSE_IOCTL_*` flags (`COMPAT`, `UNRESTRICTED`, `32BIT`, `DIR`). */
  flags: number;
  /** The bytes the caller passes in (`in_buf`; restricted ioctls: as the command's size says). */
  inBuf: Buffer;
  /** How many bytes the caller takes back at most (`out_bufsz`). */
  outBufsz: number;
}

/** An ioctl on an open file, as {@link Operations.ioctl} receives it. */
export interface IoctlRequest extends IoctlArgs {
  ino: number;
  /** The file handle the open answered (undefined if open answered none). */
  fh: number | undefined;
}

/**
 * The range a copy_file_range(2) copies, with libfuse's names in camelCase. Lowlevel's
 * {@link CopyFileRangeRequest} adds both files' inodes and handles, highlevel's their paths and handles.
 */
export interface CopyRange {
  /** Where to read in the source file. */
  offIn: number;
  /** Where to write in the destination file. */
  offOut: number;
  /** How many bytes to copy at most. */
  len: number;
  /** copy_file_range(2)'s flags (0 today). */
  flags: number;
}

/** A copy between two open files, as {@link Operations.copyFileRange} receives it. */
export interface CopyFileRangeRequest extends CopyRange {
  inoIn: number;
  fhIn: number | undefined;
  inoOut: number;
  fhOut: number | undefined;
}

/** An ioctl answer: the result and the output bytes. */
export interface IoctlReply {
  result: number;
  data?: Uint8Array;
}

/** Asks the kernel to retry an unrestricted ioctl with these memory ranges of the caller. */
export interface IoctlRetry {
  retry: { input: [address: bigint, length: number][]; output: [address: bigint, length: number][] };
}

/** What the kernel offers at INIT (`struct fuse_conn_info`). */
export interface ConnectionInfo {
  /** FUSE protocol major version the kernel speaks. */
  readonly protoMajor: number;
  /** FUSE protocol minor version the kernel speaks. */
  readonly protoMinor: number;
  /** Capability bits the kernel supports (the `FUSE_CAP_*` bits of `constants`). */
  readonly capable: number;
  /** Capability bits the session will ask for unless `init` changes them. */
  want: number;
  /** Largest WRITE request in bytes (at most 1 MiB with libfuse 3.14). */
  maxWrite: number;
  /** Largest READ request in bytes (0: no limit beyond the mount's `max_read`). */
  maxRead: number;
  /** Largest readahead in bytes. */
  maxReadahead: number;
  /** Most background requests (readahead, writeback) the kernel keeps in flight. */
  maxBackground: number;
  /** Background requests at which the kernel treats the filesystem as congested. */
  congestionThreshold: number;
  /** Timestamp granularity in nanoseconds (1: full precision). */
  timeGran: number;
  /** What the kernel and this process can do beyond libfuse 3.14's `FUSE_CAP_*` bits. */
  readonly capabilities: ConnectionCapabilities;
  /**
   * Ask for kernel passthrough (FUSE_PASSTHROUGH). Starts as `CapabilityOptions.passthrough`
   * where {@link PassthroughCapability.available}; `init` may turn it on or off. Never asked for
   * together with the writeback cache, which the kernel refuses alongside it.
   */
  passthrough: boolean;
  /**
   * How deep filesystems may stack under and over this one with passthrough (INIT's
   * `max_stack_depth`, 1 or 2). 1 (the default): backing files are on ordinary filesystems, and
   * overlayfs may stack on this mount; 2: backing files may themselves be on a stacked
   * filesystem (overlayfs, another FUSE mount with passthrough), and nothing stacks on this one.
   */
  maxStackDepth: number;
}

/** {@link ConnectionInfo.capabilities}. */
export interface ConnectionCapabilities {
  /** Kernel passthrough: whether this session can have it. */
  readonly passthrough: PassthroughCapability;
}

/**
 * Kernel passthrough (FUSE_PASSTHROUGH, protocol 7.40, Linux 6.9+ with CONFIG_FUSE_PASSTHROUGH):
 * an open or create reply names a backing file (`backingId`, registered with `backingOpen`),
 * and the kernel does that open file's data I/O on the backing file itself.
 *
 * What the kernel then no longer sends for that open file: READ and WRITE, in every form
 * (buffered, O_DIRECT, splice, sendfile and copy_file_range's fallback), and no page faults
 * either: `mmap` maps the backing file, so a shared mapping sees and changes the backing file.
 * What it still sends: OPEN/CREATE, FLUSH (unless `noflush`), RELEASE, FSYNC, GETATTR and
 * SETATTR (truncate, chmod, utimens), FALLOCATE, LSEEK (SEEK_DATA/SEEK_HOLE), COPY_FILE_RANGE,
 * IOCTL, POLL, locks, xattrs and every namespace op. The kernel updates the file's size itself
 * after a passthrough write but asks GETATTR for the rest, so the filesystem's attributes must
 * follow the backing file's (report its size and times).
 *
 * Rules the kernel enforces (fs/fuse/inode.c, iomode.c, passthrough.c, backing.c):
 * - Passthrough and the writeback cache exclude each other for the whole connection (INIT
 *   drops passthrough when both are asked; the binding then does not ask for it).
 * - While an inode has a passthrough open, every other open of it must be a passthrough open
 *   naming the same backing id; and a passthrough open of an inode that is open through the page
 *   cache fails. The kernel answers both with EIO to the caller (`directIo` opens do not use the
 *   page cache and may coexist with either, but not with a passthrough open). Keep one backing id
 *   per inode while it is open, as libfuse's passthrough_hp does.
 * - `keepCache`, `nonseekable` and `cacheReaddir` are refused with it (EIO to the caller).
 *   `directIo` is allowed but overrides passthrough for reads and writes (fs/fuse/file.c): they
 *   reach the filesystem as direct I/O again, and the backing file serves only mmap. Leave it
 *   off: the caller's own O_DIRECT reaches the backing file.
 * - Each open re-opens the backing file by its path (so an unlinked one still works) with the
 *   caller's open flags and the credentials of the process that registered it: the registered
 *   descriptor's own mode does not matter.
 * - Registering needs CAP_SYS_ADMIN in the initial user namespace (EPERM otherwise), and the
 *   backing file's filesystem must stack less deep than `maxStackDepth` (ELOOP otherwise).
 *   The id holds a reference on the file until `backingClose` or the end of the connection;
 *   close it when the last open using it is released (not right after the reply: the kernel
 *   looks the id up when the caller's open completes, after the reply was written).
 */
export interface PassthroughCapability {
  /** The kernel offers FUSE_PASSTHROUGH and the process holds CAP_SYS_ADMIN. */
  readonly available: boolean;
  /** Why not, in one line, when it is not available. */
  readonly unavailableReason?: string;
  /** The deepest `maxStackDepth` the kernel accepts (its FILESYSTEM_MAX_STACK_DEPTH, 2). */
  readonly maxStackDepth: number;
}
