// Path locking: which node locks an operation takes so that the paths it uses stay valid (and
// the names it changes are changed by it alone) until its result settles. Built on the
// per-node reader/writer locks of locks.ts, taken in their one global order.
import { always, type RequestContext, type Result } from '@fusekit/lowlevel';
import type { PathLike } from './filesystem.js';
import { acquireAll, normalize, type HeldLocks, type LockRequest } from './locks.js';
import type { Node } from './node.js';
import type { NodeTable } from './node-table.js';

function sameLocks(a: LockRequest[], b: LockRequest[]): boolean {
  const x = normalize(a),
    y = normalize(b);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i]!.lock !== y[i]!.lock || x[i]!.exclusive !== y[i]!.exclusive) return false;
  return true;
}

export class PathLocks<P extends PathLike> {
  constructor(private readonly table: NodeTable<P>) {}

  /** Adds shared tree locks on the node's path (itself and its ancestors); false if it has no path. */
  path(out: LockRequest[], node: Node<P>): boolean {
    const chain = this.table.chain(node);
    if (chain === null) return false;
    for (const n of chain) out.push({ lock: n.tree, exclusive: false });
    return true;
  }

  /** Locks for changing names in `dir`: its path, its entries, and the nodes whose names go away. */
  dir(out: LockRequest[], dir: Node<P>, ...victims: (Node<P> | undefined)[]): LockRequest[] {
    this.path(out, dir);
    out.push({ lock: dir.entries, exclusive: true });
    for (const v of victims) if (v !== undefined) out.push({ lock: v.tree, exclusive: true });
    return out;
  }

  /**
   * Runs `body` holding the locks `plan` asks for: synchronously when none is contended. If
   * taking them meant waiting, the tree may have changed meanwhile: the plan is made again, and
   * if it differs, the locks are retaken.
   */
  locked<T>(ctx: RequestContext | undefined, plan: () => LockRequest[], body: () => Result<T>): Result<T> {
    const requests = plan();
    // Only a request that has to wait looks at its signal (creating it has a cost): an
    // interrupted wait gives up, and the request answers EINTR.
    const signal = ctx === undefined ? undefined : () => ctx.signal;
    const held = acquireAll(requests, signal);
    return held instanceof Promise ? this.#lockedAfterWait(held, requests, plan, signal, body) : holding(held, body);
  }

  async #lockedAfterWait<T>(
    waiting: Promise<HeldLocks>,
    requests: LockRequest[],
    plan: () => LockRequest[],
    signal: (() => AbortSignal) | undefined,
    body: () => Result<T>,
  ): Promise<T> {
    let held = await waiting;
    while (held.waited) {
      const again = plan();
      if (sameLocks(again, requests)) break;
      held.release();
      requests = again;
      const next = acquireAll(requests, signal);
      held = next instanceof Promise ? await next : next;
    }
    return holding(held, body);
  }

  /**
   * Runs `body` with the node's current path (null if it has none), which stays valid until it
   * settles; with `entries`, also shared on the node's entries. The common case takes no promise
   * and sorts nothing: shared locks on the path's nodes taken with tryAcquire in path order cannot
   * deadlock, as nothing waits while holding them; if one is contended, all are dropped and the
   * ordered, waiting path is taken.
   */
  withPath<T>(ctx: RequestContext, node: Node<P>, body: (path: P | null) => Result<T>, entries = false): Result<T> {
    const resolved = this.table.resolve(node);
    if (resolved === null) return body(null);
    const { path, chain } = resolved;
    let taken = 0;
    while (taken < chain.length && chain[taken]!.tree.tryAcquire(false)) taken++;
    const entriesTaken = taken === chain.length && (!entries || node.entries.tryAcquire(false));
    if (!entriesTaken) {
      for (let i = 0; i < taken; i++) chain[i]!.tree.release(false);
      return this.locked(
        ctx,
        () => {
          const out: LockRequest[] = [];
          if (this.path(out, node) && entries) out.push({ lock: node.entries, exclusive: false });
          return out;
        },
        () => body(this.table.path(node)),
      );
    }
    return always(
      () => body(path),
      () => {
        if (entries) node.entries.release(false);
        for (let i = 0; i < chain.length; i++) chain[i]!.tree.release(false);
      },
    );
  }
}

/** Runs `body` and releases `held` once what it returned has settled. */
function holding<T>(held: HeldLocks, body: () => Result<T>): Result<T> {
  return always(body, () => held.release());
}
