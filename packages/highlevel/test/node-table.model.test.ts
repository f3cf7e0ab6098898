// A randomized model test of the node table: thousands of random lookup, forget, create, link,
// unlink, rmdir, rename and exchange sequences, applied both to a backend tree plus a model of
// the kernel's lookup counts, and to the NodeTable, then checked against each other.
import { describe, expect, it } from 'vitest';
import { stringNames } from '../src/names.js';
import type { Node } from '../src/node.js';
import { NodeTable } from '../src/node-table.js';

/** A backend file: a directory has entries. Hard links are one file under several names. */
interface File {
  fid: number;
  entries?: Map<string, File>;
  names: number;
}

function same(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: got ${String(actual)}, expected ${String(expected)}`);
}

function prng(seed: number): () => number {
  // mulberry32
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Model {
  readonly random: () => number;
  readonly table = new NodeTable(stringNames, { pathCacheSize: 64 });
  readonly backendRoot: File = { fid: 0, entries: new Map(), names: 1 };
  #nextFid = 1;
  /** The kernel's view: lookup count per node id it holds. */
  readonly counts = new Map<number, number>();
  /** Which backend file each node id ever stood for (an id must never change files). */
  readonly fileOf = new Map<number, File>([[1, this.backendRoot]]);
  readonly log: string[] = [];

  constructor(seed: number) {
    this.random = prng(seed);
  }

  pick<T>(items: T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.random() * items.length)];
  }

  name(): string {
    return `n${Math.floor(this.random() * 6)}`;
  }

  identity(f: File): string | undefined {
    return f.entries === undefined ? `:${f.fid}` : undefined;
  }

  /** Directories the kernel could send a request for: known and still reachable. */
  knownDirs(): Node<string>[] {
    const out = [this.table.root];
    for (const id of this.counts.keys()) {
      const node = this.table.get(id)!;
      if (this.fileOf.get(id)!.entries !== undefined && this.table.path(node) !== null) out.push(node);
    }
    return out;
  }

  dirFile(node: Node<string>): File {
    return this.fileOf.get(node.id)!;
  }

  #book(node: Node<string>, file: File): void {
    const before = this.fileOf.get(node.id);
    if (before !== undefined) same(before, file, `node ${node.id} changed files`);
    this.fileOf.set(node.id, file);
    this.counts.set(node.id, (this.counts.get(node.id) ?? 0) + 1);
  }

  lookup(): void {
    const dir = this.pick(this.knownDirs())!;
    const entries = this.dirFile(dir).entries!;
    const name = this.pick([...entries.keys()]);
    if (name === undefined) return;
    const file = entries.get(name)!;
    this.log.push(`lookup ${dir.id}/${name}`);
    this.#book(this.table.remember(dir, name, this.identity(file)), file);
  }

  forget(): void {
    const id = this.pick([...this.counts.keys()]);
    if (id === undefined) return;
    const count = this.counts.get(id)!;
    const n = 1 + Math.floor(this.random() * count);
    this.log.push(`forget ${id} ${n}`);
    this.table.forget(id, n);
    if (n === count) this.counts.delete(id);
    else this.counts.set(id, count - n);
  }

  create(directory: boolean): void {
    const dir = this.pick(this.knownDirs())!;
    const entries = this.dirFile(dir).entries!;
    const name = this.name();
    if (entries.has(name)) return;
    const file: File = { fid: this.#nextFid++, names: 1 };
    if (directory) file.entries = new Map();
    entries.set(name, file);
    this.log.push(`${directory ? 'mkdir' : 'create'} ${dir.id}/${name}`);
    this.#book(this.table.remember(dir, name, this.identity(file)), file);
  }

  link(): void {
    const ids = [...this.counts.keys()].filter((id) => this.fileOf.get(id)!.entries === undefined);
    const id = this.pick(ids);
    if (id === undefined) return;
    const node = this.table.get(id)!;
    if (this.table.path(node) === null) return; // the kernel cannot link an unlinked file by name here
    const dir = this.pick(this.knownDirs())!;
    const entries = this.dirFile(dir).entries!;
    const name = this.name();
    if (entries.has(name)) return;
    const file = this.fileOf.get(id)!;
    entries.set(name, file);
    file.names++;
    this.log.push(`link ${id} ${dir.id}/${name}`);
    this.#book(this.table.rememberLink(node, dir, name), file);
  }

  unlink(): void {
    const dir = this.pick(this.knownDirs())!;
    const entries = this.dirFile(dir).entries!;
    const name = this.pick([...entries.keys()]);
    if (name === undefined) return;
    const file = entries.get(name)!;
    if (file.entries !== undefined && file.entries.size > 0) return; // rmdir of a non-empty dir fails
    entries.delete(name);
    file.names--;
    this.log.push(`unlink ${dir.id}/${name}`);
    this.table.unlink(dir, name);
  }

  #contains(ancestor: File, file: File): boolean {
    if (ancestor === file) return true;
    for (const child of ancestor.entries?.values() ?? []) if (child.entries !== undefined && this.#contains(child, file)) return true;
    return false;
  }

  rename(exchange: boolean): void {
    const dirs = this.knownDirs();
    const from = this.pick(dirs)!;
    const to = this.pick(dirs)!;
    const fromEntries = this.dirFile(from).entries!;
    const toEntries = this.dirFile(to).entries!;
    const name = this.pick([...fromEntries.keys()]);
    if (name === undefined) return;
    const newName = exchange ? this.pick([...toEntries.keys()]) : this.name();
    if (newName === undefined) return;
    const file = fromEntries.get(name)!;
    const target = toEntries.get(newName);
    // What rename(2) refuses: a directory into itself, replacing a non-empty directory, mixed types.
    if (file.entries !== undefined && this.#contains(file, this.dirFile(to))) return;
    if (exchange && target!.entries !== undefined && this.#contains(target!, this.dirFile(from))) return;
    if (!exchange && target !== undefined && (target.entries !== undefined || file.entries !== undefined)) return;
    this.log.push(`rename${exchange ? ' exchange' : ''} ${from.id}/${name} ${to.id}/${newName}`);
    if (exchange) {
      fromEntries.set(name, target!);
      toEntries.set(newName, file);
    } else if (target !== file) {
      fromEntries.delete(name);
      if (target !== undefined) target.names--;
      toEntries.set(newName, file);
    }
    this.table.rename(from, name, to, newName, exchange);
  }

  /** Resolves a path in the backend. */
  resolve(path: string): File | undefined {
    let f: File | undefined = this.backendRoot;
    for (const part of path.split('/').filter(Boolean)) f = f?.entries?.get(part);
    return f;
  }

  /** A path computed without the cache, from the links alone. */
  uncachedPath(node: Node<string>): string | null {
    const parts: string[] = [];
    for (let n = node; n !== this.table.root; ) {
      const link = n.links[0];
      if (link === undefined) return null;
      parts.unshift(link.name);
      n = link.parent;
    }
    return `/${parts.join('/')}`;
  }

  check(): void {
    for (const [id, count] of this.counts) {
      const node = this.table.get(id);
      if (node === undefined) throw new Error(`node ${id} freed while the kernel holds ${count}`);
      same(node.lookups, count, `lookups of ${id}`);
    }
    for (const node of this.table.nodes()) {
      if (node === this.table.root) continue;
      // Freed at zero and only then: a node with no references must be gone.
      same(node.lookups > 0 || (node.children?.size ?? 0) > 0, true, `node ${node.id} kept without references`);
      same(this.counts.get(node.id) ?? 0, node.lookups, `lookups of ${node.id}`);
      const path = this.table.path(node);
      same(path, this.uncachedPath(node), `cached path of ${node.id}`);
      if (path !== null) same(this.resolve(path), this.fileOf.get(node.id), `file of node ${node.id} at ${path}`);
      for (const link of node.links) same(link.parent.children?.get(link.key), node, `child map entry ${link.key} of ${node.id}`);
    }
  }

  step(): void {
    const r = this.random();
    if (r < 0.3) this.lookup();
    else if (r < 0.5) this.forget();
    else if (r < 0.6) this.create(false);
    else if (r < 0.68) this.create(true);
    else if (r < 0.74) this.link();
    else if (r < 0.84) this.unlink();
    else if (r < 0.95) this.rename(false);
    else this.rename(true);
  }
}

describe('node table against a reference model', () => {
  it('agrees over thousands of random operation sequences', () => {
    let steps = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const model = new Model(seed);
      try {
        for (let i = 0; i < 150; i++) {
          model.step();
          model.check();
          steps++;
        }
        // The kernel forgets everything (unmount, drop_caches): the table empties.
        for (const [id, n] of [...model.counts]) model.table.forget(id, n);
        expect(model.table.size).toBe(1);
      } catch (error) {
        throw new Error(`seed ${seed}, after:\n${model.log.slice(-15).join('\n')}\n${String(error)}`);
      }
    }
    expect(steps).toBe(30_000);
  });
});
