// The filesystem: an inode table and the low-level handlers that work on it. The kernel checks
// permissions (default_permissions) and path rules (symlink loops, EXDEV, sticky directories);
// the handlers own everything that depends on the stored state.
import { totalmem } from 'node:os';
import {
  encodeDirent,
  FuseError,
  inGroup,
  mount,
  type CreateReply,
  type DirectoryReply,
  type EncodedDirent,
  type Entry,
  type MountOptions,
  type Operations,
  type RequestContext,
  type Session,
  type SetAttr,
  type Statfs,
} from '@fusekit/lowlevel';
import {
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  NAME_MAX,
  O_EXCL,
  O_TRUNC,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_ISGID,
  SEEK_DATA,
  SEEK_HOLE,
  SYMLINK_MAX,
} from './constants.js';
import { nowNs } from './clock.js';
import { Directory, FIRST_COOKIE } from './directory.js';
import { FileData, PAGE_SIZE, type PageBudget } from './file-data.js';
import { Inode, type Entries } from './inode.js';
import { keyOf, nameOf } from './names.js';
import { rename } from './rename.js';
import { getXattr, listXattrs, removeXattr, setXattr } from './xattrs.js';

/** How a {@link MemoryFs} is sized and what its root directory looks like. */
export interface MemoryFsOptions {
  /** Bytes of file data it may hold (ENOSPC beyond). Default: half of the machine's RAM, as tmpfs. */
  size?: number;
  /** Inodes it may hold (ENOSPC beyond). Default: one per two pages of RAM, as tmpfs. */
  inodes?: number;
  /** Owner of the root directory. Default: the process's uid. */
  uid?: number;
  /** Group of the root directory. Default: the process's gid. */
  gid?: number;
  /** Permission bits of the root directory. Default 0o755. */
  mode?: number;
}

const ROOT_INO = 1;

const DOT = Buffer.from('.');
const DOTDOT = Buffer.from('..');

function newEntries(): Entries {
  return new Directory((key: string, inode: Inode, cookie: number) => encodeDirent(nameOf(key), inode, cookie));
}

/**
 * A complete in-memory POSIX filesystem, tmpfs-like, for a `@fusekit/lowlevel` session:
 *
 * ```ts
 * const fs = new MemoryFs({ size: 1 << 30 });
 * const session = await fs.mount('./mnt');
 * ```
 *
 * (The same as `mount(fs.operations, './mnt', fs.mountOptions())`, which keeps working.)
 */
export class MemoryFs {
  /** The handlers to mount. */
  readonly operations: Operations;
  readonly #inodes = new Map<number, Inode>();
  readonly #maxPages: number;
  readonly #maxInodes: number;
  // tmpfs charges each extra hard link of a file as an inode (shmem_link), freed with the link.
  #extraLinks = 0;
  #usedPages = 0;
  #nextIno = ROOT_INO + 1;
  readonly #budget: PageBudget = {
    reserve: (count) => {
      if (this.#usedPages + count > this.#maxPages) throw new FuseError('ENOSPC');
      this.#usedPages += count;
    },
    release: (count) => {
      this.#usedPages -= count;
    },
  };

  constructor(options: MemoryFsOptions = {}) {
    this.#maxPages = Math.floor((options.size ?? totalmem() / 2) / PAGE_SIZE);
    this.#maxInodes = options.inodes ?? Math.floor(totalmem() / PAGE_SIZE / 2);
    const now = nowNs();
    const root = new Inode(
      ROOT_INO,
      S_IFDIR | ((options.mode ?? 0o755) & 0o7777),
      options.uid ?? process.getuid?.() ?? 0,
      options.gid ?? process.getgid?.() ?? 0,
      2,
      now,
      now,
      now,
    );
    root.entries = newEntries();
    root.parent = root;
    this.#inodes.set(ROOT_INO, root);
    this.operations = this.#operations();
  }

