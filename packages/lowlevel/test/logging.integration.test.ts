// Logging that survives a storm, and the per-request trace, through the kernel: servers run as
// child processes (their stderr is what is judged), and clients in others.
import { describe, expect, it } from 'vitest';
import { node, spawnFs, withMount, makeMountpoint } from '@fusekit/test-harness';
import { rmdir } from 'node:fs/promises';
import { FuseError, mount, type Operations, type TraceRecord } from '../src/index.js';

const dist = new URL('../dist/index.js', import.meta.url).pathname;

/** A server in a child process: every lookup of a name starting with `x` answers `lookupBody`. */
const server = (mp: string, lookupBody: string, options = '{}') => `
  import { FuseError, mount } from '${dist}';
  const s = await mount({
    lookup: (parent, name) => { if (!name.startsWith('x')) throw new FuseError('ENOENT'); ${lookupBody} },
    getattr: () => ({ ino: 1, mode: 0o40755, nlink: 2 }),
  }, '${mp}', { attrTimeout: 0, entryTimeout: 0, ...${options} });
  process.on('SIGTERM', () => s.close().then(() => process.exit(0)));`;

/** `count` stat()s of distinct missing names from a child process; returns the errno codes seen and the child's pid. */
const statMany = (mp: string, count: number) =>
  node<{ pid: number; codes: Record<string, number> }>(
    `
  const codes = {};
  for (let i = 0; i < ${count}; i++) {
    try { fs.statSync('${mp}/x' + i); } catch (e) { codes[e.code] = (codes[e.code] ?? 0) + 1; }
  }
  print({ pid: process.pid, codes });`,
    { timeoutMs: 120_000 },
  );

async function serve(script: (mp: string) => string, env: NodeJS.ProcessEnv = {}): Promise<{ mp: string; stop(): Promise<string> }> {
  const mp = await makeMountpoint();
  // Not under the sanitizer run's preload, as the harness's run() does; no inherited trace.
  const { FUSEKIT_TRACE: _trace, LD_PRELOAD: _preload, FUSEKIT_ADDON: _addon, ...base } = process.env;
  const fs = await spawnFs(process.execPath, ['--input-type=module', '-e', script(mp)], mp, { env: { ...base, ...env } });
  return {
    mp,
    stop: async () => {
      try {
        expect(await fs.stop('SIGTERM')).toBe(0);
        return fs.output();
      } finally {
        await rmdir(mp).catch(() => undefined);
      }
    },
  };
}

describe('the default logger in a storm', () => {
  it('10,000 throwing requests write a bounded number of stderr lines, with a count of the rest', async () => {
    const s = await serve((mp) => server(mp, `const x = undefined; return x.ino;`));
    let output = '';
    try {
      const { codes } = await statMany(s.mp, 10_000);
      expect(codes).toEqual({ EIO: 10_000 });
    } finally {
      output = await s.stop();
    }
    const lines = output.split('\n').filter((l) => l.length > 0);
    expect(lines.length).toBeLessThan(50);
    // Three in full, with their stack; then the rest counted, flushed when the session closed.
    expect(lines.filter((l) => l.startsWith('fusekit: lookup: handler failed; answered EIO TypeError'))).toHaveLength(3);
    expect(output).toMatch(/at Object\.lookup/);
    expect(output).toMatch(
      /fusekit: lookup: handler failed; answered EIO: 9,997 more \(TypeError: Cannot read properties of undefined \(reading 'ino'\)\) in the last [\d.]+ s/,
    );
  });
});

describe('the per-request trace', () => {
  it('FUSEKIT_TRACE=1 prints one line per request, with its fields', async () => {
    const s = await serve((mp) => server(mp, `throw new FuseError('ENOENT');`), { FUSEKIT_TRACE: '1' });
    let output = '';
    let pid = 0;
    try {
      const r = await statMany(s.mp, 100);
      expect(r.codes).toEqual({ ENOENT: 100 });
      pid = r.pid;
    } finally {
      output = await s.stop();
    }
    const lookups = output.split('\n').filter((l) => l.startsWith('fusekit trace: op=lookup ino=1 name="x'));
    expect(lookups).toHaveLength(100);
    for (const [i, line] of lookups.entries()) {
      expect(line).toMatch(
        new RegExp(`^fusekit trace: op=lookup ino=1 name="x${i}" uid=\\d+ gid=\\d+ pid=${pid} result=ENOENT ms=\\d+\\.\\d{3}$`),
      );
    }
  });

  it('a trace function gets a record for each request: inode, name, handle, offset, size, caller, duration, result', async () => {
    const records: TraceRecord[] = [];
    const data = Buffer.from('0123456789');
    const ops: Operations = {
      lookup: (parent, name) => {
        if (parent === 1 && name === 'file') return { ino: 2, mode: 0o100644, nlink: 1, size: data.length };
        throw new FuseError('ENOENT');
      },
      getattr: (ino) => (ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : { ino: 2, mode: 0o100644, nlink: 1, size: data.length }),
      open: () => ({ fh: 42, directIo: true }),
      read: (_ino, size, offset) => data.subarray(offset, offset + size),
      release: () => undefined,
    };
    await withMount(
      (mp) => mount(ops, mp, { attrTimeout: 0, entryTimeout: 0, trace: (r) => void records.push(r) }),
      async (mp) => {
        const r = await node<{ pid: number; text: string }>(`
        const fd = fs.openSync('${mp}/file', 'r');
        const buf = Buffer.alloc(4);
        fs.readSync(fd, buf, 0, 4, 3);
        fs.closeSync(fd);
        attempt(() => fs.statSync('${mp}/missing'));
        print({ pid: process.pid, text: buf.toString() });`);
        expect(r.text).toBe('3456');
        const mine = records.filter((x) => x.pid === r.pid);
        expect(mine.find((x) => x.op === 'lookup' && x.name === 'file')).toMatchObject({
          ino: 1,
          errno: 0,
          result: 'ok',
          interrupted: false,
          expired: false,
        });
        expect(mine.find((x) => x.op === 'lookup' && x.name === 'missing')).toMatchObject({ ino: 1, errno: 2, result: 'ENOENT' });
        expect(mine.find((x) => x.op === 'open')).toMatchObject({ ino: 2, result: 'ok' });
        expect(mine.find((x) => x.op === 'read')).toMatchObject({ ino: 2, fh: 42, offset: 3, size: 4, result: 'ok' });
        for (const x of mine) expect(x.durationMs).toBeGreaterThanOrEqual(0);
        expect(mine.every((x) => x.uid === process.getuid!())).toBe(true);
      },
    );
    // release comes from the kernel after close(): traced too, with its handle.
    expect(records.find((x) => x.op === 'release')).toMatchObject({ ino: 2, fh: 42, result: 'ok' });
  });
});
