// Deferred unlink: a file unlinked or renamed over while open keeps working through its
// handles until the last one is released. By default the backend really unlinks it and the
// node simply loses its name (handle operations then get a null path). With hideOnUnlink, for
// backends that cannot keep an unlinked file alive, it is renamed to a hidden name instead
// (libfuse's `.fuse_hidden…`), invisible through the mount, and unlinked at the last release.
import { FuseError, type RequestContext } from '@fusekit/lowlevel';
import type { FileSystem, PathLike } from './filesystem.js';
import type { Node } from './node.js';
import type { NodeTable } from './node-table.js';

const hex8 = (n: number) => (n % 0x1_0000_0000).toString(16).padStart(8, '0');

export class DeferredUnlink<P extends PathLike> {
  #counter = 0;

  constructor(
    private readonly fs: FileSystem<unknown, unknown, P>,
    private readonly table: NodeTable<P>,
    /** Whether to hide open files instead of unlinking them. */
    readonly hide: boolean,
  ) {}

  /**
   * True if removing this node's name must hide it rather than unlink it: it is open, and this
   * is the last name the session knows (another name keeps the file alive in the backend).
   */
  mustHide(node: Node<P> | undefined): node is Node<P> {
    return this.hide && node !== undefined && node.opens > 0 && node.links.filter((l) => !l.hidden).length <= 1;
  }

  /**
   * Renames `name` in `dir` (whose path is `dirPath`) to a fresh hidden name, in the backend
   * and in the table. The caller holds the locks of an unlink of `name`.
   */
  async hideName(dir: Node<P>, dirPath: P, name: P, node: Node<P>, ctx: RequestContext): Promise<void> {
    const { names } = this.table;
    const from = names.join(dirPath, name);
    for (let attempt = 0; attempt < 10; attempt++) {
      const hidden = names.from(`.fuse_hidden${hex8(node.id)}${hex8(++this.#counter)}`);
      const to = names.join(dirPath, hidden);
      if (this.table.child(dir, hidden) !== undefined || (await this.#exists(to, ctx))) continue;
      if (this.fs.rename === undefined) throw new FuseError('ENOSYS', 'hideOnUnlink needs rename');
      await this.fs.rename(from, to, 0, ctx);
      this.table.hide(dir, name, hidden);
      return;
    }
    throw new FuseError('EBUSY', 'no free hidden name');
  }

  /** The hidden name of a node, if it has one (its directory and name). */
  hiddenLink(node: Node<P>): { dir: Node<P>; name: P } | undefined {
    const link = node.links.find((l) => l.hidden);
    return link === undefined ? undefined : { dir: link.parent, name: link.name };
  }

  /**
   * At the last release of a hidden node (its open count is still 1 here): unlinks the hidden
   * file. The caller holds the locks of an unlink of the hidden name in its directory.
   */
  async removeHidden(dir: Node<P>, name: P, ctx: RequestContext): Promise<void> {
    const dirPath = this.table.path(dir);
    const node = this.table.child(dir, name);
    if (dirPath === null || node === undefined || node.opens > 1) return; // reopened meanwhile
    if (this.fs.unlink === undefined) throw new FuseError('ENOSYS');
    await this.fs.unlink(this.table.names.join(dirPath, name), ctx);
    this.table.unlink(dir, name);
  }

  async #exists(path: P, ctx: RequestContext): Promise<boolean> {
    if (this.fs.getattr === undefined) return false;
    try {
      await this.fs.getattr(path, undefined, ctx);
      return true;
    } catch {
      return false;
    }
  }
}
