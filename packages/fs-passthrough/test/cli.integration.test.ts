// fusekit-passthrough as users run it: usage, refusals with clear messages, signals.
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findMount, makeMountpoint, run, sh, spawnFs, waitForMount, withMount } from '@fusekit/test-harness';
import { CLI, makeTmpfs, startPassthroughFs } from './cli-path.js';

const cli = (args: string[], options: { uid?: number; gid?: number } = {}) =>
  run(process.execPath, [CLI, ...args], { timeoutMs: 20_000, ...options });

/** Runs `body` with a scratch directory holding a source directory `src`. */
async function withScratch(body: (base: string, source: string) => Promise<void>): Promise<void> {
  const base = await makeMountpoint('fusekit-pt-cli-');
  try {
    await chmod(base, 0o755);
    await mkdir(join(base, 'src'));
    await body(base, join(base, 'src'));
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

describe('fusekit-passthrough command line', () => {
  it('prints its usage with --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: fusekit-passthrough <source> <mountpoint>/);
    expect(r.stdout).toContain('--cache=<mode>');
  });

  it('refuses bad arguments with exit code 2', async () => {
    for (const args of [
      [],
      ['only-one'],
      ['a', 'b', 'c'],
      ['--bogus', 'a', 'b'],
      ['a', 'b', '--cache=sometimes'],
      ['a', 'b', '-o', 'cache=maybe'],
      ['a', 'b', '--sync-calls', '--pool-calls'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^fusekit-passthrough: .+\nTry 'fusekit-passthrough --help'/);
    }
  });

  it('refuses a missing, non-directory or unreadable source with exit code 1', async () => {
    await withScratch(async (base, source) => {
      await writeFile(join(base, 'file'), '');
      await mkdir(join(base, 'mnt'));
      await mkdir(join(base, 'private'), 0o700);
      const missing = await cli([join(base, 'missing'), join(base, 'mnt')]);
      expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('missing does not exist')]);
      const file = await cli([join(base, 'file'), join(base, 'mnt')]);
      expect([file.code, file.stderr]).toEqual([1, expect.stringContaining('file is not a directory')]);
      await chmod(join(base, 'mnt'), 0o777);
      const unreadable = await cli([join(base, 'private'), join(base, 'mnt')], { uid: 1000, gid: 1000 });
      expect([unreadable.code, unreadable.stderr]).toEqual([1, expect.stringContaining('private: permission denied')]);
      expect(await findMount(source)).toBeUndefined();
    });
  });

  it('names a mount option libfuse does not know, in one line, with exit code 2', async () => {
    await withScratch(async (base, source) => {
      await mkdir(join(base, 'mnt'));
      const cases: [string, string][] = [
        ['size=abc', 'unknown mount option: size=abc'],
        ['bogus,ro,cache=never,weird=1', 'unknown mount options: bogus, weird=1'],
        ['max_read=abc', 'invalid value in mount option: max_read=abc'],
      ];
      for (const [option, message] of cases) {
        const r = await cli([source, join(base, 'mnt'), '-o', option]);
        expect([r.code, r.stderr], option).toEqual([2, `fusekit-passthrough: ${message}\nTry 'fusekit-passthrough --help'.\n`]);
      }
      expect(await findMount(join(base, 'mnt'))).toBeUndefined();
    });
  });

  it('refuses bad mountpoints with a clear message and exit code 1', async () => {
    await withScratch(async (base, source) => {
      await writeFile(join(base, 'file'), '');
      await mkdir(join(base, 'rootonly'), 0o755);
      await chmod(source, 0o755);
      const missing = await cli([source, join(base, 'missing')]);
      expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('does not exist')]);
      const file = await cli([source, join(base, 'file')]);
      expect([file.code, file.stderr]).toEqual([1, expect.stringContaining('is not a directory')]);
      const denied = await cli([source, join(base, 'rootonly')], { uid: 1000, gid: 1000 });
      expect([denied.code, denied.stderr]).toEqual([1, expect.stringContaining('permission denied')]);
      expect(await findMount(join(base, 'rootonly'))).toBeUndefined();
    });
  });

  it('refuses to mount a directory onto itself, inside itself, or over its own parent', async () => {
    await withScratch(async (base, source) => {
      await mkdir(join(source, 'inner'));
      const onto = await cli([source, `${source}/.`]);
      expect([onto.code, onto.stderr]).toEqual([1, expect.stringContaining('cannot be mounted onto itself')]);
      const inside = await cli([source, join(source, 'inner')]);
      expect([inside.code, inside.stderr]).toEqual([1, expect.stringContaining('cannot be mounted inside itself')]);
      const over = await cli([source, base]);
      expect([over.code, over.stderr]).toEqual([1, expect.stringContaining('the mount would hide it')]);
      expect(await findMount(source)).toBeUndefined();
    });
  });

  it('refuses a mountpoint that is already mounted', async () => {
    await withMount(
      (mp) => startPassthroughFs(mp),
      async (mp, fs) => {
        const again = await cli([fs.source, mp]);
        expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('already mounted')]);
        expect(await sh(`echo still here > "${mp}/f" && cat "${mp}/f" "${fs.source}/f"`)).toBe('still here\nstill here\n');
      },
    );
  });

  it("passes other -o options to libfuse, and takes passthrough_ll's cache= and writeback there", async () => {
    await withMount(
      (mp) => startPassthroughFs(mp, ['-o', 'ro,cache=always,writeback']),
      async (mp, fs) => {
        expect((await findMount(mp))?.source).toBe(fs.source);
        expect(await sh(`grep " ${mp} " /proc/mounts | cut -d' ' -f4`)).toMatch(/^ro,/);
        await sh(`echo host > "${fs.source}/f"`);
        expect(await sh(`cat "${mp}/f"; touch "${mp}/g" 2>&1 || true`)).toMatch(/^host\n.*Read-only file system/);
      },
    );
  });

  it('has the kernel check permissions only when other users can reach the mount', async () => {
    const options = async (mp: string) => (await sh(`grep " ${mp} " /proc/mounts | cut -d' ' -f4`)).trim().split(',');
    await withMount(
      (mp) => startPassthroughFs(mp),
      async (mp) => {
        expect(await options(mp)).toEqual(expect.arrayContaining(['default_permissions', 'allow_other']));
      },
    );
    const source = await makeTmpfs();
    try {
      await withMount(
        (mp) => spawnFs(process.execPath, [CLI, source.dir, mp], mp),
        async (mp) => {
          expect(await options(mp)).not.toContain('default_permissions');
          // access(2) is then asked of the host, for the server's user (root): no x on a 0644 file.
          await sh(`echo x > "${mp}/f" && chmod 644 "${mp}/f" && mkdir "${mp}/d" && chmod 0 "${mp}/d"`);
          expect(await sh(`test -r "${mp}/f" && echo r; test -x "${mp}/f" || echo no-x; test -w "${mp}/d" && echo dw; cat "${mp}/f"`)).toBe(
            'r\nno-x\ndw\nx\n',
          );
        },
      );
    } finally {
      await source.close();
    }
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`unmounts cleanly on ${signal}`, async () => {
      const mp = await makeMountpoint();
      const fs = await startPassthroughFs(mp);
      try {
        expect((await findMount(mp))?.fstype).toBe('fuse.fusekit-passthrough');
        await sh(`echo hi > "${mp}/f"`);
        expect(await fs.stop(signal)).toBe(0);
        expect(fs.output()).toContain(`unmounted ${mp}`);
        expect(await findMount(mp)).toBeUndefined();
        expect(await sh(`cat "${fs.source}/f"`)).toBe('hi\n');
      } finally {
        await fs.close();
        await rm(mp, { recursive: true, force: true });
      }
    });
  }

  it('exits 0 when unmounted from outside', async () => {
    const mp = await makeMountpoint();
    const fs = await startPassthroughFs(mp);
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
});
