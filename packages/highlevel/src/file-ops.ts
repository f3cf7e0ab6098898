// The requests on open files (by the kernel's fh): data, flush and release, sync, locks and
// copies, each run with the file's path held (or none, with nullPath) and its FileSystem handle.
import {
  andThen,
  isThenable,
  type CopyFileRangeRequest,
  type Lock,
  type PollHandle,
  type RequestContext,
  type Result,
} from '@fusekit/lowlevel';
import type { DeferredUnlink } from './deferred-unlink.js';
import type { FileSystem, PathLike } from './filesystem.js';
import type { LockRequest } from './locks.js';
import type { NodeTable } from './node-table.js';
import type { OpenFile, OpenFiles } from './open-files.js';
import type { PathLocks } from './path-locks.js';

const F_GETLK = 5,
  F_SETLK = 6,
  F_SETLKW = 7,
  F_UNLCK = 2;
const LOCK_UN = 8,
  LOCK_NB = 4;

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

export class FileOps<P extends PathLike> {
  readonly #fs: FileSystem<unknown, unknown, P>;
  readonly #files: OpenFiles<P>;
  readonly #locks: PathLocks<P>;
  readonly #table: NodeTable<P>;
  readonly #deferred: DeferredUnlink<P>;
  readonly #nullPath: boolean;

  constructor(
    fs: FileSystem<unknown, unknown, P>,
    files: OpenFiles<P>,
    locks: PathLocks<P>,
    table: NodeTable<P>,
    deferred: DeferredUnlink<P>,
    nullPath: boolean,
  ) {
    this.#fs = fs;
    this.#files = files;
    this.#locks = locks;
    this.#table = table;
    this.#deferred = deferred;
    this.#nullPath = nullPath;
  }

  /** As PathLocks.withPath for an operation on an open file: no path at all with the nullPath option. */
  withFile<T>(ctx: RequestContext, file: OpenFile<P>, body: (path: P | null) => Result<T>): Result<T> {
    if (this.#nullPath) return body(null);
    return this.#locks.withPath(ctx, file.node, body);
  }

  /**
   * The path of an open file without holding locks, for calls that may block indefinitely
   * (F_SETLKW, blocking flock, poll): holding path locks across them could stall renames forever.
   */
  pathNow(file: OpenFile<P>): P | null {
    return this.#nullPath ? null : this.#table.path(file.node);
  }

  onFile<T>(ctx: RequestContext, fh: number | undefined, call: (path: P | null, handle: unknown) => Result<T>): Result<T> {
    const file = this.#files.file(fh);
    return this.withFile(ctx, file, (path) => call(path, file.handle));
  }

  read(fh: number | undefined, size: number, offset: number, ctx: RequestContext) {
    const file = this.#files.file(fh);
    return this.withFile(ctx, file, (path) => this.#fs.read!(path, size, offset, file.handle, ctx));
  }

  write(fh: number | undefined, data: Buffer, offset: number, ctx: RequestContext): Result<number> {
    const file = this.#files.file(fh);
    return this.withFile(ctx, file, (path) => this.#fs.write!(path, data, offset, file.handle, ctx));
  }

  flush(fh: number | undefined, owner: bigint, ctx: RequestContext): Result<void> {
    const file = this.#files.file(fh);
    const fs = this.#fs;
    return this.withFile(ctx, file, (path) => {
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
      closing = this.withFile(ctx, file, (path) => close(path, file));
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
    return this.onFile(ctx, fh, (path, h) => this.#fs.fsync!(path, datasync, h, ctx));
  }

  releasedir(fh: number | undefined, ctx: RequestContext): Result<void> {
    return this.#release(fh, ctx, (path, file) => this.#fs.releasedir?.(path, file.handle, ctx));
  }

  fsyncdir(fh: number | undefined, datasync: boolean, ctx: RequestContext): Result<void> {
    return this.onFile(ctx, fh, (path, h) => this.#fs.fsyncdir!(path, datasync, h, ctx));
  }

  getlk(fh: number | undefined, owner: bigint, lock: Lock, ctx: RequestContext): Result<Lock> {
    return this.onFile(
      ctx,
      fh,
      async (path, h) => (await this.#fs.lock!(path, F_GETLK, lock, owner, h, ctx)) ?? { ...lock, type: F_UNLCK },
    );
  }

  async setlk(fh: number | undefined, owner: bigint, lock: Lock, sleep: boolean, ctx: RequestContext): Promise<void> {
    if (!sleep)
      return this.onFile(ctx, fh, async (path, h) => {
        await this.#fs.lock!(path, F_SETLK, lock, owner, h, ctx);
      });
    const file = this.#files.file(fh);
    await this.#fs.lock!(this.pathNow(file), F_SETLKW, lock, owner, file.handle, ctx);
  }

  async flock(fh: number | undefined, owner: bigint, op: number, ctx: RequestContext): Promise<void> {
    if ((op & LOCK_NB) !== 0 || (op & LOCK_UN) !== 0) return this.onFile(ctx, fh, (path, h) => this.#fs.flock!(path, op, owner, h, ctx));
    const file = this.#files.file(fh);
    await this.#fs.flock!(this.pathNow(file), op, owner, file.handle, ctx);
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
      () => call(this.#table.path(a.node), this.#table.path(b.node)),
    );
  }

  /** poll: without path locks, since a poll handle may be kept for as long as the file is open. */
  poll(fh: number | undefined, events: number, ph: PollHandle | undefined, ctx: RequestContext): Result<number> {
    const file = this.#files.file(fh);
    return this.#fs.poll!(this.pathNow(file), events, ph, file.handle, ctx);
  }
}
