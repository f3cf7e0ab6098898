// One inode of the filesystem: attributes, and the contents its type calls for.
import type { Attr, EncodedDirent, Statx } from '@fusekit/lowlevel';
import { BOGO_DIRENT_SIZE, S_IFDIR, S_IFMT, S_ISGID, S_ISUID, S_IXGRP } from './constants.js';
import type { Directory } from './directory.js';
import { PAGE_SIZE, type FileData } from './file-data.js';

/** A directory's entries, each kept encoded for readdir. */
export type Entries = Directory<Inode, EncodedDirent>;

export class Inode {
  /** References the kernel holds (lookup count); the inode lives while it or nlink is > 0. */
  nlookup = 0;
  rdev = 0;
  xattrs: Map<string, Buffer> | undefined;
  /** Regular files. */
  data: FileData | undefined;
  /** Directories: the entries, and the parent (for `..`). */
  entries: Entries | undefined;
  parent: Inode | undefined;
  /** Symbolic links. */
  target: Buffer | undefined;
  /** Birth time: when the inode was made (statx's btime). */
  readonly btimeNs: bigint;
  /** An O_TMPFILE file not opened with O_EXCL: it may get its first name with linkat(2). */
  linkable = false;

  constructor(
    readonly ino: number,
    public mode: number,
    public uid: number,
    public gid: number,
    public nlink: number,
    public atimeNs: bigint,
    public mtimeNs: bigint,
    public ctimeNs: bigint,
  ) {
    this.btimeNs = ctimeNs;
  }

  get isDirectory(): boolean {
    return (this.mode & S_IFMT) === S_IFDIR;
  }

  get size(): number {
    if (this.data !== undefined) return this.data.size;
    if (this.entries !== undefined) return (this.entries.size + 2) * BOGO_DIRENT_SIZE;
    return this.target?.length ?? 0;
  }

  /** The attributes the kernel sees. */
  attr(): Attr {
    return {
      ino: this.ino,
      mode: this.mode,
      nlink: this.nlink,
      uid: this.uid,
      gid: this.gid,
      rdev: this.rdev,
      size: this.size,
      blocks: this.data !== undefined ? (this.data.pageCount * PAGE_SIZE) / 512 : this.#extraBlocks(),
      blksize: PAGE_SIZE,
      atimeNs: this.atimeNs,
      mtimeNs: this.mtimeNs,
      ctimeNs: this.ctimeNs,
    };
  }

  /** The attributes with the birth time, as statx(2) answers them. */
  statx(): Statx {
    const sx: Statx = this.attr();
    sx.btimeNs = this.btimeNs;
    return sx;
  }

  // tmpfs keeps symlink targets of 128 bytes and more in a page of their own.
  #extraBlocks(): number {
    return this.target !== undefined && this.target.length >= 128 ? PAGE_SIZE / 512 : 0;
  }

  /**
   * Clears setuid, and setgid when the group may execute, as the kernel does on write, truncate
   * and chown. A setgid file without group execute keeps the bit only for a caller in its group
   * (or root): `callerKeepsSgid`, asked only then, since it may read the caller's groups.
   */
  killSuidgid(callerKeepsSgid: () => boolean): void {
    const sgid = this.mode & S_ISGID && (this.mode & S_IXGRP || !callerKeepsSgid()) ? S_ISGID : 0;
    this.mode &= ~(S_ISUID | sgid);
  }

  /** Marks a change of contents (mtime and ctime). */
  modified(now: bigint): void {
    this.mtimeNs = now;
    this.ctimeNs = now;
  }

  /**
   * Marks an access the way a relatime mount does: atime moves only when it is not newer than
   * mtime or ctime, or is a day old, so reads do not turn into a stream of metadata changes.
   */
  accessed(now: bigint): void {
    if (this.atimeNs <= this.mtimeNs || this.atimeNs <= this.ctimeNs || now - this.atimeNs >= 86_400_000_000_000n) {
      this.atimeNs = now;
    }
  }
}
