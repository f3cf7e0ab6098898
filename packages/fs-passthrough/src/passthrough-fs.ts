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
  type DirectoryEntry,
  type FdData,
  type FileSystem,
  type FilesystemStats,
  type MountOptions,
  type Opened,
  type OpenFlags,
  type RequestContext,
  type Result,
  type Session,
  type TimeSpec,
} from '@fusekit/highlevel';
import { always, andThen, inGroup } from '@fusekit/lowlevel';
import { poolHost, syncHost, type Host } from './host.js';
import { withHostPath } from './long-paths.js';

const { O_APPEND, O_CREAT, O_DIRECT, O_RDWR, O_TRUNC, O_WRONLY } = fs.constants;
const O_ACCMODE = 3;
const { S_IXGRP } = fs.constants;
const S_ISUID = 0o4000,
  S_ISGID = 0o2000;
const TRUSTED = Buffer.from('trusted.');
const SLASH = Buffer.from('/');
const RENAME_EXCHANGE = 2;
const OPEN_DIRECTORY = fs.constants.O_RDONLY | fs.constants.O_DIRECTORY;

/** The helper's calls answer 0 for success; the FileSystem's answer nothing. */
const done = (): void => undefined;

/** Thrown for every missing name: one error object, no stack trace captured per lookup. */
const ENOENT = new FuseError('ENOENT');

/**
 * How much the kernel may cache, as libfuse's passthrough_ll `-o cache=`:
 * - `'never'`: nothing; every read and write reaches the host file (direct I/O), every stat
 *   the host's inode. Changes made on the host side are seen at once.
 * - `'auto'`: attributes and names for 1 second; file data until the file is seen to change
 *   (its size or mtime) when it is reopened or its attributes are fetched again.
 * - `'always'`: attributes and names for a day, file data and listings across opens. Fastest;
 *   for a host directory nothing else changes.
 */
export type CacheMode = 'never' | 'auto' | 'always';

/** Choices for {@link createPassthroughFs}. */
export interface PassthroughOptions {
  /** What the kernel may cache (see {@link CacheMode}). Default `'auto'`. */
  cache?: CacheMode;
  /**
   * Let the kernel buffer writes in its page cache and send them in large batches
   * (FUSE writeback cache): much faster small writes, but the host file lags behind what
   * programs wrote through the mount until it is flushed. Default false.
   */
  writeback?: boolean;
  /**
   * Create files, directories and links as the user asking (its uid and gid), as a local
   * filesystem does. Needs root. Default: true when running as root.
   */
  requestOwners?: boolean;
  /**
   * Make the host calls synchronously on the JS thread instead of on fs-passthrough's own
   * threads (never libuv's thread pool, which the server's own node:fs calls may hold: see the
   * README). About twice the metadata operations per second when the source is local and fast
   * (each pool call is a hand-off to another thread and back); but a slow host call (a network
   * filesystem, a cold disk, a long fsync) then stalls every request until it returns.
   * Default: true when the source is on a local filesystem (tmpfs, ramfs, ext2/3/4, xfs, btrfs,
   * f2fs, by its statfs type), false otherwise (NFS, SMB, FUSE, anything else).
   */
  syncCalls?: boolean;
  /**
   * Serve extended attributes. Without them the kernel answers EOPNOTSUPP itself after the
   * first try, which also spares the round trips where the kernel asks for
   * `security.capability` (before the first write after a file's attributes change, and before
   * each chown); libfuse's passthrough_ll serves none unless asked.
   * Default true.
   */
  xattrs?: boolean;
}

const timeouts: Record<CacheMode, number> = { never: 0, auto: 1, always: 86_400 };

/** statfs f_type of the filesystems that keep files in memory. */
const MEMORY_TYPES = new Set([
  0x01021994, // tmpfs
  0x858458f6, // ramfs
]);

/** statfs f_type of the filesystems whose calls are fast enough to make on the JS thread. */
const LOCAL_TYPES = new Set([
  ...MEMORY_TYPES,
  0xef53, // ext2, ext3, ext4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0xf2f52010, // f2fs
]);

