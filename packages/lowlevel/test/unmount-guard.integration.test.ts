// The unmount guard (MountOptions.unmountGuard): a watcher process per mount that detaches it
// when the serving process dies, and touches nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { findMount, forceUnmount, makeMountpoint, run, sh, waitForMount } from '@fusekit/test-harness';
import { mount, type Operations } from '../src/index.js';

const ops: Operations = { getattr: () => ({ ino: 1, mode: 0o40755, nlink: 2 }) };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pids of fusekit-guard processes watching `mountpoint`. */
async function guardsOf(mountpoint: string): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args[0] === 'fusekit-guard' && args[1] === mountpoint) pids.push(Number(pid));
  }
  return pids;
}

/** Whether `pid` has exited (a zombie waiting for init to reap it counts) within `timeoutMs`. */
async function gone(pid: number, timeoutMs = 2000): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(20)) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (stat === '' || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return true;
    if (Date.now() >= deadline) return false;
  }
}

const dist = new URL('../dist/index.js', import.meta.url).pathname;

/** A process serving `mountpoint` (no auto_unmount: the guard alone). */
async function serveInChild(mountpoint: string): Promise<ChildProcess> {
  const code = `
    import { mount } from '${dist}';
    await mount({ getattr: () => ({ ino: 1, mode: 0o40755, nlink: 2 }) }, '${mountpoint}', { attrTimeout: 0 });
    process.stdout.write('mounted\\n');
    setInterval(() => {}, 1000);`;
  const { LD_PRELOAD: _preload, FUSEKIT_ADDON: _addon, ...env } = process.env;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'], env });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`server exited (${c}) before mounting`)));
  });
  await waitForMount(mountpoint);
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('unmount guard', () => {
  it('holds neither /dev/fuse nor the mountpoint, shrugs off SIGINT, SIGTERM and SIGHUP, and leaves with the session', async () => {
    const mp = await realpath(await makeMountpoint());
    const warnings: string[] = [];
    const session = await mount(ops, mp, { logger: { error: () => undefined, warn: (m) => void warnings.push(m) } });
    try {
      await waitForMount(mp);
      const [pid, ...others] = await guardsOf(mp);
      expect(pid).toBeDefined();
      expect(others).toEqual([]);
      expect(warnings.filter((w) => w.includes('guard'))).toEqual([]);
      // Run from the copy embedded in the addon, not a fork of this Node process.
      expect(await readlink(`/proc/${pid}/exe`)).toMatch(/^\/memfd:fusekit-guard/);
      expect((await readFile(`/proc/${pid}/comm`, 'utf8')).trim()).toBe('fusekit-guard');
      expect(await readlink(`/proc/${pid}/cwd`)).toBe('/');
      const fds = await readdir(`/proc/${pid}/fd`);
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`)));
      expect(targets.filter((t) => t === '/dev/fuse' || t.startsWith(mp))).toEqual([]);
      expect(fds.length).toBeLessThanOrEqual(5); // the pipe, /dev/null twice, a pidfd, the mount table
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.kill(pid!, signal);
      await sleep(100);
      expect(await gone(pid!, 0)).toBe(false);
      await session.close();
      expect(await gone(pid!)).toBe(true);
      expect(await findMount(mp)).toBeUndefined();
    } finally {
      await session.close();
      await forceUnmount(mp);
      await rm(mp, { recursive: true, force: true });
    }
  });

  it('is not started with unmountGuard: false', async () => {
    const mp = await realpath(await makeMountpoint());
    const session = await mount(ops, mp, { unmountGuard: false });
    try {
      await waitForMount(mp);
      expect(await guardsOf(mp)).toEqual([]);
    } finally {
      await session.close();
      await forceUnmount(mp);
      await rm(mp, { recursive: true, force: true });
    }
  });

  it('detaches the mount and ends its connection when the serving process is killed', async () => {
    const mp = await realpath(await makeMountpoint());
    let server: ChildProcess | undefined;
    try {
      server = await serveInChild(mp);
      const minor = (await findMount(mp))!.minor;
      const [pid] = await guardsOf(mp);
      await kill(server);
      await waitForMount(mp, { present: false, timeoutMs: 5000 });
      expect(await gone(pid!)).toBe(true);
      // The connection goes with its last mount.
      for (const deadline = Date.now() + 5000; Date.now() < deadline; await sleep(20)) {
        if (!(await readdir('/sys/fs/fuse/connections')).includes(String(minor))) break;
      }
      expect(await readdir('/sys/fs/fuse/connections')).not.toContain(String(minor));
    } finally {
      if (server) await kill(server);
      await forceUnmount(mp);
      await rm(mp, { recursive: true, force: true });
    }
  });

  it('leaves alone a mount made over its own at the same path', async () => {
    const mp = await realpath(await makeMountpoint());
    let server: ChildProcess | undefined;
    try {
      server = await serveInChild(mp);
      const [pid] = await guardsOf(mp);
      await sh(`mount -t tmpfs fusekit-guard-test "${mp}" && echo over > "${mp}/mark"`);
      await kill(server);
      expect(await gone(pid!)).toBe(true);
      expect((await findMount(mp))?.fstype).toBe('tmpfs');
      expect(await readFile(`${mp}/mark`, 'utf8')).toBe('over\n');
    } finally {
      if (server) await kill(server);
      await run('umount', ['-l', mp]);
      await forceUnmount(mp);
      await rm(mp, { recursive: true, force: true });
    }
  });

  it('leaves alone a mount made there after its own went', async () => {
    const mp = await realpath(await makeMountpoint());
    let server: ChildProcess | undefined;
    try {
      server = await serveInChild(mp);
      const [pid] = await guardsOf(mp);
      // The connection aborted from outside: the session ends, its mount stays (so does the guard).
      await writeFile(`/sys/fs/fuse/connections/${(await findMount(mp))!.minor}/abort`, '1');
      await sleep(200);
      expect(await gone(pid!, 0)).toBe(false);
      // The next mount there may well get the same mount id and device number.
      await sh(`umount -l "${mp}" && mount -t tmpfs fusekit-guard-test "${mp}" && echo later > "${mp}/mark"`);
      await kill(server);
      expect(await gone(pid!)).toBe(true);
      expect((await findMount(mp))?.fstype).toBe('tmpfs');
      expect(await readFile(`${mp}/mark`, 'utf8')).toBe('later\n');
    } finally {
      if (server) await kill(server);
      await run('umount', ['-l', mp]);
      await forceUnmount(mp);
      await rm(mp, { recursive: true, force: true });
    }
  });
});
