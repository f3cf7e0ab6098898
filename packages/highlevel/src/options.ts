import type { MountOptions as LowLevelMountOptions } from '@fusekit/lowlevel';

/**
 * How a path-based filesystem is mounted: every lowlevel option (libfuse `-o` options,
 * `attrTimeout`, `entryTimeout`, `namesAsBuffers`, capabilities, logger, `interruptGraceMs`,
 * `trace` …) plus the bookkeeping choices of this layer. Here trace records also carry the
 * `path` of what they are about, as far as the names the kernel has looked up tell it.
 */
export interface MountOptions extends LowLevelMountOptions {
  /**
   * Use readdirplus: directory listings carry attributes (when `readdir` gives them), which
   * saves the kernel a lookup per entry. `'auto'` lets the kernel decide when it helps,
   * `true` always, `false` never. Default `'auto'`.
   */
  readdirplus?: boolean | 'auto';
  /**
   * Seconds the kernel may remember that a name does not exist (negative lookups). Default 0:
   * not cached.
   */
  negativeTimeout?: number;
  /**
   * Operations on an open file or directory get `null` instead of a path, always (libfuse's
   * `nullpath_ok`): no path is resolved and no path lock is taken for them, which is faster.
   * Use it when your filesystem works from the handle alone. Default false: they get the path,
   * and `null` only for a file unlinked or renamed over while open.
   */
  nullPath?: boolean;
  /**
   * For backends that cannot keep an unlinked file alive: unlinking (or renaming over) a file
   * that is open renames it to a hidden name (`.fuse_hidden…`) in the backend instead, and the
   * hidden file is removed when the last handle is released (libfuse's default behaviour).
   * Hidden names never show up in listings or lookups through the mount. Default false:
   * the backend unlinks, and the file keeps working through its handles.
   */
  hideOnUnlink?: boolean;
  /**
   * Recognise hard links: a name whose attributes carry the same `dev` and `ino` as a file the
   * session already knows is the same file (one inode number, as the kernel expects).
   * Default true; turn off for backends whose `ino` is not a stable file identity.
   */
  hardLinks?: boolean;
  /**
   * Report the backend's inode numbers (the `ino` your attributes give) as `st_ino`, in stat
   * and in listings, as libfuse's `use_ino` does. Default false: `st_ino` is the session's node
   * id, which is unique but changes when the kernel forgets a file and looks it up again. Turn it
   * on when your backend's inode numbers are stable and unique (fs-passthrough over one host
   * filesystem): then a file keeps its `st_ino` for as long as it exists, as POSIX asks.
   */
  useIno?: boolean;
  /** How many resolved paths to cache (least recently used are dropped). Default 8192. */
  pathCacheSize?: number;
}
