// Gives memory back after mass deletions. Freed inodes and file data are garbage only V8's next
// full collection returns, and a server that has gone idle may not get one for a long time: its
// resident size stays at the peak. When many inodes or much data were freed since the last
// look, ask for a collection.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { releaseFreeMemory } from '@fusekit/lowlevel';

/** How many freed inodes, or bytes of data, make a collection worth its pause (a few ms). */
const INODES = 10_000;
const BYTES = 64 << 20;

function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Polls `usage()` every `intervalMs` and runs a full garbage collection once the inodes or bytes
 * held have dropped by INODES or BYTES since the last collection (or peak). The timer does not
 * keep the process alive.
 */
export function reclaimAfterDeletions(usage: () => { inodes: number; bytes: number }, intervalMs = 2000): () => void {
  const gc = collector();
  let high = usage();
  const timer = setInterval(() => {
    const now = usage();
    high = { inodes: Math.max(high.inodes, now.inodes), bytes: Math.max(high.bytes, now.bytes) };
    if (high.inodes - now.inodes >= INODES || high.bytes - now.bytes >= BYTES) {
      gc();
      // Pages freed by one collection are released as sweeping completes; a second one a moment
      // later shrinks the grown young generation, and the C heap then returns what it holds free
      // (file data lived in ArrayBuffers).
      setTimeout(() => {
        gc();
        releaseFreeMemory();
      }, 1000).unref();
      high = now;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
