// The entries of one open directory, read from the FileSystem's readdir once per pass (when
// the kernel reads from offset 0) and served by index, so the offsets the kernel gets back
// stay valid while the directory changes. An async iterable is consumed only as far as the
// kernel has asked.
import { S_IFMT } from './attributes.js';
import type { Attributes, DirectoryEntry, PathLike } from './filesystem.js';
import type { Names } from './names.js';

export interface ListedEntry<P> {
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

  constructor(private readonly names: Names<P>, private readonly skip: (name: P) => boolean) {}

  /** Starts a new pass over `source`, with `.` and `..` first. */
  reset(source: Iterable<DirectoryEntry<P>> | AsyncIterable<DirectoryEntry<P>>, version: number): void {
    if (typeof source !== 'object' || source === null) throw new TypeError('readdir must answer an iterable of entries');
    this.close();
    this.entries.length = 0;
    this.entries.push({ name: this.names.from('.'), attributes: undefined, type: 0 }, { name: this.names.from('..'), attributes: undefined, type: 0 });
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

  /**
   * The entry at `index`, reading further from the source as needed; undefined past the end.
   * A promise only while an async source is being read.
   */
  at(index: number): ListedEntry<P> | undefined | Promise<ListedEntry<P> | undefined> {
    while (index >= this.entries.length && this.#source !== undefined) {
      const source = this.#source;
      const next = source.next();
      if (typeof (next as { then?: unknown }).then === 'function') {
        return (next as Promise<IteratorResult<DirectoryEntry<P>>>).then((r) => {
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