  /**
   * Mount options this filesystem is meant to run with: names as Buffers (exact bytes), the
   * kernel checking permissions, and long cache timeouts. Every change reaches this filesystem
   * through the kernel, which updates or drops what it caches as it makes the change, so nothing
   * it caches goes stale.
   */
  mountOptions(extra: MountOptions = {}): MountOptions {
    return {
      fsname: 'fusekit-memory',
      subtype: 'fusekit-memory',
      attrTimeout: 10,
      entryTimeout: 10,
      busyPollMicros: 20, // every handler answers at once: wait a moment for the next request
      ...extra,
      // Clearing setuid/setgid here spares the kernel a security.capability lookup per write;
      // reading ahead 1 MiB (one request) instead of 128 KiB keeps requests in flight while a
      // reader copies, which costs nothing when the data is in memory anyway.
      capabilities: { handleKillprivV2: true, maxReadahead: 1 << 20, ...extra.capabilities },
      namesAsBuffers: true,
      options: ['default_permissions', ...(extra.options ?? []).filter((o) => o !== 'default_permissions')],
    };
  }

  /**
   * Mounts this filesystem at `mountpoint` with {@link MemoryFs.mountOptions} (plus `options`):
   * `fs.mount(mountpoint, options)` is `mount(fs.operations, mountpoint, fs.mountOptions(options))`.
   * Every sample filesystem mounts in this shape.
   */
  mount(mountpoint: string, options: MountOptions = {}): Promise<Session> {
    return mount(this.operations, mountpoint, this.mountOptions(options));
  }

  /** Bytes of file data held, and inodes in use (including unlinked ones still referenced). */
  usage(): { bytes: number; inodes: number } {
    return { bytes: this.#usedPages * PAGE_SIZE, inodes: this.#inodes.size };
  }

  #get(ino: number): Inode {
    const inode = this.#inodes.get(ino);
    if (inode === undefined) throw new FuseError('ENOENT');
    return inode;
  }