/** The device of `path` if it is on a filesystem that keeps files in memory. */
function memoryDevice(path: string): bigint | undefined {
  try {
    return MEMORY_TYPES.has(fs.statfsSync(path).type) ? fs.statSync(path, { bigint: true }).dev : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `path` is on a local filesystem (see {@link PassthroughOptions.syncCalls}). */
export function isLocalFilesystem(path: string): boolean {
  try {
    return LOCAL_TYPES.has(fs.statfsSync(path).type);
  } catch {
    return false;
  }
}

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
export class PassthroughFs implements FileSystem<number, undefined, Buffer> {
  /** The host directory shown at the mountpoint. */
  readonly source: string;
  readonly cache: CacheMode;
  readonly writeback: boolean;
  /** Whether host calls are made on the JS thread (see {@link PassthroughOptions.syncCalls}). */
  readonly syncCalls: boolean;
  readonly #root: Buffer;
  readonly #fs: Host;
  readonly #requestOwners: boolean;
  readonly #openFlags: OpenFlags;
  /** Host descriptors opened for direct I/O: writes to them bypass the kernel's setuid clearing. */
  readonly #direct = new Set<number>();
  /**
   * Open host descriptors by the path they were opened at (and back): the kernel stats an open
   * file by its inode, without a handle, so a file unlinked on the host side is found here.
   */
  readonly #openAt = new Map<string, Set<number>>();
  readonly #pathOf = new Map<number, string>();
  /** The source's device if its filesystem keeps files in memory, and which open files are there. */
  readonly #memoryDevice: bigint | undefined;
  readonly #inMemory = new Map<number, boolean>();

  constructor(source: string, options: PassthroughOptions = {}) {
    this.source = source;
    this.cache = options.cache ?? 'auto';
    this.writeback = options.writeback ?? false;
    this.#requestOwners = options.requestOwners ?? process.getuid?.() === 0;
    this.syncCalls = options.syncCalls ?? isLocalFilesystem(source);
    this.#memoryDevice = memoryDevice(source);
    this.#fs = this.syncCalls ? syncHost : poolHost;
    // '/' + '/dir/file' would still work, but a clean prefix keeps error messages readable.
    this.#root = Buffer.from(source === '/' ? '' : source.replace(/\/+$/, ''));
    this.#openFlags = { directIo: this.cache === 'never', keepCache: this.cache === 'always' };
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
   * The mount options this filesystem needs (Buffer names, the cache timeouts and capabilities
   * of its cache mode), merged with yours.
   *
   * Permissions are checked by the kernel (`default_permissions`) when other users can reach
   * the mount (`allowOther`, or `allow_other` among `options`). Otherwise the one user who can
   * is the server's own, and the host checks that user on every call already: the kernel's
   * checks would add nothing but a GETATTR of the directory after each create, unlink and
   * rename. Pass `defaultPermissions: true` to have them anyway.
   */
  /**
   * Mounts this filesystem at `mountpoint` with {@link PassthroughFs.mountOptions} (plus
   * `options`): `fs.mount(mountpoint, options)` is `mount(fs, mountpoint, fs.mountOptions(options))`
   * with `mount` from `@fusekit/highlevel`. Every sample filesystem mounts in this shape.
   */
  mount(mountpoint: string, options: MountOptions = {}): Promise<Session<Buffer>> {
    return mount(this, mountpoint, this.mountOptions(options));
  }

  mountOptions(extra: MountOptions = {}): MountOptions & { namesAsBuffers: true } {
    const timeout = timeouts[this.cache];
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
      capabilities: { writebackCache: this.writeback, handleKillprivV2: true, directIoAllowMmap: true, ...extra.capabilities },
      namesAsBuffers: true,
    };
  }

  /** Calls `op` with the host path of a path in the mount (reached in pieces past PATH_MAX). */
  #at<R>(path: Buffer, op: (hostPath: Buffer) => Result<R>): Result<R> {
    return withHostPath(this.#fs, Buffer.concat([this.#root, path]), op);
  }

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
    const open = this.#openAt.get(path.toString('latin1'));
    if (open !== undefined) return this.#fs.fstat(open.values().next().value!);
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
      () => {
        if (this.#openAt.size > 0) this.#moveOpen(path.toString('latin1'), '', false); // open there, they have no name now
      },
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
      () => {
        if (this.#openAt.size > 0) this.#moveOpen(from.toString('latin1'), to.toString('latin1'), (flags & RENAME_EXCHANGE) !== 0);
      },
    );
  }

  link(from: Buffer, to: Buffer): Result<void> {
    return this.#at(from, (a) => this.#at(to, (b) => this.#fs.link(a, b)));
  }

  chmod(path: Buffer | null, mode: number, fd: number | undefined): Result<void> {
    return fd !== undefined ? this.#fs.fchmod(fd, mode) : this.#at(path!, (p) => this.#fs.chmod(p, mode));
  }

  chown(path: Buffer | null, uid: number, gid: number, fd: number | undefined, ctx: RequestContext): Result<void> {
    return fd !== undefined ? this.#chown(fd, uid, gid, ctx) : this.#at(path!, (p) => this.#chown(p, uid, gid, ctx));
  }

  #chown(file: number | Buffer, uid: number, gid: number, ctx: RequestContext): Result<void> {
    const change = () => (typeof file === 'number' ? this.#fs.fchown(file, uid, gid) : this.#fs.lchown(file, uid, gid));
    if (!ctx.killSuidgid || ctx.uid === 0) return change();
    // The host chowns as root, which keeps a setgid without group execute; the kernel drops it
    // when the caller is outside the file's group (the group before the chown).
    return andThen(this.#stat(file), (stats) => {
      const mode = Number(stats.mode) & 0o7777;
      if ((mode & (S_ISGID | S_IXGRP)) !== S_ISGID || inGroup(ctx, Number(stats.gid))) return change();
      return andThen(change(), () => this.#chmod(file, mode & ~(S_ISUID | S_ISGID)));
    });
  }

  truncate(path: Buffer | null, size: number, fd: number | undefined, ctx: RequestContext): Result<void> {
    if (fd !== undefined) return andThen(this.#fs.ftruncate(fd, size), () => (ctx.killSuidgid ? this.#dropPrivileges(fd, ctx) : undefined));
    return this.#at(path!, (p) => andThen(this.#fs.truncate(p, size), () => (ctx.killSuidgid ? this.#dropPrivileges(p, ctx) : undefined)));
  }

  utimens(path: Buffer | null, atime: TimeSpec, mtime: TimeSpec, fd: number | undefined): Result<void> {
    return andThen(fd !== undefined ? this.#fs.utimens(fd, atime, mtime) : this.#at(path!, (p) => this.#fs.utimens(p, atime, mtime)), done);
  }

  /**
   * With the writeback cache the kernel reads pages of files opened write-only and appends by
   * itself: the host file is opened read-write and without O_APPEND then (as passthrough_ll).
   * O_DIRECT is not passed on: direct I/O is asked of the kernel's cache instead, so reads can
   * still be spliced from the host descriptor at any alignment.
   */
  #hostFlags(flags: number): number {
    let host = flags & ~O_DIRECT;
    if (this.writeback) {
      if ((host & O_ACCMODE) === O_WRONLY) host = (host & ~O_ACCMODE) | O_RDWR;
      host &= ~O_APPEND;
    }
    return host;
  }

  #opened(path: Buffer, fd: number, flags: number): Opened<number> {
    const key = path.toString('latin1');
    this.#pathOf.set(fd, key);
    const fds = this.#openAt.get(key);
    if (fds === undefined) this.#openAt.set(key, new Set([fd]));
    else fds.add(fd);
    // With the writeback cache an O_DIRECT open stays a cached one (the kernel's own direct I/O):
    // a direct_io open reads the host file, which lacks what other opens have not written back.
    const direct = (flags & O_DIRECT) !== 0 && !this.writeback;
    if (direct || this.#openFlags.directIo === true) this.#direct.add(fd);
    return opened(fd, direct ? { ...this.#openFlags, directIo: true } : this.#openFlags);
  }

  #closed(fd: number): void {
    this.#inMemory.delete(fd);
    const key = this.#pathOf.get(fd);
    const fds = key === undefined ? undefined : this.#openAt.get(key);
    fds?.delete(fd);
    if (fds?.size === 0) this.#openAt.delete(key!);
    this.#pathOf.delete(fd);
    this.#direct.delete(fd);
  }

  /** Books a rename (or exchange, or with `to` '' an unlink) of open files (a renamed directory's descendants are not followed). */
  #moveOpen(from: string, to: string, exchange: boolean): void {
    if (to === '') {
      for (const fd of this.#openAt.get(from) ?? []) this.#pathOf.delete(fd);
      this.#openAt.delete(from);
      return;
    }
    const moving = this.#openAt.get(from);
    const other = this.#openAt.get(to);
    this.#openAt.delete(from);
    this.#openAt.delete(to);
    if (moving !== undefined) this.#openAt.set(to, moving);
    if (exchange && other !== undefined) this.#openAt.set(from, other);
    for (const fd of moving ?? []) this.#pathOf.set(fd, to);
    if (exchange) for (const fd of other ?? []) this.#pathOf.set(fd, from);
    else for (const fd of other ?? []) this.#pathOf.delete(fd); // replaced: no name any more
  }

  /**
   * What the kernel leaves to us (handleKillprivV2) on a write, truncate or open(O_TRUNC) by a
   * caller without CAP_FSETID (`ctx.killSuidgid`): clear setuid, and setgid when the group may
   * execute or the caller is not in the file's group (the kernel's in_group_or_capable). The
   * server itself writes as root, which would keep them. Without the capability (a kernel
   * before 5.11) the kernel still clears them itself, except on direct I/O: a non-zero uid
   * stands in for the flag there.
   */
  #dropPrivileges(file: number | Buffer, ctx: RequestContext): Result<void> {
    return andThen(this.#stat(file), (stats) => {
      const mode = Number(stats.mode);
      const keepsSgid = () => ctx.uid === 0 || inGroup(ctx, Number(stats.gid));
      const kill = (mode & S_ISUID) | ((mode & S_ISGID) !== 0 && ((mode & S_IXGRP) !== 0 || !keepsSgid()) ? S_ISGID : 0);
      if (kill === 0) return;
      return this.#chmod(file, mode & 0o7777 & ~kill);
    });
  }

  #stat(file: number | Buffer): Result<Attributes> {
    return andThen(typeof file === 'number' ? this.#fs.fstat(file) : this.#fs.lstat(file), (stats) => stats!);
  }

  #chmod(file: number | Buffer, mode: number): Result<void> {
    return andThen(typeof file === 'number' ? this.#fs.fchmod(file, mode) : this.#fs.chmod(file, mode), done);
  }

  open(path: Buffer, flags: number, ctx: RequestContext): Result<Opened<number>> {
    return andThen(
      this.#at(path, (p) => this.#fs.open(p, this.#hostFlags(flags), 0, -1, -1)),
      (fd) => {
        // The truncation of open(O_TRUNC) arrives here, not as a setattr the kernel would add it to.
        if (!ctx.killSuidgid && !(flags & O_TRUNC && ctx.uid !== 0)) return this.#opened(path, fd, flags);
        return andThen(this.#dropPrivileges(fd, ctx), () => this.#opened(path, fd, flags));
      },
    );
  }

  create(path: Buffer, mode: number, flags: number, ctx: RequestContext): Result<Opened<number>> {
    const [uid, gid] = this.#owner(ctx);
    return andThen(
      this.#at(path, (p) => this.#fs.open(p, this.#hostFlags(flags) | O_CREAT, mode, uid, gid)),
      (fd) => {
        if (!ctx.killSuidgid) return this.#opened(path, fd, flags);
        // O_TRUNC of a file made on the host meanwhile
        return andThen(this.#dropPrivileges(fd, ctx), () => this.#opened(path, fd, flags));
      },
    );
  }

  /** Answered from the host descriptor: lowlevel splices the range to the kernel, zero-copy. */
  read(_path: Buffer | null, size: number, offset: number, fd: number): FdData {
    return { fd, position: offset, size, inMemory: this.#isInMemory(fd) };
  }

  /**
   * Whether an open file lies on the source's filesystem and that keeps files in memory (tmpfs):
   * its reads never wait, which spares lowlevel finding it out per read. Asked once per file.
   */
  #isInMemory(fd: number): boolean {
    if (this.#memoryDevice === undefined) return false;
    let inMemory = this.#inMemory.get(fd);
    if (inMemory === undefined) this.#inMemory.set(fd, (inMemory = (syncHost.fstat(fd) as Attributes).dev === this.#memoryDevice));
    return inMemory;
  }

  write(_path: Buffer | null, data: Buffer, offset: number, fd: number, ctx: RequestContext): Result<number> {
    if (!ctx.killSuidgid && !(ctx.uid !== 0 && this.#direct.has(fd))) return this.#fs.write(fd, data, offset);
    return andThen(this.#dropPrivileges(fd, ctx), () => this.#fs.write(fd, data, offset));
  }

  release(_path: Buffer | null, _flags: number, fd: number): Result<void> {
    this.#closed(fd);
    return this.#fs.close(fd);
  }

  fsync(_path: Buffer | null, datasync: boolean, fd: number): Result<void> {
    return this.#fs.fsync(fd, datasync);
  }

  opendir(): Opened<undefined> {
    return opened(undefined, { cacheReaddir: this.cache === 'always', keepCache: this.cache === 'always' });
  }

  /**
   * Each name with its type, from the host's listing (d_type: no stat), and with synchronous host
   * calls its attributes, stat'ed only when readdirplus asks for them (as passthrough_ll does):
   * readdirplus then spares a LOOKUP per name (`rm -r`, `ls -l`, `du`). On the pool, names and
   * types only: a hand-off per name would cost more than the LOOKUPs it spares.
   */
  readdir(path: Buffer | null): Result<Iterable<DirectoryEntry<Buffer>>> {
    return andThen(
      this.#at(path!, (dir) => this.#fs.readdir(dir)),
      (listed) => {
        if (!this.syncCalls) return listed.map((entry): DirectoryEntry<Buffer> => ({ name: entry.name, mode: entry.type }));
        // Listable but not searchable (no x for a server that is not root): lstat throws, the name goes alone.
        const lstat = (name: Buffer) => this.#at(Buffer.concat([path!, SLASH, name]), (p) => syncHost.lstat(p)) as Attributes | undefined;
        return listed.map((entry): DirectoryEntry<Buffer> => ({ name: entry.name, mode: entry.type, attributes: () => lstat(entry.name) }));
      },
    );
  }

  fsyncdir(path: Buffer | null, datasync: boolean): Result<void> {
    return andThen(
      this.#at(path!, (p) => this.#fs.open(p, OPEN_DIRECTORY, 0, -1, -1)),
      (fd) =>
        always(
          () => this.#fs.fsync(fd, datasync),
          () => this.#fs.close(fd),
        ),
    );
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

  copyFileRange(
    _pathIn: Buffer | null,
    offsetIn: number,
    fdIn: number,
    _pathOut: Buffer | null,
    offsetOut: number,
    fdOut: number,
    length: number,
    flags: number,
  ): Result<number> {
    return this.#fs.copyFileRange(fdIn, offsetIn, fdOut, offsetOut, length, flags);
  }
}

/**
 * Makes a filesystem that mirrors the host directory `source` (give an absolute, real path;
 * the CLI checks and resolves it). Mount it with `fs.mount(mountpoint, options)`.
 */
export function createPassthroughFs(source: string, options: PassthroughOptions = {}): PassthroughFs {
  return new PassthroughFs(source, options);
}
