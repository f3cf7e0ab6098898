// Turning handler results into native replies: validation (a value of the wrong shape is
// refused with ReplyShapeError, answered EIO and logged) and writes into the shared scratch.
import { DirentBuffer, type DirentFields } from './dirents.js';
import { native, type NativeSession } from './native.js';
import type { Attr, Entry, Name, OpenReply, Statfs } from './types.js';

// Scratch indices as module constants: a property load per field on the hot path is measurable.
const layout = native.layout as Readonly<Record<string, number>>;
const at = (name: string): number => {
  const index = layout[name];
  if (index === undefined) throw new Error(`addon layout lacks ${name}`);
  return index;
};
const F_INO = at('F_INO'), F_MODE = at('F_MODE'), F_NLINK = at('F_NLINK'), F_UID = at('F_UID'),
  F_GID = at('F_GID'), F_RDEV = at('F_RDEV'), F_SIZE = at('F_SIZE'), F_BLOCKS = at('F_BLOCKS'),
  F_BLKSIZE = at('F_BLKSIZE'), F_GENERATION = at('F_GENERATION'), F_ATTR_TIMEOUT = at('F_ATTR_TIMEOUT'),
  F_ENTRY_TIMEOUT = at('F_ENTRY_TIMEOUT'), F_NODEID = at('F_NODEID'), T_ATIME = at('T_ATIME'), T_MTIME = at('T_MTIME'),
  T_CTIME = at('T_CTIME'), SF_BSIZE = at('SF_BSIZE');

/** A handler answered with a value the kernel cannot be given. */
export class ReplyShapeError extends TypeError {
  override name = 'ReplyShapeError';
}

export function checkCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ReplyShapeError(`${what} must be a non-negative safe integer, got ${describe(value)}`);
  }
  return value;
}

function optionalCount(value: unknown, what: string): number {
  return value === undefined ? 0 : checkCount(value, what);
}

function checkTimeout(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0)) throw new ReplyShapeError(`${what} must be a number >= 0`);
  return value;
}

