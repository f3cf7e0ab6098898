// The lowlevel Operations of a path-based FileSystem: each inode request is turned into a call
// with paths, under the locks that keep those paths valid, and its result is booked in the
// node table (lookup counts, names, open files) before it is answered.
import {
  FuseError, type Attr, type ConnectionInfo, type CreateReply, type DirectoryReply, type Entry, type Lock, type Name,
  type Operations, type OpenReply, type RequestContext, type SetAttr, type Statfs,
} from '@fusekit/lowlevel';
import { backendIno, isDirectory, modeOf, S_IFDIR, toAttr, toEntry, toStatfs } from './attributes.js';
import { DeferredUnlink } from './deferred-unlink.js';
import { Opened, type Attributes, type FileSystem, type PathLike } from './filesystem.js';
import { Listing, type ListedEntry } from './listing.js';
import { acquireAll, normalize, type HeldLocks, type LockRequest } from './locks.js';
import type { Names } from './names.js';
import type { Node } from './node.js';
import { NodeTable } from './node-table.js';
import type { MountOptions } from './options.js';

/** The inode number readdir reports for a name the session does not know yet (libfuse's FUSE_UNKNOWN_INO). */
const UNKNOWN_INO = 0xffffffff;
const RENAME_NOREPLACE = 1;
const RENAME_EXCHANGE = 2;
const F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7, F_UNLCK = 2;
const LOCK_UN = 8, LOCK_NB = 4;

/** An open file or directory: the kernel's fh maps to one of these. */
interface OpenFile<P extends PathLike> {
  node: Node<P>;
  handle: unknown;
  listing?: Listing<P>;
}

type AnyFileSystem<P extends PathLike> = FileSystem<unknown, unknown, P>;

const enoent = () => new FuseError('ENOENT');
const enosys = () => new FuseError('ENOSYS');

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Calls `next` with the value: at once if it is there, else when the promise fulfils. Keeps an
 * operation whose FileSystem answers synchronously free of promises and microtasks.
 */
function then<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return isThenable(value) ? value.then(next) : next(value);
}

/** Runs `body` and releases `held` once what it returned has settled. */
function holding<T>(held: HeldLocks, body: () => T | Promise<T>): T | Promise<T> {
  let result: T | Promise<T>;
  try {
    result = body();
  } catch (error) {
    held.release();
    throw error;
  }
  if (!isThenable(result)) {
    held.release();
    return result;
  }
  return Promise.resolve(result).then((value) => { held.release(); return value; }, (error: unknown) => { held.release(); throw error; });
}

function sameLocks(a: LockRequest[], b: LockRequest[]): boolean {
  const x = normalize(a), y = normalize(b);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i]!.lock !== y[i]!.lock || x[i]!.exclusive !== y[i]!.exclusive) return false;
  return true;
}

export class Dispatcher<P extends PathLike> {
  readonly table: NodeTable<P>;
  readonly #fs: AnyFileSystem<P>;
  readonly #names: Names<P>;
  readonly #files = new Map<number, OpenFile<P>>();
  readonly #deferred: DeferredUnlink<P>;
  readonly #nullPath: boolean;
  readonly #hide: boolean;
  readonly #negativeTimeout: number;
  readonly #readdirplus: boolean;
  readonly #useIno: boolean;
  #nextFh = 1;

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
    this.#deferred = new DeferredUnlink(fs, this.table, this.#hide);
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

  // ---- locking -------------------------------------------------------------------------

