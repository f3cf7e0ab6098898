import { describe, expect, it } from 'vitest';
import { node, sh } from '@fusekit/test-harness';
import { until, withMemoryFs } from './helpers.js';

describe('the tree through the kernel', () => {
  it('keeps files open and being written under a directory that is renamed, twice, and a parent', async () => {
    // pathOnly: fstat is answered by path, so a stale path after the renames would show.
    await withMemoryFs(
      { pathOnly: true },
      {},
      (fs) => {
        fs.dir('/a');
        fs.dir('/a/b');
      },
      async (mp, fs, session) => {
        const result = await node<{ sizes: number[]; expected: number }>(`
        const mp = ${JSON.stringify(mp)};
        let dir = mp + '/a/b';
        const fds = [0, 1, 2].map((i) => fs.openSync(dir + '/f' + i, 'w'));
        let expected = 0;
        for (let round = 0; round < 40; round++) {
          for (const fd of fds) fs.writeSync(fd, 'round' + round + ';');
          expected += ('round' + round + ';').length;
          if (round === 10) { fs.renameSync(mp + '/a', mp + '/c'); dir = mp + '/c/b'; }
          if (round === 20) { fs.renameSync(mp + '/c/b', mp + '/c/d'); dir = mp + '/c/d'; }
          if (round === 30) { fs.mkdirSync(mp + '/e'); fs.renameSync(mp + '/c', mp + '/e/c'); dir = mp + '/e/c/d'; }
        }
        const sizes = fds.map((fd) => fs.fstatSync(fd).size);
        fds.forEach((fd) => fs.closeSync(fd));
        print({ sizes, expected });
      `);
        expect(result.sizes).toEqual([result.expected, result.expected, result.expected]);
        await until(() => session.openFiles === 0, 'the releases');
        for (const i of [0, 1, 2]) {
          expect(fs.resolve(`/e/c/d/f${i}`).data.toString()).toBe(Array.from({ length: 40 }, (_, r) => `round${r};`).join(''));
        }
        expect(await sh(`cat "${mp}/e/c/d/f1" | head -c 14`)).toBe('round0;round1;');
      },
    );
  });

  it('shows hard links across directories as one file (made through the mount or in the backend)', async () => {
    await withMemoryFs(
      {},
      {},
      (fs) => {
        fs.dir('/d1');
        fs.dir('/d2');
        fs.put('/d1/b', 'backend');
      },
      async (mp, fs) => {
        const out = await sh(`
        cd "${mp}"
        echo data > d1/f
        ln d1/f d2/g
        stat -c '%i %h' d1/f d2/g
        echo more >> d2/g
        cat d1/f
        rm d1/f
        stat -c '%h' d2/g
        cat d2/g
      `);
        const [i1, i2, ...rest] = out.trim().split('\n');
        expect(i1).toBe(i2);
        expect(i1).toMatch(/^\d+ 2$/);
        expect(rest).toEqual(['data', 'more', '1', 'data', 'more']);
        // A hard link made behind the mount's back is recognised by its backend identity.
        const b = fs.resolve('/d1/b');
        fs.resolve('/d2').entries.set('b2', b);
        b.nlink++;
        const inodes = (await sh(`stat -c '%i' "${mp}/d1/b" "${mp}/d2/b2"`)).trim().split('\n');
        expect(inodes[0]).toBe(inodes[1]);
      },
    );
  });

  it('never answers a stat with the wrong file during a storm of directory swaps', async () => {
    // Two directories swap names over and over while stats hit paths under them. A path that
    // went stale between resolving and the backend call would answer the other file.
    await withMemoryFs(
      { pathOnly: true, delayMs: 2 },
      {},
      (fs) => {
        fs.dir('/A');
        fs.dir('/B');
        fs.put('/A/f', 'x'.repeat(100));
        fs.put('/B/f', 'y'.repeat(200));
      },
      async (mp, _fs, session) => {
        const storm = node<{ stats: number; fstats: number; wrong: string[] }>(
          `
        const mp = ${JSON.stringify(mp)};
        const fdA = fs.openSync(mp + '/A/f', 'r'), fdB = fs.openSync(mp + '/B/f', 'r');
        const sizeOf = new Map();
        const wrong = [];
        let stats = 0, fstats = 0;
        const end = Date.now() + 3000;
        while (Date.now() < end) {
          if (fs.fstatSync(fdA).size !== 100) wrong.push('fstat A');
          if (fs.fstatSync(fdB).size !== 200) wrong.push('fstat B');
          fstats += 2;
          for (const p of ['/A/f', '/B/f']) {
            try {
              const st = fs.statSync(mp + p);
              stats++;
              const known = sizeOf.get(st.ino);
              if (known === undefined) sizeOf.set(st.ino, st.size);
              else if (known !== st.size) wrong.push(p + ' ino ' + st.ino + ' size ' + st.size);
            } catch (e) { if (e.code !== 'ENOENT') throw e; }
          }
        }
        print({ stats, fstats, wrong: wrong.slice(0, 10) });
      `,
          { timeoutMs: 30_000 },
        );
        // The swaps start only once both files are open: opened mid-swap, /A/f may rightly be the
        // 200-byte file, and the fstat checks below would blame the filesystem for the test's race.
        storm.catch(() => undefined); // if it fails before opening, until() reports it
        await until(() => session.openFiles === 2, 'the storm to open /A/f and /B/f', 20_000);
        const renamer = node<number>(
          `
        const mp = ${JSON.stringify(mp)};
        let swaps = 0;
        const end = Date.now() + 3000;
        while (Date.now() < end) {
          fs.renameSync(mp + '/A', mp + '/T');
          fs.renameSync(mp + '/B', mp + '/A');
          fs.renameSync(mp + '/T', mp + '/B');
          swaps++;
        }
        print(swaps);
      `,
          { timeoutMs: 30_000 },
        );
        const [result, swaps] = await Promise.all([storm, renamer]);
        expect(result.wrong).toEqual([]);
        expect(swaps).toBeGreaterThan(10);
        expect(result.stats).toBeGreaterThan(10);
        expect(result.fstats).toBeGreaterThan(10);
      },
    );
  });

  it('balances readdirplus lookups with forgets: the table returns to its baseline after drop_caches', async () => {
    for (const listAttributes of [true, false]) {
      await withMemoryFs(
        { listAttributes },
        { readdirplus: true, attrTimeout: 30, entryTimeout: 30 },
        (fs) => {
          fs.dir('/many');
          for (let i = 0; i < 300; i++) fs.put(`/many/file${i}`, `${i}`);
        },
        async (mp, fs, session) => {
          const baseline = session.nodes;
          fs.calls.length = 0;
          const listed = await sh(`ls -l "${mp}/many" | tail -n +2 | wc -l`);
          expect(Number(listed)).toBe(300);
          expect(session.nodes).toBeGreaterThanOrEqual(baseline + 300);
          if (listAttributes) {
            // The attributes came with the listing: ls -l needed no lookup or getattr per file.
            expect(fs.calls.filter((p) => p.startsWith('/many/'))).toEqual([]);
          }
          await sh('echo 2 > /proc/sys/vm/drop_caches');
          await until(() => session.nodes === baseline, `the table to return to ${baseline} nodes (has ${session.nodes})`);
          expect(session.openFiles).toBe(0);
        },
      );
    }
  });
});
