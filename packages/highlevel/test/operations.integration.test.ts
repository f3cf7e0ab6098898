import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { node, sh, withMount } from '@fusekit/test-harness';
import { FuseError, mount } from '../src/index.js';
import { MirrorFs } from './fixtures/mirror-fs.js';

let host = '';
beforeEach(async () => {
  host = await mkdtemp(join(tmpdir(), 'fusekit-hl-host-'));
});
afterEach(async () => {
  await rm(host, { recursive: true, force: true });
});

describe('a node:fs mirror through the kernel', () => {
  it('works with node:fs results and errors passed through as they are', async () => {
    await writeFile(join(host, 'seed'), 'seed\n');
    await withMount(
      (mp) => mount(new MirrorFs(host), mp),
      async (mp) => {
        const out = await sh(`
        cd "${mp}"
        cat seed
        mkdir -p d/e
        echo one > d/e/f
        echo two >> d/e/f
        mv d/e/f d/g
        ln d/g d/h
        ln -s g d/s
        readlink d/s
        chmod 640 d/g
        truncate -s 3 d/h
        touch -m -d '2001-02-03 04:05:06.123456 UTC' d/g
        stat -c '%s %a %h %Y %y' d/g | sed 's/ +0000//'
        cat d/s; echo
        rm d/h
        rmdir d/e
        ls d
        df -P . | tail -1 | awk '{print ($2 > 0)}'
      `);
        expect(out.split('\n')).toEqual(['seed', 'g', '3 640 2 981173106 2001-02-03 04:05:06.123456000', 'one', 'g', 's', '1', '']);
        expect(await readFile(join(host, 'd/g'), 'utf8')).toBe('one');
        // Errors from node:fs keep their errno; what the FileSystem lacks is ENOSYS.
        await expect(sh(`cat "${mp}/missing"`)).rejects.toThrow(/No such file or directory/);
        await expect(sh(`mkdir "${mp}/x" && touch "${mp}/x/y" && rmdir "${mp}/x"`)).rejects.toThrow(/Directory not empty/);
        await expect(sh(`mkfifo "${mp}/fifo"`)).rejects.toThrow(/Function not implemented/);
        await expect(sh(`mv -T "${mp}/x" "${mp}/d"`)).rejects.toThrow(/Directory not empty/);
        await sh(`rm "${mp}/x/y" && rmdir "${mp}/x"`);
        expect((await readdir(host)).sort()).toEqual(['d', 'seed']);
      },
    );
  });

  it("[tmpfile] [statx] opens O_TMPFILE files and answers statx with the host's birth time", async () => {
    await writeFile(join(host, 'born'), 'x');
    await withMount(
      (mp) => mount(new MirrorFs(host), mp),
      async (mp) => {
        const out = await sh(`python3 -c '
import os
fd = os.open("${mp}", os.O_TMPFILE | os.O_RDWR, 0o600)
os.write(fd, b"unnamed")
print(os.pread(fd, 100, 0).decode(), os.fstat(fd).st_nlink, os.fstat(fd).st_size, sorted(os.listdir("${mp}")))
os.close(fd)'`);
        expect(out).toBe("unnamed 0 7 ['born']\n");
        expect(await sh(`stat -c %W "${mp}/born"`)).toBe(await sh(`stat -c %W "${host}/born"`));
        expect(await sh(`stat -c %W "${mp}/born"`)).not.toBe('0\n');
      },
    );
  });

  it('round-trips names that are not UTF-8 with namesAsBuffers', async () => {
    const name = Buffer.from([0x66, 0xff, 0xfe]);
    await withMount(
      (mp) => mount(new MirrorFs<Buffer>(host), mp, { namesAsBuffers: true }),
      async (mp) => {
        const listed = await node<string[]>(`
        const dir = Buffer.from(${JSON.stringify(mp)} + '/');
        fs.writeFileSync(Buffer.concat([dir, Buffer.from(${JSON.stringify([...name])})]), 'bytes');
        print(fs.readdirSync(${JSON.stringify(mp)}, { encoding: 'buffer' }).map((b) => b.toString('hex')));
      `);
        expect(listed).toEqual([name.toString('hex')]);
        const onHost = await readdir(host, { encoding: 'buffer' });
        expect(onHost.map((b) => b.toString('hex'))).toEqual([name.toString('hex')]);
        expect(await readFile(Buffer.concat([Buffer.from(`${host}/`), name]), 'utf8')).toBe('bytes');
      },
    );
  });

  it('hides an unlinked open file under a Buffer name with hideOnUnlink, and removes it at release', async () => {
    await writeFile(join(host, 'f'), 'kept');
    await withMount(
      (mp) => mount(new MirrorFs<Buffer>(host), mp, { namesAsBuffers: true, hideOnUnlink: true }),
      async (mp, session) => {
        const result = await node<{ read: string; listed: string[]; onHost: string[] }>(`
        const fd = fs.openSync(${JSON.stringify(mp)} + '/f', 'r');
        fs.unlinkSync(${JSON.stringify(mp)} + '/f');
        const onHost = fs.readdirSync(${JSON.stringify(host)});
        const listed = fs.readdirSync(${JSON.stringify(mp)});
        const b = Buffer.alloc(10);
        const n = fs.readSync(fd, b, 0, 10, 0);
        fs.closeSync(fd);
        print({ read: b.subarray(0, n).toString(), listed, onHost });
      `);
        expect(result.read).toBe('kept');
        expect(result.listed).toEqual([]);
        expect(result.onHost).toHaveLength(1);
        expect(result.onHost[0]).toMatch(/^\.fuse_hidden[0-9a-f]{16}$/);
        const deadline = Date.now() + 10_000;
        while ((session.openFiles > 0 || (await readdir(host)).length > 0) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        expect(await readdir(host)).toEqual([]);
      },
    );
  });

  it('answers EIO for an error without an errno, logs it, and keeps serving', async () => {
    const logged: string[] = [];
    const fs = new MirrorFs(host);
    const broken = Object.assign(Object.create(fs) as MirrorFs, {
      getattr: (path: string | null, handle: FileHandle | undefined) =>
        path === '/boom' ? Promise.reject(new Error('boom')) : fs.getattr(path, handle),
    });
    await withMount(
      (mp) => mount(broken, mp, { logger: { error: (m) => logged.push(m) } }),
      async (mp) => {
        await expect(sh(`stat "${mp}/boom"`)).rejects.toThrow(/Input\/output error/);
        await expect(sh(`stat -c %F "${mp}"`)).resolves.toBe('directory\n');
        expect(logged.some((m) => m.includes('lookup'))).toBe(true);
      },
    );
  });

  it('answers with a negative entry cache when asked (negativeTimeout)', async () => {
    let lookups = 0;
    const fs = new MirrorFs(host);
    const counting = Object.assign(Object.create(fs) as MirrorFs, {
      getattr: (path: string | null, handle: FileHandle | undefined) => {
        if (path === '/nothing') lookups++;
        return fs.getattr(path, handle);
      },
    });
    await withMount(
      (mp) => mount(counting, mp, { negativeTimeout: 30 }),
      async (mp) => {
        await sh(`for i in 1 2 3 4 5; do stat "${mp}/nothing" 2>/dev/null || true; done`);
        expect(lookups).toBe(1);
      },
    );
  });

  it("reports the backend's inode numbers with useIno, which stay when the kernel forgets a file and looks it up again", async () => {
    await writeFile(join(host, 'f'), 'x');
    await mkdir(join(host, 'd'));
    const hostInos = `${(await stat(join(host, 'f'))).ino}\n${(await stat(join(host, 'd'))).ino}\n`;
    for (const useIno of [true, false]) {
      await withMount(
        (mp) => mount(new MirrorFs<string>(host), mp, { useIno }),
        async (mp) => {
          const before = await sh(`stat -c %i ${mp}/f ${mp}/d`);
          await sh('echo 2 > /proc/sys/vm/drop_caches; sleep 0.2');
          const after = await sh(`stat -c %i ${mp}/f ${mp}/d`);
          if (useIno) {
            expect([before, after]).toEqual([hostInos, hostInos]);
            const dIno = hostInos.split('\n')[1];
            expect(await sh(`ls -ai ${mp}/d | awk '$2 == "." { print $1 }'`)).toBe(`${dIno}\n`);
          } else {
            // Node ids: the forgotten nodes came back as new ones.
            expect(after).not.toBe(before);
            expect(before).not.toBe(hostInos);
          }
        },
      );
    }
  });

  it('raises FuseError codes as errno', async () => {
    const fs = {
      getattr: () => {
        throw new FuseError('EACCES');
      },
    };
    await withMount(
      (mp) => mount(fs, mp),
      async (mp) => {
        await expect(sh(`stat "${mp}/x"`)).rejects.toThrow(/Permission denied/);
      },
    );
  });
});
