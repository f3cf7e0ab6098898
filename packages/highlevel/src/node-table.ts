// The node table, as libfuse's fuse.c keeps it: node id <-> (parent, name) for every node the
// kernel knows, with hard links (one node, several names), ids never reused within a session,
// and nodes freed only when the kernel has forgotten them, no file is open and no known child
// needs them for its path.
import type { PathLike } from './filesystem.js';
import type { Names } from './names.js';
import { Node, type Link } from './node.js';
import { PathCache } from './path-cache.js';

const ROOT_ID = 1;

/** A node's path and the nodes it goes through (node first, root last). Shared: never modify. */
interface Resolved<P> {
  readonly path: P;
  readonly chain: readonly Node<P>[];
}

interface NodeTableOptions {
  /** Match names to known files by backend identity (dev:ino): hard links. Default true. */
  hardLinks?: boolean;
  /** Resolved paths to cache. Default 8192. */
  pathCacheSize?: number;
}

export class NodeTable<P extends PathLike> {
  readonly root: Node<P>;
  readonly names: Names<P>;
  readonly #nodes = new Map<number, Node<P>>();
  readonly #byIdentity = new Map<string, Node<P>>();
  readonly #paths: PathCache<Resolved<P>>;
  readonly #rootResolved: Resolved<P>;
  readonly #hardLinks: boolean;
  #nextId = ROOT_ID + 1;

  constructor(names: Names<P>, options: NodeTableOptions = {}) {
    this.names = names;
    this.#hardLinks = options.hardLinks ?? true;
    this.#paths = new PathCache(options.pathCacheSize ?? 8192);
    this.root = new Node<P>(ROOT_ID, 0);
    // The kernel never forgets the root.
    this.root.lookups = Infinity;
    this.#rootResolved = { path: names.root, chain: [this.root] };
    this.#nodes.set(ROOT_ID, this.root);
  }

  /** Nodes in the table, the root included. */
  get size(): number {
    return this.#nodes.size;
  }

  get pathCache(): PathCache<Resolved<P>> {
    return this.#paths;
  }

  get(id: number): Node<P> | undefined {
    return this.#nodes.get(id);
  }

  nodes(): IterableIterator<Node<P>> {
    return this.#nodes.values();
  }

  /** The node named `name` in `parent`, hidden names included. */
  child(parent: Node<P>, name: P): Node<P> | undefined {
    return parent.children?.get(this.names.key(name));
  }

  /** The link `name` in `parent`, if the table knows it. */
  link(parent: Node<P>, name: P): Link<P> | undefined {
    const key = this.names.key(name);
    const node = parent.children?.get(key);
    return node?.links.find((l) => l.parent === parent && l.key === key);
  }

