// The scratch buffer shared with the addon: structs a reply carries (attributes, entries,
// statfs) are written here by index and read natively (convert.cc), so a reply is one native call
// with no object crossing. The request's caller (uid, gid, pid, umask) comes back the same way.
import { native } from './native.js';
import { checkCount, checkTimeout, describe, optionalCount, ReplyShapeError, timeNs, type MaybeStats } from './reply-checks.js';
import type { Attr, Entry, Statfs, Statx } from './types.js';

const STATX_BASIC_STATS = native.constants.STATX_BASIC_STATS!;
const STATX_BTIME = native.constants.STATX_BTIME!;

// Scratch indices as module constants: a property load per field on the hot path is measurable.
const layout = native.layout as Readonly<Record<string, number>>;
const at = (name: string): number => {
  const index = layout[name];
  if (index === undefined) throw new Error(`addon layout lacks ${name}`);
  return index;
};
const F_INO = at('F_INO'),
  F_MODE = at('F_MODE'),
  F_NLINK = at('F_NLINK'),
  F_UID = at('F_UID'),
  F_GID = at('F_GID'),
  F_RDEV = at('F_RDEV'),
  F_SIZE = at('F_SIZE'),
  F_BLOCKS = at('F_BLOCKS'),
  F_BLKSIZE = at('F_BLKSIZE'),
  F_GENERATION = at('F_GENERATION'),
  F_ATTR_TIMEOUT = at('F_ATTR_TIMEOUT'),
  F_ENTRY_TIMEOUT = at('F_ENTRY_TIMEOUT'),
  F_NODEID = at('F_NODEID'),
  F_STATX_MASK = at('F_STATX_MASK'),
  T_ATIME = at('T_ATIME'),
  T_MTIME = at('T_MTIME'),
  T_CTIME = at('T_CTIME'),
  T_BTIME = at('T_BTIME'),
  SF_BSIZE = at('SF_BSIZE');

/** Shared scratch views over the session's native buffer. */
export class Scratch {
  readonly f64: Float64Array;
  readonly i64: BigInt64Array;
  readonly i32: Int32Array;
  constructor(buffer: ArrayBuffer) {
    this.f64 = new Float64Array(buffer);
    this.i64 = new BigInt64Array(buffer);
    this.i32 = new Int32Array(buffer);
  }

  writeAttr(attr: Attr, attrTimeout: number): void {
    if (typeof attr !== 'object' || attr === null) throw new ReplyShapeError(`attributes must be an object, got ${describe(attr)}`);
    const f = this.f64;
    f[F_INO] = checkCount(attr.ino, 'ino');
    f[F_MODE] = checkCount(attr.mode, 'mode');
    f[F_NLINK] = optionalCount(attr.nlink, 'nlink');
    f[F_UID] = optionalCount(attr.uid, 'uid');
    f[F_GID] = optionalCount(attr.gid, 'gid');
    f[F_RDEV] = optionalCount(attr.rdev, 'rdev');
    f[F_SIZE] = optionalCount(attr.size, 'size');
    f[F_BLOCKS] = optionalCount(attr.blocks, 'blocks');
    f[F_BLKSIZE] = optionalCount(attr.blksize, 'blksize');
    f[F_ATTR_TIMEOUT] = checkTimeout(attr.attrTimeout, attrTimeout, 'attrTimeout');
    const t = this.i64;
    const a = attr as MaybeStats;
    t[T_ATIME] = timeNs(a.atimeNs, a.atimeMs, 'atime');
    t[T_MTIME] = timeNs(a.mtimeNs, a.mtimeMs, 'mtime');
    t[T_CTIME] = timeNs(a.ctimeNs, a.ctimeMs, 'ctime');
  }

  /** Writes a lookup-style reply; returns its node id (what the kernel counts a lookup of). */
  writeEntry(entry: Entry, attrTimeout: number, entryTimeout: number): number {
    this.writeAttr(entry, attrTimeout);
    const f = this.f64;
    f[F_GENERATION] = optionalCount(entry.generation, 'generation');
    f[F_ENTRY_TIMEOUT] = checkTimeout(entry.entryTimeout, entryTimeout, 'entryTimeout');
    return (f[F_NODEID] = entry.nodeid === undefined ? f[F_INO]! : checkCount(entry.nodeid, 'nodeid'));
  }

  /** Writes a statx reply: the attributes, the answered mask and the birth time. */
  writeStatx(sx: Statx, attrTimeout: number): void {
    this.writeAttr(sx, attrTimeout);
    const { btimeNs, mask } = sx;
    if (btimeNs !== undefined && typeof btimeNs !== 'bigint') throw new ReplyShapeError('btimeNs must be a bigint');
    if (mask !== undefined && (!Number.isInteger(mask) || mask < 0 || mask > 0xffffffff))
      throw new ReplyShapeError(`statx mask must be a 32-bit unsigned integer, got ${describe(mask)}`);
    const answered = mask ?? STATX_BASIC_STATS | (btimeNs === undefined ? 0 : STATX_BTIME);
    if (answered & STATX_BTIME && btimeNs === undefined) throw new ReplyShapeError('a statx mask with STATX_BTIME needs btimeNs');
    this.f64[F_STATX_MASK] = answered;
    this.i64[T_BTIME] = btimeNs ?? 0n;
  }

  writeStatfs(s: Statfs): void {
    if (typeof s !== 'object' || s === null) throw new ReplyShapeError('statfs must be an object');
    const keys = ['bsize', 'frsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree', 'favail', 'fsid', 'flag', 'namemax'] as const;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      this.f64[SF_BSIZE + i] = optionalCount(s[key], key);
    }
  }
}
