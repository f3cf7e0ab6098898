// A session's life tied to the caller's: an AbortSignal that unmounts, and Symbol.asyncDispose.
import { describe, expect, it } from 'vitest';
import { findMount, makeMountpoint, sh, waitForMount, withMount } from '@fusekit/test-harness';
import { rmdir } from 'node:fs/promises';
import { mount } from '../src/index.js';
import { HELLO, helloOps } from './fixtures/hello.js';

describe('a session tied to a signal or a scope', () => {
  it('unmounts when its signal aborts', async () => {
    const controller = new AbortController();
    let mountpoint = '';
    await withMount(
      (mp) => mount(helloOps, mp, { signal: controller.signal }),
      async (mp, session) => {
        mountpoint = mp;
        expect(await sh(`cat "${mp}/hello"`)).toBe(HELLO);
        controller.abort();
        await session.closed;
        await waitForMount(mp, { present: false });
      },
    );
    expect(await findMount(mountpoint)).toBeUndefined();
  });

  it('refuses to mount with a signal already aborted, and mounts nothing', async () => {
    const mountpoint = await makeMountpoint();
    try {
      const reason = new Error('no longer wanted');
      await expect(mount(helloOps, mountpoint, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(await findMount(mountpoint)).toBeUndefined();
    } finally {
      await rmdir(mountpoint);
    }
  });

  it('closes and unmounts through Symbol.asyncDispose, as `await using` does', async () => {
    let mountpoint = '';
    await withMount(
      (mp) => mount(helloOps, mp),
      async (mp, session) => {
        mountpoint = mp;
        await session[Symbol.asyncDispose]();
        await waitForMount(mp, { present: false });
      },
    );
    expect(await findMount(mountpoint)).toBeUndefined();
  });
});
