// Directory listings encoded in JavaScript, byte for byte as libfuse's fuse_add_direntry and
// fuse_add_direntry_plus encode them (struct fuse_dirent / fuse_direntplus of <linux/fuse.h>,
// native endianness, 8-byte aligned), so a listing costs one native call per reply instead of
// one per entry. Only the encoding moves here; the reply still goes through fuse_reply_buf.
// The struct offsets come from the addon (native/dirent_layout.cc, from <linux/fuse.h>).
import { native } from './native.js';

const L = native.layout as Record<string, number>;
// A byte offset as an index of 32-bit words.
const word = (name: string): number => {
  const at = L[name];
  if (at === undefined || at % 4 !== 0) throw new Error(`addon layout lacks ${name}`);
  return at >>> 2;
};
const NAME_OFFSET = L.D_NAME!; // offsetof(struct fuse_dirent, name)
const DIRENT_PLUS = L.DP_DIRENT!; // offsetof(struct fuse_direntplus, dirent): the fuse_entry_out first
const NAME_OFFSET_PLUS = DIRENT_PLUS + NAME_OFFSET;
const D_INO = word('D_INO'),
  D_OFF = word('D_OFF'),
  D_NAMELEN = L.D_NAMELEN!,
  D_TYPE = word('D_TYPE');
const E_NODEID = word('E_NODEID'),
  E_GENERATION = word('E_GENERATION'),
  E_ENTRY_VALID = word('E_ENTRY_VALID');
const E_ATTR_VALID = word('E_ATTR_VALID'),
  E_ENTRY_VALID_NSEC = word('E_ENTRY_VALID_NSEC');
const E_ATTR_VALID_NSEC = word('E_ATTR_VALID_NSEC');
const A = word('E_ATTR');
const A_INO = A + word('A_INO'),
  A_SIZE = A + word('A_SIZE'),
  A_BLOCKS = A + word('A_BLOCKS');
const A_ATIME = A + word('A_ATIME'),
  A_MTIME = A + word('A_MTIME'),
  A_CTIME = A + word('A_CTIME');
const A_ATIMENSEC = A + word('A_ATIMENSEC'),
  A_MTIMENSEC = A + word('A_MTIMENSEC'),
  A_CTIMENSEC = A + word('A_CTIMENSEC');
const A_MODE = A + word('A_MODE'),
  A_NLINK = A + word('A_NLINK'),
  A_UID = A + word('A_UID'),
  A_GID = A + word('A_GID');
const A_RDEV = A + word('A_RDEV'),
  A_BLKSIZE = A + word('A_BLKSIZE'),
  A_FLAGS = A + word('A_FLAGS');
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
    this.#u64(w + E_NODEID, e.nodeid);
    this.#u64(w + E_GENERATION, e.generation);
    this.#timeout(w + E_ENTRY_VALID, w + E_ENTRY_VALID_NSEC, e.entryTimeout);
    this.#timeout(w + E_ATTR_VALID, w + E_ATTR_VALID_NSEC, e.attrTimeout);
    // struct fuse_attr, as libfuse's convert_stat fills it.
    this.#u64(w + A_INO, e.ino);
    this.#u64(w + A_SIZE, e.size);
    this.#u64(w + A_BLOCKS, e.blocks);
    this.#time(w + A_ATIME, w + A_ATIMENSEC, e.atimeNs);
    this.#time(w + A_MTIME, w + A_MTIMENSEC, e.mtimeNs);
    this.#time(w + A_CTIME, w + A_CTIMENSEC, e.ctimeNs);
    const u = this.#u32;
    u[w + A_MODE] = e.mode;
    u[w + A_NLINK] = e.nlink;
    u[w + A_UID] = e.uid;
    u[w + A_GID] = e.gid;
    u[w + A_RDEV] = e.rdev;
    u[w + A_BLKSIZE] = e.blksize;
    u[w + A_FLAGS] = 0;
    this.#dirent(at + DIRENT_PLUS, name, e.ino, e.mode, next);
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
    const n = D_NAMELEN;
    const nameLength = LITTLE_ENDIAN ? b[n]! | (b[n + 1]! << 8) | (b[n + 2]! << 16) : b[n + 3]! | (b[n + 2]! << 8) | (b[n + 1]! << 16);
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
    this.#u64(w + D_INO, ino);
    this.#u64(w + D_OFF, next);
    this.#u32[w + (D_NAMELEN >>> 2)] = this.#nameLength;
    this.#u32[w + D_TYPE] = (mode & S_IFMT) >>> 12;
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
