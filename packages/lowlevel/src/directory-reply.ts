// The replies of readdir and readdirplus under construction, faithful to libfuse's
// fuse_add_direntry and fuse_add_direntry_plus: `add` returns false, and adds nothing, once the
// kernel's buffer is full. Two types: a readdir entry is a name, an inode number and a type; a
// readdirplus entry is a whole lookup reply, which counts a lookup.
import { DirentBuffer, type DirentFields } from './dirents.js';
import { checkCount, checkName, checkTimeout, optionalCount, ReplyShapeError, timeNs, type MaybeStats } from './reply-checks.js';
import type { Attr, Entry, Name } from './types.js';

/**
 * The reply of a readdir/readdirplus request under construction, faithful to
 * `fuse_add_direntry[_plus]`: `add` returns false, and adds nothing, once the kernel's buffer
 * is full.
 */
export abstract class DirectoryReply<A> {
  #full = false;
  /** @internal */
  protected readonly buffer: DirentBuffer;
  /** @internal Inodes whose lookup count an accepted readdirplus entry raised. */
  readonly lookups: number[] = [];

  /** @internal */
  constructor(
    size: number,
    private readonly ctxReplied: () => boolean,
  ) {
    this.buffer = new DirentBuffer(size);
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
    const added = this.appendEncoded(entry);
    if (!added) this.#full = true;
    return added;
  }

  /** Bytes still free in this reply: how much {@link DirectoryReply.addEncoded} can take. */
  get room(): number {
    return this.#full ? 0 : this.buffer.bytes.length - this.buffer.used;
  }

  /** True once an entry did not fit. */
  get full(): boolean {
    return this.#full;
  }

  /** @internal The encoded entries. */
  get bytes(): Uint8Array {
    return this.buffer.bytes.subarray(0, this.buffer.used);
  }

  /** @internal Encodes one validated entry (`entry` false: a name only); false when it does not fit. */
  protected abstract encode(name: Name, e: Entry, ino: number, mode: number, nextOffset: number, entry: boolean): boolean;
  /** @internal Appends entries encoded by encodeDirent; false when they do not fit. */
  protected abstract appendEncoded(encoded: EncodedDirent): boolean;

  #add(name: Name, e: Entry, nextOffset: number, entry: boolean): boolean {
    if (this.#full) return false;
    if (this.ctxReplied()) throw new Error('readdir reply already sent');
    checkName(name, 'entry name');
    checkCount(nextOffset, 'nextOffset');
    if (typeof e !== 'object' || e === null) throw new ReplyShapeError('directory entry attributes must be an object');
    const ino = checkCount(e.ino, 'ino');
    const mode = checkCount(e.mode, 'mode');
    const added = this.encode(name, e, ino, mode, nextOffset, entry);
    if (!added) this.#full = true;
    return added;
  }
}

/** @internal A readdir reply: names, inode numbers and types (fuse_add_direntry). */
export class ReaddirReply extends DirectoryReply<Pick<Attr, 'ino' | 'mode'>> {
  protected encode(name: Name, _e: Entry, ino: number, mode: number, nextOffset: number): boolean {
    return this.buffer.add(name, ino, mode, nextOffset);
  }

  protected appendEncoded(encoded: EncodedDirent): boolean {
    return this.buffer.append(encoded);
  }
}

/** @internal A readdirplus reply: each entry a lookup reply too (fuse_add_direntry_plus). */
export class ReaddirplusReply extends DirectoryReply<Entry> {
  constructor(
    size: number,
    private readonly attrTimeout: number,
    private readonly entryTimeout: number,
    ctxReplied: () => boolean,
  ) {
    super(size, ctxReplied);
  }

  protected encode(name: Name, e: Entry, ino: number, mode: number, nextOffset: number, entry: boolean): boolean {
    if (!entry) return this.buffer.addPlus(name, nameOnly(ino, mode), nextOffset);
    const nodeid = e.nodeid === undefined ? ino : checkCount(e.nodeid, 'nodeid');
    const generation = optionalCount(e.generation, 'generation');
    const entryTimeout = checkTimeout(e.entryTimeout, this.entryTimeout, 'entryTimeout');
    const added = this.buffer.addPlus(name, fields(e, nodeid, generation, this.attrTimeout, entryTimeout), nextOffset);
    if (added && nodeid !== 0 && !isDotOrDotDot(name)) this.lookups.push(nodeid);
    return added;
  }

  protected appendEncoded(encoded: EncodedDirent): boolean {
    try {
      return this.buffer.appendNameOnly(encoded);
    } catch (error) {
      throw new ReplyShapeError(`readdirplus: addEncoded() takes one entry (${(error as Error).message})`);
    }
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
  ino: 0,
  mode: 0,
  nodeid: 0,
  generation: 0,
  entryTimeout: 0,
  attrTimeout: 0,
  size: 0,
  blocks: 0,
  nlink: 0,
  uid: 0,
  gid: 0,
  rdev: 0,
  blksize: 0,
  atimeNs: 0n,
  mtimeNs: 0n,
  ctimeNs: 0n,
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
