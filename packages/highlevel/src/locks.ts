// Per-node reader/writer locks, taken in one fixed order (by key) so that no two requests can
// wait on each other (go-fuse's fs package sorts the inodes it locks by node id the same way).
// There is no global lock: requests on unrelated paths never wait for each other.

interface Waiter {
  exclusive: boolean;
  wake(): void;
}

/** Why a wait for a lock ended without it: the request was interrupted. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The request was interrupted', 'AbortError');
}

/**
 * An async reader/writer lock that prefers writers: once a writer waits, new readers queue
 * behind it, so a storm of stats cannot starve a rename.
 */
export class RWLock {
  /** Position in the global lock order. */
  readonly key: number;
  #readers = 0;
  #writer = false;
  readonly #queue: Waiter[] = [];

  constructor(key: number) {
    this.key = key;
  }

  get readers(): number {
    return this.#readers;
  }

  get writer(): boolean {
    return this.#writer;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  get idle(): boolean {
    return this.#readers === 0 && !this.#writer && this.#queue.length === 0;
  }

  /** Takes the lock now if that needs no waiting. */
  tryAcquire(exclusive: boolean): boolean {
    if (this.#writer || this.#queue.length > 0) return false;
    if (exclusive) {
      if (this.#readers > 0) return false;
      this.#writer = true;
    } else {
      this.#readers++;
    }
    return true;
  }

  /**
   * Takes the lock, waiting as long as needed, or until `signal` fires: then the wait is given
   * up (the lock is not taken) and the promise rejects with the signal's reason.
   */
  acquire(exclusive: boolean, signal?: AbortSignal): Promise<void> {
    if (this.tryAcquire(exclusive)) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.#queue.indexOf(waiter);
        if (i < 0) return; // already granted
        this.#queue.splice(i, 1);
        // A writer that gave up may have been all that held readers back.
        this.#wakeNext();
        reject(abortReason(signal!));
      };
      const waiter: Waiter = {
        exclusive,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(exclusive: boolean): void {
    if (exclusive) {
      if (!this.#writer) throw new Error('RWLock: releasing an exclusive lock that is not held');
      this.#writer = false;
    } else {
      if (this.#readers === 0) throw new Error('RWLock: releasing a shared lock that is not held');
      this.#readers--;
    }
    this.#wakeNext();
  }

  #wakeNext(): void {
    while (this.#queue.length > 0 && !this.#writer) {
      const next = this.#queue[0]!;
      if (next.exclusive) {
        if (this.#readers > 0) return;
        this.#writer = true;
      } else {
        this.#readers++;
      }
      this.#queue.shift();
      next.wake();
    }
  }
}

/** One lock wanted by a request. */
export interface LockRequest {
  lock: RWLock;
  exclusive: boolean;
}

/** A set of locks held by one request; release it exactly once. */
export class HeldLocks {
  #held: LockRequest[] | undefined;
  /** True if taking the locks had to wait (what was resolved before may have changed). */
  readonly waited: boolean;

  constructor(held: LockRequest[], waited: boolean) {
    this.#held = held;
    this.waited = waited;
  }

  release(): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    // Reverse order, so waiters further down the order are woken last.
    for (let i = held.length - 1; i >= 0; i--) held[i]!.lock.release(held[i]!.exclusive);
  }
}

/**
 * Sorts and deduplicates lock requests: one entry per lock, exclusive if any request for it is
 * (a request that needs a node both ways, e.g. a rename whose target directory lies below the
 * source's parent, must not wait on itself).
 */
export function normalize(requests: LockRequest[]): LockRequest[] {
  if (requests.length <= 1) return requests;
  const sorted = requests.slice().sort((a, b) => a.lock.key - b.lock.key);
  const out: LockRequest[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.lock === r.lock) {
      if (r.exclusive && !last.exclusive) out[out.length - 1] = r;
    } else {
      out.push(r);
    }
  }
  return out;
}

/**
 * Takes all `requests` in key order. Synchronous (no promise, no microtask) when none has to
 * wait, which is the common case; otherwise waits for each in turn. `signal()` is asked for
 * only when a wait is needed; when it fires, the locks taken so far are released and the
 * promise rejects.
 */
export function acquireAll(requests: LockRequest[], signal?: () => AbortSignal | undefined): HeldLocks | Promise<HeldLocks> {
  const wanted = normalize(requests);
  for (let i = 0; i < wanted.length; i++) {
    const r = wanted[i]!;
    if (!r.lock.tryAcquire(r.exclusive)) return acquireRest(wanted, i, signal?.());
  }
  return new HeldLocks(wanted, false);
}

async function acquireRest(wanted: LockRequest[], from: number, signal: AbortSignal | undefined): Promise<HeldLocks> {
  let i = from;
  try {
    for (; i < wanted.length; i++) {
      const r = wanted[i]!;
      await r.lock.acquire(r.exclusive, signal);
    }
  } catch (error) {
    for (let k = i - 1; k >= 0; k--) wanted[k]!.lock.release(wanted[k]!.exclusive);
    throw error;
  }
  return new HeldLocks(wanted, true);
}
