// The entries of one open directory, read from the FileSystem's readdir once per pass (when
// the kernel reads from offset 0) and served by index, so the offsets the kernel gets back
// stay valid while the directory changes. An async iterable is consumed only as far as the
// kernel has asked. fillListing answers readdir and readdirplus from it.
import { isThenable, type DirectoryReply, type Entry, type Result } from '@fusekit/lowlevel';
import { backendIno, S_IFDIR, S_IFMT } from './attributes.js';
import type { Attributes, DirectoryEntry, PathLike } from './filesystem.js';
import type { Names } from './names.js';
import type { Node } from './node.js';
import type { NodeTable } from './node-table.js';

/** The inode number readdir reports for a name the session does not know yet (libfuse's FUSE_UNKNOWN_INO). */
const UNKNOWN_INO = 0xffffffff;

interface ListedEntry<P> {
  name: P;
  /** Attributes, or the function that gives them (see DirectoryEntry). */
  attributes: Attributes | (() => Attributes | undefined) | undefined;
  /** The file type as listed (`S_IFMT` bits), or 0 when not known without the attributes. */
  type: number;
}

type Source<P extends PathLike> = Iterator<DirectoryEntry<P>> | AsyncIterator<DirectoryEntry<P>>;

export class Listing<P extends PathLike> {
  readonly entries: ListedEntry<P>[] = [];
  /** The directory's version when this pass was listed (see Node.version). */
  version = -1;
  #source: Source<P> | undefined;

  constructor(
    private readonly names: Names<P>,
    private readonly skip: (name: P) => boolean,
  ) {}

  /** Starts a new pass over `source`, with `.` and `..` first. */
  reset(source: Iterable<DirectoryEntry<P>> | AsyncIterable<DirectoryEntry<P>>, version: number): void {
    if (typeof source !== 'object' || source === null) throw new TypeError('readdir must answer an iterable of entries');
    this.close();
    this.entries.length = 0;
    this.entries.push(
      { name: this.names.from('.'), attributes: undefined, type: 0 },
      { name: this.names.from('..'), attributes: undefined, type: 0 },
    );
    this.version = version;
    const asyncIterable = (source as AsyncIterable<DirectoryEntry<P>>)[Symbol.asyncIterator];
    this.#source =
      typeof asyncIterable === 'function' ? asyncIterable.call(source) : (source as Iterable<DirectoryEntry<P>>)[Symbol.iterator]();
  }

  /** Lets go of the source (an async iterator may hold a directory descriptor open). */
  close(): void {
    const source = this.#source;
    this.#source = undefined;
    if (source?.return === undefined) return;
    Promise.resolve()
      .then(() => source.return!())
      .catch(() => undefined);
  }

  get started(): boolean {
    return this.entries.length > 0;
  }

  /**
   * The entry at `index`, reading further from the source as needed; undefined past the end.
   * A promise only while an async source is being read.
   */
  at(index: number): ListedEntry<P> | undefined | Promise<ListedEntry<P> | undefined> {
    while (index >= this.entries.length && this.#source !== undefined) {
      const source = this.#source;
      const next = source.next();
      if (isThenable(next)) {
        return Promise.resolve(next).then((r) => {
          if (this.#source === source) this.#take(r);
          return this.at(index);
        });
      }
      this.#take(next as IteratorResult<DirectoryEntry<P>>);
    }
    return this.entries[index];
  }

  #take(r: IteratorResult<DirectoryEntry<P>>): void {
    if (r.done === true) {
      this.#source = undefined;
      return;
    }
    const entry = this.#normalize(r.value);
    if (entry !== undefined) this.entries.push(entry);
  }

