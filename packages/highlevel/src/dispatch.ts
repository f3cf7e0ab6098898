// The lowlevel Operations of a path-based FileSystem: each inode request is turned into a call
// with paths and its result is booked before it is answered. Translation only: the locks that
// keep those paths valid are path-locks.ts's, the open files open-files.ts's, listings
// listing.ts's, and hiding open files that lose their name deferred-unlink.ts's. It stays one
// file of ~560 lines, one method per lowlevel operation, as go-fuse keeps fs/bridge.go: each
// operation reads top to bottom in one place.
import {
  andThen,
  FuseError,
  isThenable,
  type Attr,
  type ConnectionInfo,
  type CopyFileRangeRequest,
  type CreateReply,
  type DirectoryReply,
  type Entry,
  type Lock,
  type Name,
  type Operations,
  type OpenReply,
  type RequestContext,
  type Result,
  type SetAttr,
  type Statfs,
} from '@fusekit/lowlevel';
import { backendIno, isDirectory, modeOf, toAttr, toEntry, toStatfs } from './attributes.js';
import { DeferredUnlink } from './deferred-unlink.js';
import { Opened, type Attributes, type FileSystem, type PathLike } from './filesystem.js';
import { fillListing, Listing, type FillContext } from './listing.js';
import type { LockRequest } from './locks.js';
import type { Names } from './names.js';
import type { Node } from './node.js';
import { NodeTable } from './node-table.js';
import { OpenFiles, type OpenFile } from './open-files.js';
import type { MountOptions } from './options.js';
import { PathLocks } from './path-locks.js';

const RENAME_NOREPLACE = 1;
const RENAME_EXCHANGE = 2;
const F_GETLK = 5,
  F_SETLK = 6,
  F_SETLKW = 7,
  F_UNLCK = 2;
const LOCK_UN = 8,
  LOCK_NB = 4;

type AnyFileSystem<P extends PathLike> = FileSystem<unknown, unknown, P>;

const enoent = () => new FuseError('ENOENT');
const enosys = () => new FuseError('ENOSYS');

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

export class Dispatcher<P extends PathLike> {
  readonly table: NodeTable<P>;
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

  /** As PathLocks.withPath for an operation on an open file: no path at all with the nullPath option. */
  #withFile<T>(ctx: RequestContext, file: OpenFile<P>, body: (path: P | null) => Result<T>): Result<T> {
    if (this.#nullPath) return body(null);
    return this.#locks.withPath(ctx, file.node, body);
  }

  /**
   * The path of an open file without holding locks, for calls that may block indefinitely
   * (F_SETLKW, blocking flock, poll): holding path locks across them could stall renames forever.
   */
  #pathNow(file: OpenFile<P>): P | null {
    return this.#nullPath ? null : this.table.path(file.node);
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
    const listing = isDir ? new Listing(this.#names, (name) => this.#isHidden(node, name)) : undefined;
    return this.#files.open(node, answer, listing, reply, ctx);
  }

  // ---- operations --------------------------------------------------------------------------

