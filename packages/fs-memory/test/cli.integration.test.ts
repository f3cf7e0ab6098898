import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findMount, makeMountpoint, run, sh, waitForMount, withMount } from '@fusekit/test-harness';
import { CLI, startMemoryFs } from './cli-path.js';

const cli = (args: string[], options: { uid?: number; gid?: number } = {}) =>
  run(process.execPath, [CLI, ...args], { timeoutMs: 20_000, ...options });

describe('fusekit-memory command line', () => {
  it('prints its usage with --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: fusekit-memory <mountpoint>/);
    expect(r.stdout).toContain('--size');
  });

  it('refuses bad arguments with exit code 2', async () => {
    for (const args of [[], ['a', 'b'], ['--bogus', 'x'], ['x', '--size', 'lots'], ['x', '--mode', '999'], ['x', '-o', 'nr_inodes=many']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^fusekit-memory: .+\nTry 'fusekit-memory --help'/);
    }
  });

  it('names a mount option libfuse does not know, in one line, with exit code 2', async () => {
    const mp = await makeMountpoint('fusekit-cli-');
    try {
      const cases: [string, string][] = [
        ['nonempty', 'unknown mount option: nonempty'],
        ['bogus,ro,weird=1', 'unknown mount options: bogus, weird=1'],
        ['max_read=abc', 'invalid value in mount option: max_read=abc'],
      ];
      for (const [option, message] of cases) {
        const r = await cli([mp, '-o', option]);
        expect([r.code, r.stderr], option).toEqual([2, `fusekit-memory: ${message}\nTry 'fusekit-memory --help'.\n`]);
      }
      expect(await findMount(mp)).toBeUndefined();
    } finally {
      await rm(mp, { recursive: true, force: true });
    }
  });

  it('refuses bad mountpoints with a clear message and exit code 1', async () => {
    const base = await makeMountpoint('fusekit-cli-');
    try {
      await writeFile(join(base, 'file'), '');
      await mkdir(join(base, 'rootonly'));
      await chmod(join(base, 'rootonly'), 0o755);
      await chmod(base, 0o755);
      const missing = await cli([join(base, 'missing')]);
      expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('does not exist')]);
      const file = await cli([join(base, 'file')]);
      expect([file.code, file.stderr]).toEqual([1, expect.stringContaining('is not a directory')]);
      const denied = await cli([join(base, 'rootonly')], { uid: 1000, gid: 1000 });
      expect([denied.code, denied.stderr]).toEqual([1, expect.stringContaining('permission denied')]);
      expect(await findMount(join(base, 'rootonly'))).toBeUndefined();
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('refuses a mountpoint that is already mounted', async () => {
    await withMount(
      (mp) => startMemoryFs(mp),
      async (mp) => {
        const again = await cli([mp]);
        expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('already mounted')]);
        expect(await sh(`echo still here > "${mp}/f" && cat "${mp}/f"`)).toBe('still here\n');
      },
    );
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`unmounts cleanly on ${signal}`, async () => {
      const mp = await makeMountpoint();
      const fs = await startMemoryFs(mp);
      try {
        expect((await findMount(mp))?.fstype).toBe('fuse.fusekit-memory');
        await sh(`echo hi > "${mp}/f"`);
        expect(await fs.stop(signal)).toBe(0);
        expect(fs.output()).toContain(`unmounted ${mp}`);
        expect(await findMount(mp)).toBeUndefined();
      } finally {
        await fs.close();
        await rm(mp, { recursive: true, force: true });
      }
    });
  }

  it('exits 0 when unmounted from outside', async () => {
    const mp = await makeMountpoint();
    const fs = await startMemoryFs(mp);
    try {
      await sh(`fusermount3 -u "${mp}"`);
      await waitForMount(mp, { present: false });
      const code = await new Promise<number | null>((resolve) => {
        if (fs.child.exitCode !== null) resolve(fs.child.exitCode);
        else fs.child.on('exit', resolve);
      });
      expect(code).toBe(0);
    } finally {
      await fs.close();
      await rm(mp, { recursive: true, force: true });
    }
  });

  it('serves the root directory with the asked owner and mode', async () => {
    await withMount(
      (mp) => startMemoryFs(mp, ['--uid', '1000', '--gid', '1001', '--mode', '1777']),
      async (mp) => {
        expect(await sh(`stat -c '%u %g %a' "${mp}"`)).toBe('1000 1001 1777\n');
      },
    );
    await withMount(
      (mp) => startMemoryFs(mp, ['-o', 'uid=7,gid=8,mode=700']),
      async (mp) => {
        expect(await sh(`stat -c '%u %g %a' "${mp}"`)).toBe('7 8 700\n');
      },
    );
  });

  it('reports its limits in statfs and answers ENOSPC when data or inodes run out', async () => {
    await withMount(
      (mp) => startMemoryFs(mp, ['--size', '1M', '--inodes', '20']),
      async (mp) => {
        expect(await sh(`stat -f -c '%S %b %a %c %d %l' "${mp}"`)).toBe('4096 256 256 20 19 255\n');
        await expect(sh(`head -c 2M /dev/zero > "${mp}/big"`)).rejects.toThrow(/No space left on device/);
        await sh(`rm "${mp}/big" && head -c 512K /dev/zero > "${mp}/half"`);
        expect(await sh(`stat -f -c '%a' "${mp}"`)).toBe('128\n');
        await expect(sh(`cd "${mp}" && for i in $(seq 1 30); do touch f$i; done`)).rejects.toThrow(/No space left on device/);
        expect(await sh(`stat -f -c '%d' "${mp}"`)).toBe('0\n');
        await sh(`rm "${mp}"/f* && touch "${mp}/again"`);
      },
    );
  });
});
