// Directory listings of PassthroughFs, read natively (native/listing.cc): a readdir reply is
// encoded by the helper and added with one copy; in readdirplus each name comes with fstatat's
// attributes, stat'ed only then (as passthrough_ll does), which JS books as a lookup.
import type { EncodedListing, Result } from '@fusekit/highlevel';
import { andThen } from '@fusekit/lowlevel';
import { attributes, type Host } from './host.js';
import { LIST_PLUS, LIST_USE_INO } from './native.js';

const NUL = Buffer.alloc(1);
/** A readdirplus record's header: 16 int64 (13 stat fields, d_ino, offset, namelen/type/stated). */
const HEADER_WORDS = 16;
const HEADER = HEADER_WORDS * 8;
const TWO_32 = 2 ** 32;

/** Adds the entries of the host directory open at `fd` from `offset` on to `listing`. */
export function listDirectory(host: Host, fd: number, offset: number, listing: EncodedListing<Buffer>): Result<void> {
  const flags = (listing.plus ? LIST_PLUS : 0) | (listing.useIno ? LIST_USE_INO : 0);
  const hidden = listing.hidden.length === 0 ? undefined : Buffer.concat(listing.hidden.flatMap((name) => [name, NUL]));
  return andThen(host.list(fd, offset, listing.room, flags, hidden), (out) => {
    if (!listing.plus) {
      if (out.length > 0) listing.addEncoded(out);
      return;
    }
    addPlus(listing, out);
  });
}

/** Adds readdirplus records: names with attributes as lookups, the others (., .., unstat'able) as names. */
function addPlus(listing: EncodedListing<Buffer>, out: Buffer): void {
  const words = aligned(out);
  for (let at = 0; at < out.length; ) {
    const w = at >>> 3;
    const packed = Number(words[w + 15]);
    const nameLength = packed % TWO_32;
    const type = Math.trunc(packed / TWO_32);
    const name = out.subarray(at + HEADER, at + HEADER + nameLength);
    const next = Number(words[w + 14]);
    const added =
      type & 0x100
        ? listing.add(name, attributes(words, w), next)
        : listing.addName(name, Number(words[w + 13]), (type & 0xff) << 12, next);
    if (!added) return;
    at += (HEADER + nameLength + 7) & ~7;
  }
}

/** `out` as 64-bit words, copied if the Buffer does not start 8-aligned. */
function aligned(out: Buffer): BigInt64Array {
  if (out.byteOffset % 8 === 0) return new BigInt64Array(out.buffer, out.byteOffset, out.length >>> 3);
  const words = new BigInt64Array(out.length >>> 3);
  new Uint8Array(words.buffer).set(out);
  return words;
}
