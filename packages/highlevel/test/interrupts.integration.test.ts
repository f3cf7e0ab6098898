// A path-based filesystem whose methods answer after the kernel's interrupt grace: the client is
// freed in bounded time, and the late answers leave no node or open file behind. Trace records
// carry paths.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { node, withMount } from '@fusekit/test-harness';
import type { TraceRecord } from '@fusekit/lowlevel';
import { FuseError, mount, type Attributes, type FileSystem } from '../src/index.js';
import { until } from './helpers.js';

const DIR: Attributes = { mode: 0o40755, nlink: 2 };
const FILE: Attributes = { mode: 0o100644, nlink: 1, size: 4 };

describe('interrupted requests (highlevel)', () => {
  it('late answers to killed clients leave the node table and open files as they were', async () => {
    const held: ((settle: () => void) => void)[] = [];
    const pending: (() => void)[] = [];
    // Each slow method waits until the test lets it go.
    const later = <T>(value: T) =>
      new Promise<T>((resolve) => {
        const go = () => resolve(value);
        const take = held.shift();
        if (take !== undefined) take(go);
        else pending.push(go);
      });
    const nextHeld = () =>
      new Promise<() => void>((resolve) => {
        const go = pending.shift();
        if (go !== undefined) resolve(go);
        else held.push(resolve);
      });
    let released = 0;
    let created = false;
    const fs: FileSystem<number> = {
      getattr: (path) => {
        if (path === '/') return DIR;
        if (path === '/slow') return later(FILE);
        if (path === '/open' || (path === '/new' && created)) return FILE;
        throw new FuseError('ENOENT');
      },
      open: () => (released === 0 ? later(7) : 9),
      create: () => {
        created = true;
        return later(8);
      },
      read: () => Buffer.from('data'),
      release: () => {
        released++;
      },
    };
    await withMount(
      (mp) =>
        mount(fs, mp, {
          attrTimeout: 0,
          entryTimeout: 0,
          interruptGraceMs: 200,
          logger: { error: () => undefined, warn: () => undefined },
        }),
      async (mp, session) => {
        const killed = async (code: string) => {
          const { LD_PRELOAD: _preload, FUSEKIT_ADDON: _addon, ...env } = process.env;
          const child = spawn('python3', ['-c', `import os\n${code}`], { stdio: 'ignore', env });
          const exited = new Promise((r) => child.on('exit', r));
          const go = await nextHeld();
          child.kill('SIGKILL');
          await exited;
          go();
        };
        await killed(`os.stat(${JSON.stringify(`${mp}/slow`)})`); // lookup answers after the grace
        await killed(`os.open(${JSON.stringify(`${mp}/open`)}, os.O_RDONLY)`); // open
        await killed(`os.open(${JSON.stringify(`${mp}/new`)}, os.O_CREAT | os.O_WRONLY, 0o644)`); // create
        // Each late entry was forgotten and each late handle released: only the root and what
        // the kernel itself still knows (the lookup of /open the open went through) remain.
        await until(() => released === 2 && session.openFiles === 0, 'late handles released');
        await until(() => session.nodes <= 2, 'late lookups forgotten');
        // Served as usual afterwards.
        const r = await node<string>(`print(fs.readFileSync('${mp}/open', 'utf8'))`);
        expect(r).toBe('data');
      },
    );
  });

  it('trace records carry the path of what they are about', async () => {
    const records: TraceRecord[] = [];
    const fs: FileSystem = {
      getattr: (path) => {
        if (path === '/' || path === '/d') return DIR;
        if (path === '/d/f') return FILE;
        throw new FuseError('ENOENT');
      },
    };
    await withMount(
      (mp) => mount(fs, mp, { attrTimeout: 0, entryTimeout: 0, trace: (r) => void records.push(r) }),
      async (mp) => {
        await node(`attempt(() => fs.statSync('${mp}/d/f')); attempt(() => fs.statSync('${mp}/d/nothing'));`);
      },
    );
    expect(records.find((r) => r.op === 'lookup' && r.name === 'd')).toMatchObject({ path: '/d', result: 'ok' });
    expect(records.find((r) => r.op === 'lookup' && r.name === 'f')).toMatchObject({ path: '/d/f', result: 'ok' });
    expect(records.find((r) => r.op === 'lookup' && r.name === 'nothing')).toMatchObject({ path: '/d/nothing', result: 'ENOENT' });
  });
});
