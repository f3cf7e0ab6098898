// The host descriptors PassthroughFs has open for the kernel's file handles, and what it keeps
// about each: the path it was opened at (the kernel stats an open file by its inode, without a
// handle, so a file unlinked on the host side is found here), direct I/O, whether it is in memory.
import * as fs from 'node:fs';
import { opened, type Attributes, type Opened, type OpenFlags } from '@fusekit/highlevel';
import { syncHost } from './host.js';

const { O_APPEND, O_DIRECT, O_RDWR, O_WRONLY } = fs.constants;
const O_ACCMODE = 3;

export class OpenFiles {
  readonly #writeback: boolean;
  readonly #openFlags: OpenFlags;
  /** Host descriptors opened for direct I/O: writes to them bypass the kernel's setuid clearing. */
  readonly #direct = new Set<number>();
  /** Open host descriptors by the path they were opened at (latin1 keys), and back. */
  readonly #openAt = new Map<string, Set<number>>();
  readonly #pathOf = new Map<number, string>();
  /** The source's device if its filesystem keeps files in memory, and which open files are there. */
  readonly #memoryDevice: bigint | undefined;
  readonly #inMemory = new Map<number, boolean>();

  /** Offer each host descriptor as the open file's passthrough backing file (used where the session agreed). */
  readonly #backing: boolean;

  constructor(openFlags: OpenFlags, writeback: boolean, memoryDevice: bigint | undefined, backing: boolean) {
    this.#openFlags = openFlags;
    this.#backing = backing;
    this.#writeback = writeback;
    this.#memoryDevice = memoryDevice;
  }

  /**
   * With the writeback cache the kernel reads pages of files opened write-only and appends by
   * itself: the host file is opened read-write and without O_APPEND then (as passthrough_ll).
   * O_DIRECT is not passed on: direct I/O is asked of the kernel's cache instead, so reads can
   * still be spliced from the host descriptor at any alignment.
   */
  hostFlags(flags: number): number {
    let host = flags & ~O_DIRECT;
    if (this.#writeback) {
      if ((host & O_ACCMODE) === O_WRONLY) host = (host & ~O_ACCMODE) | O_RDWR;
      host &= ~O_APPEND;
    }
    return host;
  }

  /** Books `fd`, opened at `path` with the kernel's `flags`, and answers the kernel's handle. */
  opened(path: Buffer, fd: number, flags: number): Opened<number> {
    const key = path.toString('latin1');
    this.#pathOf.set(fd, key);
    const fds = this.#openAt.get(key);
    if (fds === undefined) this.#openAt.set(key, new Set([fd]));
    else fds.add(fd);
    // With the writeback cache an O_DIRECT open stays a cached one (the kernel's own direct I/O):
    // a direct_io open reads the host file, which lacks what other opens have not written back.
    const direct = (flags & O_DIRECT) !== 0 && !this.#writeback;
    if (direct || this.#openFlags.directIo === true) this.#direct.add(fd);
    const openFlags = direct ? { ...this.#openFlags, directIo: true } : this.#openFlags;
    return opened(fd, this.#backing ? { ...openFlags, backingFd: fd } : openFlags);
  }

  closed(fd: number): void {
    this.#inMemory.delete(fd);
    const key = this.#pathOf.get(fd);
    const fds = key === undefined ? undefined : this.#openAt.get(key);
    fds?.delete(fd);
    if (fds?.size === 0) this.#openAt.delete(key!);
    this.#pathOf.delete(fd);
    this.#direct.delete(fd);
  }

  /** A descriptor open at `path`, if any. */
  at(path: Buffer): number | undefined {
    return this.#openAt.get(path.toString('latin1'))?.values().next().value;
  }

  /** Whether `fd` was opened for direct I/O. */
  isDirect(fd: number): boolean {
    return this.#direct.has(fd);
  }

  /** Books an unlink of `path`: files open there have no name now. */
  unlinked(path: Buffer): void {
    if (this.#openAt.size > 0) this.#move(path.toString('latin1'), '', false);
  }

  /** Books a rename (or exchange) of open files (a renamed directory's descendants are not followed). */
  renamed(from: Buffer, to: Buffer, exchange: boolean): void {
    if (this.#openAt.size > 0) this.#move(from.toString('latin1'), to.toString('latin1'), exchange);
  }

  #move(from: string, to: string, exchange: boolean): void {
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
   * Whether an open file lies on the source's filesystem and that keeps files in memory (tmpfs):
   * its reads never wait, which spares lowlevel finding it out per read. Asked once per file.
   */
  isInMemory(fd: number): boolean {
    if (this.#memoryDevice === undefined) return false;
    let inMemory = this.#inMemory.get(fd);
    if (inMemory === undefined) this.#inMemory.set(fd, (inMemory = (syncHost.fstat(fd) as Attributes).dev === this.#memoryDevice));
    return inMemory;
  }
}
