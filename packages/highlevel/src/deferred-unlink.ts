// Deferred unlink: a file unlinked or renamed over while open keeps working through its
// handles until the last one is released. By default the backend really unlinks it and the
// node simply loses its name (handle operations then get a null path). With hideOnUnlink, for
// backends that cannot keep an unlinked file alive, it is renamed to a hidden name instead
// (libfuse's `.fuse_hidden…`), invisible through the mount, and unlinked at the last release.
import { FuseError, type RequestContext, type Result } from '@fusekit/lowlevel';
import type { FileSystem, PathLike } from './filesystem.js';
import type { Node } from './node.js';
import type { NodeTable } from './node-table.js';
import type { PathLocks } from './path-locks.js';

const hex8 = (n: number) => (n % 0x1_0000_0000).toString(16).padStart(8, '0');

export class DeferredUnlink<P extends PathLike> {
  #counter = 0;

  constructor(
    private readonly fs: FileSystem<unknown, unknown, P>,
    private readonly table: NodeTable<P>,
    private readonly locks: PathLocks<P>,
    /** Whether to hide open files instead of unlinking them. */
    readonly hide: boolean,
  ) {}

  /** An open file or directory of `node` was released: book it, and remove a hidden file at its last release. */
  released(node: Node<P>, ctx: RequestContext): Result<void> {
    const hidden = this.hide && node.opens === 1 ? this.hiddenLink(node) : undefined;
    if (hidden === undefined) {
      this.table.closed(node);
      return;
    }
    const { locks } = this;
    return Promise.resolve()
      .then(() =>
        locks.locked(
          ctx,
          () => locks.dir([], hidden.dir, node),
          () => this.removeHidden(hidden.dir, hidden.name, ctx),
        ),
      )
      .finally(() => this.table.closed(node));
  }

  /** At unmount, as libfuse does: hidden files of files still open go away with the session. */
  removeAllHidden(): void {
    if (!this.hide || this.fs.unlink === undefined) return;
    for (const node of this.table.nodes()) {
      const hidden = this.hiddenLink(node);
      const dirPath = hidden === undefined ? null : this.table.path(hidden.dir);
      if (hidden === undefined || dirPath === null) continue;
      Promise.resolve()
        .then(() => this.fs.unlink!(this.table.names.join(dirPath, hidden.name), undefined as unknown as RequestContext))
        .catch(() => undefined);
    }
  }

  /**
   * A rename of `from` onto `newName` in `newDir` (path `toDir`), whose file `target` is open:
   * that file is hidden first, as libfuse does, and put back if the rename fails. The caller
   * holds the rename's locks and books the rename in the table.
   */
  async renameOver(from: P, flags: number, newDir: Node<P>, toDir: P, newName: P, target: Node<P>, ctx: RequestContext): Promise<void> {
    const { names } = this.table;
    const to = names.join(toDir, newName);
    await this.hideName(newDir, toDir, newName, target, ctx);
    const hidden = this.hiddenLink(target)?.name;
    try {
      await this.fs.rename!(from, to, flags, ctx);
    } catch (error) {
      if (hidden !== undefined) {
        // Put the target back where it was (best effort): the rename did not happen.
        await Promise.resolve(this.fs.rename!(names.join(toDir, hidden), to, 0, ctx)).then(
          () => this.table.rename(newDir, hidden, newDir, newName, false),
          () => undefined,
        );
      }
      throw error;
    }
  }

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