  #dir(ino: number): Inode & { entries: Entries } {
    const inode = this.#get(ino);
    if (inode.entries === undefined) throw new FuseError('ENOTDIR');
    return inode as Inode & { entries: Entries };
  }

  #file(ino: number): Inode & { data: FileData } {
    const inode = this.#get(ino);
    if (inode.data === undefined) throw new FuseError(inode.isDirectory ? 'EISDIR' : 'EINVAL');
    return inode as Inode & { data: FileData };
  }

  #entry(inode: Inode): Entry {
    inode.nlookup++;
    return inode.attr();
  }

  // Frees an inode nobody can reach: no names left and no kernel references.
  #maybeFree(inode: Inode): void {
    if (inode.nlink > 0 || inode.nlookup > 0 || inode.ino === ROOT_INO) return;
    this.#inodes.delete(inode.ino);
    inode.data?.clear();
  }

  /** Makes a new inode in `parent` named `key`, owned as inode_init_owner() would. */
  #create(parent: Inode & { entries: Entries }, key: string, mode: number, ctx: RequestContext): Inode {
    if (parent.entries.get(key) !== undefined) throw new FuseError('EEXIST');
    const inode = this.#make(parent, mode, ctx);
    parent.entries.add(key, inode);
    parent.modified(inode.ctimeNs);
    return inode;
  }

  /** Makes a new inode for `parent`, named there or (O_TMPFILE) not. */
  #make(parent: Inode & { entries: Entries }, mode: number, ctx: RequestContext): Inode {
    if (parent.nlink === 0) throw new FuseError('ENOENT');
    this.#chargeInode();
    let gid = ctx.gid;
    if (parent.mode & S_ISGID) {
      // A setgid directory hands its group down, and its setgid bit to subdirectories.
      gid = parent.gid;
      if ((mode & S_IFMT) === S_IFDIR) mode |= S_ISGID;
      else if ((mode & (S_ISGID | 0o010)) === (S_ISGID | 0o010) && ctx.uid !== 0 && !inGroup(ctx, gid)) mode &= ~S_ISGID;
    }
    const now = nowNs();
    const inode = new Inode(this.#nextIno++, mode, ctx.uid, gid, 1, now, now, now);
    switch (mode & S_IFMT) {
      case S_IFREG:
        inode.data = new FileData(this.#budget);
        break;
      case S_IFDIR:
        inode.entries = newEntries();
        inode.parent = parent;
        inode.nlink = 2;
        parent.nlink++;
        break;
    }
    this.#inodes.set(inode.ino, inode);
    return inode;
  }

  #chargeInode(): void {
    if (this.#inodes.size + this.#extraLinks >= this.#maxInodes) throw new FuseError('ENOSPC');
  }

  // Takes the name `key` out of `parent`, dropping a link (or a directory) of `inode`.
  #detach(parent: Inode & { entries: Entries }, key: string, inode: Inode, now: bigint): void {
    parent.entries.remove(key);
    if (inode.isDirectory) {
      inode.nlink = 0;
      parent.nlink--;
    } else {
      if (inode.nlink > 1) this.#extraLinks--;
      inode.nlink--;
    }
    inode.ctimeNs = now;
    this.#maybeFree(inode);
  }

  #setattr(inode: Inode, changes: SetAttr): void {
    const now = nowNs();
    if (changes.mode !== undefined) inode.mode = (inode.mode & S_IFMT) | (changes.mode & 0o7777);
    if (changes.uid !== undefined) inode.uid = changes.uid;
    if (changes.gid !== undefined) inode.gid = changes.gid;
    if (changes.size !== undefined) {
      if (inode.data === undefined) throw new FuseError(inode.isDirectory ? 'EISDIR' : 'EINVAL');
      if (changes.size > Number.MAX_SAFE_INTEGER) throw new FuseError('EFBIG');
      // tmpfs moves mtime on every truncate, even one that keeps the size.
      inode.data.truncate(changes.size);
      inode.mtimeNs = now;
    }
    if (changes.atimeNs !== undefined) inode.atimeNs = changes.atimeNs === 'now' ? now : changes.atimeNs;
    if (changes.mtimeNs !== undefined) inode.mtimeNs = changes.mtimeNs === 'now' ? now : changes.mtimeNs;
    inode.ctimeNs = changes.ctimeNs ?? now;
  }

  // Starts listing `ino` from `offset`: `.` and `..` go through `add`; answers the entries to
  // list after them, or undefined when the reply is full already.
  #listable(ino: number, offset: number, add: (name: Buffer, inode: Inode, next: number) => boolean): Entries | undefined {
    const dir = this.#dir(ino);
    dir.accessed(nowNs());
    if (offset < 1 && !add(DOT, dir, 1)) return undefined;
    if (offset < 2 && !add(DOTDOT, dir.parent ?? dir, 2)) return undefined;
    return dir.entries;
  }

  #statfs(): Statfs {
    const freeInodes = Math.max(0, this.#maxInodes - this.#inodes.size - this.#extraLinks);
    const freePages = Math.max(0, this.#maxPages - this.#usedPages);
    return {
      bsize: PAGE_SIZE,
      frsize: PAGE_SIZE,
      blocks: this.#maxPages,
      bfree: freePages,
      bavail: freePages,
      files: this.#maxInodes,
      ffree: freeInodes,
      favail: freeInodes,
      namemax: NAME_MAX,
    };
  }

  #operations(): Operations {
    return {
      lookup: (parent, name) => {
        const dir = this.#dir(parent);
        const inode = dir.entries.get(keyOf(name));
        // A negative entry: the kernel remembers the absence (compilers and git probe a lot of those).
        if (inode === undefined) return { ino: 0, mode: 0 };
        return this.#entry(inode);
      },
      forget: (ino, nlookup) => {
        const inode = this.#inodes.get(ino);
        if (inode === undefined) return;
        inode.nlookup = Math.max(0, inode.nlookup - nlookup);
        this.#maybeFree(inode);
      },
      getattr: (ino) => this.#get(ino).attr(),
      statx: (ino) => this.#get(ino).statx(),
      setattr: (ino, changes, _fh, ctx) => {
        const inode = this.#get(ino);
        const keepsSgid = callerKeepsSgid(ctx, inode.gid); // the group before a chown, as the kernel asks
        this.#setattr(inode, changes);
        // The kernel flags truncates and chowns that must clear setuid/setgid. A setattr that
        // changes nothing but ctime asks for the same: chown(-1, -1), or the kernel before a
        // write by a caller without CAP_FSETID (the write is flagged too).
        const chownOfNoIds = Object.keys(changes).every((key) => key === 'ctimeNs');
        if (ctx.killSuidgid || (chownOfNoIds && !inode.isDirectory)) inode.killSuidgid(keepsSgid);
        return inode.attr();
      },
      readlink: (ino) => {
        const inode = this.#get(ino);
        if (inode.target === undefined) throw new FuseError('EINVAL');
        inode.accessed(nowNs());
        return inode.target;
      },
      mknod: (parent, name, mode, rdev, ctx) => {
        const inode = this.#create(this.#dir(parent), keyOf(name), mode, ctx);
        inode.rdev = rdev;
        return this.#entry(inode);
      },
      mkdir: (parent, name, mode, ctx) => this.#entry(this.#create(this.#dir(parent), keyOf(name), S_IFDIR | (mode & 0o7777), ctx)),
      symlink: (target, parent, name, ctx) => {
        const bytes = typeof target === 'string' ? Buffer.from(target) : Buffer.from(target);
        if (bytes.length > SYMLINK_MAX) throw new FuseError('ENAMETOOLONG');
        const inode = this.#create(this.#dir(parent), keyOf(name), S_IFLNK | 0o777, ctx);
        inode.target = bytes;
        return this.#entry(inode);
      },
      link: (ino, newParent, newName) => {
        const inode = this.#get(ino);
        if (inode.isDirectory) throw new FuseError('EPERM');
        const dir = this.#dir(newParent);
        const key = keyOf(newName);
        if (dir.entries.get(key) !== undefined) throw new FuseError('EEXIST');
        // An O_TMPFILE file gets its first name here (linkat from /proc/self/fd), as on tmpfs.
        if (inode.nlink === 0 && !inode.linkable) throw new FuseError('ENOENT');
        if (inode.nlink > 0) {
          this.#chargeInode();
          this.#extraLinks++;
        }
        inode.linkable = false;
        const now = nowNs();
        dir.entries.add(key, inode);
        dir.modified(now);
        inode.nlink++;
        inode.ctimeNs = now;
        return this.#entry(inode);
      },
      unlink: (parent, name) => {
        const dir = this.#dir(parent);
        const key = keyOf(name);
        const inode = dir.entries.get(key);
        if (inode === undefined) throw new FuseError('ENOENT');
        if (inode.isDirectory) throw new FuseError('EISDIR');
        const now = nowNs();
        this.#detach(dir, key, inode, now);
        dir.modified(now);
      },
      rmdir: (parent, name) => {
        const dir = this.#dir(parent);
        const key = keyOf(name);
        const inode = dir.entries.get(key);
        if (inode === undefined) throw new FuseError('ENOENT');
        if (inode.entries === undefined) throw new FuseError('ENOTDIR');
        if (inode.entries.size > 0) throw new FuseError('ENOTEMPTY');
        const now = nowNs();
        this.#detach(dir, key, inode, now);
        dir.modified(now);
      },
      rename: (parent, name, newParent, newName, flags) =>
        rename(this.#dir(parent), keyOf(name), this.#dir(newParent), keyOf(newName), flags, (dir, key, inode, now) =>
          this.#detach(dir, key, inode, now),
        ),
      open: (ino, flags, ctx) => {
        const inode = this.#get(ino);
        if (flags & O_TRUNC && inode.data !== undefined) {
          // atomic_o_trunc: the truncation of open(O_TRUNC) arrives here, not as a setattr.
          inode.data.truncate(0);
          inode.modified(nowNs());
          if (ctx.killSuidgid) inode.killSuidgid(callerKeepsSgid(ctx, inode.gid));
        }
        return { keepCache: true };
      },
      create: (parent, name, mode, _flags, ctx): CreateReply => {
        const inode = this.#create(this.#dir(parent), keyOf(name), S_IFREG | (mode & 0o7777), ctx);
        const reply: CreateReply = this.#entry(inode);
        reply.keepCache = true;
        return reply;
      },
      // open(dir, O_TMPFILE): a file with no name, freed at its last forget unless linkat names it.
      tmpfile: (parent, mode, flags, ctx): CreateReply => {
        const inode = this.#make(this.#dir(parent), S_IFREG | (mode & 0o7777), ctx);
        inode.nlink = 0;
        const reply: CreateReply = this.#entry(inode);
        inode.linkable = (flags & O_EXCL) === 0;
        reply.keepCache = true;
        return reply;
      },
      read: (ino, size, offset) => {
        const inode = this.#file(ino);
        inode.accessed(nowNs());
        const parts = inode.data.read(offset, size);
        return parts.length === 1 ? parts[0]! : parts;
      },
      write: (ino, data, offset, _fh, _flags, _writepage, ctx) => {
        const inode = this.#file(ino);
        if (offset + data.length > Number.MAX_SAFE_INTEGER) throw new FuseError('EFBIG');
        inode.data.write(data, offset, true);
        inode.modified(nowNs());
        if (ctx.killSuidgid) inode.killSuidgid(callerKeepsSgid(ctx, inode.gid));
        return data.length;
      },
      // The kernel may cache listings: it drops them itself whenever it changes the directory.
      opendir: () => ({ cacheReaddir: true, keepCache: true }),
      fsync: () => undefined,
      fsyncdir: () => undefined,
      readdir: (ino, offset, _fh, dir) => {
        const entries = this.#listable(ino, offset, (name, inode, next) => dir.add(name, inode, next));
        const encoded = entries?.encodedAfter(Math.max(offset, FIRST_COOKIE - 1), dir.room);
        if (encoded !== undefined && encoded.length > 0) dir.addEncoded(encoded as EncodedDirent);
      },
      readdirplus: (ino, offset, _fh, dir: DirectoryReply<Entry>) => {
        const entries = this.#listable(ino, offset, (name, inode, next) => dir.add(name, inode.attr(), next));
        entries?.forEachAfter(Math.max(offset, FIRST_COOKIE - 1), (entry) => {
          const inode = entry.value;
          // An inode the kernel holds (looked up, not forgotten) has its attributes cached: the
          // name is enough, and costs a fraction of an entry to encode and to take in.
          if (inode.nlookup > 0) return dir.addEncoded(entry.encoded!);
          if (!dir.add(nameOf(entry.key), inode.attr(), entry.cookie)) return false;
          inode.nlookup++; // each added entry but . and .. counts as a lookup
          return true;
        });
      },
      statfs: () => this.#statfs(),
      setxattr: (ino, name, value, flags) => setXattr(this.#get(ino), name, value, flags),
      getxattr: (ino, name) => getXattr(this.#get(ino), name),
      listxattr: (ino, ctx) => listXattrs(this.#get(ino), ctx),
      removexattr: (ino, name) => removeXattr(this.#get(ino), name),
      fallocate: (ino, mode, offset, length) => {
        const inode = this.#file(ino);
        const end = offset + length;
        if (end > Number.MAX_SAFE_INTEGER) throw new FuseError('EFBIG');
        if (mode === (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
          inode.data.punch(offset, end);
        } else if ((mode & ~FALLOC_FL_KEEP_SIZE) === 0) {
          inode.data.allocate(offset, end);
          if (!(mode & FALLOC_FL_KEEP_SIZE) && end > inode.data.size) inode.data.size = end;
        } else {
          throw new FuseError('EOPNOTSUPP');
        }
        inode.modified(nowNs());
      },
      lseek: (ino, offset, whence) => {
        const data = this.#file(ino).data;
        if (whence === SEEK_DATA) return data.seekData(offset);
        if (whence === SEEK_HOLE) return data.seekHole(offset);
        throw new FuseError('EINVAL');
      },
      copyFileRange: ({ inoIn, offIn, inoOut, offOut, len }) => {
        const source = this.#file(inoIn);
        const target = this.#file(inoOut);
        if (offOut + Math.min(len, source.data.size) > Number.MAX_SAFE_INTEGER) throw new FuseError('EFBIG');
        const copied = target.data.copyFrom(source.data, offIn, offOut, len);
        const now = nowNs();
        source.accessed(now);
        if (copied > 0) target.modified(now);
        return copied;
      },
    };
  }
}

// Whether a write, truncate or chown by this caller leaves a setgid bit without group execute
// (the kernel's in_group_or_capable): root, or a member of the file's group.
function callerKeepsSgid(ctx: RequestContext, gid: number): () => boolean {
  return () => ctx.uid === 0 || inGroup(ctx, gid);
}
