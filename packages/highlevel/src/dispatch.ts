// The lowlevel Operations of a path-based FileSystem: each inode request is turned into a call
// with paths and its result is booked before it is answered. Translation only: the locks that
// keep those paths valid are path-locks.ts's, the open files open-files.ts's and the requests on
// them file-ops.ts's, listings listing.ts's, hiding open files that lose their name
// deferred-unlink.ts's, and which handlers the kernel gets lowlevel-operations.ts's. One method
// per lowlevel operation, as go-fuse keeps fs/bridge.go: each reads top to bottom in one place.
import {
  andThen,
  FuseError,
  isThenable,
  type Attr,
  type ConnectionInfo,
  type CreateReply,
  type DirectoryReply,
  type Entry,
  type Name,
  type Operations,
  type OpenReply,
  type RequestContext,
  type Result,
  type SetAttr,
  type Statfs,
  type Statx,
} from '@fusekit/lowlevel';
import { backendIno, birthOf, isDirectory, modeOf, toAttr, toEntry, toStatfs } from './attributes.js';
import { DeferredUnlink } from './deferred-unlink.js';
import { EncodedListingReply } from './encoded-listing.js';
import { FileOps } from './file-ops.js';
import { Opened, type Attributes, type FileSystem, type PathLike } from './filesystem.js';
import { fillListing, Listing, type FillContext } from './listing.js';
import type { LockRequest } from './locks.js';
import type { Names } from './names.js';
import type { Node } from './node.js';
import { lowlevelOperations } from './lowlevel-operations.js';
import { NodeTable } from './node-table.js';
import { OpenFiles } from './open-files.js';
import type { MountOptions } from './options.js';
import { PathLocks } from './path-locks.js';

const RENAME_NOREPLACE = 1;
const RENAME_EXCHANGE = 2;

type AnyFileSystem<P extends PathLike> = FileSystem<unknown, unknown, P>;

const enoent = () => new FuseError('ENOENT');
const enosys = () => new FuseError('ENOSYS');

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

export class Dispatcher<P extends PathLike> {
  readonly table: NodeTable<P>;
  /** The requests on open files. */
  readonly fileOps: FileOps<P>;
  readonly #fs: AnyFileSystem<P>;
  readonly #names: Names<P>;
  readonly #files: OpenFiles<P>;
  readonly #locks: PathLocks<P>;
  readonly #deferred: DeferredUnlink<P>;
  readonly #fillContext: FillContext<P>;
  readonly #nullPath: boolean;
  readonly #hide: boolean;
  readonly #negativeTimeout: number;
  readonly #readdirplus: boolean;
  readonly #useIno: boolean;

  constructor(fs: AnyFileSystem<P>, names: Names<P>, options: MountOptions) {
    this.#fs = fs;
    this.#names = names;
    const tableOptions: { hardLinks?: boolean; pathCacheSize?: number } = {};
    if (options.hardLinks !== undefined) tableOptions.hardLinks = options.hardLinks;
    if (options.pathCacheSize !== undefined) tableOptions.pathCacheSize = options.pathCacheSize;
    this.table = new NodeTable(names, tableOptions);
    this.#nullPath = options.nullPath ?? false;
    this.#hide = options.hideOnUnlink ?? false;
    this.#negativeTimeout = options.negativeTimeout ?? 0;
    this.#readdirplus = options.readdirplus !== false;
    this.#useIno = options.useIno ?? false;
    this.#files = new OpenFiles(this.table);
    this.#locks = new PathLocks(this.table);
    this.#deferred = new DeferredUnlink(fs, this.table, this.#locks, this.#hide);
    this.fileOps = new FileOps(fs, this.#files, this.#locks, this.table, this.#deferred, this.#nullPath);
    this.#fillContext = { names, table: this.table, useIno: this.#useIno, entry: (dir, name, a) => this.#entry(dir, name, a) };
  }

  /** Open files and directories. */
  get openFiles(): number {
    return this.#files.size;
  }

  /** The path of node `ino` (joined with `name` in it), if the table knows one: for trace records. */
  pathOf(ino: number, name?: string | Buffer): string | undefined {
    const node = this.table.get(ino);
    const base = node === undefined ? null : this.table.path(node);
    if (base === null) return undefined;
    const path = name === undefined ? base : this.#names.join(base, this.#names.coerce(name));
    return typeof path === 'string' ? path : path.toString();
  }

  // ---- helpers ---------------------------------------------------------------------------

  #node(ino: number): Node<P> {
    const node = this.table.get(ino);
    if (node === undefined) throw new FuseError('ESTALE', `unknown node ${ino}`);
    return node;
  }

