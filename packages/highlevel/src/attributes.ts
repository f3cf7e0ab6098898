// Turning what a FileSystem answers (plain objects, node:fs Stats, BigIntStats, StatFs) into
// the lowlevel reply types, with the inode number the session chose (see MountOptions.useIno).
import { FuseError, type Attr, type Entry, type Statfs } from '@fusekit/lowlevel';
import type { Attributes, FilesystemStats } from './filesystem.js';

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;

const num = (v: number | bigint | undefined): number | undefined => (typeof v === 'bigint' ? Number(v) : v);

function time(ns: bigint | undefined, ms: number | bigint | undefined, date: Date | undefined): bigint | undefined {
  if (typeof ns === 'bigint') return ns;
  if (ms !== undefined) return typeof ms === 'bigint' ? ms * 1_000_000n : BigInt(Math.round(ms * 1e6));
  if (date instanceof Date) return BigInt(date.getTime()) * 1_000_000n;
  return undefined;
}

/** The file type and permission bits of an answer. */
export function modeOf(a: Attributes): number {
  if (typeof a !== 'object' || a === null || a.mode === undefined) {
    throw new TypeError('attributes must be an object with a mode');
  }
  return Number(a.mode);
}

export function isDirectory(mode: number): boolean {
  return (mode & S_IFMT) === S_IFDIR;
}

/** The backend's inode number of an answer, or 0 when it gives none. */
export function backendIno(a: Attributes): number {
  return a.ino === undefined ? 0 : Number(a.ino);
}

/** The birth time of an answer in ns, or undefined when it gives none (node:fs reports an unknown one as 0). */
export function birthOf(a: Attributes): bigint | undefined {
  const t = time(a.birthtimeNs, a.birthtimeMs, a.birthtime);
  return t === 0n ? undefined : t;
}

/** Lowlevel attributes, reporting inode number `ino`. */
export function toAttr(a: Attributes, ino: number): Attr {
  const attr: Attr = { ino, mode: modeOf(a) };
  const nlink = num(a.nlink);
  if (nlink !== undefined) attr.nlink = nlink;
  const uid = num(a.uid);
  if (uid !== undefined) attr.uid = uid;
  const gid = num(a.gid);
  if (gid !== undefined) attr.gid = gid;
  const rdev = num(a.rdev);
  if (rdev !== undefined) attr.rdev = rdev;
  const size = num(a.size);
  if (size !== undefined) attr.size = size;
  const blocks = num(a.blocks);
  if (blocks !== undefined) attr.blocks = blocks;
  const blksize = num(a.blksize);
  if (blksize !== undefined) attr.blksize = blksize;
  const atime = time(a.atimeNs, a.atimeMs, a.atime);
  if (atime !== undefined) attr.atimeNs = atime;
  const mtime = time(a.mtimeNs, a.mtimeMs, a.mtime);
  if (mtime !== undefined) attr.mtimeNs = mtime;
  const ctime = time(a.ctimeNs, a.ctimeMs, a.ctime);
  if (ctime !== undefined) attr.ctimeNs = ctime;
  if (a.attrTimeout !== undefined) attr.attrTimeout = a.attrTimeout;
  return attr;
}

/** A lowlevel entry for node `nodeid`, reporting inode number `ino`. */
export function toEntry(a: Attributes, ino: number, nodeid: number, generation: number): Entry {
  const entry: Entry = toAttr(a, ino);
  if (nodeid !== ino) entry.nodeid = nodeid;
  entry.generation = generation;
  if (a.entryTimeout !== undefined) entry.entryTimeout = a.entryTimeout;
  return entry;
}

/** Filesystem statistics, from a statvfs-like object or a node:fs StatFs. */
export function toStatfs(s: FilesystemStats): Statfs {
  if (typeof s !== 'object' || s === null) throw new FuseError('EIO', 'statfs must answer an object');
  const out: Statfs = {};
  for (const [key, value] of Object.entries(s)) {
    if (key === 'type') continue;
    if (typeof value === 'number' || typeof value === 'bigint') (out as Record<string, number>)[key] = Number(value);
  }
  // node:fs StatFs has no frsize or favail: statvfs reports them equal to bsize and ffree.
  if (out.frsize === undefined && out.bsize !== undefined) out.frsize = out.bsize;
  if (out.favail === undefined && out.ffree !== undefined) out.favail = out.ffree;
  out.namemax ??= 255;
  return out;
}
