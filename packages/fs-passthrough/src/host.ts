// The system calls PassthroughFs makes on the host, in two flavours with one shape: on the native
// helper's own threads (a slow host call delays nothing else), or synchronous on the JS thread
// (no hand-off to another thread and back: about twice the metadata operations per second on a
// fast local source, but one slow call stalls every request meanwhile). Neither borrows libuv's
// thread pool: a server awaiting node:fs calls on its own mount holds those threads, and the
// host calls that would answer them must not wait for one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { getSystemErrorName } from 'node:util';
import type { Attributes, Result } from '@fusekit/highlevel';
import { native, type NativeHelper } from './native.js';

/** The native helper's calls, answering now or later. */
type Helper = {
  [K in keyof NativeHelper]: NativeHelper[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Result<R> : never;
};

/** The host system calls, by path (Buffer) or file descriptor. */
export interface Host extends Helper {
  /** lstat, or undefined if nothing is there (a lookup of a missing name is common, and cheap). */
  lstat(path: Buffer): Result<Attributes | undefined>;
  fstat(fd: number): Result<Attributes>;
  access(path: Buffer, mode: number): Result<void>;
  readlink(path: Buffer): Result<Buffer>;
  /** Names with their types (d_type: no stat per name), without . and ... */
  readdir(path: Buffer): Result<HostDirent[]>;
  unlink(path: Buffer): Result<void>;
  rmdir(path: Buffer): Result<void>;
  link(from: Buffer, to: Buffer): Result<void>;
  chmod(path: Buffer, mode: number): Result<void>;
  fchmod(fd: number, mode: number): Result<void>;
  lchown(path: Buffer, uid: number, gid: number): Result<void>;
  fchown(fd: number, uid: number, gid: number): Result<void>;
  truncate(path: Buffer, size: number): Result<void>;
  ftruncate(fd: number, size: number): Result<void>;
  close(fd: number): Result<void>;
  write(fd: number, data: Buffer, position: number): Result<number>;
  fsync(fd: number, datasync: boolean): Result<void>;
  statfs(path: Buffer): Result<HostStatfs>;
}

/** A name in a host directory, and its file type: the S_IFMT bits of its mode, 0 if the host did not say. */
export interface HostDirent {
  name: Buffer;
  type: number;
}

/** What statfs(2) tells of the host filesystem, as node:fs's StatFs. */
export type HostStatfs = Pick<fs.BigIntStatsFs, 'type' | 'bsize' | 'blocks' | 'bfree' | 'bavail' | 'files' | 'ffree'>;

const {
  sync: { stat: statInto, ...nativeSync },
  stat: statOnPool,
  statfs: statfsOnPool,
  readdir: readdirOnPool,
  ...nativePool
} = native;
const { ENOENT } = os.constants.errno;

/**
 * Throws for a -errno of the synchronous helper: one shared error per errno, with `code` and
 * `errno` and no stack trace, as building an Error costs more than most calls (and a missing
 * xattr is asked for routinely: security.capability before writes and chowns).
 */
const failures = new Map<number, NodeJS.ErrnoException>();
function fail(errno: number): never {
  let error = failures.get(errno);
  if (error === undefined) {
    const code = getSystemErrorName(errno);
    failures.set(errno, (error = Object.assign(new Error(code), { code, errno, stack: `Error: ${code}` })));
  }
  throw error;
}

/** The synchronous helper's calls, throwing for -errno. */
const helperSync = Object.fromEntries(
  Object.entries(nativeSync).map(([name, call]) => [
    name,
    (...args: unknown[]) => {
      const result = (call as (...args: unknown[]) => unknown)(...args);
      return typeof result !== 'number' || result >= 0 ? result : fail(result);
    },
  ]),
) as Helper;

/**
 * Attributes from the helper's stat, read from one array the JS thread reuses: node:fs's
 * BigIntStats (14 BigInts, 4 Dates) cost more than the lstat on every lookup. Exact as they:
 * dev, ino and times stay BigInts.
 */
const st = new BigInt64Array(13);
function statSync(pathOrFd: Buffer | number): Attributes | undefined {
  const result = statInto(pathOrFd, st);
  if (result === -ENOENT && typeof pathOrFd !== 'number') return undefined;
  if (result < 0) fail(result);
  return attributes(st);
}

/** Attributes from the helper's 13 stat fields. */
function attributes(st: BigInt64Array): Attributes {
  return {
    dev: st[0]!,
    ino: st[1]!,
    mode: Number(st[2]),
    nlink: Number(st[3]),
    uid: Number(st[4]),
    gid: Number(st[5]),
    rdev: Number(st[6]),
    size: Number(st[7]),
    blksize: Number(st[8]),
    blocks: Number(st[9]),
    atimeNs: st[10]!,
    mtimeNs: st[11]!,
    ctimeNs: st[12]!,
  };
}

/** The entries of the helper's packed listing: a d_type byte, the name, a NUL, for each. */
function entries(listing: Buffer): HostDirent[] {
  const out: HostDirent[] = [];
  for (let start = 0; start < listing.length; ) {
    const end = listing.indexOf(0, start + 1);
    out.push({ name: listing.subarray(start + 1, end), type: listing[start]! << 12 });
    start = end + 1;
  }
  return out;
}

/** The S_IFMT bits of a node:fs entry's type (0 where the host did not say). */
function typeOf(entry: fs.Dirent<Buffer>): number {
  if (entry.isFile()) return fs.constants.S_IFREG;
  if (entry.isDirectory()) return fs.constants.S_IFDIR;
  if (entry.isSymbolicLink()) return fs.constants.S_IFLNK;
  if (entry.isFIFO()) return fs.constants.S_IFIFO;
  if (entry.isSocket()) return fs.constants.S_IFSOCK;
  if (entry.isCharacterDevice()) return fs.constants.S_IFCHR;
  if (entry.isBlockDevice()) return fs.constants.S_IFBLK;
  return 0;
}

const bigint = { bigint: true } as const;
const asBuffer = { encoding: 'buffer' } as const;
const typedBuffers = { encoding: 'buffer', withFileTypes: true } as const;

/** Every call on the native helper's own threads (native/host_pool.h), never libuv's pool. */
export const poolHost: Host = {
  ...nativePool,
  lstat: (path) => statOnPool(path).then((stats) => (stats === null ? undefined : attributes(stats))),
  fstat: (fd) => statOnPool(fd).then((stats) => attributes(stats!)),
  readdir: (path) => readdirOnPool(path).then(entries),
  statfs: (path) =>
    statfsOnPool(path).then(([type, bsize, blocks, bfree, bavail, files, ffree]) => ({
      type: type!,
      bsize: bsize!,
      blocks: blocks!,
      bfree: bfree!,
      bavail: bavail!,
      files: files!,
      ffree: ffree!,
    })),
};

/** Every call synchronous, on the calling (JS) thread. */
export const syncHost: Host = {
  ...helperSync,
  lstat: (path) => statSync(path),
  fstat: (fd) => statSync(fd)!,
  access: (path, mode) => fs.accessSync(path, mode),
  readlink: (path) => fs.readlinkSync(path, asBuffer),
  readdir: (path) => fs.readdirSync(path, typedBuffers).map((entry) => ({ name: entry.name, type: typeOf(entry) })),
  unlink: (path) => fs.unlinkSync(path),
  rmdir: (path) => fs.rmdirSync(path),
  link: (from, to) => fs.linkSync(from, to),
  chmod: (path, mode) => fs.chmodSync(path, mode),
  fchmod: (fd, mode) => fs.fchmodSync(fd, mode),
  lchown: (path, uid, gid) => fs.lchownSync(path, uid, gid),
  fchown: (fd, uid, gid) => fs.fchownSync(fd, uid, gid),
  truncate: (path, size) => fs.truncateSync(path, size),
  ftruncate: (fd, size) => fs.ftruncateSync(fd, size),
  close: (fd) => fs.closeSync(fd),
  write: (fd, data, position) => fs.writeSync(fd, data, 0, data.length, position),
  fsync: (fd, datasync) => (datasync ? fs.fdatasyncSync(fd) : fs.fsyncSync(fd)),
  statfs: (path) => fs.statfsSync(path, bigint),
};