  #isHidden(dir: Node<P>, name: P): boolean {
    return this.#hide && this.table.link(dir, name)?.hidden === true;
  }

  #getattr(path: P | null, handle: unknown, ctx: RequestContext): Result<Attributes> {
    if (this.#fs.getattr === undefined) throw enosys();
    return this.#fs.getattr(path, handle, ctx);
  }

  /** Books an entry reply for `name` in `dir`: one more lookup of its node. */
  #entry(dir: Node<P>, name: P, a: Attributes): Entry {
    const mode = modeOf(a);
    const node = this.table.remember(dir, name, this.table.identity(a, isDirectory(mode)));
    return toEntry(a, this.#ino(node, a), node.id, node.generation);
  }

  /** The inode number to report for `node` answering `a`: the backend's with useIno, else the node id. */
  #ino(node: Node<P>, a: Attributes): number {
    if (!this.#useIno) return node.id;
    const ino = backendIno(a);
    return (node.ino = ino > 0 ? ino : node.id);
  }

  /** Books an open file of `node` (with a listing for a directory) and writes its fh and open flags into `reply`. */
  #open<R extends OpenReply>(node: Node<P>, answer: unknown, isDir: boolean, reply: R, ctx: RequestContext): R {
    const listing =
      isDir && this.#fs.readdirEncoded === undefined ? new Listing(this.#names, (name) => this.#isHidden(node, name)) : undefined;
    return this.#files.open(node, answer, listing, reply, ctx);
  }

  // ---- operations --------------------------------------------------------------------------

  /** The lowlevel handlers: bookkeeping ones always, the others for what the FileSystem implements. */
  operations(): Operations {
    return lowlevelOperations(this, this.#fs, this.#names, this.#readdirplus);
  }

  /** Runs `call` with the path of node `ino` held; ENOENT when it has none. */
  onPath<T>(ctx: RequestContext, ino: number, call: (path: P) => Result<T>): Result<T> {
    return this.#locks.withPath(ctx, this.#node(ino), (path) => {
      if (path === null) throw enoent();
      return call(path);
    });
  }

  init(conn: ConnectionInfo): void {
    this.#fs.init?.(conn);
  }

  destroy(): void {
    this.#deferred.removeAllHidden();
    this.#fs.destroy?.();
  }

  lookup(parent: number, rawName: Name, ctx: RequestContext): Result<Entry> {
    const dir = this.#node(parent);
    const name = this.#names.coerce(rawName);
    // Shared on the directory's entries: ordered against creating and removing names in it.
    return this.#locks.withPath(
      ctx,
      dir,
      (dirPath) => {
        if (dirPath === null || this.#isHidden(dir, name)) throw enoent();
        let a: Result<Attributes>;
        try {
          a = this.#getattr(this.#names.join(dirPath, name), undefined, ctx);
        } catch (error) {
          return this.#negative(error);
        }
        return isThenable(a)
          ? Promise.resolve(a).then(
              (v) => this.#entry(dir, name, v),
              (error: unknown) => this.#negative(error),
            )
          : this.#entry(dir, name, a);
      },
      true,
    );
  }

  /** A failed lookup: a negative entry when ENOENT may be cached, else the error. */
  #negative(error: unknown): Entry {
    if (this.#negativeTimeout > 0 && isErrno(error, 'ENOENT')) return { ino: 0, mode: 0, entryTimeout: this.#negativeTimeout };
    throw error;
  }

  getattr(ino: number, fh: number | undefined, ctx: RequestContext): Result<Attr> {
    return this.#stat(ino, fh, ctx, (a, node) => toAttr(a, this.#ino(node, a)));
  }

  /** statx: getattr's answer with its birth time; ENOSYS (the kernel stops asking) when it has none. */
  statx(ino: number, fh: number | undefined, ctx: RequestContext): Result<Statx> {
    return this.#stat(ino, fh, ctx, (a, node) => {
      const btimeNs = birthOf(a);
      if (btimeNs === undefined) throw enosys();
      const sx: Statx = toAttr(a, this.#ino(node, a));
      sx.btimeNs = btimeNs;
      return sx;
    });
  }

  /** The FileSystem's attributes of node `ino` (through the open file `fh` if given), converted. */
  #stat<T>(ino: number, fh: number | undefined, ctx: RequestContext, convert: (a: Attributes, node: Node<P>) => T): Result<T> {
    const node = this.#node(ino);
    const given = this.#files.get(fh);
    const run = (path: P | null): Result<T> => {
      let file = given;
      if (path === null && file === undefined) {
        // Unlinked but open (stat through /proc/self/fd): answer through one of its handles.
        file = this.#files.anyOf(node);
        if (file === undefined) throw enoent();
      }
      return andThen(this.#getattr(path, file?.handle, ctx), (a) => convert(a, node));
    };
    return given !== undefined ? this.fileOps.withFile(ctx, given, run) : this.#locks.withPath(ctx, node, run);
  }

  setattr(ino: number, changes: SetAttr, fh: number | undefined, ctx: RequestContext): Result<Attr> {
    const node = this.#node(ino);
    const given = this.#files.get(fh);
    const fs = this.#fs;
    const run = async (path: P | null): Promise<Attr> => {
      const file = path === null && given === undefined ? this.#files.anyOf(node) : given;
      if (path === null && file === undefined) throw enoent();
      const h = file?.handle;
      if (changes.mode !== undefined) {
        if (!fs.chmod) throw enosys();
        await fs.chmod(path, changes.mode & 0o7777, h, ctx);
      }
      // chown(-1, -1) arrives as a setattr that changes nothing (but ctime, with the writeback
      // cache), and so does the kernel's request to clear setuid/setgid before a write with
      // handleKillprivV2: a chown that changes no ids, which clears them.
      const noIds = Object.keys(changes).every((key) => key === 'ctimeNs');
      if (changes.uid !== undefined || changes.gid !== undefined || (noIds && fs.chown)) {
        if (!fs.chown) throw enosys();
        await fs.chown(path, changes.uid ?? -1, changes.gid ?? -1, h, ctx);
      }
      if (changes.size !== undefined) {
        if (!fs.truncate) throw enosys();
        await fs.truncate(path, changes.size, h, ctx);
      }
      if (changes.atimeNs !== undefined || changes.mtimeNs !== undefined) {
        if (!fs.utimens) throw enosys();
        await fs.utimens(path, changes.atimeNs ?? 'omit', changes.mtimeNs ?? 'omit', h, ctx);
      }
      const a = await this.#getattr(path, h, ctx);
      return toAttr(a, this.#ino(node, a));
    };
    return given !== undefined ? this.fileOps.withFile(ctx, given, run) : this.#locks.withPath(ctx, node, run);
  }

  readlink(ino: number, ctx: RequestContext): Result<Name> {
    return this.onPath(ctx, ino, (path) => this.#fs.readlink!(path, ctx));
  }

  /** Runs `body` for a new name in `parent`, holding the locks for adding names there. */
  #inDir<T>(parent: number, rawName: Name, ctx: RequestContext, body: (dir: Node<P>, name: P, path: P) => Result<T>): Result<T> {
    const dir = this.#node(parent);
    const name = this.#names.coerce(rawName);
    return this.#locks.locked(
      ctx,
      () => this.#locks.dir([], dir),
      () => {
        const dirPath = this.table.path(dir);
        if (dirPath === null) throw enoent();
        return body(dir, name, this.#names.join(dirPath, name));
      },
    );
  }

  /** mknod, mkdir, symlink: make a name in `parent`, then answer its entry. */
  #make(parent: number, rawName: Name, ctx: RequestContext, make: (path: P) => Result<Attributes | void>): Result<Entry> {
    return this.#inDir(parent, rawName, ctx, (dir, name, path) =>
      andThen(make(path), (made) => {
        dir.version++;
        return andThen(made ?? this.#getattr(path, undefined, ctx), (a) => this.#entry(dir, name, a));
      }),
    );
  }

  mknod(parent: number, name: Name, mode: number, rdev: number, ctx: RequestContext): Result<Entry> {
    return this.#make(parent, name, ctx, (path) => this.#fs.mknod!(path, mode, rdev, ctx));
  }

  mkdir(parent: number, name: Name, mode: number, ctx: RequestContext): Result<Entry> {
    return this.#make(parent, name, ctx, (path) => this.#fs.mkdir!(path, mode, ctx));
  }

  symlink(target: Name, parent: number, name: Name, ctx: RequestContext): Result<Entry> {
    return this.#make(parent, name, ctx, (path) => this.#fs.symlink!(this.#names.coerce(target), path, ctx));
  }

  link(ino: number, newParent: number, rawName: Name, ctx: RequestContext): Result<Entry> {
    const node = this.#node(ino);
    const dir = this.#node(newParent);
    const name = this.#names.coerce(rawName);
    return this.#locks.locked(
      ctx,
      () => {
        const out: LockRequest[] = [];
        this.#locks.path(out, node);
        return this.#locks.dir(out, dir);
      },
      () => {
        const from = this.table.path(node);
        const dirPath = this.table.path(dir);
        if (from === null || dirPath === null) throw enoent();
        const to = this.#names.join(dirPath, name);
        return andThen(this.#fs.link!(from, to, ctx), (made) => {
          dir.version++;
          return andThen(made ?? this.#getattr(to, undefined, ctx), (a) => {
            this.table.rememberLink(node, dir, name);
            return toEntry(a, this.#ino(node, a), node.id, node.generation);
          });
        });
      },
    );
  }

  unlink(parent: number, rawName: Name, ctx: RequestContext): Result<void> {
    const dir = this.#node(parent);
    const name = this.#names.coerce(rawName);
    return this.#locks.locked(
      ctx,
      () => this.#locks.dir([], dir, this.table.child(dir, name)),
      () => {
        const dirPath = this.table.path(dir);
        if (dirPath === null || this.#isHidden(dir, name)) throw enoent();
        const child = this.table.child(dir, name);
        if (this.#deferred.mustHide(child)) {
          return this.#deferred.hideName(dir, dirPath, name, child, ctx).then(() => {
            dir.version++;
          });
        }
        return andThen(this.#fs.unlink!(this.#names.join(dirPath, name), ctx), () => {
          this.table.unlink(dir, name);
          dir.version++;
        });
      },
    );
  }

  rmdir(parent: number, rawName: Name, ctx: RequestContext): Result<void> {
    const dir = this.#node(parent);
    const name = this.#names.coerce(rawName);
    return this.#locks.locked(
      ctx,
      () => this.#locks.dir([], dir, this.table.child(dir, name)),
      () => {
        const dirPath = this.table.path(dir);
        if (dirPath === null) throw enoent();
        return andThen(this.#fs.rmdir!(this.#names.join(dirPath, name), ctx), () => {
          this.table.unlink(dir, name);
          dir.version++;
        });
      },
    );
  }

  rename(parent: number, rawName: Name, newParent: number, rawNewName: Name, flags: number, ctx: RequestContext): Result<void> {
    const dir = this.#node(parent);
    const newDir = this.#node(newParent);
    const name = this.#names.coerce(rawName);
    const newName = this.#names.coerce(rawNewName);
    const exchange = (flags & RENAME_EXCHANGE) !== 0;
    return this.#locks.locked(
      ctx,
      () => {
        const out: LockRequest[] = [];
        this.#locks.dir(out, dir, this.table.child(dir, name));
        return this.#locks.dir(out, newDir, this.table.child(newDir, newName));
      },
      () => {
        const fromDir = this.table.path(dir);
        const toDir = this.table.path(newDir);
        if (fromDir === null || toDir === null || this.#isHidden(dir, name)) throw enoent();
        const from = this.#names.join(fromDir, name);
        const to = this.#names.join(toDir, newName);
        const source = this.table.child(dir, name);
        const target = this.table.child(newDir, newName);
        const renamed = () => {
          this.table.rename(dir, name, newDir, newName, exchange);
          dir.version++;
          newDir.version++;
        };
        if (!exchange && (flags & RENAME_NOREPLACE) === 0 && target !== source && this.#deferred.mustHide(target)) {
          return this.#deferred.renameOver(from, flags, newDir, toDir, newName, target, ctx).then(renamed);
        }
        return andThen(this.#fs.rename!(from, to, flags, ctx), renamed);
      },
    );
  }

  open(ino: number, flags: number, ctx: RequestContext): Result<OpenReply> {
    return this.#openNode(ino, flags, ctx, false);
  }

  /** open and opendir: ask the FileSystem (if it implements them) and book the open file. */
  #openNode(ino: number, flags: number, ctx: RequestContext, isDir: boolean): Result<OpenReply> {
    const node = this.#node(ino);
    const fs = this.#fs;
    return this.#locks.withPath(ctx, node, (path) => {
      if (path === null) throw enoent();
      return andThen(isDir ? fs.opendir?.(path, flags, ctx) : fs.open?.(path, flags, ctx), (answer) =>
        this.#open(node, answer, isDir, {}, ctx),
      );
    });
  }

  create(parent: number, rawName: Name, mode: number, flags: number, ctx: RequestContext): Result<CreateReply> {
    return this.#inDir(parent, rawName, ctx, (dir, name, path) =>
      andThen(this.#fs.create!(path, mode, flags, ctx), (answer) => {
        dir.version++;
        const handle = answer instanceof Opened ? answer.handle : answer;
        const book = (a: Attributes): CreateReply => {
          const entry: CreateReply = this.#entry(dir, name, a);
          return this.#open(this.table.get(entry.nodeid ?? entry.ino)!, answer, false, entry, ctx);
        };
        // The kernel will not release what it never got: on failure, close the handle ourselves.
        const closeAndFail = async (error: unknown): Promise<never> => {
          await Promise.resolve(this.#fs.release?.(path, flags, handle, ctx)).catch(() => undefined);
          throw error;
        };
        if (answer instanceof Opened && answer.attributes !== undefined) return book(answer.attributes);
        let a: Result<Attributes>;
        try {
          a = this.#getattr(path, handle, ctx);
        } catch (error) {
          return closeAndFail(error);
        }
        return isThenable(a) ? a.then(book, closeAndFail) : book(a);
      }),
    );
  }

  opendir(ino: number, flags: number, ctx: RequestContext): Result<OpenReply> {
    return this.#openNode(ino, flags, ctx, true);
  }

  /** An unnamed file in `parent` (O_TMPFILE): booked as a node with no name and an open file. */
  tmpfile(parent: number, mode: number, flags: number, ctx: RequestContext): Result<CreateReply> {
    const dir = this.#node(parent);
    return this.#locks.withPath(ctx, dir, (dirPath) => {
      if (dirPath === null) throw enoent();
      return andThen(this.#fs.tmpfile!(dirPath, mode, flags, ctx), (answer) => {
        const book = (a: Attributes): CreateReply => {
          const node = this.table.rememberUnnamed();
          const entry: CreateReply = toEntry(a, this.#ino(node, a), node.id, node.generation);
          return this.#open(node, answer, false, entry, ctx);
        };
        if (answer instanceof Opened && answer.attributes !== undefined) return book(answer.attributes);
        const handle = answer instanceof Opened ? answer.handle : answer;
        return Promise.resolve()
          .then(() => this.#getattr(null, handle, ctx))
          .then(book, async (error: unknown) => {
            // The kernel will not release what it never got: close the handle ourselves.
            await Promise.resolve(this.#fs.release?.(null, flags, handle, ctx)).catch(() => undefined);
            throw error;
          });
      });
    });
  }

  /** readdir and readdirplus: serve the open directory's listing from `offset` (an index into it). */
  readdir(offset: number, fh: number | undefined, reply: DirectoryReply<Entry>, plus: boolean, ctx: RequestContext): Result<void> {
    const file = this.#files.file(fh);
    const dir = file.node;
    const listing = file.listing;
    return this.#locks.locked(
      ctx,
      () => {
        const out: LockRequest[] = [];
        // readdirplus adds names to the table: ordered against changes of this directory's names.
        if (this.#locks.path(out, dir) && plus) out.push({ lock: dir.entries, exclusive: false });
        return out;
      },
      () => {
        if (listing === undefined) {
          const encoded = new EncodedListingReply(this.#fillContext, dir, reply, plus, this.#hide);
          return this.#fs.readdirEncoded!(this.#nullPath ? null : this.table.path(dir), offset, file.handle, encoded, ctx);
        }
        if (offset !== 0 && listing.started) return fillListing(this.#fillContext, dir, listing, offset, reply, plus);
        const dirPath = this.table.path(dir);
        if (dirPath === null && !this.#nullPath) throw enoent();
        return andThen(this.#fs.readdir!(this.#nullPath ? null : dirPath, file.handle, ctx), (source) => {
          listing.reset(source, dir.version);
          return fillListing(this.#fillContext, dir, listing, offset, reply, plus);
        });
      },
    );
  }

  statfs(ino: number, ctx: RequestContext): Result<Statfs> {
    const node = this.table.get(ino) ?? this.table.root;
    return this.#locks.withPath(ctx, node, async (path) => toStatfs(await this.#fs.statfs!(path ?? this.#names.root, ctx)));
  }
}
