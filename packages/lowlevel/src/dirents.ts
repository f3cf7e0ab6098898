// Directory listings encoded in JavaScript, byte for byte as libfuse's fuse_add_direntry and
// fuse_add_direntry_plus encode them (struct fuse_dirent / fuse_direntplus of <linux/fuse.h>,
// native endianness, 8-byte aligned), so a listing costs one native call per reply instead of
// one per entry. Only the encoding moves here; the reply still goes through fuse_reply_buf.

const NAME_OFFSET = 24; // offsetof(struct fuse_dirent, name)
const NAME_OFFSET_PLUS = 152; // offsetof(struct fuse_direntplus, dirent.name): 128-byte fuse_entry_out first
const S_IFMT = 0o170000;
const TWO_32 = 2 ** 32;
const NS = 1_000_000_000n;

/** One entry's fields, already validated. Times are ns since the epoch. */
export interface DirentFields {
  ino: number;
  mode: number;
  nodeid: number;
  generation: number;
  entryTimeout: number;
  attrTimeout: number;
  size: number;
  blocks: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  blksize: number;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export class DirentBuffer {
  readonly bytes: Buffer;
  readonly #u32: Uint32Array;
  readonly #i64: BigInt64Array;
  used = 0;

  constructor(size: number) {
    // Rounded to 8 bytes so the 64-bit view fits; entries never go past `size` itself.
    const buffer = new ArrayBuffer((size + 7) & ~7);
    this.bytes = Buffer.from(buffer, 0, size);
    this.#u32 = new Uint32Array(buffer);
    this.#i64 = new BigInt64Array(buffer);
  }

  /** Appends a plain entry (fuse_add_direntry); false, adding nothing, when it does not fit. */
  add(name: string | Uint8Array, ino: number, mode: number, next: number): boolean {
    const at = this.#reserve(NAME_OFFSET, name);
    if (at < 0) return false;
    this.#dirent(at, name, ino, mode, next);
    return true;
  }

  /** Appends a readdirplus entry (fuse_add_direntry_plus); false when it does not fit. */
  addPlus(name: string | Uint8Array, e: DirentFields, next: number): boolean {
    const at = this.#reserve(NAME_OFFSET_PLUS, name);
    if (at < 0) return false;
    const w = at >>> 2;
    this.#u64(w, e.nodeid);
    this.#u64(w + 2, e.generation);
    this.#timeout(w + 4, w + 8, e.entryTimeout);
    this.#timeout(w + 6, w + 9, e.attrTimeout);
    // struct fuse_attr, as libfuse's convert_stat fills it.
    this.#u64(w + 10, e.ino);
    this.#u64(w + 12, e.size);
    this.#u64(w + 14, e.blocks);
    this.#time(w + 16, w + 22, e.atimeNs);
    this.#time(w + 18, w + 23, e.mtimeNs);
    this.#time(w + 20, w + 24, e.ctimeNs);
    const u = this.#u32;
    u[w + 25] = e.mode;
    u[w + 26] = e.nlink;
    u[w + 27] = e.uid;
    u[w + 28] = e.gid;
    u[w + 29] = e.rdev;
    u[w + 30] = e.blksize;
    u[w + 31] = 0;
    this.#dirent(at + 128, name, e.ino, e.mode, next);
    return true;
  }

  /** Appends entries encoded before (by `add` into another buffer); false when they do not fit. */
  append(encoded: Uint8Array): boolean {
    if (encoded.length > this.bytes.length - this.used) return false;
    this.bytes.set(encoded, this.used);
    this.used += encoded.length;
    return true;
  }

  /**
   * Appends one entry encoded before (by `add`) to a readdirplus reply as a name only: an empty
   * fuse_entry_out (node id 0, which the kernel skips) before it. False when it does not fit;
   * throws if `encoded` is not exactly one entry.
   */
  appendNameOnly(encoded: Uint8Array): boolean {
    const b = encoded;
    const nameLength = LITTLE_ENDIAN ? b[16]! | (b[17]! << 8) | (b[18]! << 16) : b[19]! | (b[18]! << 8) | (b[17]! << 16);
    if (b.length < NAME_OFFSET || b.length !== ((NAME_OFFSET + nameLength + 7) & ~7)) {
      throw new RangeError('not one encoded directory entry');
    }
    const header = NAME_OFFSET_PLUS - NAME_OFFSET;
    if (header + b.length > this.bytes.length - this.used) return false;
    this.bytes.fill(0, this.used, this.used + header);
    this.bytes.set(b, this.used + header);
    this.used += header + b.length;
    return true;
  }

  // Returns the entry's offset, or -1 if it does not fit; advances `used` past its padding.
  #reserve(header: number, name: string | Uint8Array): number {
    const length = typeof name === 'string' ? Buffer.byteLength(name) : name.length;
    const padded = (header + length + 7) & ~7;
    if (padded > this.bytes.length - this.used) return -1;
    const at = this.used;
    this.#nameLength = length;
    this.bytes.fill(0, at + header + length, at + padded);
    this.used += padded;
    return at;
  }

  #nameLength = 0;

  #dirent(at: number, name: string | Uint8Array, ino: number, mode: number, next: number): void {
    const w = at >>> 2;
    this.#u64(w, ino);
    this.#u64(w + 2, next);
    this.#u32[w + 4] = this.#nameLength;
    this.#u32[w + 5] = (mode & S_IFMT) >>> 12;
    if (typeof name === 'string') this.bytes.write(name, at + NAME_OFFSET, 'utf8');
    else this.bytes.set(name, at + NAME_OFFSET);
  }

  // A safe integer as an unsigned 64-bit value at 32-bit word index w (little and big endian).
  #u64(w: number, value: number): void {
    const lo = value % TWO_32;
    const hi = (value - lo) / TWO_32;
    if (LITTLE_ENDIAN) {
      this.#u32[w] = lo;
      this.#u32[w + 1] = hi;
    } else {
      this.#u32[w] = hi;
      this.#u32[w + 1] = lo;
    }
  }

  // Seconds and nanoseconds of a timeout, as libfuse's calc_timeout_sec/_nsec.
  #timeout(wSec: number, wNsec: number, seconds: number): void {
    const whole = Math.min(Math.trunc(seconds), Number.MAX_SAFE_INTEGER);
    this.#u64(wSec, whole);
    this.#u32[wNsec] = Math.trunc((seconds - whole) * 1e9);
  }

  // Nanoseconds since the epoch as seconds (floored) and nanoseconds.
  #time(wSec: number, wNsec: number, ns: bigint): void {
    let sec = ns / NS;
    let nsec = ns - sec * NS;
    if (nsec < 0n) {
      nsec += NS;
      sec -= 1n;
    }
    this.#i64[wSec >>> 1] = sec;
    this.#u32[wNsec] = Number(nsec);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
