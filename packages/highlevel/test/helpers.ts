// Shared bits of the highlevel integration tests.
import { withMount } from '@fusekit/test-harness';
import { mount, type MountOptions, type Session } from '../src/index.js';
import { MemoryFs, type MemoryFsOptions } from './fixtures/memory-fs.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check()` holds (polling), or fails with `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Mounts a fresh MemoryFs (set up by `setup`), runs `body`, always unmounts. */
export async function withMemoryFs(
  fsOptions: MemoryFsOptions,
  mountOptions: MountOptions,
  setup: (fs: MemoryFs) => void,
  body: (mp: string, fs: MemoryFs, session: Session) => Promise<void>,
): Promise<void> {
  const fs = new MemoryFs(fsOptions);
  setup(fs);
  await withMount(
    (mp) => mount(fs, mp, { attrTimeout: 0, entryTimeout: 0, ...mountOptions }),
    (mp, session) => body(mp, fs, session),
  );
}
