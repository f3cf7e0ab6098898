// PassthroughFs's choices, and what it finds out about the source to default them.
import * as fs from 'node:fs';

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

/**
 * Kernel passthrough (see the lowlevel `PassthroughCapability`): files are opened with the host
 * file as their backing file, and the kernel reads, writes and maps it itself, with no request to
 * the server. Needs Linux 6.9+ and CAP_SYS_ADMIN (root), and excludes the writeback cache.
 * - `'auto'`: where the kernel and the privilege allow it, and not with `writeback`.
 * - `'on'`: required: mounting fails with the reason where it is not available.
 * - `'off'`: never; every read and write goes through the server.
 *
 * With it, the cache mode decides only attribute, name and listing caching: file data has no
 * page cache of the mount's own (`keepCache` of `'always'` and the direct I/O of `'never'` no
 * longer apply: reads and writes reach the host file, which is always current).
 */
export type PassthroughMode = 'auto' | 'on' | 'off';

/** Choices for {@link createPassthroughFs}. */
export interface PassthroughOptions {
  /** What the kernel may cache (see {@link CacheMode}). Default `'auto'`. */
  cache?: CacheMode;
  /** Kernel passthrough of file data (see {@link PassthroughMode}). Default `'auto'`. */
  passthrough?: PassthroughMode;
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

/** The attribute and entry timeouts (seconds) of each cache mode. */
export const cacheTimeouts: Record<CacheMode, number> = { never: 0, auto: 1, always: 86_400 };

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
export function memoryDevice(path: string): bigint | undefined {
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