  #normalize(value: DirectoryEntry<P>): ListedEntry<P> | undefined {
    let name: PathLike;
    let attributes: ListedEntry<P>['attributes'];
    let type = 0;
    if (typeof value === 'string' || Buffer.isBuffer(value)) {
      name = value;
    } else if (typeof value === 'object' && value !== null && 'name' in value) {
      name = value.name;
      attributes = value.attributes;
      if (typeof value.mode === 'number') type = value.mode & S_IFMT;
      else if (typeof attributes === 'object' && attributes !== null) type = Number(attributes.mode) & S_IFMT;
    } else {
      throw new TypeError('a directory entry must be a name or { name, attributes, mode }');
    }
    const coerced = this.names.coerce(name);
    const key = this.names.key(coerced);
    if (key === '.' || key === '..' || key.length === 0 || this.skip(coerced)) return undefined;
    return { name: coerced, attributes, type };
  }
}

/** What filling a listing needs from the dispatcher. */
export interface FillContext<P extends PathLike> {
  readonly names: Names<P>;
  readonly table: NodeTable<P>;
  /** Whether listings show the backend's inode numbers (the useIno option). */
  readonly useIno: boolean;
  /** Books an entry reply for `name` in `dir`: one more lookup of its node. */
  entry(dir: Node<P>, name: P, a: Attributes): Entry;
}

/** Adds the listing's entries from `index` on until the reply is full or the listing ends. */
export function fillListing<P extends PathLike>(
  fc: FillContext<P>,
  dir: Node<P>,
  listing: Listing<P>,
  index: number,
  reply: DirectoryReply<Entry>,
  plus: boolean,
): Result<void> {
  for (let i = index; ; i++) {
    const e = listing.at(i);
    if (isThenable(e)) return e.then(() => fillListing(fc, dir, listing, i, reply, plus)); // an async source: then on at once
    if (e === undefined || !add(fc, dir, listing, e, i + 1, reply, plus)) return;
  }
}

/** The inode number a plain listing shows for a node (undefined: not known yet). */
function listedIno<P extends PathLike>(fc: FillContext<P>, node: Node<P> | undefined, listed?: ListedEntry<P>): number {
  if (!fc.useIno) return node?.id ?? UNKNOWN_INO;
  if (node !== undefined && node.ino !== 0) return node.ino;
  const a = listed?.attributes;
  const ino = a !== undefined && typeof a !== 'function' ? backendIno(a) : 0;
  return ino > 0 ? ino : UNKNOWN_INO;
}

/** Adds one entry to a readdir(plus) reply; false when it is full. */
function add<P extends PathLike>(
  fc: FillContext<P>,
  dir: Node<P>,
  listing: Listing<P>,
  e: ListedEntry<P>,
  next: number,
  reply: DirectoryReply<Entry>,
  plus: boolean,
): boolean {
  const key = fc.names.key(e.name);
  if (key === '.' || key === '..') {
    const ino = listedIno(fc, key === '.' ? dir : (dir.links[0]?.parent ?? dir));
    return reply.add(e.name, { ino, mode: S_IFDIR }, next);
  }
  if (!plus) return reply.add(e.name, { ino: listedIno(fc, dir.children?.get(key), e), mode: e.type }, next);
  // Attributes listed before a change of this directory may be stale: those are left out, and so
  // are none at all. The name goes alone then: the kernel looks it up when it needs it, as
  // libfuse's fuse.c does. Attributes given as a function are fresh: asked for now.
  let a: Attributes | undefined;
  if (typeof e.attributes === 'function') {
    try {
      a = e.attributes();
    } catch {
      a = undefined; // gone meanwhile, or not ours to stat: the kernel's lookup will tell
    }
  } else if (listing.version === dir.version) {
    a = e.attributes;
  }
  if (a === undefined) return reply.addName(e.name, { ino: listedIno(fc, dir.children?.get(key), e), mode: e.type }, next);
  const entry = fc.entry(dir, e.name, a);
  if (reply.add(e.name, entry, next)) return true;
  fc.table.forget(entry.nodeid ?? entry.ino, 1); // not sent: the kernel will not count it
  return false;
}