  /** A backend identity for hard-link matching, or undefined when none applies. */
  identity(attr: { ino?: number | bigint; dev?: number | bigint; mode: number | bigint }, isDirectory: boolean): string | undefined {
    if (!this.#hardLinks || isDirectory) return undefined;
    const ino = attr.ino;
    if (ino === undefined || ino === 0 || ino === 0n) return undefined;
    return `${attr.dev ?? ''}:${ino}`;
  }

  /**
   * Records an entry reply for `name` in `parent` (lookup, create, mkdir, mknod, symlink, link,
   * readdirplus): finds or makes its node and adds one to its lookup count.
   */
  remember(parent: Node<P>, name: P, identity?: string): Node<P> {
    const key = this.names.key(name);
    let node = parent.children?.get(key);
    if (node !== undefined && identity !== undefined && node.identity !== undefined && node.identity !== identity) {
      // The backend replaced the file under this name behind our back: it names another file now.
      this.#removeLink(node, parent, key);
      node = undefined;
    }
    if (node === undefined) {
      const same = identity === undefined ? undefined : this.#byIdentity.get(identity);
      // A known file under a new name is a hard link; an unlinked one is not (its ino may be reused).
      node = same !== undefined && same.links.length > 0 ? same : this.#create(identity);
      this.#addLink(node, parent, name, key);
    }
    node.addLookup();
    return node;
  }

  /** Records an entry reply for a file with no name (O_TMPFILE): a node of its own, one lookup. */
  rememberUnnamed(): Node<P> {
    const node = this.#create(undefined);
    node.addLookup();
    return node;
  }

  /** Records a new hard link `name` in `parent` to the known `node` (the link operation): one more lookup. */
  rememberLink(node: Node<P>, parent: Node<P>, name: P): Node<P> {
    const key = this.names.key(name);
    const existing = parent.children?.get(key);
    if (existing !== node) {
      if (existing !== undefined) {
        this.#removeLink(existing, parent, key);
        this.#maybeFree(existing);
      }
      this.#addLink(node, parent, name, key);
    }
    node.addLookup();
    return node;
  }

  /** The kernel dropped `n` references to node `id` (forget / batch forget). */
  forget(id: number, n: number): void {
    const node = this.#nodes.get(id);
    if (node === undefined || node === this.root) return;
    node.dropLookups(n);
    this.#maybeFree(node);
  }

  /** An open file or directory of `node` was created. */
  opened(node: Node<P>): void {
    node.opens++;
  }

  /** An open file or directory of `node` was released. */
  closed(node: Node<P>): void {
    if (node.opens > 0) node.opens--;
    this.#maybeFree(node);
  }

  /**
   * `name` was removed from `parent` (unlink, rmdir). The node keeps living while the kernel
   * or an open file refers to it; returns it, if it was known.
   */
  unlink(parent: Node<P>, name: P): Node<P> | undefined {
    const key = this.names.key(name);
    const node = parent.children?.get(key);
    if (node === undefined) return undefined;
    this.#removeLink(node, parent, key);
    this.#maybeFree(node);
    return node;
  }

  /**
   * `name` in `parent` was renamed to `newName` in `newParent`: a replaced target loses that
   * name (it lives on while referenced), with `exchange` both swap names.
   */
  rename(parent: Node<P>, name: P, newParent: Node<P>, newName: P, exchange: boolean): void {
    const key = this.names.key(name);
    const newKey = this.names.key(newName);
    const source = parent.children?.get(key);
    const target = newParent.children?.get(newKey);
    if (source !== undefined && source === target) {
      // Two names of one file: rename(2) does nothing (unless it is an exchange, which is a no-op too).
      return;
    }
    if (exchange) {
      const sourceLink = source === undefined ? undefined : this.#findLink(source, parent, key);
      const targetLink = target === undefined ? undefined : this.#findLink(target, newParent, newKey);
      if (sourceLink !== undefined) this.#moveLink(source!, sourceLink, newParent, newName, newKey);
      if (targetLink !== undefined) this.#moveLink(target!, targetLink, parent, name, key);
      // Each move overwrote the other's map slot; put both back.
      if (source !== undefined) (newParent.children ??= new Map()).set(newKey, source);
      else newParent.children?.delete(newKey);
      if (target !== undefined) (parent.children ??= new Map()).set(key, target);
      else parent.children?.delete(key);
      this.#maybeFree(parent);
      this.#maybeFree(newParent);
      return;
    }
    if (target !== undefined) {
      this.#removeLink(target, newParent, newKey);
      this.#maybeFree(target);
    }
    if (source !== undefined) {
      const link = this.#findLink(source, parent, key)!;
      parent.children!.delete(key);
      this.#moveLink(source, link, newParent, newName, newKey);
      (newParent.children ??= new Map()).set(newKey, source);
      this.#maybeFree(parent);
    }
  }

  /** Renames `name` in `parent` to the hidden `hiddenName` in the same directory (hideOnUnlink). */
  hide(parent: Node<P>, name: P, hiddenName: P): Node<P> | undefined {
    const key = this.names.key(name);
    const node = parent.children?.get(key);
    if (node === undefined) return undefined;
    this.rename(parent, name, parent, hiddenName, false);
    this.#findLink(node, parent, this.names.key(hiddenName))!.hidden = true;
    return node;
  }

  /**
   * The node's path from the root (its first name at each level) and the nodes it goes through
   * (the node first, the root last), or null if it has none. Cached: both change only when a
   * name on the way changes, which is when the cache drops them.
   */
  resolve(node: Node<P>): Resolved<P> | null {
    if (node === this.root) return this.#rootResolved;
    const cached = this.#paths.get(node.id);
    if (cached !== undefined) return cached;
    const link = node.links[0];
    if (link === undefined) return null;
    const parent = this.resolve(link.parent);
    if (parent === null) return null;
    const resolved: Resolved<P> = { path: this.names.join(parent.path, link.name), chain: [node, ...parent.chain] };
    this.#paths.set(node.id, resolved);
    return resolved;
  }

  /** The node's path, or null if it has none (unlinked, or below an unlinked directory). */
  path(node: Node<P>): P | null {
    return this.resolve(node)?.path ?? null;
  }

  /** The node and its ancestors up to the root (the nodes its path goes through), or null if it has no path. */
  chain(node: Node<P>): readonly Node<P>[] | null {
    return this.resolve(node)?.chain ?? null;
  }

  #create(identity: string | undefined): Node<P> {
    const node = new Node<P>(this.#nextId++, 0);
    this.#nodes.set(node.id, node);
    if (identity !== undefined) {
      node.identity = identity;
      this.#byIdentity.set(identity, node);
    }
    return node;
  }

  #findLink(node: Node<P>, parent: Node<P>, key: string): Link<P> | undefined {
    return node.links.find((l) => l.parent === parent && l.key === key);
  }

  #addLink(node: Node<P>, parent: Node<P>, name: P, key: string): void {
    node.links.push({ parent, name, key, hidden: false });
    (parent.children ??= new Map()).set(key, node);
  }

  #moveLink(node: Node<P>, link: Link<P>, newParent: Node<P>, newName: P, newKey: string): void {
    link.parent = newParent;
    link.name = newName;
    link.key = newKey;
    link.hidden = false;
    if (link === node.links[0]) this.#pathChanged(node);
  }

  #removeLink(node: Node<P>, parent: Node<P>, key: string): void {
    const i = node.links.findIndex((l) => l.parent === parent && l.key === key);
    if (parent.children?.get(key) === node) parent.children.delete(key);
    if (i < 0) return;
    node.links.splice(i, 1);
    if (i === 0) this.#pathChanged(node);
    if (node.links.length === 0 && node.identity !== undefined && this.#byIdentity.get(node.identity) === node) {
      // Unlinked: a new file that reuses its ino must get a node of its own.
      this.#byIdentity.delete(node.identity);
    }
    this.#maybeFree(parent);
  }

  #pathChanged(node: Node<P>): void {
    if (node.children !== undefined && node.children.size > 0) this.#paths.invalidateAll();
    else this.#paths.delete(node.id);
  }

  #maybeFree(node: Node<P>): void {
    if (node === this.root || !node.unreferenced || !this.#nodes.has(node.id)) return;
    this.#nodes.delete(node.id);
    this.#paths.delete(node.id);
    if (node.identity !== undefined && this.#byIdentity.get(node.identity) === node) this.#byIdentity.delete(node.identity);
    // Forgotten, not deleted: its names leave the table, and its parents may now be free too.
    for (const link of node.links.splice(0)) {
      if (link.parent.children?.get(link.key) === node) link.parent.children.delete(link.key);
      this.#maybeFree(link.parent);
    }
  }
}
