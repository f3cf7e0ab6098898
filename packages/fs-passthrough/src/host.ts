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

/** What statfs(2) tells of the host filesystem, as node:fs's StatFs. */
export type HostStatfs = Pick<fs.BigIntStatsFs, 'type' | 'bsize' | 'blocks' | 'bfree' | 'bavail' | 'files' | 'ffree'>;

const {
  sync: { stat: statInto, ...nativeSync },
  stat: statOnPool,
  statfs: statfsOnPool,
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

/** Attributes from the helper's 13 stat fields (at `at` in `st`). */
export function attributes(st: BigInt64Array, at = 0): Attributes {
  return {
    dev: st[at]!,
    ino: st[at + 1]!,
    mode: Number(st[at + 2]),
    nlink: Number(st[at + 3]),
    uid: Number(st[at + 4]),
    gid: Number(st[at + 5]),
    rdev: Number(st[at + 6]),
    size: Number(st[at + 7]),
    blksize: Number(st[at + 8]),
    blocks: Number(st[at + 9]),
    atimeNs: st[at + 10]!,
    mtimeNs: st[at + 11]!,
    ctimeNs: st[at + 12]!,
  };
}

const bigint = { bigint: true } as const;
const asBuffer = { encoding: 'buffer' } as const;

/** Every call on the native helper's own threads (native/host_pool.h), never libuv's pool. */
export const poolHost: Host = {
  ...nativePool,
  lstat: (path) => statOnPool(path).then((stats) => (stats === null ? undefined : attributes(stats))),
  fstat: (fd) => statOnPool(fd).then((stats) => attributes(stats!)),
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
