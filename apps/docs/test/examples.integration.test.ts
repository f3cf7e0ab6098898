// The guides' code, run for real: every example that mounts is mounted here, driven from child
// processes (never from this process, which serves the mount) and unmounted on every path.
import { describe, expect, it } from 'vitest';
import { findMount, makeMountpoint, node, run, sh, spawnFs, waitForMount, withMount } from '@fusekit/test-harness';
import { mount } from '@fusekit/lowlevel';
import { mount as mountPaths } from '@fusekit/highlevel';
import { mkdir, mkdtemp, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileExample } from './compile.js';
import { mountLiveFile } from '../examples/live-file.js';
import { createNotesFs } from '../examples/notes-fs.js';
import { createSlowFs } from '../examples/interrupts.js';
import { mountTuned } from '../examples/mount-options.js';
import { mountScratch } from '../examples/memory-library.js';
import { createMirror } from '../examples/mirror.js';
import { mountAudited } from '../examples/audited-passthrough.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

async function runHello(example: string): Promise<void> {
  const program = compileExample(example);
  const mp = await makeMountpoint('fusekit-docs-');
  try {
    const fs = await spawnFs(process.execPath, [program, mp], mp);
    try {
      expect(await sh(`ls -a "${mp}"`)).toBe('.\n..\nhello\n');
      expect(await sh(`cat "${mp}/hello"`)).toBe('Hello from fusekit!\n');
      expect(await sh(`stat -c '%s %a %F' "${mp}/hello"`)).toBe('20 444 regular file\n');
      await expect(sh(`cat "${mp}/missing"`)).rejects.toThrow(/No such file or directory/);
      expect((await findMount(mp))?.fstype).toBe('fuse.hello');
    } finally {
      expect(await fs.stop('SIGTERM')).toBe(0);
    }
    expect(fs.output()).toContain(`mounted at ${mp}`);
    await waitForMount(mp, { present: false });
  } finally {
    await rmdir(mp).catch(() => undefined);
  }
}

describe('Getting started: the hello programs', () => {
  it('hello-lowlevel.ts mounts, serves the file, and unmounts on SIGTERM', () => runHello('hello-lowlevel'));
  it('hello-highlevel.ts mounts, serves the file, and unmounts on SIGTERM', () => runHello('hello-highlevel'));
});

describe('Migrating from fuse-native: mirror.ts', () => {
  it('mirrors a host directory read-only, passing node:fs results and errors through', async () => {
    const source = await mkdtemp(join(tmpdir(), 'fusekit-docs-source-'));
    try {
      await mkdir(join(source, 'dir'));
      await writeFile(join(source, 'dir', 'file.txt'), 'mirrored\n', { mode: 0o640 });
      await symlink('dir/file.txt', join(source, 'link'));
      await withMount(
        (mp) => mountPaths(createMirror(source), mp),
        async (mp) => {
          expect(await sh(`ls "${mp}" "${mp}/dir"`)).toBe(`${mp}:\ndir\nlink\n\n${mp}/dir:\nfile.txt\n`);
          expect(await sh(`cat "${mp}/link"`)).toBe('mirrored\n');
          expect(await sh(`readlink "${mp}/link"`)).toBe('dir/file.txt\n');
          expect(await sh(`stat -c '%s %a' "${mp}/dir/file.txt"`)).toBe('9 640\n');
          expect(await sh(`stat -c '%Y' "${mp}/dir/file.txt"`)).toBe(await sh(`stat -c '%Y' "${source}/dir/file.txt"`));
          await expect(sh(`cat "${mp}/dir/missing"`)).rejects.toThrow(/No such file or directory/);
          await expect(sh(`echo x >> "${mp}/dir/file.txt"`)).rejects.toThrow(/Read-only file system/);
        },
      );
    } finally {
      await rm(source, { recursive: true, force: true });
    }
  });
});

describe('Concepts: notes-fs.ts', () => {
  it('creates, writes, lists, and keeps an unlinked open file alive until forget', async () => {
    const notes = createNotesFs();
    await withMount(
      (mp) => mount(notes.ops, mp),
      async (mp) => {
        await sh(`printf 'first' > "${mp}/a"; printf 'second' > "${mp}/b"`);
        expect(await sh(`cat "${mp}/a" "${mp}/b"`)).toBe('firstsecond');
        expect(await sh(`ls -a "${mp}"`)).toBe('.\n..\na\nb\n');
        const result = await node<{ before: string; after: string; listed: string[] }>(`
        const fd = fs.openSync(${JSON.stringify(`${mp}/a`)}, 'r+');
        fs.unlinkSync(${JSON.stringify(`${mp}/a`)});
        fs.writeSync(fd, 'FIRST', 0);
        const buf = Buffer.alloc(5);
        fs.readSync(fd, buf, 0, 5, 0);
        const listed = fs.readdirSync(${JSON.stringify(mp)});
        fs.closeSync(fd);
        print({ before: 'first', after: buf.toString(), listed });
      `);
        expect(result).toEqual({ before: 'first', after: 'FIRST', listed: ['b'] });
        // After the last close the kernel forgets the inode, and only then is it freed.
        await until(() => notes.inodeCount() === 1);
        // The freed number is reused for the next file, with a new generation.
        await sh(`printf 'third' > "${mp}/c"`);
        expect(await sh(`stat -c %i "${mp}/c"`)).toBe(`2\n`);
      },
    );
  });

  it('lists every entry exactly once while entries are removed during the listing', async () => {
    const notes = createNotesFs();
    await withMount(
      (mp) => mount(notes.ops, mp),
      async (mp) => {
        await sh(`cd "${mp}" && for i in $(seq 1 300); do : > "file-$i"; done`);
        const seen = await node<string[]>(`
        const dir = fs.opendirSync(${JSON.stringify(mp)}, { bufferSize: 32 });
        const names = [];
        for (let e; (e = dir.readSync()) !== null; ) {
          names.push(e.name);
          if (names.length === 10) for (let i = 1; i <= 5; i++) fs.unlinkSync(${JSON.stringify(mp)} + '/file-' + i);
        }
        dir.closeSync();
        print(names);
      `);
        expect(new Set(seen).size).toBe(seen.length);
        for (let i = 6; i <= 300; i++) expect(seen).toContain(`file-${i}`);
      },
    );
  });
});

