// Directory entries with stable readdir offsets: each entry gets a cookie from a counter that
// only grows, and entries are kept in cookie order. A readdir resuming at cookie c continues with
// the first live entry whose cookie is > c, so concurrent creation and removal never make it skip
// or repeat an entry that stayed in place. Removed entries are tombstoned and swept in batches.
// Each entry can keep its readdir encoding, made when it is added, and the directory keeps them
// back to back (a Listing): a readdir reply is one copy, even the first time.
import { Listing } from './listing.js';

export interface DirEntry<T, E = Uint8Array> {
  /** The name as a latin1 string: one char per byte, so any byte sequence round-trips. */
  readonly key: string;
  value: T;
  readonly cookie: number;
  /** What `encode` made of the entry when it was added or its value replaced. */
  encoded: E | undefined;
  removed: boolean;
}

/** The offsets 1 and 2 belong to `.` and `..`. */
export const FIRST_COOKIE = 3;

export class Directory<T, E extends Uint8Array = Uint8Array> {
  readonly #byKey = new Map<string, DirEntry<T, E>>();
  #ordered: DirEntry<T, E>[] = [];
  #tombstones = 0;
  #nextCookie = FIRST_COOKIE;
  #listing: Listing | undefined; // kept from the start with `encode`; rebuilt after removals

  constructor(private readonly encode?: (key: string, value: T, cookie: number) => E) {
    if (encode !== undefined) this.#listing = new Listing();
  }

  get size(): number {
    return this.#byKey.size;
  }

  get(key: string): T | undefined {
    return this.#byKey.get(key)?.value;
  }

  /** Adds an entry (the caller checked that `key` is free). */
  add(key: string, value: T): void {
    const cookie = this.#nextCookie++;
    const entry: DirEntry<T, E> = { key, value, cookie, encoded: this.encode?.(key, value, cookie), removed: false };
    this.#byKey.set(key, entry);
    this.#ordered.push(entry);
    if (entry.encoded !== undefined) this.#listing?.append(cookie, entry.encoded);
  }

  /** Points an existing entry at another value, keeping its place (RENAME_EXCHANGE). */
  replace(key: string, value: T): void {
    const entry = this.#byKey.get(key);
    if (entry === undefined) return;
    entry.value = value;
    entry.encoded = this.encode?.(key, value, entry.cookie);
    this.#listing = undefined;
  }

  remove(key: string): void {
    const entry = this.#byKey.get(key);
    if (entry === undefined) return;
    this.#byKey.delete(key);
    entry.removed = true;
    this.#listing = undefined;
    if (++this.#tombstones > 64 && this.#tombstones * 2 > this.#ordered.length) {
      this.#ordered = this.#ordered.filter((e) => !e.removed);
      this.#tombstones = 0;
    }
  }

  /**
   * The encodings of the live entries after `cookie`, back to back: as many whole ones as fit in
   * `room` bytes. Only for a directory made with `encode`.
   */
  encodedAfter(cookie: number, room: number): Uint8Array {
    if (this.#listing === undefined) {
      this.#listing = new Listing();
      for (const entry of this.#ordered) if (!entry.removed) this.#listing.append(entry.cookie, entry.encoded!);
    }
    return this.#listing.after(cookie, room);
  }

  /**
   * Calls `visit` with each live entry whose cookie is greater than `cookie`, in cookie order,
   * until it returns false. `visit` must not change the directory.
   */
  forEachAfter(cookie: number, visit: (entry: DirEntry<T, E>) => boolean): void {
    const list = this.#ordered;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.cookie <= cookie) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length; i++) {
      const entry = list[i]!;
      if (!entry.removed && !visit(entry)) return;
    }
  }
}
