// The contents of a regular file, sparse as on tmpfs. Data lives in chunks of 32 pages, each
// with a bitmask of the pages that hold data: a page whose bit is clear is a hole (reads as
// zeros, charged nothing), so a 5 GiB file with a few written bytes costs one page. Chunks
// rather than single pages keep the garbage collector's work small: 1 GiB of data is 8,192
// chunk objects, not 262,144 page buffers to trace on every collection.
import { FuseError } from '@fusekit/lowlevel';

/** Page size of file data, the unit of allocation, holes and SEEK_DATA/SEEK_HOLE (as tmpfs). */
export const PAGE_SIZE = 4096;
const PAGES_PER_CHUNK = 32; // one bit each in a 32-bit mask
const CHUNK_SIZE = PAGE_SIZE * PAGES_PER_CHUNK;
const ALL_PAGES = 0xffffffff;
const ZEROS = new Uint8Array(CHUNK_SIZE);
const EMPTY = new Uint8Array(0);

/** Where pages are charged, so the filesystem can refuse with ENOSPC before writing. */
export interface PageBudget {
  /** Takes `count` pages or throws ENOSPC without taking any. */
  reserve(count: number): void;
  release(count: number): void;
}

interface Chunk {
  /**
   * The chunk's first bytes, a whole number of pages, grown when written; what lies past them
   * reads as zeros. Pages in it whose bit is clear are zeros too.
   */
  bytes: Uint8Array;
  /** Bit i set: page i holds data (is charged to the budget), even if not in `bytes` yet. */
  pages: number;
}

export class FileData {
  readonly #chunks = new Map<number, Chunk>();
  #pageCount = 0;
  size = 0;

  constructor(private readonly budget: PageBudget) {}

  /** Pages that hold data. */
  get pageCount(): number {
    return this.#pageCount;
  }

  /** Up to `length` bytes from `offset` (fewer at end of file), as slices of the chunks: no copy. */
  read(offset: number, length: number): Uint8Array[] {
    const parts: Uint8Array[] = [];
    eachSpan(offset, Math.min(this.size, offset + length), (index, from, to) => {
      const bytes = this.#chunks.get(index)?.bytes ?? EMPTY;
      const held = Math.min(Math.max(bytes.length, from), to); // [from, held) is in `bytes`
      if (held > from) parts.push(bytes.subarray(from, held));
      if (to > held) parts.push(ZEROS.subarray(held, to));
    });
    return parts;
  }

  /**
   * Writes `data` at `offset`, growing the file; ENOSPC (nothing written) if pages run out.
   * With `owned`, the caller gives `data` away (the binding hands each write over as its own
   * buffer): whole chunks then keep views of it instead of being copied again.
   */
  write(data: Uint8Array, offset: number, owned = false): void {
    if (data.byteLength === 0) return;
    const end = offset + data.byteLength;
    this.#charge(offset, end);
    eachSpan(offset, end, (index, from, to) => {
      const at = index * CHUNK_SIZE + from - offset;
      const piece = data.subarray(at, at + to - from);
      const chunk = this.#chunk(index);
      if (owned && from === 0 && to === CHUNK_SIZE) {
        chunk.bytes = piece;
      } else {
        fit(chunk, to);
        chunk.bytes.set(piece, from);
      }
      chunk.pages = (chunk.pages | pageBits(from, to)) >>> 0;
    });
    if (end > this.size) this.size = end;
  }

  /**
   * Allocates zeroed pages for `[offset, end)` (fallocate); ENOSPC takes nothing. The pages are
   * charged and count as data, but take memory only when written: programs that preallocate
   * a file (fio, databases) then overwrite it all would otherwise zero it twice.
   */
  allocate(offset: number, end: number): void {
    this.#charge(offset, end);
    eachSpan(offset, end, (index, from, to) => {
      const chunk = this.#chunk(index);
      chunk.pages = (chunk.pages | pageBits(from, to)) >>> 0;
    });
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
    const first = Math.floor(offset / CHUNK_SIZE);
    const last = Math.ceil(end / CHUNK_SIZE);
    // Walk whichever is smaller: the range or the chunks held (a huge sparse range is cheap).
    const indexes = last - first > this.#chunks.size ? [...this.#chunks.keys()] : range(first, last);
    for (const index of indexes) {
      const chunk = this.#chunks.get(index);
      if (chunk === undefined || index < first || index >= last) continue;
      const from = Math.max(offset - index * CHUNK_SIZE, 0);
      const to = Math.min(end - index * CHUNK_SIZE, CHUNK_SIZE);
      const whole = bitsBetween(Math.ceil(from / PAGE_SIZE), Math.floor(to / PAGE_SIZE));
      freed += popcount(chunk.pages & whole);
      chunk.pages = (chunk.pages & ~whole) >>> 0;
      if (chunk.pages === 0) {
        this.#chunks.delete(index);
        continue;
      }
      chunk.bytes.fill(0, Math.min(from, chunk.bytes.length), Math.min(to, chunk.bytes.length));
      // Give back memory past the last page that still holds data, when that is most of it.
      const needed = (32 - Math.clz32(chunk.pages)) * PAGE_SIZE;
      if (needed * 2 <= chunk.bytes.length) chunk.bytes = chunk.bytes.slice(0, needed);
    }
    if (freed > 0) {
      this.#pageCount -= freed;
      this.budget.release(freed);
    }
  }