describe('Concepts: live-file.ts', () => {
  it('serves cached reads, and fresh content after invalidateInode', async () => {
    let live: Awaited<ReturnType<typeof mountLiveFile>> | undefined;
    await withMount(
      async (mp) => (live = await mountLiveFile(mp)).session,
      async (mp) => {
        expect(await sh(`cat "${mp}/status"`)).toBe('one\n');
        await live!.update('two, and longer\n');
        expect(await sh(`cat "${mp}/status"`)).toBe('two, and longer\n');
        await live!.update('3\n');
        expect(await sh(`cat "${mp}/status"`)).toBe('3\n');
      },
    );
  });
});

describe('Concepts: interrupts.ts', () => {
  it('aborts a slow read when the reader is killed', async () => {
    const slow = createSlowFs(30_000);
    await withMount(
      (mp) => mount(slow.ops, mp),
      async (mp) => {
        const started = Date.now();
        const reader = run('timeout', ['-s', 'INT', '0.5', 'cat', `${mp}/slow`], { timeoutMs: 20_000 });
        const result = await reader;
        expect(result.code).not.toBe(0);
        expect(Date.now() - started).toBeLessThan(15_000);
        await until(() => slow.interruptions() === 1);
      },
    );
  });
});

describe('Mount options: mount-options.ts', () => {
  it('mounts with the chosen name, type and options', async () => {
    const notes = createNotesFs();
    await withMount(
      (mp) => mountTuned(notes.ops, mp),
      async (mp) => {
        const m = await findMount(mp);
        expect(m?.fstype).toBe('fuse.notes');
        expect(m?.source).toBe('notes');
        const options = await sh(`findmnt -n -o OPTIONS --target "${mp}"`);
        expect(options).toMatch(/noatime/);
        expect(options).toMatch(/default_permissions/);
        await sh(`printf 'hello' > "${mp}/x"; test "$(cat "${mp}/x")" = hello`);
      },
    );
  });
});

describe('CLI guide: memory-library.ts', () => {
  it('mounts fs-memory as a library, within its size limit', async () => {
    let memory: Awaited<ReturnType<typeof mountScratch>>['memory'] | undefined;
    await withMount(
      async (mp) => {
        const mounted = await mountScratch(mp);
        memory = mounted.memory;
        return mounted.session;
      },
      async (mp) => {
        expect((await findMount(mp))?.source).toBe('scratch');
        await sh(`head -c 1048576 /dev/zero > "${mp}/one-mib"`);
        expect(memory!.usage().bytes).toBeGreaterThanOrEqual(1024 * 1024);
        expect((await sh(`df -B1 --output=size "${mp}" | tail -1`)).trim()).toBe(String(64 * 1024 * 1024));
        expect(await sh(`stat -c %a "${mp}"`)).toBe('1777\n');
        await expect(sh(`head -c 70000000 /dev/zero > "${mp}/too-big"`)).rejects.toThrow(/No space left on device/);
      },
    );
  });
});

describe('CLI guide: audited-passthrough.ts', () => {
  it('mirrors a host directory through a PassthroughFs subclass and records changes', async () => {
    const source = await mkdtemp(join(tmpdir(), 'fusekit-docs-source-'));
    try {
      await writeFile(join(source, 'a.txt'), 'from the host\n');
      let mounted: Awaited<ReturnType<typeof mountAudited>> | undefined;
      await withMount(
        async (mp) => (mounted = await mountAudited(source, mp)).session,
        async (mp) => {
          expect(await sh(`cat "${mp}/a.txt"`)).toBe('from the host\n');
          await sh(`echo new > "${mp}/b.txt" && mv "${mp}/b.txt" "${mp}/c.txt" && rm "${mp}/a.txt"`);
          expect(await sh(`ls "${source}"`)).toBe('c.txt\n');
          expect(await sh(`cat "${source}/c.txt"`)).toBe('new\n');
          expect(mounted!.audited.log).toEqual(['rename /b.txt /c.txt', 'unlink /a.txt']);
        },
      );
    } finally {
      await rm(source, { recursive: true, force: true });
    }
  });
});
