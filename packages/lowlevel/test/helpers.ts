// Mounts a test filesystem in this process for the duration of a describe block.
import { afterAll, beforeAll } from 'vitest';
import { rmdir } from 'node:fs/promises';
import { forceUnmount, makeMountpoint, run, waitForMount } from '@fusekit/test-harness';
import { mount, type MountOptions, type Operations, type Session } from '../src/index.js';

export interface Mounted {
  mountpoint: string;
  session: Session;
  logged: { message: string; error: unknown }[];
}

export function useMount(ops: () => Operations, options: MountOptions = {}): Mounted {
  const m = { mountpoint: '', logged: [] } as unknown as Mounted;
  beforeAll(async () => {
    m.mountpoint = await makeMountpoint();
    m.session = await mount(ops(), m.mountpoint, {
      attrTimeout: 0,
      entryTimeout: 0,
      logger: { error: (message, error) => m.logged.push({ message, error }) },
      ...options,
    });
    await waitForMount(m.mountpoint);
  });
  afterAll(async () => {
    await Promise.race([m.session?.close(), new Promise((r) => setTimeout(r, 10_000))]);
    await forceUnmount(m.mountpoint);
    await rmdir(m.mountpoint).catch(() => undefined);
  });
  return m;
}

/** Runs a Python snippet in a child process (syscalls node:fs lacks); returns its stdout. */
export async function py(code: string, options: { uid?: number; gid?: number; timeoutMs?: number } = {}): Promise<string> {
  const r = await run('python3', ['-c', code], options);
  if (r.code !== 0) throw new Error(`python failed (${r.code ?? r.signal}):\n${code}\n${r.stderr}`);
  return r.stdout.trim();
}
