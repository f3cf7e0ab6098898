import { type Attributes, type DirectoryEntry, type FileSystem, type FilesystemStats, type MountOptions, type Opened, type RequestContext, type Result, type TimeSpec } from '@fusekit/highlevel';
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
     * Make the host calls synchronously on the JS thread instead of on libuv's thread pool.
     * About twice the metadata operations per second when the source is local and fast
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
/** Whether `path` is on a local filesystem (see {@link PassthroughOptions.syncCalls}). */
export declare function isLocalFilesystem(path: string): boolean;
/**
 * Mirrors the host directory `source` (an absolute path): every operation through the mount is
 * the same operation on the file below `source`. A {@link FileSystem} of `@fusekit/highlevel`
 * with Buffer paths; mount it with {@link PassthroughFs.mountOptions}:
 *
 * @example
 * const passthrough = createPassthroughFs('/srv/data', { cache: 'auto' });
 * const session = await mount(passthrough, '/mnt/data', passthrough.mountOptions({ allowOther: true }));
 *
 * Open files are host file descriptors, so a file unlinked while open keeps working, and reads
 * are answered from the descriptor without copying the data through JavaScript.
 */
export declare class PassthroughFs implements FileSystem<number, undefined, Buffer> {
    #private;
    /** The host directory shown at the mountpoint. */
    readonly source: string;
    readonly cache: CacheMode;
    readonly writeback: boolean;
    /** Whether host calls are made on the JS thread (see {@link PassthroughOptions.syncCalls}). */
    readonly syncCalls: boolean;
    constructor(source: string, options?: PassthroughOptions);
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
    mountOptions(extra?: MountOptions): MountOptions & {
        namesAsBuffers: true;
    };
    /**
     * The kernel applied the caller's umask already; the server's own must not mask the modes
     * of new host files a second time. (A process-wide setting: mount nothing else here that
     * relies on a umask.)
     */
    init(): void;
    /**
     * Not `async`: with synchronous host calls a lookup or stat is answered without a promise,
     * which spares the most frequent requests a trip through the microtask queue.
     */
    getattr(path: Buffer | null, fd: number | undefined): Result<Attributes>;
    /** Asked only without `default_permissions`: the host answers for the server's user, the only one here. */
    access(path: Buffer, mode: number): Result<void>;
    readlink(path: Buffer): Result<Buffer>;
    mknod(path: Buffer, mode: number, rdev: number, ctx: RequestContext): Promise<void>;
    mkdir(path: Buffer, mode: number, ctx: RequestContext): Promise<void>;
    unlink(path: Buffer): Promise<void>;
    rmdir(path: Buffer): Result<void>;
    symlink(target: Buffer, path: Buffer, ctx: RequestContext): Promise<void>;
    rename(from: Buffer, to: Buffer, flags: number): Promise<void>;
    link(from: Buffer, to: Buffer): Result<void>;
    chmod(path: Buffer | null, mode: number, fd: number | undefined): Result<void>;
    chown(path: Buffer | null, uid: number, gid: number, fd: number | undefined): Result<void>;
    truncate(path: Buffer | null, size: number, fd: number | undefined, ctx: RequestContext): Promise<void>;
    utimens(path: Buffer | null, atime: TimeSpec, mtime: TimeSpec, fd: number | undefined): Promise<void>;
    open(path: Buffer, flags: number, ctx: RequestContext): Promise<Opened<number>>;
    create(path: Buffer, mode: number, flags: number, ctx: RequestContext): Promise<Opened<number>>;
    /** Answered from the host descriptor: lowlevel splices the range to the kernel, zero-copy. */
    read(_path: Buffer | null, size: number, offset: number, fd: number): {
        fd: number;
        position: number;
        size: number;
    };
    write(_path: Buffer | null, data: Buffer, offset: number, fd: number, ctx: RequestContext): Promise<number>;
    release(_path: Buffer | null, _flags: number, fd: number): Result<void>;
    fsync(_path: Buffer | null, datasync: boolean, fd: number): Result<void>;
    opendir(): Opened<undefined>;
    /**
     * With synchronous host calls, each name with its attributes, stat'ed as the kernel reads on
     * (as passthrough_ll does): readdirplus then spares a LOOKUP per name (`rm -r`, `ls -l`, `du`).
     * On the pool, names only: a hand-off per name would cost more than the LOOKUPs it spares.
     */
    readdir(path: Buffer | null): Result<Iterable<DirectoryEntry<Buffer>>>;
    fsyncdir(path: Buffer | null): Promise<void>;
    statfs(path: Buffer): Result<FilesystemStats>;
    setxattr(path: Buffer, name: Buffer, value: Buffer, flags: number): Promise<void>;
    getxattr(path: Buffer, name: Buffer): Result<Buffer>;
    /** The server lists `trusted.*` names as root; an unprivileged caller would not see them. */
    listxattr(path: Buffer, ctx: RequestContext): Promise<Buffer[]>;
    removexattr(path: Buffer, name: Buffer): Promise<void>;
    fallocate(_path: Buffer | null, mode: number, offset: number, length: number, fd: number): Promise<void>;
    lseek(_path: Buffer | null, offset: number, whence: number, fd: number): Result<number>;
    copyFileRange(_pathIn: Buffer | null, offsetIn: number, fdIn: number, _pathOut: Buffer | null, offsetOut: number, fdOut: number, length: number, flags: number): Result<number>;
}
/**
 * Makes a filesystem that mirrors the host directory `source` (give an absolute, real path;
 * the CLI checks and resolves it). Mount it with `mount(fs, mountpoint, fs.mountOptions())`
 * from `@fusekit/highlevel`.
 */
export declare function createPassthroughFs(source: string, options?: PassthroughOptions): PassthroughFs;
//# sourceMappingURL=passthrough-fs.d.ts.map