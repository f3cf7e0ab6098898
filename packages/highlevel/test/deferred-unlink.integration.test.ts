import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { node } from '@fusekit/test-harness';
import { until, withMemoryFs } from './helpers.js';

// Runs in a child process: the serving process never touches its own mount.
const unlinkWhileOpen = (mp: string) => `
  const p = ${JSON.stringify(mp)} + '/f';
  const fd = fs.openSync(p, 'r+');
  fs.unlinkSync(p);
  const exists = fs.existsSync(p);
  const listedWhileOpen = fs.readdirSync(${JSON.stringify(mp)});
  fs.writeSync(fd, 'hello world', 0);
  const buf = Buffer.alloc(11);
  fs.readSync(fd, buf, 0, 11, 0);
  const size1 = fs.fstatSync(fd).size;
  fs.ftruncateSync(fd, 5);
  const size2 = fs.fstatSync(fd).size;
  const rest = Buffer.alloc(20);
  const n = fs.readSync(fd, rest, 0, 20, 0);
  fs.closeSync(fd);
  print({ exists, listedWhileOpen, read: buf.toString(), size1, size2, after: rest.subarray(0, n).toString() });
`;

const expected = { exists: false, listedWhileOpen: ['other'], read: 'hello world', size1: 11, size2: 5, after: 'hello' };

describe('deferred unlink through the kernel', () => {
  it.each([false, true])(
    'keeps an unlinked open file working (read, write, fstat, ftruncate) and frees it at release (nullPath: %s)',
    async (nullPath) => {
      await withMemoryFs(
        {},
        { nullPath },
        (fs) => {
          fs.put('/f', 'original');
          fs.put('/other');
        },
        async (mp, fs, session) => {
          expect(await node(unlinkWhileOpen(mp))).toEqual(expected);
          await until(() => session.openFiles === 0, 'the release');
          // The backend really unlinked it: no hidden name anywhere.
          expect([...fs.root.entries.keys()]).toEqual(['other']);
          // Released and forgotten, the unlinked node leaves the table (the root and 'other' may stay).
          await until(() => session.nodes <= 2, 'the unlinked node to be forgotten');
        },
      );
    },
  );

  it('with hideOnUnlink, keeps the file under a hidden name invisible through the mount, removed at release', async () => {
    // pathOnly: getattr/truncate only work by path, as for a backend that cannot keep unlinked files.
    await withMemoryFs(
      { pathOnly: true },
      { hideOnUnlink: true },
      (fs) => {
        fs.put('/f', 'original');
        fs.put('/other');
      },
      async (mp, fs, session) => {
        const child = node(
          unlinkWhileOpen(mp)
            .replace(
              'fs.closeSync(fd);',
              `
        const hiddenSeen = fs.readdirSync(${JSON.stringify(mp)}).filter((n) => n.startsWith('.fuse_hidden'));
        fs.closeSync(fd);
      `,
            )
            .replace('print({', 'print({ hiddenSeen, '),
        );
        const result = await child;
        expect(result).toEqual({ ...expected, hiddenSeen: [] });
        await until(() => session.openFiles === 0, 'the release');
        await until(() => fs.root.entries.size === 1, 'the hidden file to be removed');
        expect([...fs.root.entries.keys()]).toEqual(['other']);
      },
    );
  });

  it('hides a renamed-over open file in the backend while it is open (hideOnUnlink)', async () => {
    await withMemoryFs(
      { pathOnly: true },
      { hideOnUnlink: true },
      (fs) => {
        fs.put('/x', 'old');
        fs.put('/y', 'new');
      },
      async (mp, fs, session) => {
        const go = join(tmpdir(), `fusekit-hl-go-${process.pid}-${Date.now()}`);
        const hiddenInBackend = () => [...fs.root.entries.keys()].filter((n) => n.startsWith('.fuse_hidden'));
        let sawHidden: string[] = [];
        const child = node(`
        const mp = ${JSON.stringify(mp)};
        const fd = fs.openSync(mp + '/x', 'r+');
        fs.renameSync(mp + '/y', mp + '/x');
        const size = fs.fstatSync(fd).size;
        const b = Buffer.alloc(10);
        const n = fs.readSync(fd, b, 0, 10, 0);
        const list = fs.readdirSync(mp);
        const now = fs.readFileSync(mp + '/x', 'utf8');
        // Stay open until the test has seen the hidden file in the backend.
        const deadline = Date.now() + 20000;
        while (!fs.existsSync(${JSON.stringify(go)}) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        fs.closeSync(fd);
        print({ size, viaFd: b.subarray(0, n).toString(), list, now });
      `);
        try {
          await until(() => (sawHidden = hiddenInBackend()).length > 0, 'the hidden file in the backend');
        } finally {
          await writeFile(go, '');
        }
        expect(await child).toEqual({ size: 3, viaFd: 'old', list: ['x'], now: 'new' });
        expect(sawHidden).toHaveLength(1);
        await until(() => session.openFiles === 0, 'the release');
        await until(() => hiddenInBackend().length === 0, 'the hidden file to be removed');
        expect([...fs.root.entries.keys()]).toEqual(['x']);
        await rm(go, { force: true });
      },
    );
  });

  it('keeps a renamed-over open file readable and writable through its descriptor', async () => {
    await withMemoryFs(
      {},
      {},
      (fs) => {
        fs.put('/x', 'old');
        fs.put('/y', 'new');
      },
      async (mp, fs, session) => {
        const result = await node(`
        const mp = ${JSON.stringify(mp)};
        const fd = fs.openSync(mp + '/x', 'r+');
        fs.renameSync(mp + '/y', mp + '/x');
        const b = Buffer.alloc(10);
        const n = fs.readSync(fd, b, 0, 10, 0);
        fs.writeSync(fd, 'OLDER', 0);
        const size = fs.fstatSync(fd).size;
        const now = fs.readFileSync(mp + '/x', 'utf8');
        fs.closeSync(fd);
        print({ viaFd: b.subarray(0, n).toString(), size, now, list: fs.readdirSync(mp) });
      `);
        expect(result).toEqual({ viaFd: 'old', size: 5, now: 'new', list: ['x'] });
        await until(() => session.openFiles === 0, 'the release');
        expect(fs.resolve('/x').data.toString()).toBe('new');
      },
    );
  });
});
