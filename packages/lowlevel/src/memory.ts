import { native } from './native.js';

/**
 * Gives the memory the C heap holds free back to the system (glibc's `malloc_trim`). The
 * buffers of data a filesystem dropped return to that heap when V8 collects them, and glibc
 * keeps what does not sit at its top: call this after a collection that followed large
 * deletions (fusekit-memory does) to bring the resident size down again.
 */
export function releaseFreeMemory(): void {
  native.trimHeap();
}
