// The open-file table: the kernel's fh numbers mapped to the FileSystem's handles, with the node
// each is open on (and, for a directory, its listing), booked in the node table's open counts.
import { FuseError, type OpenReply, type RequestContext } from '@fusekit/lowlevel';
import { Opened, type PathLike } from './filesystem.js';
import type { Listing } from './listing.js';
import type { Node } from './node.js';
import type { NodeTable } from './node-table.js';

/** An open file or directory: the kernel's fh maps to one of these. */
export interface OpenFile<P extends PathLike> {
  node: Node<P>;
  handle: unknown;
  listing?: Listing<P>;
  /** Opened with kernel passthrough through a backing id the layer holds for the node. */
  backed?: boolean;
}

/** A backing id held for a node while it has passthrough opens (the kernel wants one per inode). */
interface Backing {
  id: number;
  opens: number;
}

export class OpenFiles<P extends PathLike> {
  readonly #files = new Map<number, OpenFile<P>>();
  readonly #backing = new Map<Node<P>, Backing>();
  #nextFh = 1;

  constructor(private readonly table: NodeTable<P>) {}

  /** Open files and directories. */
  get size(): number {
    return this.#files.size;
  }

  /** The open file `fh`, if it is one. */
  get(fh: number | undefined): OpenFile<P> | undefined {
    return fh === undefined ? undefined : this.#files.get(fh);
  }

  /** The open file `fh`; EBADF if it is none. */
  file(fh: number | undefined): OpenFile<P> {
    const file = this.get(fh);
    if (file === undefined) throw new FuseError('EBADF');
    return file;
  }

  /** An open file (not directory) of the node, to answer for a node that has lost its path. */
  anyOf(node: Node<P>): OpenFile<P> | undefined {
    for (const file of this.#files.values()) if (file.node === node && file.listing === undefined) return file;
    return undefined;
  }

  /**
   * Books an open file of `node` (the FileSystem answered `answer`: a handle, or an Opened with
   * open flags) and writes its fh and open flags into `reply`.
   */
  open<R extends OpenReply>(node: Node<P>, answer: unknown, listing: Listing<P> | undefined, reply: R, ctx: RequestContext): R {
    let handle = answer;
    let backed = false;
    if (answer instanceof Opened) {
      handle = answer.handle;
      const { backingFd, ...flags } = answer.flags;
      Object.assign(reply, flags);
      if (backingFd !== undefined && listing === undefined && ctx.passthrough) {
        reply.backingId = this.#backingOf(node, backingFd, ctx);
        reply.keepCache = false;
        reply.directIo = false;
        backed = true;
      }
    }
    const fh = this.#nextFh++;
    const file: OpenFile<P> = { node, handle };
    if (listing !== undefined) file.listing = listing;
    if (backed) file.backed = true;
    this.#files.set(fh, file);
    this.table.opened(node);
    reply.fh = fh;
    return reply;
  }

  /**
   * Forgets `fh` (the node table's open count is the caller's to book, once the file is closed),
   * and releases the node's backing id with its last passthrough open.
   */
  delete(fh: number, ctx: RequestContext): void {
    const file = this.#files.get(fh);
    this.#files.delete(fh);
    if (file?.backed !== true) return;
    const backing = this.#backing.get(file.node)!;
    if (--backing.opens > 0) return;
    this.#backing.delete(file.node);
    ctx.backingClose(backing.id);
  }

  #backingOf(node: Node<P>, fd: number, ctx: RequestContext): number {
    let backing = this.#backing.get(node);
    if (backing === undefined) {
      backing = { id: ctx.backingOpen(fd), opens: 0 };
      this.#backing.set(node, backing);
    }
    backing.opens++;
    return backing.id;
  }
}
