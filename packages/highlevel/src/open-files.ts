// The open-file table: the kernel's fh numbers mapped to the FileSystem's handles, with the node
// each is open on (and, for a directory, its listing), booked in the node table's open counts.
import { FuseError, type OpenReply } from '@fusekit/lowlevel';
import { Opened, type PathLike } from './filesystem.js';
import type { Listing } from './listing.js';
import type { Node } from './node.js';
import type { NodeTable } from './node-table.js';

/** An open file or directory: the kernel's fh maps to one of these. */
export interface OpenFile<P extends PathLike> {
  node: Node<P>;
  handle: unknown;
  listing?: Listing<P>;
}

export class OpenFiles<P extends PathLike> {
  readonly #files = new Map<number, OpenFile<P>>();
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
  open<R extends OpenReply>(node: Node<P>, answer: unknown, listing: Listing<P> | undefined, reply: R): R {
    let handle = answer;
    if (answer instanceof Opened) {
      handle = answer.handle;
      Object.assign(reply, answer.flags);
    }
    const fh = this.#nextFh++;
    const file: OpenFile<P> = { node, handle };
    if (listing !== undefined) file.listing = listing;
    this.#files.set(fh, file);
    this.table.opened(node);
    reply.fh = fh;
    return reply;
  }

  /** Forgets `fh` (the node table's open count is the caller's to book, once the file is closed). */
  delete(fh: number): void {
    this.#files.delete(fh);
  }
}
