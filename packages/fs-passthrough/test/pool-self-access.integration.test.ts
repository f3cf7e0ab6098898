// fs-passthrough with host calls on a pool, used through its own mount by the process serving it.
// node:fs's asynchronous calls hold libuv's pool threads while they wait for the mount; host calls
// that needed one of those threads would never run to answer them (the server hung). They run on
// fs-passthrough's own threads, so the server serves itself like any other process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findMount, forceUnmount, node } from '@fusekit/test-harness';

const FILES = 64;
const SIZE = 12 * 1024;

// The server process: mounts with pool calls, uses its own mount with many node:fs calls at once,
// prints what it saw, unmounts.
const server = (source: string, mountpoint: string) => `
  import { join } from 'node:path';
  import { mount } from '@fusekit/highlevel';
  import { createPassthroughFs } from '@fusekit/fs-passthrough';
  const source = ${JSON.stringify(source)};
  const mountpoint = ${JSON.stringify(mountpoint)};
  await fsp.mkdir(source);
  await fsp.mkdir(mountpoint);
  const passthrough = createPassthroughFs(source, { syncCalls: false });
  const session = await mount(passthrough, mountpoint, passthrough.mountOptions());
  const outcome = { pool: !passthrough.syncCalls };
  try {
    const names = Array.from({ length: ${FILES} }, (_, i) => 'file-' + i);
    const content = (i) => Buffer.alloc(${SIZE}, 'contents of file ' + i + ' ');
    const started = Date.now();
    await Promise.all(names.map((name, i) => fsp.writeFile(join(mountpoint, name), content(i))));
    outcome.writeMs = Date.now() - started;
    const back = await Promise.all(names.map((name) => fsp.readFile(join(mountpoint, name))));
    outcome.matching = back.filter((data, i) => data.equals(content(i))).length;
    const stats = await Promise.all(names.map((name) => fsp.stat(join(mountpoint, name))));
    outcome.sized = stats.filter((s) => s.size === ${SIZE}).length;
    outcome.listed = (await fsp.readdir(mountpoint)).length;
    outcome.onHost = (await Promise.all(names.map((name, i) => fsp.readFile(join(source, name))))).filter((data, i) => data.equals(content(i))).length;
    await Promise.all(names.map((name) => fsp.unlink(join(mountpoint, name))));
    outcome.left = (await fsp.readdir(mountpoint)).length;
    outcome.ms = Date.now() - started;
  } finally {
    await session.close();
  }
  print(outcome);
`;

describe('fs-passthrough with pool calls: using its own mount from the serving process', () => {
  it(`${FILES} concurrent fs.promises writes, reads, stats and unlinks finish within seconds`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fusekit-pool-self-'));
    const mountpoint = join(dir, 'mnt');
    try {
      // libuv's pool at its default size, whatever the test runner's environment says.
      const outcome = await node<Record<string, unknown>>(server(join(dir, 'src'), mountpoint), {
        timeoutMs: 30_000,
        env: { ...process.env, UV_THREADPOOL_SIZE: '4' },
      });
      expect(outcome).toMatchObject({ pool: true, matching: FILES, sized: FILES, listed: FILES, onHost: FILES, left: 0 });
      expect(outcome.ms).toBeLessThan(10_000);
    } finally {
      // A server killed at the timeout leaves its mount behind.
      if (await findMount(mountpoint)) await forceUnmount(mountpoint);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
