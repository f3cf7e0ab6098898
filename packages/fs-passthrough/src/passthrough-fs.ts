// PassthroughFs: every path operation of @fusekit/highlevel answered by the same operation on
// a host directory, through a Host (host.ts): node:fs's synchronous calls and the small native
// helper on the JS thread, or the native helper's own threads (never libuv's thread pool).
// Paths are Buffers end to end, so names that are not UTF-8 round-trip untouched.
import * as fs from 'node:fs';
import {
  FuseError,
  mount,
  opened,
  type Attributes,
  type EncodedListing,
  type FdData,
  type FileSystem,
  type FilesystemStats,
  type MountOptions,
  type Opened,
  type PathCopyFileRangeRequest,
  type RequestContext,
  type Result,
  type Session,
  type TimeSpec,
} from '@fusekit/highlevel';
import { andThen } from '@fusekit/lowlevel';
import { poolHost, syncHost, type Host } from './host.js';
import { listDirectory } from './listing.js';
import { withHostPath } from './long-paths.js';
import { OpenFiles } from './open-files.js';
import {
  cacheTimeouts,
  isLocalFilesystem,
  memoryDevice,
  type CacheMode,
  type PassthroughMode,
  type PassthroughOptions,
} from './options.js';
import { chownAs, dropPrivileges } from './privileges.js';

const TRUSTED = Buffer.from('trusted.');
const RENAME_EXCHANGE = 2;
const { O_CREAT, O_TRUNC } = fs.constants;

/** The helper's calls answer 0 for success; the FileSystem's answer nothing. */
const done = (): void => undefined;

/** Thrown for every missing name: one error object, no stack trace captured per lookup. */
const ENOENT = new FuseError('ENOENT');

/**
 * Mirrors the host directory `source` (an absolute path): every operation through the mount is
 * the same operation on the file below `source`. A {@link FileSystem} of `@fusekit/highlevel`
 * with Buffer paths; mount it with {@link PassthroughFs.mount}:
 *
 * @example
 * const passthrough = createPassthroughFs('/srv/data', { cache: 'auto' });
 * const session = await passthrough.mount('/mnt/data', { allowOther: true });
 * // the same as: mount(passthrough, '/mnt/data', passthrough.mountOptions({ allowOther: true }))
 *
 * Open files are host file descriptors, so a file unlinked while open keeps working, and reads
 * are answered from the descriptor without copying the data through JavaScript.
 */
export class PassthroughFs implements FileSystem<number, number, Buffer> {
  /** The host directory shown at the mountpoint. */
  readonly source: string;
  readonly cache: CacheMode;
  readonly writeback: boolean;
  /** Kernel passthrough of file data (see {@link PassthroughMode}). */
  readonly passthrough: PassthroughMode;
  /** Whether host calls are made on the JS thread (see {@link PassthroughOptions.syncCalls}). */
  readonly syncCalls: boolean;
  readonly #root: Buffer;
  readonly #fs: Host;
  readonly #requestOwners: boolean;
  readonly #open: OpenFiles;

  constructor(source: string, options: PassthroughOptions = {}) {
    this.source = source;
    this.cache = options.cache ?? 'auto';
    this.writeback = options.writeback ?? false;
    this.passthrough = options.passthrough ?? 'auto';
    if (this.passthrough === 'on' && this.writeback) {
      throw new Error('passthrough=on cannot be combined with writeback: the kernel refuses kernel passthrough with the writeback cache');
    }
    this.#requestOwners = options.requestOwners ?? process.getuid?.() === 0;
    this.syncCalls = options.syncCalls ?? isLocalFilesystem(source);
    this.#fs = this.syncCalls ? syncHost : poolHost;
    // '/' + '/dir/file' would still work, but a clean prefix keeps error messages readable.
    this.#root = Buffer.from(source === '/' ? '' : source.replace(/\/+$/, ''));
    const openFlags = { directIo: this.cache === 'never', keepCache: this.cache === 'always' };
    this.#open = new OpenFiles(openFlags, this.writeback, memoryDevice(source), this.passthrough !== 'off' && !this.writeback);
    // With the writeback cache, data not yet written back is not in the host file, where
    // SEEK_DATA would miss it (and `cp` would skip it): let the kernel answer lseek itself.
    if (this.writeback) this.#unimplement('lseek');
    if (options.xattrs === false) this.#unimplement('setxattr', 'getxattr', 'listxattr', 'removexattr');
  }

