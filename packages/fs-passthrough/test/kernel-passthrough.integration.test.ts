// Kernel passthrough in fusekit-passthrough: on by default where the kernel and CAP_SYS_ADMIN
// allow it (the start line says which), file data then never reaches the server, and without the
// privilege it falls back to serving reads and writes itself. The shared suites (posix, fsx,
// fio --verify, workloads) run with it on (the default as root) and with --passthrough=off.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeMountpoint, run, sh, spawnFs, withMount } from '@fusekit/test-harness';
import { CLI, makeTmpfs, startPassthroughFs } from './cli-path.js';

const root = process.getuid?.() === 0;
// The start line follows the mount by a moment: it waits for INIT to settle passthrough.
async function outputHas(fs: { output(): string }, text: string): Promise<void> {
  for (let i = 0; i < 100 && !fs.output().includes(text); i++) await new Promise((r) => setTimeout(r, 50));
  expect(fs.output()).toContain(text);
}
const count = (output: string, op: string) => output.split('\n').filter((line) => line.includes(`op=${op} `)).length;

describe.skipIf(!root)('fusekit-passthrough with kernel passthrough (as root)', () => {
  it('says so at start, and reads, writes and maps reach the host file without the server', { timeout: 60_000 }, async () => {
    const source = await makeTmpfs();
    try {
      await withMount(
        (mp) => spawnFs(process.execPath, [CLI, source.dir, mp, '-o', 'allow_other'], mp, { env: { ...process.env, FUSEKIT_TRACE: '1' } }),
        async (mp, fs) => {
          await outputHas(fs, `serving ${source.dir} at ${mp}, kernel passthrough on`);
          await sh(`
            head -c 4194304 /dev/urandom > ${source.dir}/src
            cp ${source.dir}/src ${mp}/copy && cmp ${mp}/copy ${source.dir}/src
            dd if=${mp}/src of=/dev/null bs=1M iflag=direct status=none
            dd if=/dev/zero of=${mp}/copy bs=1M count=2 oflag=direct conv=notrunc status=none
            python3 -c "import mmap,os; fd=os.open('${mp}/copy', os.O_RDWR); m=mmap.mmap(fd, 4096); m[0:2]=b'ok'; m.flush()"
          `);
          expect(await sh(`head -c 2 ${source.dir}/copy`)).toBe('ok');
          const out = fs.output();
          expect(count(out, 'open')).toBeGreaterThan(0);
          expect([count(out, 'read'), count(out, 'write')]).toEqual([0, 0]);
        },
      );
    } finally {
      await source.close();
    }
  });

  it('--passthrough=off serves reads and writes itself, and says so', { timeout: 60_000 }, async () => {
    const source = await makeTmpfs();
    try {
      await withMount(
        (mp) => spawnFs(process.execPath, [CLI, source.dir, mp, '--passthrough=off'], mp, { env: { ...process.env, FUSEKIT_TRACE: '1' } }),
        async (mp, fs) => {
          await outputHas(fs, 'kernel passthrough off: not asked for');
          await sh(`echo hi > ${mp}/f && dd if=${mp}/f of=/dev/null iflag=direct status=none`);
          expect(count(fs.output(), 'write')).toBeGreaterThan(0);
          expect(count(fs.output(), 'read')).toBeGreaterThan(0);
        },
      );
    } finally {
      await source.close();
    }
  });

  it('replaces the page cache: with --cache=always, host-side data changes show at once', { timeout: 60_000 }, async () => {
    await withMount(
      (mp) => startPassthroughFs(mp, ['--cache=always', '--passthrough=on']),
      async (mp, fs) => {
        const out = await sh(`
          echo one > "${fs.source}/f"; cat "${mp}/f"
          echo two > "${fs.source}/f"; cat "${mp}/f"
        `);
        expect(out).toBe('one\ntwo\n');
      },
    );
  });

  it('refuses --passthrough=on with --writeback (the kernel refuses the two together)', async () => {
    const r = await run(process.execPath, [CLI, '/tmp', '/mnt', '--passthrough=on', '--writeback']);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      2,
      'fusekit-passthrough: --passthrough=on and --writeback exclude each other (the kernel refuses the two together)',
    ]);
  });

  it('--writeback turns it off by itself, and says why', { timeout: 60_000 }, async () => {
    await withMount(
      (mp) => startPassthroughFs(mp, ['--writeback']),
      async (_mp, fs) => {
        await outputHas(fs, 'kernel passthrough off: the writeback cache is on, and the kernel refuses passthrough with it');
      },
    );
  });
});

// Without CAP_SYS_ADMIN in the initial user namespace: the root of a user namespace of its own
// may mount FUSE but not register backing files. The mount lives in that namespace, so a shell
// there starts the server and drives it.
const unshare = !root
  ? 'needs root to make a user namespace'
  : (await run('unshare', ['--user', '--map-root-user', '--mount', 'true'])).code === 0
    ? undefined
    : 'unshare --user --mount is not permitted here';
if (unshare !== undefined) console.warn(`unprivileged fusekit-passthrough tests skipped: ${unshare}`);

describe.skipIf(unshare !== undefined)('fusekit-passthrough without CAP_SYS_ADMIN', () => {
  it('falls back to serving data itself (auto), and refuses to mount with --passthrough=on', { timeout: 60_000 }, async () => {
    const base = await makeMountpoint('fusekit-pt-userns-');
    try {
      await mkdir(join(base, 'src'));
      await mkdir(join(base, 'mnt'));
      await writeFile(join(base, 'src', 'f'), 'host data\n');
      const script = `
        node=$1; cli=$2; src=$3; mnt=$4
        "$node" "$cli" "$src" "$mnt" --passthrough=on; echo "on-exit=$?"
        "$node" "$cli" "$src" "$mnt" & pid=$!
        for i in $(seq 100); do grep -q " $mnt fuse" /proc/self/mounts && break; sleep 0.1; done
        cat "$mnt/f"; echo written > "$mnt/g"
        kill -TERM $pid; wait $pid; echo "auto-exit=$?"
      `;
      const r = await run(
        'unshare',
        ['--user', '--map-root-user', '--mount', 'bash', '-c', script, 'sh', process.execPath, CLI, join(base, 'src'), join(base, 'mnt')],
        { timeoutMs: 50_000 },
      );
      expect(r.stderr).toMatch(
        /fusekit-passthrough: cannot mount .*: kernel passthrough is not available: registering backing files needs CAP_SYS_ADMIN in the initial user namespace/,
      );
      expect(r.stdout).toContain('on-exit=1');
      expect(r.stdout).toMatch(/kernel passthrough off: registering backing files needs CAP_SYS_ADMIN in the initial user namespace/);
      expect(r.stdout).toContain('host data\n');
      expect(r.stdout).toContain('auto-exit=0');
      expect(await sh(`cat ${join(base, 'src', 'g')}`)).toBe('written\n');
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