  /**
   * Copies up to `length` bytes of `source` from `from` to `to` in this file (copy_file_range)
   * and answers the count, which is short at the end of `source` or when space runs out. At
   * most a chunk is copied at a time, never the whole range at once; holes are copied as zeros,
   * as tmpfs (which copies through the page cache) does.
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
        const piece = Math.min(count - done, CHUNK_SIZE - ((from + done) % CHUNK_SIZE));
        for (const part of source.read(from + done, piece)) {
          this.write(part, to + done);
          done += part.length;
        }
      }
    } catch (error) {
      if (done === 0) throw error;
    }
    return done;
  }

  /** Frees every page (the inode is gone). */
  clear(): void {
    this.budget.release(this.#pageCount);
    this.#chunks.clear();
    this.#pageCount = 0;
    this.size = 0;
  }

  /** lseek SEEK_DATA: the first offset >= `offset` inside a page that holds data. */
  seekData(offset: number): number {
    if (offset >= this.size) throw new FuseError('ENXIO');
    const firstPage = Math.floor(offset / PAGE_SIZE);
    let best = Infinity;
    for (const [index, chunk] of this.#chunks) {
      const base = index * PAGES_PER_CHUNK;
      if (base >= best || base + PAGES_PER_CHUNK <= firstPage) continue;
      const pages = chunk.pages & bitsBetween(Math.max(0, firstPage - base), PAGES_PER_CHUNK);
      if (pages !== 0) best = base + lowestBit(pages);
    }
    if (best === Infinity || best * PAGE_SIZE >= this.size) throw new FuseError('ENXIO');
    return Math.max(offset, best * PAGE_SIZE);
  }

  /** lseek SEEK_HOLE: the first offset >= `offset` in a hole (end of file counts as one). */
  seekHole(offset: number): number {
    if (offset >= this.size) throw new FuseError('ENXIO');
    let page = Math.floor(offset / PAGE_SIZE);
    for (;;) {
      const index = Math.floor(page / PAGES_PER_CHUNK);
      const chunk = this.#chunks.get(index);
      if (chunk === undefined) break;
      const base = index * PAGES_PER_CHUNK;
      const holes = ~chunk.pages & bitsBetween(page - base, PAGES_PER_CHUNK);
      if (holes !== 0) {
        page = base + lowestBit(holes);
        break;
      }
      page = base + PAGES_PER_CHUNK;
    }
    return Math.min(Math.max(offset, page * PAGE_SIZE), this.size);
  }

  // Charges the pages of [offset, end) that hold no data yet.
  #charge(offset: number, end: number): void {
    let missing = 0;
    eachSpan(offset, end, (index, from, to) => {
      missing += popcount(pageBits(from, to) & ~(this.#chunks.get(index)?.pages ?? 0));
    });
    if (missing === 0) return;
    this.budget.reserve(missing);
    this.#pageCount += missing;
  }

  #chunk(index: number): Chunk {
    let chunk = this.#chunks.get(index);
    if (chunk === undefined) {
      chunk = { bytes: EMPTY, pages: 0 };
      this.#chunks.set(index, chunk);
    }
    return chunk;
  }
}

// Calls `visit` for each chunk that [offset, end) touches, with the byte range [from, to) of it.
function eachSpan(offset: number, end: number, visit: (index: number, from: number, to: number) => void): void {
  for (let pos = offset; pos < end; ) {
    const index = Math.floor(pos / CHUNK_SIZE);
    const from = pos - index * CHUNK_SIZE;
    const to = Math.min(CHUNK_SIZE, end - index * CHUNK_SIZE);
    visit(index, from, to);
    pos += to - from;
  }
}

// Makes `chunk.bytes` reach byte `to` of the chunk, doubling so that appends copy little.
function fit(chunk: Chunk, to: number): void {
  const needed = Math.ceil(to / PAGE_SIZE) * PAGE_SIZE;
  if (chunk.bytes.length >= needed) return;
  const grown = new Uint8Array(Math.min(CHUNK_SIZE, Math.max(needed, 2 * chunk.bytes.length)));
  grown.set(chunk.bytes);
  chunk.bytes = grown;
}

// The bits of the pages that bytes [from, to) of a chunk touch.
function pageBits(from: number, to: number): number {
  return bitsBetween(Math.floor(from / PAGE_SIZE), Math.ceil(to / PAGE_SIZE));
}

// Bits first..last-1 of a 32-bit mask, as an unsigned number.
function bitsBetween(first: number, last: number): number {
  if (last <= first) return 0;
  const width = last - first;
  return (width === 32 ? ALL_PAGES : ((1 << width) - 1) << first) >>> 0;
}

function popcount(bits: number): number {
  let x = bits - ((bits >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function lowestBit(bits: number): number {
  return 31 - Math.clz32(bits & -bits);
}

function range(from: number, to: number): number[] {
  const list: number[] = [];
  for (let i = from; i < to; i++) list.push(i);
  return list;
}
