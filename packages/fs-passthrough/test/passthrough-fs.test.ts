// PassthroughFs's choices, no mount.
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createPassthroughFs } from '../src/index.js';
import { isLocalFilesystem } from '../src/options.js';

describe('PassthroughFs options', () => {
  it('makes host calls on the JS thread by default for a local source only', () => {
    // The test machines keep their temporary directory on tmpfs or a local disk.
    expect(isLocalFilesystem(tmpdir())).toBe(true);
    expect(createPassthroughFs(tmpdir()).syncCalls).toBe(true);
    // procfs (a stand-in for a network or FUSE filesystem), and a source that is not there.
    expect(createPassthroughFs('/proc').syncCalls).toBe(false);
    expect(createPassthroughFs('/nonexistent-source').syncCalls).toBe(false);
    expect(createPassthroughFs(tmpdir(), { syncCalls: false }).syncCalls).toBe(false);
    expect(createPassthroughFs('/proc', { syncCalls: true }).syncCalls).toBe(true);
  });
});

describe('host calls', () => {
  it('throw like node:fs when synchronous helper calls fail, without building an Error each time', async () => {
    const { syncHost } = await import('../src/host.js');
    const missing = () => {
      try {
        syncHost.getxattr(Buffer.from(tmpdir()), Buffer.from('user.missing'));
      } catch (error) {
        return error;
      }
    };
    const error = missing();
    expect(error).toMatchObject({ code: 'ENODATA', errno: -61 });
    expect(missing()).toBe(error);
  });
});

describe('readdirEncoded', () => {
  it('answers readdirplus with names and types, and attributes where the server may look (x)', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, mkdirSync, rmSync, writeFileSync, chmodSync } = await import('node:fs');
    const { join } = await import('node:path');
    const source = mkdtempSync(join(tmpdir(), 'fusekit-pt-readdir-'));
    try {
      chmodSync(source, 0o755);
      mkdirSync(join(source, 'd'));
      writeFileSync(join(source, 'd', 'f'), 'x');
      const list = (user: string[]) =>
        execFileSync(
          user[0]!,
          [
            ...user.slice(1),
            process.execPath,
            '--input-type=module',
            '-e',
            `
        const { createPassthroughFs } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
        const fs = createPassthroughFs(${JSON.stringify(source)}, { syncCalls: true });
        const out = [];
        const listing = {
          plus: true, useIno: true, room: 4096, hidden: [],
          add: (name, a) => out.push([name.toString(), Number(a.mode) & 0o170000, Number(a.size)]),
          addName: (name, _ino, mode) => out.push([name.toString(), mode, null]),
        };
        const fd = fs.opendir(Buffer.from('/d')).handle;
        fs.readdirEncoded(null, 0, fd, listing);
        fs.releasedir(null, fd);
        console.log(JSON.stringify(out.filter(([name]) => name !== '.' && name !== '..')));
      `,
          ],
          { encoding: 'utf8' },
        );
      const S_IFREG = 0o100000;
      expect(JSON.parse(list(['env']))).toEqual([['f', S_IFREG, 1]]);
      // As a user who may read the directory but not search it, lstat fails: names and types alone.
      chmodSync(join(source, 'd'), 0o744);
      if (process.getuid?.() === 0)
        expect(JSON.parse(list(['setpriv', '--reuid=1000', '--regid=1000', '--clear-groups']))).toEqual([['f', S_IFREG, null]]);
    } finally {
      rmSync(source, { recursive: true, force: true });
    }
  });
});