  /** Hides methods from the dispatcher: the kernel gets ENOSYS for them (and stops asking). */
  #unimplement(...names: (keyof FileSystem)[]): void {
    for (const name of names) Object.defineProperty(this, name, { value: undefined });
  }

  /**
   * Mounts this filesystem at `mountpoint` with {@link PassthroughFs.mountOptions} (plus
   * `options`): `fs.mount(mountpoint, options)` is `mount(fs, mountpoint, fs.mountOptions(options))`
   * with `mount` from `@fusekit/highlevel`. Every sample filesystem mounts in this shape.
   */
  async mount(mountpoint: string, options: MountOptions = {}): Promise<Session<Buffer>> {
    const session = await mount(this, mountpoint, this.mountOptions(options));
    // Passthrough is settled at INIT: wait for it, so `'on'` can refuse and callers can say which.
    await session.lowlevel.initialized;
    if (this.passthrough === 'on' && !session.lowlevel.passthrough) {
      const reason = session.lowlevel.passthroughOffReason ?? 'the session ended';
      await session.close();
      throw new Error(`kernel passthrough is not available: ${reason}`);
    }
    return session;
  }

  /**
   * The mount options this filesystem needs (Buffer names, the cache timeouts and capabilities
   * of its cache mode), merged with yours.
   *
   * Permissions are checked by the kernel (`default_permissions`) when other users can reach
   * the mount (`allowOther`, or `allow_other` among `options`). Otherwise the one user who can
   * is the server's own, and the host checks that user on every call already: the kernel's
   * checks would add nothing but a GETATTR of the directory after each create, unlink and
   * rename. Pass `defaultPermissions: true` to have them anyway.
   */
  mountOptions(extra: MountOptions = {}): MountOptions & { namesAsBuffers: true } {
    const timeout = cacheTimeouts[this.cache];
    const shared = extra.allowOther === true || (extra.options ?? []).includes('allow_other');
    return {
      fsname: this.source,
      subtype: 'fusekit-passthrough',
      defaultPermissions: shared,
      attrTimeout: timeout,
      entryTimeout: timeout,
      // Host calls on the JS thread answer at once, so the next request is worth waiting for;
      // with the pool, answers come from the event loop, which a busy poll would hold up.
      busyPollMicros: this.syncCalls ? 20 : 0,
      // Written data goes on to the host file and is not kept: its memory is received into again.
      lendWriteData: true,
      // The host's inode numbers: a file keeps its st_ino while it exists, even when the kernel
      // forgets it and looks it up again (node ids would change then).
      useIno: true,
      ...extra,
      // Clearing setuid/setgid is ours (below): the kernel then no longer asks for the
      // security.capability xattr before every write, nor re-reads attributes before a chown.
      capabilities: {
        writebackCache: this.writeback,
        handleKillprivV2: true,
        directIoAllowMmap: true,
        // With writeback the session does not ask for it, and says why.
        passthrough: this.passthrough !== 'off',
        ...extra.capabilities,
      },
      namesAsBuffers: true,
    };
  }

  /** Calls `op` with the host path of a path in the mount (reached in pieces past PATH_MAX). */
  readonly #at = <R>(path: Buffer, op: (hostPath: Buffer) => Result<R>): Result<R> =>
    withHostPath(this.#fs, Buffer.concat([this.#root, path]), op);

  /** The owner new files get: the caller's, or the server's own (-1) when not asked or not root. */
  #owner(ctx: RequestContext): [number, number] {
    if (!this.#requestOwners || (ctx.uid === 0 && ctx.gid === 0)) return [-1, -1];
    return [ctx.uid, ctx.gid];
  }

  /**
   * The kernel applied the caller's umask already; the server's own must not mask the modes
   * of new host files a second time. (A process-wide setting: mount nothing else here that
   * relies on a umask.)
   */
  init(): void {
    process.umask(0);
  }

  /**
   * Not `async`: with synchronous host calls a lookup or stat is answered without a promise,
   * which spares the most frequent requests a trip through the microtask queue.
   */
  getattr(path: Buffer | null, fd: number | undefined): Result<Attributes> {
    if (fd !== undefined) return this.#fs.fstat(fd);
    return andThen(
      this.#at(path!, (p) => this.#fs.lstat(p)),
      (stats) => this.#orOpen(path!, stats),
    );
  }

  /** The host's attributes of `path`, or, if the name is gone there, those of a file still open at it. */
  #orOpen(path: Buffer, stats: Attributes | undefined): Result<Attributes> {
    if (stats !== undefined) return stats;
    const open = this.#open.at(path);
    if (open !== undefined) return this.#fs.fstat(open);
    throw ENOENT;
  }

  /** Asked only without `default_permissions`: the host answers for the server's user, the only one here. */
  access(path: Buffer, mode: number): Result<void> {
    return this.#at(path, (p) => this.#fs.access(p, mode));
  }

  readlink(path: Buffer): Result<Buffer> {
    return this.#at(path, (p) => this.#fs.readlink(p));
  }

  mknod(path: Buffer, mode: number, rdev: number, ctx: RequestContext): Result<void> {
    return andThen(
      this.#at(path, (p) => this.#fs.mknod(p, mode, rdev, ...this.#owner(ctx))),
      done,
    );
  }

  mkdir(path: Buffer, mode: number, ctx: RequestContext): Result<void> {
    return andThen(
      this.#at(path, (p) => this.#fs.mkdir(p, mode, ...this.#owner(ctx))),
      done,
    );
  }

  unlink(path: Buffer): Result<void> {
    return andThen(
      this.#at(path, (p) => this.#fs.unlink(p)),
      () => this.#open.unlinked(path),
    );
  }

  rmdir(path: Buffer): Result<void> {
    return this.#at(path, (p) => this.#fs.rmdir(p));
  }

  symlink(target: Buffer, path: Buffer, ctx: RequestContext): Result<void> {
    return andThen(
      this.#at(path, (p) => this.#fs.symlink(target, p, ...this.#owner(ctx))),
      done,
    );
  }

  rename(from: Buffer, to: Buffer, flags: number): Result<void> {
    return andThen(
      this.#at(from, (a) => this.#at(to, (b) => this.#fs.rename(a, b, flags))),
      () => this.#open.renamed(from, to, (flags & RENAME_EXCHANGE) !== 0),
    );
  }

  link(from: Buffer, to: Buffer): Result<void> {
    return this.#at(from, (a) => this.#at(to, (b) => this.#fs.link(a, b)));
  }

  chmod(path: Buffer | null, mode: number, fd: number | undefined): Result<void> {
    return fd !== undefined ? this.#fs.fchmod(fd, mode) : this.#at(path!, (p) => this.#fs.chmod(p, mode));
  }

  chown(path: Buffer | null, uid: number, gid: number, fd: number | undefined, ctx: RequestContext): Result<void> {
    return fd !== undefined ? chownAs(this.#fs, fd, uid, gid, ctx) : this.#at(path!, (p) => chownAs(this.#fs, p, uid, gid, ctx));
  }

  truncate(path: Buffer | null, size: number, fd: number | undefined, ctx: RequestContext): Result<void> {
    if (fd !== undefined)
      return andThen(this.#fs.ftruncate(fd, size), () => (ctx.killSuidgid ? dropPrivileges(this.#fs, fd, ctx) : undefined));
    return this.#at(path!, (p) =>
      andThen(this.#fs.truncate(p, size), () => (ctx.killSuidgid ? dropPrivileges(this.#fs, p, ctx) : undefined)),
    );
  }

  utimens(path: Buffer | null, atime: TimeSpec, mtime: TimeSpec, fd: number | undefined): Result<void> {
    return andThen(fd !== undefined ? this.#fs.utimens(fd, atime, mtime) : this.#at(path!, (p) => this.#fs.utimens(p, atime, mtime)), done);
  }

  open(path: Buffer, flags: number, ctx: RequestContext): Result<Opened<number>> {
    return andThen(
      this.#at(path, (p) => this.#fs.open(p, this.#open.hostFlags(flags), 0, -1, -1)),
      (fd) => {
        // The truncation of open(O_TRUNC) arrives here, not as a setattr the kernel would add it to.
        if (!ctx.killSuidgid && !(flags & O_TRUNC && ctx.uid !== 0)) return this.#open.opened(path, fd, flags);
        return andThen(dropPrivileges(this.#fs, fd, ctx), () => this.#open.opened(path, fd, flags));
      },
    );
  }

  create(path: Buffer, mode: number, flags: number, ctx: RequestContext): Result<Opened<number>> {
    const [uid, gid] = this.#owner(ctx);
    return andThen(
      this.#at(path, (p) => this.#fs.open(p, this.#open.hostFlags(flags) | O_CREAT, mode, uid, gid)),
      (fd) => {
        if (!ctx.killSuidgid) return this.#open.opened(path, fd, flags);
        // O_TRUNC of a file made on the host meanwhile
        return andThen(dropPrivileges(this.#fs, fd, ctx), () => this.#open.opened(path, fd, flags));
      },
    );
  }

  /** Answered from the host descriptor: lowlevel splices the range to the kernel, zero-copy. */
  read(_path: Buffer | null, size: number, offset: number, fd: number): FdData {
    return { fd, position: offset, size, inMemory: this.#open.isInMemory(fd) };
  }

  write(_path: Buffer | null, data: Buffer, offset: number, fd: number, ctx: RequestContext): Result<number> {
    if (!ctx.killSuidgid && !(ctx.uid !== 0 && this.#open.isDirect(fd))) return this.#fs.write(fd, data, offset);
    return andThen(dropPrivileges(this.#fs, fd, ctx), () => this.#fs.write(fd, data, offset));
  }

  release(_path: Buffer | null, _flags: number, fd: number): Result<void> {
    this.#open.closed(fd);
    return this.#fs.close(fd);
  }

  fsync(_path: Buffer | null, datasync: boolean, fd: number): Result<void> {
    return this.#fs.fsync(fd, datasync);
  }

  /** The host directory, opened for native listings (listing.ts) and fsyncdir. */
  opendir(path: Buffer): Result<Opened<number>> {
    const cached = this.cache === 'always';
    return andThen(
      this.#at(path, (p) => this.#fs.dirOpen(p)),
      (fd) => opened(fd, { cacheReaddir: cached, keepCache: cached }),
    );
  }

  readdirEncoded(_path: Buffer | null, offset: number, fd: number, listing: EncodedListing<Buffer>): Result<void> {
    return listDirectory(this.#fs, fd, offset, listing);
  }

  releasedir(_path: Buffer | null, fd: number): Result<void> {
    return this.#fs.dirClose(fd);
  }

  fsyncdir(_path: Buffer | null, datasync: boolean, fd: number): Result<void> {
    return this.#fs.fsync(fd, datasync);
  }

  statfs(path: Buffer): Result<FilesystemStats> {
    return this.#at(path, (p) => this.#fs.statfs(p));
  }

  setxattr(path: Buffer, name: Buffer, value: Buffer, flags: number): Result<void> {
    return andThen(
      this.#at(path, (p) => this.#fs.setxattr(p, name, value, flags)),
      done,
    );
  }

  getxattr(path: Buffer, name: Buffer): Result<Buffer> {
    return this.#at(path, (p) => this.#fs.getxattr(p, name));
  }

  /** The server lists `trusted.*` names as root; an unprivileged caller would not see them. */
  async listxattr(path: Buffer, ctx: RequestContext): Promise<Buffer[]> {
    const list = await this.#at(path, (p) => this.#fs.listxattr(p));
    const names: Buffer[] = [];
    for (let start = 0, end: number; (end = list.indexOf(0, start)) !== -1; start = end + 1) {
      const name = list.subarray(start, end);
      if (ctx.uid === 0 || !name.subarray(0, TRUSTED.length).equals(TRUSTED)) names.push(name);
    }
    return names;
  }

  async removexattr(path: Buffer, name: Buffer): Promise<void> {
    await this.#at(path, (p) => this.#fs.removexattr(p, name));
  }

  async fallocate(_path: Buffer | null, mode: number, offset: number, length: number, fd: number): Promise<void> {
    await this.#fs.fallocate(fd, mode, offset, length);
  }

  lseek(_path: Buffer | null, offset: number, whence: number, fd: number): Result<number> {
    return this.#fs.lseek(fd, offset, whence);
  }

  copyFileRange({ handleIn, offIn, handleOut, offOut, len, flags }: PathCopyFileRangeRequest<Buffer, number>): Result<number> {
    return this.#fs.copyFileRange(handleIn, offIn, handleOut, offOut, len, flags);
  }
}

/**
 * Makes a filesystem that mirrors the host directory `source` (give an absolute, real path;
 * the CLI checks and resolves it). Mount it with `fs.mount(mountpoint, options)`.
 */
export function createPassthroughFs(source: string, options: PassthroughOptions = {}): PassthroughFs {
  return new PassthroughFs(source, options);
}
