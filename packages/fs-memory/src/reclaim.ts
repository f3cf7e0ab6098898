// Gives memory back after mass deletions. Freed inodes are garbage only V8's next full collection
// returns, and a server that has gone idle may not get one for a long time: its resident size
// stays at the peak. When many inodes were freed since the last look, ask for a collection.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How many freed inodes make a collection worth its pause (a few ms per 100k objects). */
const THRESHOLD = 10_000;

function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Polls `inodes()` every `intervalMs` and runs a full garbage collection once the count has
 * dropped by THRESHOLD since the last collection (or peak). The timer does not keep the process alive.
 */
export function reclaimAfterDeletions(inodes: () => number, intervalMs = 2000): () => void {
  const gc = collector();
  let high = inodes();
  const timer = setInterval(() => {
    const now = inodes();
    if (now > high) high = now;
    else if (high - now >= THRESHOLD) {
      gc();
      // Pages freed by one collection are released as sweeping completes; a second one a moment
      // later gives them back to the system and shrinks the grown young generation.
      setTimeout(gc, 1000).unref();
      high = now;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
