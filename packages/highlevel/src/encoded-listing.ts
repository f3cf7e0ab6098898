// Listings a FileSystem encodes itself (readdirEncoded): its offsets go to the kernel as they are,
// and no Listing is kept. Entries with attributes in readdirplus are booked in the node table as
// lookups, as listing.ts books them for readdir's entries.
import type { DirectoryReply, EncodedDirent, Entry } from '@fusekit/lowlevel';
import { backendIno } from './attributes.js';
import type { Attributes, EncodedListing, PathLike } from './filesystem.js';
import type { FillContext } from './listing.js';
import type { Node } from './node.js';

/** libfuse's FUSE_UNKNOWN_INO. */
const UNKNOWN_INO = 0xffffffff;
const NONE: readonly never[] = [];

export class EncodedListingReply<P extends PathLike> implements EncodedListing<P> {
  readonly hidden: readonly P[];

  constructor(
    private readonly fc: FillContext<P>,
    private readonly dir: Node<P>,
    private readonly reply: DirectoryReply<Entry>,
    readonly plus: boolean,
    hide: boolean,
  ) {
    this.hidden = hide ? hiddenNames(dir) : NONE;
  }

  get useIno(): boolean {
    return this.fc.useIno;
  }

  get room(): number {
    return this.reply.room;
  }

  addEncoded(entries: Uint8Array): boolean {
    if (this.plus) throw new TypeError('addEncoded() is for readdir; readdirplus takes add() and addName()');
    return this.reply.addEncoded(entries as EncodedDirent);
  }

  add(name: P, attributes: Attributes, nextOffset: number): boolean {
    const known = this.dir.children?.get(this.fc.names.key(name));
    // A node the kernel holds has its attributes cached: the name is enough, and costs a
    // fraction of an entry (as fs-memory lists).
    if (!this.plus || (known !== undefined && known.lookups > 0)) {
      const ino = this.fc.useIno ? backendIno(attributes) : (known?.id ?? UNKNOWN_INO);
      return this.reply.addName(name, { ino: ino > 0 ? ino : UNKNOWN_INO, mode: Number(attributes.mode) }, nextOffset);
    }
    const entry = this.fc.entry(this.dir, name, attributes);
    if (this.reply.add(name, entry, nextOffset)) return true;
    this.fc.table.forget(entry.nodeid ?? entry.ino, 1); // not sent: the kernel will not count it
    return false;
  }

  addName(name: P, ino: number, mode: number, nextOffset: number): boolean {
    return this.reply.addName(name, { ino, mode }, nextOffset);
  }
}

/** The names hidden by hideOnUnlink in `dir`. */
function hiddenNames<P extends PathLike>(dir: Node<P>): P[] {
  const names: P[] = [];
  for (const child of dir.children?.values() ?? []) {
    for (const link of child.links) if (link.hidden && link.parent === dir) names.push(link.name);
  }
  return names;
}
