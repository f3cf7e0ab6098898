// interrupts.ts — a read that waits for data, and gives up when the caller
// does. When the reading process gets a signal, the kernel sends INTERRUPT:
// ctx.signal fires, the timer rejects with an AbortError, and the binding
// answers EINTR (exactly once).
import { setTimeout as sleep } from 'node:timers/promises';
import { FuseError, type Attr, type Operations } from '@fusekit/lowlevel';

export function createSlowFs(delayMs: number) {
  const root: Attr = { ino: 1, mode: 0o040755, nlink: 2 };
  const slow: Attr = { ino: 2, mode: 0o100444, nlink: 1, size: 4096 };
  let interrupted = 0;

  const ops: Operations = {
    lookup(parent, name) {
      if (parent === 1 && name === 'slow') return slow;
      throw new FuseError('ENOENT');
    },
    getattr: (ino) => (ino === 1 ? root : slow),
    // direct_io: each read(2) is one request the caller waits on, interruptibly.
    open: () => ({ directIo: true }),
    async read(_ino, size, _offset, _fh, _flags, ctx) {
      ctx.signal.addEventListener('abort', () => interrupted++);
      await sleep(delayMs, undefined, { signal: ctx.signal });
      return Buffer.alloc(Math.min(size, 4096), 'x');
    },
  };
  return { ops, interruptions: () => interrupted };
}
