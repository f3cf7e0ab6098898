import { describe, expect, it } from 'vitest';
import { acquireAll, HeldLocks, normalize, RWLock, type LockRequest } from '../src/locks.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('RWLock', () => {
  it('lets readers share and makes a writer wait for them', async () => {
    const lock = new RWLock(1);
    expect(lock.tryAcquire(false)).toBe(true);
    expect(lock.tryAcquire(false)).toBe(true);
    expect(lock.tryAcquire(true)).toBe(false);
    let written = false;
    const writer = lock.acquire(true).then(() => {
      written = true;
    });
    lock.release(false);
    await tick();
    expect(written).toBe(false);
    lock.release(false);
    await writer;
    expect(written).toBe(true);
    expect(lock.writer).toBe(true);
    lock.release(true);
    expect(lock.idle).toBe(true);
  });

  it('queues new readers behind a waiting writer (no writer starvation)', async () => {
    const lock = new RWLock(1);
    lock.tryAcquire(false);
    const order: string[] = [];
    const w = lock.acquire(true).then(() => {
      order.push('writer');
      lock.release(true);
    });
    expect(lock.tryAcquire(false)).toBe(false);
    const r = lock.acquire(false).then(() => {
      order.push('reader');
      lock.release(false);
    });
    lock.release(false);
    await Promise.all([w, r]);
    expect(order).toEqual(['writer', 'reader']);
  });

  it('wakes every queued reader at once after a writer', async () => {
    const lock = new RWLock(1);
    lock.tryAcquire(true);
    const readers = [lock.acquire(false), lock.acquire(false), lock.acquire(false)];
    lock.release(true);
    await Promise.all(readers);
    expect(lock.readers).toBe(3);
  });

  it('gives up a wait when its signal fires, letting readers queued behind a writer in', async () => {
    const lock = new RWLock(1);
    lock.tryAcquire(false);
    const controller = new AbortController();
    const writer = lock.acquire(true, controller.signal);
    const reader = lock.acquire(false);
    controller.abort();
    await expect(writer).rejects.toMatchObject({ name: 'AbortError' });
    await reader;
    expect(lock.readers).toBe(2);
    expect(lock.waiting).toBe(0);
  });

  it('ignores a signal that fires after the lock was granted', async () => {
    const lock = new RWLock(1);
    lock.tryAcquire(true);
    const controller = new AbortController();
    const waiting = lock.acquire(false, controller.signal);
    lock.release(true);
    controller.abort();
    await waiting;
    expect(lock.readers).toBe(1);
  });

  it('refuses to release what is not held', () => {
    const lock = new RWLock(1);
    expect(() => lock.release(true)).toThrow(/not held/);
    expect(() => lock.release(false)).toThrow(/not held/);
  });
});

describe('acquireAll', () => {
  it('sorts by key and keeps the strongest request for a lock taken twice', () => {
    const a = new RWLock(4),
      b = new RWLock(2),
      c = new RWLock(3);
    const out = normalize([
      { lock: a, exclusive: false },
      { lock: b, exclusive: false },
      { lock: a, exclusive: true },
      { lock: c, exclusive: false },
    ]);
    expect(out.map((r) => [r.lock.key, r.exclusive])).toEqual([
      [2, false],
      [3, false],
      [4, true],
    ]);
  });

  it('answers synchronously when nothing has to wait', () => {
    const held = acquireAll([
      { lock: new RWLock(1), exclusive: true },
      { lock: new RWLock(2), exclusive: false },
    ]);
    expect(held).toBeInstanceOf(HeldLocks);
    expect((held as HeldLocks).waited).toBe(false);
  });

  it('releases what it took when an interrupted request gives up waiting', async () => {
    const a = new RWLock(1),
      b = new RWLock(2);
    b.tryAcquire(true);
    const controller = new AbortController();
    const held = acquireAll(
      [
        { lock: a, exclusive: true },
        { lock: b, exclusive: false },
      ],
      () => controller.signal,
    );
    expect(held).toBeInstanceOf(Promise);
    expect(a.writer).toBe(true);
    controller.abort();
    await expect(held).rejects.toMatchObject({ name: 'AbortError' });
    expect(a.idle).toBe(true);
    expect(b.waiting).toBe(0);
  });

  it('never deadlocks and keeps exclusion under random overlapping lock sets', async () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const locks = Array.from({ length: 8 }, (_, i) => new RWLock(i));
    const state = locks.map(() => ({ readers: 0, writer: false }));
    let violations = 0;
    let done = 0;
    const worker = async () => {
      for (let round = 0; round < 200; round++) {
        const wanted: LockRequest[] = [];
        for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
          wanted.push({ lock: locks[Math.floor(random() * locks.length)]!, exclusive: random() < 0.3 });
        }
        const held = await acquireAll(wanted);
        const taken = normalize(wanted);
        for (const r of taken) {
          const s = state[r.lock.key]!;
          if (r.exclusive) {
            if (s.writer || s.readers > 0) violations++;
            s.writer = true;
          } else {
            if (s.writer) violations++;
            s.readers++;
          }
        }
        if (random() < 0.5) await tick();
        for (const r of taken) {
          const s = state[r.lock.key]!;
          if (r.exclusive) s.writer = false;
          else s.readers--;
        }
        held.release();
      }
      done++;
    };
    await Promise.race([
      Promise.all(Array.from({ length: 16 }, worker)),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`deadlock: ${done} of 16 workers finished`)), 20_000)),
    ]);
    expect(violations).toBe(0);
    expect(locks.every((l) => l.idle)).toBe(true);
  });
});
