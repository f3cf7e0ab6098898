// The entries of one open directory, read from the FileSystem's readdir once per pass (when
// the kernel reads from offset 0) and served by index, so the offsets the kernel gets back
// stay valid while the directory changes. An async iterable is consumed only as far as the
// kernel has asked.
import type { Attributes, DirectoryEntry, PathLike } from './filesystem.js';
import type { Names } from './names.js';

export interface ListedEntry<P> {
  name: P;
  attributes: Attributes | undefined;
}

type Source<P extends PathLike> = Iterator<DirectoryEntry<P>> | AsyncIterator<DirectoryEntry<P>>;

export class Listing<P extends PathLike> {
  readonly entries: ListedEntry<P>[] = [];
  /** The directory's version when this pass was listed (see Node.version). */
  version = -1;
  #source: Source<P> | undefined;

  constructor(private readonly names: Names<P>, private readonly skip: (name: P) => boolean) {}

  /** Starts a new pass over `source`, with `.` and `..` first. */
  reset(source: Iterable<DirectoryEntry<P>> | AsyncIterable<DirectoryEntry<P>>, version: number): void {
    if (typeof source !== 'object' || source === null) throw new TypeError('readdir must answer an iterable of entries');
    this.close();
    this.entries.length = 0;
    this.entries.push({ name: this.names.from('.'), attributes: undefined }, { name: this.names.from('..'), attributes: undefined });
    this.version = version;
    const asyncIterable = (source as AsyncIterable<DirectoryEntry<P>>)[Symbol.asyncIterator];
    this.#source = typeof asyncIterable === 'function'
      ? asyncIterable.call(source)
      : (source as Iterable<DirectoryEntry<P>>)[Symbol.iterator]();
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

  /** The entry at `index`, reading further from the source as needed; undefined past the end. */
  async at(index: number): Promise<ListedEntry<P> | undefined> {
    while (index >= this.entries.length && this.#source !== undefined) {
      const next = this.#source.next();
      const r = typeof (next as { then?: unknown }).then === 'function' ? await next : (next as IteratorResult<DirectoryEntry<P>>);
      if (r.done === true) {
        this.#source = undefined;
        break;
      }
      const entry = this.#normalize(r.value);
      if (entry !== undefined) this.entries.push(entry);
    }
    return this.entries[index];
  }

  #normalize(value: DirectoryEntry<P>): ListedEntry<P> | undefined {
    let name: PathLike;
    let attributes: Attributes | undefined;
    if (typeof value === 'string' || Buffer.isBuffer(value)) {
      name = value;
    } else if (typeof value === 'object' && value !== null && 'name' in value) {
      name = value.name;
      attributes = value.attributes;
    } else {
      throw new TypeError('a directory entry must be a name or { name, attributes }');
    }
    const coerced = this.names.coerce(name);
    const key = this.names.key(coerced);
    if (key === '.' || key === '..' || key.length === 0 || this.skip(coerced)) return undefined;
    return { name: coerced, attributes };
  }
}