export function checkName(value: unknown, what: string): Name {
  if (typeof value === 'string') {
    if (value.includes('\0')) throw new ReplyShapeError(`${what} contains a NUL byte`);
    return value;
  }
  if (Buffer.isBuffer(value)) {
    if (value.includes(0)) throw new ReplyShapeError(`${what} contains a NUL byte`);
    return value;
  }
  throw new ReplyShapeError(`${what} must be a string or Buffer, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (value === null || typeof value !== 'object') return String(value);
  return Object.prototype.toString.call(value);
}

// A time in ns from a bigint field, or from the matching `*Ms` float of a plain node:fs Stats.
function timeNs(ns: bigint | undefined, ms: unknown, field: string): bigint {
  if (typeof ns === 'bigint') return ns;
  if (ns !== undefined) throw new ReplyShapeError(`${field}Ns must be a bigint`);
  if (typeof ms === 'number' && Number.isFinite(ms)) return BigInt(Math.round(ms * 1e6));
  return 0n;
}

type MaybeStats = Attr & { atimeMs?: unknown; mtimeMs?: unknown; ctimeMs?: unknown };

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

  writeStatfs(s: Statfs): void {
    if (typeof s !== 'object' || s === null) throw new ReplyShapeError('statfs must be an object');
    const keys = ['bsize', 'frsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree', 'favail', 'fsid', 'flag', 'namemax'] as const;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      this.f64[SF_BSIZE + i] = optionalCount(s[key], key);
    }
  }
}

/** The `fuse_file_info` bits an open reply may set, packed for the native call. */
export function openBits(reply: OpenReply | void | undefined): [fh: number, bits: number] {
  if (reply === undefined || reply === null) return [0, 0];
  if (typeof reply !== 'object') throw new ReplyShapeError(`open reply must be an object, got ${describe(reply)}`);
  const fh = optionalCount(reply.fh, 'fh');
  const bits =
    (reply.directIo ? 1 : 0) | (reply.keepCache ? 2 : 0) | (reply.nonseekable ? 4 : 0) |
    (reply.cacheReaddir ? 8 : 0) | (reply.noflush ? 16 : 0);
  return [fh, bits];
}

/**
 * The reply of a readdir/readdirplus request under construction, faithful to
 * `fuse_add_direntry[_plus]`: `add` returns false, and adds nothing, once the kernel's buffer
 * is full.
 */
export class DirectoryReply<A> {
  #full = false;
  readonly #buffer: DirentBuffer;
  /** @internal Inodes whose lookup count an accepted readdirplus entry raised. */
  readonly lookups: number[] = [];

  /** @internal */
  constructor(
    size: number,
    private readonly plus: boolean,
    private readonly attrTimeout: number,
    private readonly entryTimeout: number,
    private readonly ctxReplied: () => boolean,
  ) {
    this.#buffer = new DirentBuffer(size);
  }

  /**
   * Adds one entry; `nextOffset` is the offset at which a later readdir continues after it
   * (non-zero, unique and stable in your directory). Returns false, adding nothing, when the
   * reply is full. In readdirplus, an accepted entry other than `.` and `..` (with a non-zero
   * node id) increments that node's lookup count, exactly as a lookup would.
   */
  add(name: Name, attr: A, nextOffset: number): boolean {
    return this.#add(name, attr as Entry, nextOffset, true);
  }

  /**
   * readdirplus only: adds a name without an entry (libfuse's `fuse_entry_param.ino = 0` with a
   * real `st_ino`): the listing shows it, the kernel caches nothing and counts no lookup.
   * In readdir it is the same as {@link DirectoryReply.add}.
   */
  addName(name: Name, attr: Pick<Attr, 'ino' | 'mode'>, nextOffset: number): boolean {
    return this.#add(name, attr as Entry, nextOffset, false);
  }

  /**
   * Adds entries made beforehand by {@link encodeDirent}, with one copy and no checks. In
   * readdir: one entry, or several back to back (concatenated as they are). In readdirplus: one
   * entry, as a name only (as {@link DirectoryReply.addName}: no lookup count). For filesystems
   * that keep their directories encoded, so that a large listing costs little even the first
   * time. Returns false, adding nothing, when they do not fit in {@link DirectoryReply.room}.
   */
  addEncoded(entry: EncodedDirent): boolean {
    if (this.#full) return false;
    if (this.ctxReplied()) throw new Error('readdir reply already sent');
    let added: boolean;
    try {
      added = this.plus ? this.#buffer.appendNameOnly(entry) : this.#buffer.append(entry);
    } catch (error) {
      throw new ReplyShapeError(`readdirplus: addEncoded() takes one entry (${(error as Error).message})`);
    }
    if (!added) this.#full = true;
    return added;
  }

  /** Bytes still free in this reply: how much {@link DirectoryReply.addEncoded} can take. */
  get room(): number {
    return this.#full ? 0 : this.#buffer.bytes.length - this.#buffer.used;
  }

  /** True once an entry did not fit. */
  get full(): boolean {
    return this.#full;
  }

  /** @internal The encoded entries. */
  get bytes(): Uint8Array {
    return this.#buffer.bytes.subarray(0, this.#buffer.used);
  }

  #add(name: Name, e: Entry, nextOffset: number, entry: boolean): boolean {
    if (this.#full) return false;
    if (this.ctxReplied()) throw new Error('readdir reply already sent');
    checkName(name, 'entry name');
    checkCount(nextOffset, 'nextOffset');
    if (typeof e !== 'object' || e === null) throw new ReplyShapeError('directory entry attributes must be an object');
    const ino = checkCount(e.ino, 'ino');
    const mode = checkCount(e.mode, 'mode');
    let added: boolean;
    if (!this.plus) {
      added = this.#buffer.add(name, ino, mode, nextOffset);
    } else if (!entry) {
      added = this.#buffer.addPlus(name, nameOnly(ino, mode), nextOffset);
    } else {
      const nodeid = e.nodeid === undefined ? ino : checkCount(e.nodeid, 'nodeid');
      const generation = optionalCount(e.generation, 'generation');
      const entryTimeout = checkTimeout(e.entryTimeout, this.entryTimeout, 'entryTimeout');
      added = this.#buffer.addPlus(name, fields(e, nodeid, generation, this.attrTimeout, entryTimeout), nextOffset);
      if (added && nodeid !== 0 && !isDotOrDotDot(name)) this.lookups.push(nodeid);
    }
    if (!added) this.#full = true;
    return added;
  }
}

/** A readdir entry in the kernel's format, made by {@link encodeDirent}. */
export type EncodedDirent = Uint8Array & { readonly encodedDirent: true };

// Room for the largest entry: the header and a name of FUSE's maximum length.
const encoder = new DirentBuffer(24 + 1024 + 8);

/**
 * Encodes a readdir entry once, for {@link DirectoryReply.addEncoded}: `name` with the inode
 * number and file type of `attr`, continuing at `nextOffset`. Everything in it must stay true
 * while the entry is listed (an entry that is renamed over or changes inode is encoded again).
 */
export function encodeDirent(name: Name, attr: Pick<Attr, 'ino' | 'mode'>, nextOffset: number): EncodedDirent {
  checkName(name, 'entry name');
  encoder.used = 0;
  if (!encoder.add(name, checkCount(attr.ino, 'ino'), checkCount(attr.mode, 'mode'), checkCount(nextOffset, 'nextOffset'))) {
    throw new ReplyShapeError('entry name is longer than FUSE allows (1024 bytes)');
  }
  return Buffer.from(encoder.bytes.subarray(0, encoder.used)) as unknown as EncodedDirent;
}

// A readdirplus entry without an entry (node id 0): the kernel reads only the name, inode number
// and type. One object, refilled for each such entry.
const NAME_ONLY: DirentFields = {
  ino: 0, mode: 0, nodeid: 0, generation: 0, entryTimeout: 0, attrTimeout: 0, size: 0, blocks: 0,
  nlink: 0, uid: 0, gid: 0, rdev: 0, blksize: 0, atimeNs: 0n, mtimeNs: 0n, ctimeNs: 0n,
};

function nameOnly(ino: number, mode: number): DirentFields {
  NAME_ONLY.ino = ino;
  NAME_ONLY.mode = mode;
  return NAME_ONLY;
}

// Validated fields of a readdirplus entry (the same rules as a lookup's reply).
function fields(e: Entry, nodeid: number, generation: number, attrTimeout: number, entryTimeout: number): DirentFields {
  const a = e as MaybeStats;
  return {
    ino: e.ino,
    mode: e.mode,
    nodeid,
    generation,
    entryTimeout,
    attrTimeout: checkTimeout(e.attrTimeout, attrTimeout, 'attrTimeout'),
    size: optionalCount(e.size, 'size'),
    blocks: optionalCount(e.blocks, 'blocks'),
    nlink: optionalCount(e.nlink, 'nlink'),
    uid: optionalCount(e.uid, 'uid'),
    gid: optionalCount(e.gid, 'gid'),
    rdev: optionalCount(e.rdev, 'rdev'),
    blksize: optionalCount(e.blksize, 'blksize'),
    atimeNs: timeNs(a.atimeNs, a.atimeMs, 'atime'),
    mtimeNs: timeNs(a.mtimeNs, a.mtimeMs, 'mtime'),
    ctimeNs: timeNs(a.ctimeNs, a.ctimeMs, 'ctime'),
  };
}

function isDotOrDotDot(name: Name): boolean {
  const s = typeof name === 'string' ? name : name.toString('latin1');
  return s === '.' || s === '..';
}

/** Kept from a poll request: tell the kernel when readiness changes, then release it. */
export class PollHandle {
  #released = false;
  /** @internal */
  constructor(private readonly native: NativeSession, private readonly id: number) {}

  /** Wakes up the poller (fuse_lowlevel_notify_poll); non-blocking. */
  notify(): void {
    if (this.#released) throw new Error('poll handle released');
    this.native.notifyPoll(this.id);
  }

  /** Frees the handle (fuse_pollhandle_destroy). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.native.dropPollHandle(this.id);
  }
}