  /** Adds shared tree locks on the node's path (itself and its ancestors); false if it has no path. */
  #pathLocks(out: LockRequest[], node: Node<P>): boolean {
    const chain = this.table.chain(node);
    if (chain === null) return false;
    for (const n of chain) out.push({ lock: n.tree, exclusive: false });
    return true;
  }

  /** Locks for changing names in `dir`: its path, its entries, and the nodes whose names go away. */
  #dirLocks(out: LockRequest[], dir: Node<P>, ...victims: (Node<P> | undefined)[]): LockRequest[] {
    this.#pathLocks(out, dir);
    out.push({ lock: dir.entries, exclusive: true });
    for (const v of victims) if (v !== undefined) out.push({ lock: v.tree, exclusive: true });
    return out;
  }

  /**
   * Runs `body` holding the locks `plan` asks for: synchronously when none is contended. If
   * taking them meant waiting, the tree may have changed meanwhile: the plan is made again, and
   * if it differs, the locks are retaken.
   */
  #locked<T>(ctx: RequestContext | undefined, plan: () => LockRequest[], body: () => T | Promise<T>): T | Promise<T> {
    const requests = plan();
    // Only a request that has to wait looks at its signal (creating it has a cost): an
    // interrupted wait gives up, and the request answers EINTR.
    const signal = ctx === undefined ? undefined : () => ctx.signal;
    const held = acquireAll(requests, signal);
    return held instanceof Promise ? this.#lockedAfterWait(held, requests, plan, signal, body) : holding(held, body);
  }

  async #lockedAfterWait<T>(
    waiting: Promise<HeldLocks>, requests: LockRequest[], plan: () => LockRequest[], signal: (() => AbortSignal) | undefined,
    body: () => T | Promise<T>,
  ): Promise<T> {
    let held = await waiting;
    while (held.waited) {
      const again = plan();
      if (sameLocks(again, requests)) break;
      held.release();
      requests = again;
      const next = acquireAll(requests, signal);
      held = next instanceof Promise ? await next : next;
    }
    return holding(held, body);
  }

  /**
   * Runs `body` with the node's current path (null if it has none), which stays valid until it
   * settles. The common case takes no promise and sorts nothing: shared locks on the path's nodes
   * taken with tryAcquire in path order cannot deadlock, as nothing waits while holding them;
   * if one is contended, all are dropped and the ordered, waiting path is taken.
   */
  #withPath<T>(ctx: RequestContext, node: Node<P>, body: (path: P | null) => T | Promise<T>, entries = false): T | Promise<T> {
    const resolved = this.table.resolve(node);
    if (resolved === null) return body(null);
    const { path, chain } = resolved;
    let taken = 0;
    while (taken < chain.length && chain[taken]!.tree.tryAcquire(false)) taken++;
    const entriesTaken = taken === chain.length && (!entries || node.entries.tryAcquire(false));
    if (!entriesTaken) {
      for (let i = 0; i < taken; i++) chain[i]!.tree.release(false);
      return this.#locked(ctx, () => {
        const out: LockRequest[] = [];
        if (this.#pathLocks(out, node) && entries) out.push({ lock: node.entries, exclusive: false });
        return out;
      }, () => body(this.table.path(node)));
    }
    const unlock = () => {
      if (entries) node.entries.release(false);
      for (let i = 0; i < chain.length; i++) chain[i]!.tree.release(false);
    };
    let result: T | Promise<T>;
    try {
      result = body(path);
    } catch (error) {
      unlock();
      throw error;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then((value) => { unlock(); return value; }, (error: unknown) => { unlock(); throw error; });
    }
    unlock();
    return result;
  }

  /** As #withPath for an operation on an open file: no path at all with the nullPath option. */
  #withFile<T>(ctx: RequestContext, file: OpenFile<P>, body: (path: P | null) => T | Promise<T>): T | Promise<T> {
    if (this.#nullPath) return body(null);
    return this.#withPath(ctx, file.node, body);
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

  #file(fh: number | undefined): OpenFile<P> {
    const file = fh === undefined ? undefined : this.#files.get(fh);
    if (file === undefined) throw new FuseError('EBADF');
    return file;
  }

  /** An open file of the node, to answer for a node that has lost its path. */
  #anyOpenFile(node: Node<P>): OpenFile<P> | undefined {
    for (const file of this.#files.values()) if (file.node === node && file.listing === undefined) return file;
    return undefined;
  }

  #isHidden(dir: Node<P>, name: P): boolean {
    return this.#hide && this.table.link(dir, name)?.hidden === true;
  }

  #getattr(path: P | null, handle: unknown, ctx: RequestContext): Attributes | Promise<Attributes> {
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

  /** The inode number a plain listing shows for a node (undefined: not known yet). */
  #listedIno(node: Node<P> | undefined, listed?: ListedEntry<P>): number {
    if (!this.#useIno) return node?.id ?? UNKNOWN_INO;
    if (node !== undefined && node.ino !== 0) return node.ino;
    const a = listed?.attributes;
    const ino = a !== undefined && typeof a !== 'function' ? backendIno(a) : 0;
    return ino > 0 ? ino : UNKNOWN_INO;
  }

  /** Books an open file of `node` and writes its fh and open flags into `reply`. */
  #open<R extends OpenReply>(node: Node<P>, answer: unknown, isDir: boolean, reply: R): R {
    let handle = answer;
    if (answer instanceof Opened) {
      handle = answer.handle;
      Object.assign(reply, answer.flags);
    }
    const fh = this.#nextFh++;
    const file: OpenFile<P> = { node, handle };
    if (isDir) file.listing = new Listing(this.#names, (name) => this.#isHidden(node, name));
    this.#files.set(fh, file);
    this.table.opened(node);
    reply.fh = fh;
    return reply;
  }

  /** An open file or directory was released: book it, and remove a hidden file at its last release. */
  #closed(file: OpenFile<P>, ctx: RequestContext): void | Promise<void> {
    const { node } = file;
    const hidden = this.#hide && node.opens === 1 ? this.#deferred.hiddenLink(node) : undefined;
    if (hidden === undefined) {
      this.table.closed(node);
      return;
    }
    return Promise.resolve()
      .then(() => this.#locked(ctx, () => this.#dirLocks([], hidden.dir, node), () => this.#deferred.removeHidden(hidden.dir, hidden.name, ctx)))
      .finally(() => this.table.closed(node));
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
      release: (ino, fh, flags, owner, ctx) => this.release(fh, flags, owner, ctx),
      opendir: (ino, flags, ctx) => this.opendir(ino, flags, ctx),
      releasedir: (ino, fh, ctx) => this.releasedir(fh, ctx),
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
    if (fs.read) ops.read = (ino, size, off, fh, _flags, ctx) => this.read(fh, size, off, ctx);
    if (fs.write) ops.write = (ino, data, off, fh, _flags, _wp, ctx) => this.write(fh, data, off, ctx);
    if (fs.flush || fs.lock) ops.flush = (ino, fh, owner, ctx) => this.flush(fh, owner, ctx);
    if (fs.fsync) ops.fsync = (ino, datasync, fh, ctx) => this.fsync(fh, datasync, ctx);
    if (fs.readdir) {
      ops.readdir = (ino, off, fh, dir, ctx) => this.readdir(off, fh, dir, false, ctx);
      if (this.#readdirplus) ops.readdirplus = (ino, off, fh, dir, ctx) => this.readdir(off, fh, dir, true, ctx);
    }
    if (fs.fsyncdir) ops.fsyncdir = (ino, datasync, fh, ctx) => this.fsyncdir(fh, datasync, ctx);
    if (fs.statfs) ops.statfs = (ino, ctx) => this.statfs(ino, ctx);
    if (fs.setxattr) ops.setxattr = (ino, name, value, flags, ctx) => this.#onPath(ctx, ino, (p) => fs.setxattr!(p, this.#names.coerce(name), value, flags, ctx));
    if (fs.getxattr) ops.getxattr = (ino, name, ctx) => this.#onPath(ctx, ino, (p) => fs.getxattr!(p, this.#names.coerce(name), ctx));
    if (fs.listxattr) ops.listxattr = (ino, ctx) => this.#onPath(ctx, ino, (p) => fs.listxattr!(p, ctx) as Name[] | Promise<Name[]>);
    if (fs.removexattr) ops.removexattr = (ino, name, ctx) => this.#onPath(ctx, ino, (p) => fs.removexattr!(p, this.#names.coerce(name), ctx));
    if (fs.access) ops.access = (ino, mask, ctx) => this.#onPath(ctx, ino, (p) => fs.access!(p, mask, ctx));
    if (fs.bmap) ops.bmap = (ino, blocksize, index, ctx) => this.#onPath(ctx, ino, (p) => fs.bmap!(p, blocksize, index, ctx));
    if (fs.lock) {
      ops.getlk = (ino, fh, owner, lock, ctx) => this.getlk(fh, owner, lock, ctx);
      ops.setlk = (ino, fh, owner, lock, sleep, ctx) => this.setlk(fh, owner, lock, sleep, ctx);
    }
    if (fs.flock) ops.flock = (ino, fh, owner, op, ctx) => this.flock(fh, owner, op, ctx);
    if (fs.fallocate) ops.fallocate = (ino, mode, off, len, fh, ctx) => this.#onFile(ctx, fh, (p, h) => fs.fallocate!(p, mode, off, len, h, ctx));
    if (fs.lseek) ops.lseek = (ino, off, whence, fh, ctx) => this.#onFile(ctx, fh, (p, h) => fs.lseek!(p, off, whence, h, ctx));
    if (fs.ioctl) ops.ioctl = (ino, cmd, arg, fh, flags, input, outSize, ctx) => this.#onFile(ctx, fh, (p, h) => fs.ioctl!(p, cmd, arg, input, outSize, flags, h, ctx));
    if (fs.poll) ops.poll = (ino, fh, events, ph, ctx) => { const f = this.#file(fh); return fs.poll!(this.#pathNow(f), events, ph, f.handle, ctx); };
    if (fs.copyFileRange) ops.copyFileRange = (inoIn, offIn, fhIn, inoOut, offOut, fhOut, len, flags, ctx) => this.copyFileRange(fhIn, offIn, fhOut, offOut, len, flags, ctx);
    return ops;
  }

  #onPath<T>(ctx: RequestContext, ino: number, call: (path: P) => T | Promise<T>): T | Promise<T> {
    return this.#withPath(ctx, this.#node(ino), (path) => {
      if (path === null) throw enoent();
      return call(path);
    });
  }

  #onFile<T>(ctx: RequestContext, fh: number | undefined, call: (path: P | null, handle: unknown) => T | Promise<T>): T | Promise<T> {
    const file = this.#file(fh);
    return this.#withFile(ctx, file, (path) => call(path, file.handle));
  }

  init(conn: ConnectionInfo): void {
    this.#fs.init?.(conn);
  }

  destroy(): void {
    // As libfuse does: hidden files of files still open at unmount go away with the session.
    if (this.#hide && this.#fs.unlink !== undefined) {
      for (const node of this.table.nodes()) {
        const hidden = this.#deferred.hiddenLink(node);
        const dirPath = hidden === undefined ? null : this.table.path(hidden.dir);
        if (hidden === undefined || dirPath === null) continue;
        Promise.resolve()
          .then(() => this.#fs.unlink!(this.#names.join(dirPath, hidden.name), undefined as unknown as RequestContext))
          .catch(() => undefined);
      }
    }
    this.#fs.destroy?.();
  }

  lookup(parent: number, rawName: Name, ctx: RequestContext): Entry | Promise<Entry> {
    const dir = this.#node(parent);
    const name = this.#names.coerce(rawName);
    // Shared on the directory's entries: ordered against creating and removing names in it.
    return this.#withPath(ctx, dir, (dirPath) => {
      if (dirPath === null || this.#isHidden(dir, name)) throw enoent();
      let a: Attributes | Promise<Attributes>;
      try {
        a = this.#getattr(this.#names.join(dirPath, name), undefined, ctx);
      } catch (error) {
        return this.#negative(error);
      }
      return isThenable(a)
        ? Promise.resolve(a).then((v) => this.#entry(dir, name, v), (error: unknown) => this.#negative(error))
        : this.#entry(dir, name, a);
    }, true);
  }

  /** A failed lookup: a negative entry when ENOENT may be cached, else the error. */
  #negative(error: unknown): Entry {
    if (this.#negativeTimeout > 0 && isErrno(error, 'ENOENT')) return { ino: 0, mode: 0, entryTimeout: this.#negativeTimeout };
    throw error;
  }

  getattr(ino: number, fh: number | undefined, ctx: RequestContext): Attr | Promise<Attr> {
    const node = this.#node(ino);
    const given = fh === undefined ? undefined : this.#files.get(fh);
    const run = (path: P | null): Attr | Promise<Attr> => {
      let file = given;
      if (path === null && file === undefined) {
        // Unlinked but open (stat through /proc/self/fd): answer through one of its handles.
        file = this.#anyOpenFile(node);
        if (file === undefined) throw enoent();
      }
      const a = this.#getattr(path, file?.handle, ctx);
      return isThenable(a) ? Promise.resolve(a).then((v) => toAttr(v, this.#ino(node, v))) : toAttr(a, this.#ino(node, a));
    };
    return given !== undefined ? this.#withFile(ctx, given, run) : this.#withPath(ctx, node, run);
  }

  setattr(ino: number, changes: SetAttr, fh: number | undefined, ctx: RequestContext): Attr | Promise<Attr> {
    const node = this.#node(ino);
    const given = fh === undefined ? undefined : this.#files.get(fh);
    const fs = this.#fs;
    const run = async (path: P | null): Promise<Attr> => {
      const file = path === null && given === undefined ? this.#anyOpenFile(node) : given;
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
    return given !== undefined ? this.#withFile(ctx, given, run) : this.#withPath(ctx, node, run);
  }

  readlink(ino: number, ctx: RequestContext): Name | Promise<Name> {
    return this.#onPath(ctx, ino, (path) => this.#fs.readlink!(path, ctx));
  }

  /** Runs `body` for a new name in `parent`, holding the locks for adding names there. */
  #inDir<T>(parent: number, rawName: Name, ctx: RequestContext, body: (dir: Node<P>, name: P, path: P) => T | Promise<T>): T | Promise<T> {
    const dir = this.#node(parent);
    const name = this.#names.coerce(rawName);
    return this.#locked(ctx, () => this.#dirLocks([], dir), () => {
      const dirPath = this.table.path(dir);
      if (dirPath === null) throw enoent();
      return body(dir, name, this.#names.join(dirPath, name));
    });
  }

  /** mknod, mkdir, symlink: make a name in `parent`, then answer its entry. */
  #make(parent: number, rawName: Name, ctx: RequestContext, make: (path: P) => Attributes | void | Promise<Attributes | void>): Entry | Promise<Entry> {
    return this.#inDir(parent, rawName, ctx, (dir, name, path) => then(make(path), (made) => {
      dir.version++;
      return then(made ?? this.#getattr(path, undefined, ctx), (a) => this.#entry(dir, name, a));
    }));
  }

  mknod(parent: number, name: Name, mode: number, rdev: number, ctx: RequestContext): Entry | Promise<Entry> {
    return this.#make(parent, name, ctx, (path) => this.#fs.mknod!(path, mode, rdev, ctx));
  }

  mkdir(parent: number, name: Name, mode: number, ctx: RequestContext): Entry | Promise<Entry> {
    return this.#make(parent, name, ctx, (path) => this.#fs.mkdir!(path, mode, ctx));
  }

  symlink(target: Name, parent: number, name: Name, ctx: RequestContext): Entry | Promise<Entry> {
    return this.#make(parent, name, ctx, (path) => this.#fs.symlink!(this.#names.coerce(target), path, ctx));
  }

  link(ino: number, newParent: number, rawName: Name, ctx: RequestContext): Entry | Promise<Entry> {
    const node = this.#node(ino);
    const dir = this.#node(newParent);
    const name = this.#names.coerce(rawName);
    return this.#locked(ctx, () => {
      const out: LockRequest[] = [];
      this.#pathLocks(out, node);
      return this.#dirLocks(out, dir);
    }, () => {
      const from = this.table.path(node);
      const dirPath = this.table.path(dir);
      if (from === null || dirPath === null) throw enoent();
      const to = this.#names.join(dirPath, name);
      return then(this.#fs.link!(from, to, ctx), (made) => {
        dir.version++;
        return then(made ?? this.#getattr(to, undefined, ctx), (a) => {
          this.table.rememberLink(node, dir, name);
          return toEntry(a, this.#ino(node, a), node.id, node.generation);
        });
      });
    });
  }

  unlink(parent: number, rawName: Name, ctx: RequestContext): void | Promise<void> {
    const dir = this.#node(parent);
    const name = this.#names.coerce(rawName);
    return this.#locked(ctx, () => this.#dirLocks([], dir, this.table.child(dir, name)), () => {
      const dirPath = this.table.path(dir);
      if (dirPath === null || this.#isHidden(dir, name)) throw enoent();
      const child = this.table.child(dir, name);
      if (this.#deferred.mustHide(child)) {
        return this.#deferred.hideName(dir, dirPath, name, child, ctx).then(() => { dir.version++; });
      }
      return then(this.#fs.unlink!(this.#names.join(dirPath, name), ctx), () => {
        this.table.unlink(dir, name);
        dir.version++;
      });
    });
  }

  rmdir(parent: number, rawName: Name, ctx: RequestContext): void | Promise<void> {
    const dir = this.#node(parent);
    const name = this.#names.coerce(rawName);
    return this.#locked(ctx, () => this.#dirLocks([], dir, this.table.child(dir, name)), () => {
      const dirPath = this.table.path(dir);
      if (dirPath === null) throw enoent();
      return then(this.#fs.rmdir!(this.#names.join(dirPath, name), ctx), () => {
        this.table.unlink(dir, name);
        dir.version++;
      });
    });
  }

  rename(parent: number, rawName: Name, newParent: number, rawNewName: Name, flags: number, ctx: RequestContext): void | Promise<void> {
    const dir = this.#node(parent);
    const newDir = this.#node(newParent);
    const name = this.#names.coerce(rawName);
    const newName = this.#names.coerce(rawNewName);
    const exchange = (flags & RENAME_EXCHANGE) !== 0;
    return this.#locked(ctx, () => {
      const out: LockRequest[] = [];
      this.#dirLocks(out, dir, this.table.child(dir, name));
      return this.#dirLocks(out, newDir, this.table.child(newDir, newName));
    }, () => {
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
        return this.#renameOverOpen(from, flags, newDir, toDir, newName, target, ctx).then(renamed);
      }
      return then(this.#fs.rename!(from, to, flags, ctx), renamed);
    });
  }

  /** A rename onto a name whose file is open: that file is hidden first, as libfuse does. */
  async #renameOverOpen(from: P, flags: number, newDir: Node<P>, toDir: P, newName: P, target: Node<P>, ctx: RequestContext): Promise<void> {
    const to = this.#names.join(toDir, newName);
    await this.#deferred.hideName(newDir, toDir, newName, target, ctx);
    const hidden = this.#deferred.hiddenLink(target)?.name;
    try {
      await this.#fs.rename!(from, to, flags, ctx);
    } catch (error) {
      if (hidden !== undefined) {
        // Put the target back where it was (best effort): the rename did not happen.
        await Promise.resolve(this.#fs.rename!(this.#names.join(toDir, hidden), to, 0, ctx)).then(
          () => this.table.rename(newDir, hidden, newDir, newName, false),
          () => undefined,
        );
      }
      throw error;
    }
  }

  open(ino: number, flags: number, ctx: RequestContext): OpenReply | Promise<OpenReply> {
    return this.#openNode(ino, flags, ctx, false);
  }

  /** open and opendir: ask the FileSystem (if it implements them) and book the open file. */
  #openNode(ino: number, flags: number, ctx: RequestContext, isDir: boolean): OpenReply | Promise<OpenReply> {
    const node = this.#node(ino);
    const fs = this.#fs;
    return this.#withPath(ctx, node, (path) => {
      if (path === null) throw enoent();
      return then(isDir ? fs.opendir?.(path, flags, ctx) : fs.open?.(path, flags, ctx), (answer) => this.#open(node, answer, isDir, {}));
    });
  }

  create(parent: number, rawName: Name, mode: number, flags: number, ctx: RequestContext): CreateReply | Promise<CreateReply> {
    return this.#inDir(parent, rawName, ctx, (dir, name, path) => then(this.#fs.create!(path, mode, flags, ctx), (answer) => {
      dir.version++;
      const handle = answer instanceof Opened ? answer.handle : answer;
      const book = (a: Attributes): CreateReply => {
        const entry: CreateReply = this.#entry(dir, name, a);
        return this.#open(this.table.get(entry.nodeid ?? entry.ino)!, answer, false, entry);
      };
      // The kernel will not release what it never got: on failure, close the handle ourselves.
      const closeAndFail = async (error: unknown): Promise<never> => {
        await Promise.resolve(this.#fs.release?.(path, flags, handle, ctx)).catch(() => undefined);
        throw error;
      };
      if (answer instanceof Opened && answer.attributes !== undefined) return book(answer.attributes);
      let a: Attributes | Promise<Attributes>;
      try {
        a = this.#getattr(path, handle, ctx);
      } catch (error) {
        return closeAndFail(error);
      }
      return isThenable(a) ? a.then(book, closeAndFail) : book(a);
    }));
  }

  read(fh: number | undefined, size: number, offset: number, ctx: RequestContext) {
    const file = this.#file(fh);
    return this.#withFile(ctx, file, (path) => this.#fs.read!(path, size, offset, file.handle, ctx));
  }

  write(fh: number | undefined, data: Buffer, offset: number, ctx: RequestContext): number | Promise<number> {
    const file = this.#file(fh);
    return this.#withFile(ctx, file, (path) => this.#fs.write!(path, data, offset, file.handle, ctx));
  }

  flush(fh: number | undefined, owner: bigint, ctx: RequestContext): void | Promise<void> {
    const file = this.#file(fh);
    const fs = this.#fs;
    return this.#withFile(ctx, file, (path) => {
      const flushed = fs.flush?.(path, owner, file.handle, ctx);
      if (!fs.lock) return flushed;
      return then(flushed, async () => {
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

  release(fh: number | undefined, flags: number, flockOwner: bigint | undefined, ctx: RequestContext): void | Promise<void> {
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
  #release(fh: number | undefined, ctx: RequestContext, close: (path: P | null, file: OpenFile<P>) => unknown): void | Promise<void> {
    const file = fh === undefined ? undefined : this.#files.get(fh);
    if (file === undefined) return;
    const book = () => {
      this.#files.delete(fh!);
      return this.#closed(file, ctx);
    };
    let closing: unknown;
    try {
      file.listing?.close();
      closing = this.#withFile(ctx, file, (path) => close(path, file));
    } catch (error) {
      return then(book(), () => { throw error; });
    }
    if (!isThenable(closing)) return book();
    return Promise.resolve(closing).then(book, (error: unknown) => then(book(), () => { throw error; }));
  }

  fsync(fh: number | undefined, datasync: boolean, ctx: RequestContext): void | Promise<void> {
    return this.#onFile(ctx, fh, (path, h) => this.#fs.fsync!(path, datasync, h, ctx));
  }

  opendir(ino: number, flags: number, ctx: RequestContext): OpenReply | Promise<OpenReply> {
    return this.#openNode(ino, flags, ctx, true);
  }

  releasedir(fh: number | undefined, ctx: RequestContext): void | Promise<void> {
    return this.#release(fh, ctx, (path, file) => this.#fs.releasedir?.(path, file.handle, ctx));
  }

  fsyncdir(fh: number | undefined, datasync: boolean, ctx: RequestContext): void | Promise<void> {
    return this.#onFile(ctx, fh, (path, h) => this.#fs.fsyncdir!(path, datasync, h, ctx));
  }

  /** readdir and readdirplus: serve the open directory's listing from `offset` (an index into it). */
  readdir(offset: number, fh: number | undefined, reply: DirectoryReply<Entry>, plus: boolean, ctx: RequestContext): void | Promise<void> {
    const file = this.#file(fh);
    const dir = file.node;
    const listing = file.listing!;
    return this.#locked(ctx, () => {
      const out: LockRequest[] = [];
      // readdirplus adds names to the table: ordered against changes of this directory's names.
      if (this.#pathLocks(out, dir) && plus) out.push({ lock: dir.entries, exclusive: false });
      return out;
    }, () => {
      if (offset !== 0 && listing.started) return this.#fill(dir, listing, offset, reply, plus);
      const dirPath = this.table.path(dir);
      if (dirPath === null && !this.#nullPath) throw enoent();
      return then(this.#fs.readdir!(this.#nullPath ? null : dirPath, file.handle, ctx), (source) => {
        listing.reset(source, dir.version);
        return this.#fill(dir, listing, offset, reply, plus);
      });
    });
  }

  /** Adds the listing's entries from `index` on until the reply is full or the listing ends. */
  #fill(dir: Node<P>, listing: Listing<P>, index: number, reply: DirectoryReply<Entry>, plus: boolean): void | Promise<void> {
    for (let i = index; ; i++) {
      const e = listing.at(i);
      if (isThenable(e)) return e.then(() => this.#fill(dir, listing, i, reply, plus)); // an async source: then on at once
      if (e === undefined || !this.#add(dir, listing, e, i + 1, reply, plus)) return;
    }
  }

  /** Adds one entry to a readdir(plus) reply; false when it is full. */
  #add(dir: Node<P>, listing: Listing<P>, e: ListedEntry<P>, next: number, reply: DirectoryReply<Entry>, plus: boolean): boolean {
    const key = this.#names.key(e.name);
    if (key === '.' || key === '..') {
      const ino = this.#listedIno(key === '.' ? dir : (dir.links[0]?.parent ?? dir));
      return reply.add(e.name, { ino, mode: S_IFDIR }, next);
    }
    if (!plus) return reply.add(e.name, { ino: this.#listedIno(dir.children?.get(key), e), mode: e.type }, next);
    // Attributes listed before a change of this directory may be stale: those are left out, and so
    // are none at all. The name goes alone then: the kernel looks it up when it needs it, as
    // libfuse's fuse.c does. Attributes given as a function are fresh: asked for now.
    let a: Attributes | undefined;
    if (typeof e.attributes === 'function') {
      try {
        a = e.attributes();
      } catch {
        a = undefined; // gone meanwhile, or not ours to stat: the kernel's lookup will tell
      }
    } else if (listing.version === dir.version) {
      a = e.attributes;
    }
    if (a === undefined) return reply.addName(e.name, { ino: this.#listedIno(dir.children?.get(key), e), mode: e.type }, next);
    const entry = this.#entry(dir, e.name, a);
    if (reply.add(e.name, entry, next)) return true;
    this.table.forget(entry.nodeid ?? entry.ino, 1); // not sent: the kernel will not count it
    return false;
  }

  statfs(ino: number, ctx: RequestContext): Statfs | Promise<Statfs> {
    const node = this.table.get(ino) ?? this.table.root;
    return this.#withPath(ctx, node, async (path) => toStatfs(await this.#fs.statfs!(path ?? this.#names.root, ctx)));
  }

  getlk(fh: number | undefined, owner: bigint, lock: Lock, ctx: RequestContext): Lock | Promise<Lock> {
    return this.#onFile(ctx, fh, async (path, h) => (await this.#fs.lock!(path, F_GETLK, lock, owner, h, ctx)) ?? { ...lock, type: F_UNLCK });
  }

  async setlk(fh: number | undefined, owner: bigint, lock: Lock, sleep: boolean, ctx: RequestContext): Promise<void> {
    if (!sleep) return this.#onFile(ctx, fh, async (path, h) => { await this.#fs.lock!(path, F_SETLK, lock, owner, h, ctx); });
    const file = this.#file(fh);
    await this.#fs.lock!(this.#pathNow(file), F_SETLKW, lock, owner, file.handle, ctx);
  }

  async flock(fh: number | undefined, owner: bigint, op: number, ctx: RequestContext): Promise<void> {
    if ((op & LOCK_NB) !== 0 || (op & LOCK_UN) !== 0) return this.#onFile(ctx, fh, (path, h) => this.#fs.flock!(path, op, owner, h, ctx));
    const file = this.#file(fh);
    await this.#fs.flock!(this.#pathNow(file), op, owner, file.handle, ctx);
  }

  copyFileRange(fhIn: number | undefined, offIn: number, fhOut: number | undefined, offOut: number, len: number, flags: number, ctx: RequestContext): number | Promise<number> {
    const a = this.#file(fhIn);
    const b = this.#file(fhOut);
    const call = (pa: P | null, pb: P | null) => this.#fs.copyFileRange!(pa, offIn, a.handle, pb, offOut, b.handle, len, flags, ctx);
    if (this.#nullPath) return Promise.resolve().then(() => call(null, null));
    return this.#locked(ctx, () => {
      const out: LockRequest[] = [];
      this.#pathLocks(out, a.node);
      this.#pathLocks(out, b.node);
      return out;
    }, () => call(this.table.path(a.node), this.table.path(b.node)));
  }
}