  /** The lowlevel handlers: bookkeeping ones always, the others for what the FileSystem implements. */
  operations(): Operations {
    const fs = this.#fs;
    const ops: Operations = {
      init: (conn) => this.init(conn),
      destroy: () => this.destroy(),
      lookup: (parent, name, ctx) => this.lookup(parent, name, ctx),
      forget: (ino, n) => this.table.forget(ino, n),
      getattr: (ino, fh, ctx) => this.getattr(ino, fh, ctx),
      open: (ino, flags, ctx) => this.open(ino, flags, ctx),
      release: (_ino, fh, flags, owner, ctx) => this.release(fh, flags, owner, ctx),
      opendir: (ino, flags, ctx) => this.opendir(ino, flags, ctx),
      releasedir: (_ino, fh, ctx) => this.releasedir(fh, ctx),
    };
    if (fs.chmod || fs.chown || fs.truncate || fs.utimens) ops.setattr = (ino, changes, fh, ctx) => this.setattr(ino, changes, fh, ctx);
    if (fs.readlink) ops.readlink = (ino, ctx) => this.readlink(ino, ctx);
    if (fs.mknod) ops.mknod = (parent, name, mode, rdev, ctx) => this.mknod(parent, name, mode, rdev, ctx);
    if (fs.mkdir) ops.mkdir = (parent, name, mode, ctx) => this.mkdir(parent, name, mode, ctx);
    if (fs.unlink) ops.unlink = (parent, name, ctx) => this.unlink(parent, name, ctx);
    if (fs.rmdir) ops.rmdir = (parent, name, ctx) => this.rmdir(parent, name, ctx);
    if (fs.symlink) ops.symlink = (target, parent, name, ctx) => this.symlink(target, parent, name, ctx);
    if (fs.rename) ops.rename = (p, n, np, nn, flags, ctx) => this.rename(p, n, np, nn, flags, ctx);
    if (fs.link) ops.link = (ino, np, nn, ctx) => this.link(ino, np, nn, ctx);
    if (fs.create) ops.create = (parent, name, mode, flags, ctx) => this.create(parent, name, mode, flags, ctx);
    if (fs.read) ops.read = (_ino, size, off, fh, _flags, ctx) => this.read(fh, size, off, ctx);
    if (fs.write) ops.write = (_ino, data, off, fh, _flags, _wp, ctx) => this.write(fh, data, off, ctx);
    if (fs.flush || fs.lock) ops.flush = (_ino, fh, owner, ctx) => this.flush(fh, owner, ctx);
    if (fs.fsync) ops.fsync = (_ino, datasync, fh, ctx) => this.fsync(fh, datasync, ctx);
    if (fs.readdir) {
      ops.readdir = (_ino, off, fh, dir, ctx) => this.readdir(off, fh, dir, false, ctx);
      if (this.#readdirplus) ops.readdirplus = (_ino, off, fh, dir, ctx) => this.readdir(off, fh, dir, true, ctx);
    }
    if (fs.fsyncdir) ops.fsyncdir = (_ino, datasync, fh, ctx) => this.fsyncdir(fh, datasync, ctx);
    if (fs.statfs) ops.statfs = (ino, ctx) => this.statfs(ino, ctx);
    if (fs.setxattr)
      ops.setxattr = (ino, name, value, flags, ctx) =>
        this.#onPath(ctx, ino, (p) => fs.setxattr!(p, this.#names.coerce(name), value, flags, ctx));
    if (fs.getxattr) ops.getxattr = (ino, name, ctx) => this.#onPath(ctx, ino, (p) => fs.getxattr!(p, this.#names.coerce(name), ctx));
    if (fs.listxattr) ops.listxattr = (ino, ctx) => this.#onPath(ctx, ino, (p) => fs.listxattr!(p, ctx) as Result<Name[]>);
    if (fs.removexattr)
      ops.removexattr = (ino, name, ctx) => this.#onPath(ctx, ino, (p) => fs.removexattr!(p, this.#names.coerce(name), ctx));
    if (fs.access) ops.access = (ino, mask, ctx) => this.#onPath(ctx, ino, (p) => fs.access!(p, mask, ctx));
    if (fs.bmap) ops.bmap = (ino, blocksize, index, ctx) => this.#onPath(ctx, ino, (p) => fs.bmap!(p, blocksize, index, ctx));
    if (fs.lock) {
      ops.getlk = (_ino, fh, owner, lock, ctx) => this.getlk(fh, owner, lock, ctx);
      ops.setlk = (_ino, fh, owner, lock, sleep, ctx) => this.setlk(fh, owner, lock, sleep, ctx);
    }
    if (fs.flock) ops.flock = (_ino, fh, owner, op, ctx) => this.flock(fh, owner, op, ctx);
    if (fs.fallocate)
      ops.fallocate = (_ino, mode, off, len, fh, ctx) => this.#onFile(ctx, fh, (p, h) => fs.fallocate!(p, mode, off, len, h, ctx));
    if (fs.lseek) ops.lseek = (_ino, off, whence, fh, ctx) => this.#onFile(ctx, fh, (p, h) => fs.lseek!(p, off, whence, h, ctx));
    if (fs.ioctl)
      ops.ioctl = ({ fh, cmd, arg, flags, inBuf, outBufsz }, ctx) =>
        this.#onFile(ctx, fh, (path, handle) => fs.ioctl!({ path, handle, cmd, arg, flags, inBuf, outBufsz }, ctx));
    if (fs.poll)
      ops.poll = (_ino, fh, events, ph, ctx) => {
        const f = this.#files.file(fh);
        return fs.poll!(this.#pathNow(f), events, ph, f.handle, ctx);
      };
    if (fs.copyFileRange) ops.copyFileRange = (request, ctx) => this.copyFileRange(request, ctx);
    return ops;
  }

  #onPath<T>(ctx: RequestContext, ino: number, call: (path: P) => Result<T>): Result<T> {
    return this.#locks.withPath(ctx, this.#node(ino), (path) => {
      if (path === null) throw enoent();
      return call(path);
    });
  }

  #onFile<T>(ctx: RequestContext, fh: number | undefined, call: (path: P | null, handle: unknown) => Result<T>): Result<T> {
    const file = this.#files.file(fh);
    return this.#withFile(ctx, file, (path) => call(path, file.handle));
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
    const node = this.#node(ino);
    const given = this.#files.get(fh);
    const run = (path: P | null): Result<Attr> => {
      let file = given;
      if (path === null && file === undefined) {
        // Unlinked but open (stat through /proc/self/fd): answer through one of its handles.
        file = this.#files.anyOf(node);
        if (file === undefined) throw enoent();
      }
      const a = this.#getattr(path, file?.handle, ctx);
      return isThenable(a) ? Promise.resolve(a).then((v) => toAttr(v, this.#ino(node, v))) : toAttr(a, this.#ino(node, a));
    };
    return given !== undefined ? this.#withFile(ctx, given, run) : this.#locks.withPath(ctx, node, run);
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
    return given !== undefined ? this.#withFile(ctx, given, run) : this.#locks.withPath(ctx, node, run);
  }

  readlink(ino: number, ctx: RequestContext): Result<Name> {
    return this.#onPath(ctx, ino, (path) => this.#fs.readlink!(path, ctx));
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

  read(fh: number | undefined, size: number, offset: number, ctx: RequestContext) {
    const file = this.#files.file(fh);
    return this.#withFile(ctx, file, (path) => this.#fs.read!(path, size, offset, file.handle, ctx));
  }

  write(fh: number | undefined, data: Buffer, offset: number, ctx: RequestContext): Result<number> {
    const file = this.#files.file(fh);
    return this.#withFile(ctx, file, (path) => this.#fs.write!(path, data, offset, file.handle, ctx));
  }

  flush(fh: number | undefined, owner: bigint, ctx: RequestContext): Result<void> {
    const file = this.#files.file(fh);
    const fs = this.#fs;
    return this.#withFile(ctx, file, (path) => {
      const flushed = fs.flush?.(path, owner, file.handle, ctx);
      if (!fs.lock) return flushed;
      return andThen(flushed, async () => {
        // As libfuse does: closing any descriptor drops the owner's POSIX locks on the file.
        const unlock: Lock = { type: F_UNLCK, start: 0, end: -1, pid: ctx.pid };
        try {
          await fs.lock!(path, F_SETLK, unlock, owner, file.handle, ctx);
        } catch (error) {
          if (!isErrno(error, 'ENOSYS')) throw error;
        }
      });
    });
  }

  release(fh: number | undefined, flags: number, flockOwner: bigint | undefined, ctx: RequestContext): Result<void> {
    const fs = this.#fs;
    return this.#release(fh, ctx, (path, file) => {
      if (flockOwner === undefined || !fs.flock) return fs.release?.(path, flags, file.handle, ctx);
      return Promise.resolve()
        .then(() => fs.flock!(path, LOCK_UN, flockOwner, file.handle, ctx))
        .catch(() => undefined)
        .then(() => fs.release?.(path, flags, file.handle, ctx));
    });
  }

  /** release and releasedir: let the FileSystem close, then book the release whatever it said. */
  #release(fh: number | undefined, ctx: RequestContext, close: (path: P | null, file: OpenFile<P>) => unknown): Result<void> {
    const file = this.#files.get(fh);
    if (file === undefined) return;
    const book = () => {
      this.#files.delete(fh!, ctx);
      return this.#deferred.released(file.node, ctx);
    };
    let closing: unknown;
    try {
      file.listing?.close();
      closing = this.#withFile(ctx, file, (path) => close(path, file));
    } catch (error) {
      return andThen(book(), () => {
        throw error;
      });
    }
    if (!isThenable(closing)) return book();
    return Promise.resolve(closing).then(book, (error: unknown) =>
      andThen(book(), () => {
        throw error;
      }),
    );
  }

  fsync(fh: number | undefined, datasync: boolean, ctx: RequestContext): Result<void> {
    return this.#onFile(ctx, fh, (path, h) => this.#fs.fsync!(path, datasync, h, ctx));
  }

  opendir(ino: number, flags: number, ctx: RequestContext): Result<OpenReply> {
    return this.#openNode(ino, flags, ctx, true);
  }

  releasedir(fh: number | undefined, ctx: RequestContext): Result<void> {
    return this.#release(fh, ctx, (path, file) => this.#fs.releasedir?.(path, file.handle, ctx));
  }

  fsyncdir(fh: number | undefined, datasync: boolean, ctx: RequestContext): Result<void> {
    return this.#onFile(ctx, fh, (path, h) => this.#fs.fsyncdir!(path, datasync, h, ctx));
  }

  /** readdir and readdirplus: serve the open directory's listing from `offset` (an index into it). */
  readdir(offset: number, fh: number | undefined, reply: DirectoryReply<Entry>, plus: boolean, ctx: RequestContext): Result<void> {
    const file = this.#files.file(fh);
    const dir = file.node;
    const listing = file.listing!;
    return this.#locks.locked(
      ctx,
      () => {
        const out: LockRequest[] = [];
        // readdirplus adds names to the table: ordered against changes of this directory's names.
        if (this.#locks.path(out, dir) && plus) out.push({ lock: dir.entries, exclusive: false });
        return out;
      },
      () => {
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

  getlk(fh: number | undefined, owner: bigint, lock: Lock, ctx: RequestContext): Result<Lock> {
    return this.#onFile(
      ctx,
      fh,
      async (path, h) => (await this.#fs.lock!(path, F_GETLK, lock, owner, h, ctx)) ?? { ...lock, type: F_UNLCK },
    );
  }

  async setlk(fh: number | undefined, owner: bigint, lock: Lock, sleep: boolean, ctx: RequestContext): Promise<void> {
    if (!sleep)
      return this.#onFile(ctx, fh, async (path, h) => {
        await this.#fs.lock!(path, F_SETLK, lock, owner, h, ctx);
      });
    const file = this.#files.file(fh);
    await this.#fs.lock!(this.#pathNow(file), F_SETLKW, lock, owner, file.handle, ctx);
  }

  async flock(fh: number | undefined, owner: bigint, op: number, ctx: RequestContext): Promise<void> {
    if ((op & LOCK_NB) !== 0 || (op & LOCK_UN) !== 0) return this.#onFile(ctx, fh, (path, h) => this.#fs.flock!(path, op, owner, h, ctx));
    const file = this.#files.file(fh);
    await this.#fs.flock!(this.#pathNow(file), op, owner, file.handle, ctx);
  }

  copyFileRange({ fhIn, offIn, fhOut, offOut, len, flags }: CopyFileRangeRequest, ctx: RequestContext): Result<number> {
    const a = this.#files.file(fhIn);
    const b = this.#files.file(fhOut);
    const call = (pathIn: P | null, pathOut: P | null) =>
      this.#fs.copyFileRange!({ pathIn, handleIn: a.handle, offIn, pathOut, handleOut: b.handle, offOut, len, flags }, ctx);
    if (this.#nullPath) return Promise.resolve().then(() => call(null, null));
    return this.#locks.locked(
      ctx,
      () => {
        const out: LockRequest[] = [];
        this.#locks.path(out, a.node);
        this.#locks.path(out, b.node);
        return out;
      },
      () => call(this.table.path(a.node), this.table.path(b.node)),
    );
  }
}
