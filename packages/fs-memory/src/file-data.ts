// The contents of a regular file: a sparse map of fixed-size pages. A page that is absent is a
// hole (reads as zeros, costs nothing), so a 5 GiB file with a few written bytes costs a page.
import { FuseError } from '@fusekit/lowlevel';

/** Page size of file data, the unit of allocation, holes and SEEK_DATA/SEEK_HOLE (as tmpfs). */
export const PAGE_SIZE = 4096;
const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

/** Where pages are charged, so the filesystem can refuse with ENOSPC before writing. */
export interface PageBudget {
  /** Takes `count` pages or throws ENOSPC without taking any. */
  reserve(count: number): void;
  release(count: number): void;
}

export class FileData {
  readonly #pages = new Map<number, Uint8Array>();
  size = 0;

  constructor(private readonly budget: PageBudget) {}

  /** Pages that hold data. */
  get pageCount(): number {
    return this.#pages.size;
  }

  /** Up to `length` bytes from `offset` (fewer at end of file), as page slices: no copy. */
  read(offset: number, length: number): Uint8Array[] {
    const end = Math.min(this.size, offset + length);
    const parts: Uint8Array[] = [];
    for (let pos = offset; pos < end;) {
      const index = Math.floor(pos / PAGE_SIZE);
      const start = pos - index * PAGE_SIZE;
      const stop = Math.min(PAGE_SIZE, end - index * PAGE_SIZE);
      parts.push((this.#pages.get(index) ?? ZERO_PAGE).subarray(start, stop));
      pos += stop - start;
    }
    return parts;
  }

  /**
   * Writes `data` at `offset`, growing the file; ENOSPC (nothing written) if pages run out.
   * With `owned`, the caller gives `data` away (the binding hands each write a fresh copy of the
   * request): whole pages then keep views of it instead of being copied again.
   */
  write(data: Uint8Array, offset: number, owned = false): void {
    if (data.byteLength === 0) return;
    const end = offset + data.byteLength;
    const fresh = this.#newPages(this.#reserveRange(offset, end));
    for (let pos = offset; pos < end;) {
      const index = Math.floor(pos / PAGE_SIZE);
      const start = pos - index * PAGE_SIZE;
      const stop = Math.min(PAGE_SIZE, end - index * PAGE_SIZE);
      const from = pos - offset;
      if (owned && start === 0 && stop === PAGE_SIZE) {
        this.#pages.set(index, data.subarray(from, from + PAGE_SIZE));
      } else {
        let page = this.#pages.get(index);
        if (page === undefined) {
          page = fresh();
          this.#pages.set(index, page);
        }
        page.set(data.subarray(from, from + stop - start), start);
      }
      pos += stop - start;
    }
    if (end > this.size) this.size = end;
  }

  /** Allocates zeroed pages for `[offset, end)` (fallocate); ENOSPC takes nothing. */
  allocate(offset: number, end: number): void {
    const fresh = this.#newPages(this.#reserveRange(offset, end));
    for (let i = Math.floor(offset / PAGE_SIZE); i * PAGE_SIZE < end; i++) {
      if (!this.#pages.has(i)) this.#pages.set(i, fresh());
    }
  }

  /** Sets the size: growing leaves a hole, shrinking frees whole pages and zeroes the tail. */
  truncate(size: number): void {
    // As tmpfs: a truncate that does not grow the file also drops pages fallocated past its end.
    if (size <= this.size) this.punch(size, Number.MAX_SAFE_INTEGER);
    this.size = size;
  }

  /** Deallocates `[offset, end)`: whole pages are freed, partial ones zeroed (a hole). */
  punch(offset: number, end: number): void {
    let freed = 0;
    const first = Math.floor(offset / PAGE_SIZE);
    const last = Math.ceil(end / PAGE_SIZE);
    // Walk whichever is smaller: the range or the pages held (a huge sparse range is cheap).
    const indexes = last - first > this.#pages.size ? [...this.#pages.keys()] : range(first, last);
    for (const index of indexes) {
      if (index < first || index >= last) continue;
      const page = this.#pages.get(index);
      if (page === undefined) continue;
      const start = Math.max(offset - index * PAGE_SIZE, 0);
      const stop = Math.min(end - index * PAGE_SIZE, PAGE_SIZE);
      if (start === 0 && stop === PAGE_SIZE) {
        this.#pages.delete(index);
        freed++;
      } else {
        page.fill(0, start, stop);
      }
    }
    if (freed > 0) this.budget.release(freed);
  }

  /**
   * Copies up to `length` bytes of `source` from `from` to `to` in this file (copy_file_range)
   * and answers the count, which is short at the end of `source` or when space runs out. Pages
   * are copied one by one, never the whole range at once; holes are copied as zeros, as tmpfs
   * (which copies through the page cache) does.
   */
  copyFrom(source: FileData, from: number, to: number, length: number): number {
    const count = Math.max(0, Math.min(source.size, from + length) - from);
    if (source === this && from < to + count && to < from + count) {
      // Overlapping ranges of one file: copy through a bounded buffer (a short copy is allowed).
      const bytes = Buffer.concat(this.read(from, Math.min(count, 1 << 26)));
      this.write(bytes, to);
      return bytes.length;
    }
    let done = 0;
    try {
      while (done < count) {
        const index = Math.floor((from + done) / PAGE_SIZE);
        const start = from + done - index * PAGE_SIZE;
        const piece = Math.min(PAGE_SIZE - start, count - done);
        const page = source.#pages.get(index) ?? ZERO_PAGE;
        this.write(page.subarray(start, start + piece), to + done);
        done += piece;
      }
    } catch (error) {
      if (done === 0) throw error;
    }
    return done;
  }

  /** Frees every page (the inode is gone). */
  clear(): void {
    this.budget.release(this.#pages.size);
    this.#pages.clear();
    this.size = 0;
  }

  /** lseek SEEK_DATA: the first offset >= `offset` inside a page that holds data. */
  seekData(offset: number): number {
    if (offset >= this.size) throw new FuseError('ENXIO');
    const first = Math.floor(offset / PAGE_SIZE);
    let best = Infinity;
    for (const index of this.#pages.keys()) if (index >= first && index < best) best = index;
    if (best === Infinity || best * PAGE_SIZE >= this.size) throw new FuseError('ENXIO');
    return Math.max(offset, best * PAGE_SIZE);
  }

  /** lseek SEEK_HOLE: the first offset >= `offset` in a hole (end of file counts as one). */
  seekHole(offset: number): number {
    if (offset >= this.size) throw new FuseError('ENXIO');
    let index = Math.floor(offset / PAGE_SIZE);
    while (this.#pages.has(index)) index++;
    return Math.min(Math.max(offset, index * PAGE_SIZE), this.size);
  }

  // Charges the pages of [offset, end) that do not exist yet; answers how many.
  #reserveRange(offset: number, end: number): number {
    let missing = 0;
    for (let i = Math.floor(offset / PAGE_SIZE); i * PAGE_SIZE < end; i++) if (!this.#pages.has(i)) missing++;
    if (missing > 0) this.budget.reserve(missing);
    return missing;
  }

  // Hands out `count` zeroed pages as views of one allocation: a large write costs one buffer,
  // not one per page. A view that is freed alone keeps its block alive until its neighbours go.
  #newPages(count: number): () => Uint8Array {
    if (count <= 1) return () => new Uint8Array(PAGE_SIZE);
    const block = new Uint8Array(count * PAGE_SIZE);
    let next = 0;
    return () => block.subarray(next * PAGE_SIZE, ++next * PAGE_SIZE);
  }
}

function range(from: number, to: number): number[] {
  const list: number[] = [];
  for (let i = from; i < to; i++) list.push(i);
  return list;
}
