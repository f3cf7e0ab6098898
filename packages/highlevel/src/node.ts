// One file or directory the kernel knows about, and its lookup count: the number of entry
// replies (lookup, create, mkdir, mknod, symlink, link, readdirplus) not yet forgotten.
import { RWLock } from './locks.js';

/** One name of a node: `name` in directory `parent`. A file with hard links has several. */
export interface Link<P> {
  parent: Node<P>;
  name: P;
  /** The name as a map key (see Names.key). */
  key: string;
  /** Renamed to a hidden name by hideOnUnlink: invisible through the mount. */
  hidden: boolean;
}

export class Node<P> {
  /** Entry replies the kernel has not forgotten yet. */
  lookups = 0;
  /** Open files and directories (open/create/opendir not yet released). */
  opens = 0;
  /** Names of this node; `links[0]` is the one its path goes through. Empty once unlinked. */
  readonly links: Link<P>[] = [];
  /** Children the kernel knows, by name key (directories only; created on first use). */
  children: Map<string, Node<P>> | undefined;
  /** The backend's file identity (dev:ino), for recognising hard links. */
  identity: string | undefined;
  /** Bumped by every operation that adds or removes names in this directory (readdir staleness). */
  version = 0;
  /** With useIno: the backend's inode number last reported for it; 0 until one is. */
  ino = 0;
  #tree: RWLock | undefined;
  #entries: RWLock | undefined;

  constructor(
    /** The kernel's node id (and, without useIno, its inode number); never reused within a session. */
    readonly id: number,
    readonly generation: number,
  ) {}

  /** Guards this node's own names: shared by requests whose path goes through it, exclusive to change them. */
  get tree(): RWLock {
    return (this.#tree ??= new RWLock(this.id * 2));
  }

  /** Guards the names in this directory: shared by lookups, exclusive to add or remove names. */
  get entries(): RWLock {
    return (this.#entries ??= new RWLock(this.id * 2 + 1));
  }

  /** True if no request holds or waits for a lock of this node. */
  get unlocked(): boolean {
    return (this.#tree?.idle ?? true) && (this.#entries?.idle ?? true);
  }

  /** Counts one more entry reply. */
  addLookup(): void {
    this.lookups++;
  }

  /** The kernel forgot `n` references; returns the count left (never below zero). */
  dropLookups(n: number): number {
    this.lookups = n >= this.lookups ? 0 : this.lookups - n;
    return this.lookups;
  }

  /** Nothing refers to the node any more: not the kernel, no open file, no known child. */
  get unreferenced(): boolean {
    return this.lookups === 0 && this.opens === 0 && (this.children === undefined || this.children.size === 0);
  }
}
