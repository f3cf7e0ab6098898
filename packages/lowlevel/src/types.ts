/** An entry name, link target or xattr name: a string, or a Buffer in `namesAsBuffers` mode. */
export type Name = string | Buffer;

/**
 * File attributes, as in `struct stat`. Numbers must be non-negative safe integers;
 * timestamps are nanoseconds since the epoch as `bigint` (a `node:fs` `BigIntStats` fits as is;
 * a plain `Stats` is read through its `*Ms` fields).
 */
export interface Attr {
  ino: number;
  mode: number;
  nlink?: number;
  uid?: number;
  gid?: number;
  rdev?: number;
  size?: number;
  blocks?: number;
  blksize?: number;
  atimeNs?: bigint;
  mtimeNs?: bigint;
  ctimeNs?: bigint;
  /** Seconds the kernel may cache these attributes; the session's `attrTimeout` if absent. */
  attrTimeout?: number;
}

/**
 * A directory entry for lookup-style replies (`fuse_entry_param`). `ino: 0` is a negative entry:
 * the kernel caches the absence of the name for `entryTimeout` seconds.
 */
export interface Entry extends Attr {
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
}

/** `create` answers with the new entry and its open file. */
export type CreateReply = Entry & OpenReply;

/** Data answered straight from a file descriptor (zero-copy: splice where the kernel allows). */
export interface FdData {
  fd: number;
  position: number;
  size: number;
}

/** What a read handler returns: bytes, bytes in parts (iov), or a file descriptor range. */
export type ReadReply = Uint8Array | Uint8Array[] | FdData;

/** Changes requested by `setattr`; only the fields being changed are present. */
export interface SetAttr {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  /** A time in nanoseconds, or `'now'` (UTIME_NOW). */
  atimeNs?: bigint | 'now';
  mtimeNs?: bigint | 'now';
  ctimeNs?: bigint;
}

/** Filesystem statistics, as in `struct statvfs`. */
export interface Statfs {
  bsize?: number;
  frsize?: number;
  blocks?: number;
  bfree?: number;
  bavail?: number;
  files?: number;
  ffree?: number;
  favail?: number;
  fsid?: number;
  flag?: number;
  namemax?: number;
}

/** A POSIX record lock. `end` is inclusive; `-1` means to the end of the file. */
export interface Lock {
  /** `F_RDLCK`, `F_WRLCK` or `F_UNLCK`. */
  type: number;
  start: number;
  end: number;
  pid: number;
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
  readonly protoMajor: number;
  readonly protoMinor: number;
  /** Capability bits the kernel supports (`FUSE_CAP_*`, see {@link capabilities}). */
  readonly capable: number;
  /** Capability bits the session will ask for unless `init` changes them. */
  want: number;
  maxWrite: number;
  maxRead: number;
  maxReadahead: number;
  maxBackground: number;
  congestionThreshold: number;
  timeGran: number;
}
