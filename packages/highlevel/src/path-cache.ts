// A bounded cache of resolved paths (and the nodes on them) by node id. Entries carry the tree epoch they were computed
// in: renaming a directory bumps the epoch (every path below it may have changed, and finding
// them all would cost a walk), while renaming or unlinking a leaf drops only its own entry.
import { LRUCache } from 'lru-cache';

interface Cached<V> {
  value: V;
  epoch: number;
}

export class PathCache<V extends NonNullable<unknown>> {
  readonly #cache: LRUCache<number, Cached<V>>;
  #epoch = 0;

  constructor(max: number) {
    this.#cache = new LRUCache({ max: Math.max(1, max) });
  }

  /** The cached path of node `id`, if still valid. */
  get(id: number): V | undefined {
    const hit = this.#cache.get(id);
    if (hit === undefined) return undefined;
    if (hit.epoch !== this.#epoch) {
      this.#cache.delete(id);
      return undefined;
    }
    return hit.value;
  }

  set(id: number, value: V): void {
    this.#cache.set(id, { value, epoch: this.#epoch });
  }

  /** Node `id`'s own path changed (or it is gone); paths of other nodes did not. */
  delete(id: number): void {
    this.#cache.delete(id);
  }

  /** Paths of any number of nodes changed (a directory moved): forget them all, lazily. */
  invalidateAll(): void {
    this.#epoch++;
  }

  /** Entries held (valid or not yet noticed stale). */
  get size(): number {
    return this.#cache.size;
  }

  get epoch(): number {
    return this.#epoch;
  }
}
