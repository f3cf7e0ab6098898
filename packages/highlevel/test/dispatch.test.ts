// The dispatcher driven directly, without a mount: ordering of conflicting requests, lookup
// counting of readdirplus, ENOSYS and error pass-through.
import { describe, expect, it } from 'vitest';
import type { DirectoryReply, Entry, RequestContext } from '@fusekit/lowlevel';
import { Dispatcher } from '../src/dispatch.js';
import type { Attributes, FileSystem } from '../src/filesystem.js';
import { stringNames } from '../src/names.js';

const ctx = { pid: 1, uid: 0, gid: 0 } as unknown as RequestContext;
const tick = () => new Promise((r) => setImmediate(r));
const DIR = { mode: 0o40755 },
  FILE = { mode: 0o100644 };

/** A promise to settle by hand. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function setup(fs: FileSystem, tree: Record<string, Attributes>) {
  const getattr =
    fs.getattr ?? ((path: string | null) => tree[path!] ?? Promise.reject(Object.assign(new Error('no'), { code: 'ENOENT' })));
  const d = new Dispatcher({ ...fs, getattr }, stringNames, {});
  return d;
}

describe('Dispatcher', () => {
  it('runs unrelated requests concurrently, and holds a rename of an ancestor until a request below it is done', async () => {
    const tree: Record<string, Attributes> = { '/a': DIR, '/a/x': FILE, '/b': DIR, '/b/y': FILE, '/c': DIR, '/c/x': FILE };
    const slow = deferred<Attributes>();
    const events: string[] = [];
    let holdX = false;
    const d = setup(
      {
        getattr: (path) => {
          if (path === '/a/x' && holdX) {
            events.push('getattr /a/x start');
            return slow.promise;
          }
          return tree[path!]!;
        },
        rename: (from, to) => {
          events.push(`rename ${from} ${to}`);
        },
      },
      tree,
    );
    const a = (await d.lookup(1, 'a', ctx)).ino;
    const x = (await d.lookup(a, 'x', ctx)).ino;
    const b = (await d.lookup(1, 'b', ctx)).ino;
    const y = (await d.lookup(b, 'y', ctx)).ino;
    holdX = true;
    const statX = Promise.resolve(d.getattr(x, undefined, ctx)).then(() => events.push('getattr /a/x done'));
    await tick();
    // Unrelated: answered while /a/x is still in the backend.
    await d.getattr(y, undefined, ctx);
    events.push('getattr /b/y done');
    const rename = d.rename(1, 'a', 1, 'c', 0, ctx);
    await tick();
    expect(events).toEqual(['getattr /a/x start', 'getattr /b/y done']);
    slow.resolve(FILE);
    await Promise.all([statX, rename]);
    expect(events).toEqual(['getattr /a/x start', 'getattr /b/y done', 'getattr /a/x done', 'rename /a /c']);
    expect(d.table.path(d.table.get(x)!)).toBe('/c/x');
  });

  it('orders an unlink after a lookup of the same name in flight', async () => {
    const tree: Record<string, Attributes> = { '/f': FILE };
    const slow = deferred<Attributes>();
    const events: string[] = [];
    const d = setup(
      {
        getattr: (path) => {
          events.push(`getattr ${path}`);
          return slow.promise;
        },
        unlink: (path) => {
          events.push(`unlink ${path}`);
          delete tree[path];
        },
      },
      tree,
    );
    const lookup = Promise.resolve(d.lookup(1, 'f', ctx)).then((e) => {
      events.push('lookup done');
      return e;
    });
    const unlink = d.unlink(1, 'f', ctx);
    await tick();
    expect(events).toEqual(['getattr /f']);
    slow.resolve(FILE);
    const entry = await lookup;
    await unlink;
    expect(events).toEqual(['getattr /f', 'lookup done', 'unlink /f']);
    // The kernel holds the lookup: the node lives on without a name.
    expect(d.table.get(entry.ino)?.links).toEqual([]);
  });

  it('counts only the readdirplus entries the reply accepted', async () => {
    const tree: Record<string, Attributes> = { '/d': DIR, '/d/a': FILE, '/d/b': FILE, '/d/c': FILE };
    const d = setup({ readdir: () => ['a', 'b', 'c'].map((name) => ({ name, attributes: FILE })) }, tree);
    const dir = (await d.lookup(1, 'd', ctx)).ino;
    const { fh } = await d.opendir(dir, 0, ctx);
    const accepted: string[] = [];
    const reply = {
      add: (name: string, _e: Entry, _off: number) => {
        if (accepted.length === 4) return false; // '.', '..', 'a', 'b' fit
        accepted.push(name);
        return true;
      },
    } as unknown as DirectoryReply<Entry>;
    await d.readdir(0, fh, reply, true, ctx);
    expect(accepted).toEqual(['.', '..', 'a', 'b']);
    const node = d.table.get(dir)!;
    expect([...node.children!.keys()].sort()).toEqual(['a', 'b']);
    expect(node.children!.get('a')!.lookups).toBe(1);
    expect(d.table.size).toBe(4); // root, d, a, b
  });

  it('asks for attributes given as a function only for readdirplus, and lists the name alone when they fail', async () => {
    const tree: Record<string, Attributes> = { '/d': DIR };
    const asked: string[] = [];
    const attributes = (name: string) => () => {
      asked.push(name);
      if (name === 'gone') throw Object.assign(new Error('gone'), { code: 'ENOENT' });
      return name === 'none' ? undefined : FILE;
    };
    const d = setup({ readdir: () => ['f', 'gone', 'none'].map((name) => ({ name, mode: 0o100000, attributes: attributes(name) })) }, tree);
    const dir = (await d.lookup(1, 'd', ctx)).ino;
    const list = async (plus: boolean) => {
      const { fh } = await d.opendir(dir, 0, ctx);
      const added: [string, number, string][] = [];
      const reply = {
        add: (name: string, e: Entry) => {
          added.push([name, e.mode, 'add']);
          return true;
        },
        addName: (name: string, e: { mode: number }) => {
          added.push([name, e.mode, 'name']);
          return true;
        },
      } as unknown as DirectoryReply<Entry>;
      await d.readdir(0, fh, reply, plus, ctx);
      await d.fileOps.releasedir(fh, ctx);
      return added.slice(2); // after '.' and '..'
    };
    expect(await list(false)).toEqual([
      ['f', 0o100000, 'add'],
      ['gone', 0o100000, 'add'],
      ['none', 0o100000, 'add'],
    ]);
    expect(asked).toEqual([]); // plain readdir: no stat per entry
    expect(await list(true)).toEqual([
      ['f', 0o100644, 'add'],
      ['gone', 0o100000, 'name'],
      ['none', 0o100000, 'name'],
    ]);
    expect(asked).toEqual(['f', 'gone', 'none']);
    expect([...d.table.get(dir)!.children!.keys()]).toEqual(['f']); // only the entry sent with attributes is counted
  });

  it('registers only what the FileSystem implements (the rest is ENOSYS in the kernel)', () => {
    const ops = new Dispatcher({ getattr: () => FILE }, stringNames, {}).operations();
    // statx comes with getattr: birth times are part of its answers.
    expect(Object.keys(ops).sort()).toEqual([
      'destroy',
      'forget',
      'getattr',
      'init',
      'lookup',
      'open',
      'opendir',
      'release',
      'releasedir',
      'statx',
    ]);
    const more = new Dispatcher({ getattr: () => FILE, truncate: () => undefined, readdir: () => [] }, stringNames, {
      readdirplus: false,
    }).operations();
    expect(more.setattr).toBeDefined();
    expect(more.readdir).toBeDefined();
    expect(more.readdirplus).toBeUndefined();
  });

  it('answers ENOSYS for a setattr part the FileSystem lacks, and passes errors through as they are', async () => {
    const error = Object.assign(new Error('denied'), { code: 'EACCES' });
    const tree: Record<string, Attributes> = { '/f': FILE };
    const d = setup(
      {
        truncate: () => {
          throw error;
        },
      },
      tree,
    );
    const f = (await d.lookup(1, 'f', ctx)).ino;
    await expect(Promise.resolve().then(() => d.setattr(f, { mode: 0o600 }, undefined, ctx))).rejects.toMatchObject({ code: 'ENOSYS' });
    await expect(Promise.resolve().then(() => d.setattr(f, { size: 0 }, undefined, ctx))).rejects.toBe(error);
  });

  it('passes a setattr that changes nothing (or only ctime) on as chown(path, -1, -1), which clears setuid', async () => {
    const tree: Record<string, Attributes> = { '/f': FILE };
    const chowns: unknown[][] = [];
    const d = setup(
      {
        chown: (path, uid, gid) => {
          chowns.push([path, uid, gid]);
        },
      },
      tree,
    );
    const f = (await d.lookup(1, 'f', ctx)).ino;
    await d.setattr(f, {}, undefined, ctx);
    await d.setattr(f, { ctimeNs: 5n }, undefined, ctx);
    await d.setattr(f, { uid: 7 }, undefined, ctx);
    expect(chowns).toEqual([
      ['/f', -1, -1],
      ['/f', -1, -1],
      ['/f', 7, -1],
    ]);
    // Without chown, nothing to pass on: not ENOSYS.
    await expect(Promise.resolve(setup({}, { '/': DIR }).setattr(1, {}, undefined, ctx))).resolves.toMatchObject({ ino: 1 });
  });

  it('passes the handle to operations on an open file, and null as its path once it is unlinked', async () => {
    const tree: Record<string, Attributes> = { '/f': FILE };
    const seen: unknown[] = [];
    const handle = { name: 'handle' };
    const d = setup(
      {
        open: () => handle,
        unlink: (path) => {
          delete tree[path];
        },
        read: (path, _size, _offset, h) => {
          seen.push([path, h]);
          return Buffer.alloc(0);
        },
      },
      tree,
    );
    const f = (await d.lookup(1, 'f', ctx)).ino;
    const { fh } = await d.open(f, 0, ctx);
    await d.fileOps.read(fh, 10, 0, ctx);
    await d.unlink(1, 'f', ctx);
    await d.fileOps.read(fh, 10, 0, ctx);
    expect(seen).toEqual([
      ['/f', handle],
      [null, handle],
    ]);
    await d.fileOps.release(fh, 0, undefined, ctx);
    d.table.forget(f, 1);
    expect(d.table.size).toBe(1);
  });

  it('serves a listing from an async iterable page by page, and lists again from offset 0', async () => {
    let passes = 0;
    const d = setup(
      {
        readdir: async function* () {
          passes++;
          for (const name of ['a', 'b', 'c', 'd', '.', 'e']) yield name;
        },
      },
      { '/': DIR },
    );
    const { fh } = await d.opendir(1, 0, ctx);
    const page = (room: number) => {
      const names: [string, number][] = [];
      const reply = {
        add: (name: string, _a: unknown, next: number) => {
          if (names.length >= room) return false;
          names.push([name, next]);
          return true;
        },
      } as unknown as DirectoryReply<Entry>;
      return { names, reply };
    };
    const first = page(4);
    await d.readdir(0, fh, first.reply, false, ctx);
    expect(first.names).toEqual([
      ['.', 1],
      ['..', 2],
      ['a', 3],
      ['b', 4],
    ]);
    const second = page(10);
    await d.readdir(4, fh, second.reply, false, ctx);
    expect(second.names.map(([n]) => n)).toEqual(['c', 'd', 'e']); // a listed '.' is not repeated
    expect(passes).toBe(1);
    await d.readdir(0, fh, page(10).reply, false, ctx);
    expect(passes).toBe(2);
    await d.fileOps.releasedir(fh, ctx);
    expect(d.openFiles).toBe(0);
  });

  it('gives up a rename waiting behind a request below it when the kernel interrupts it', async () => {
    const tree: Record<string, Attributes> = { '/a': DIR, '/a/x': FILE };
    const slow = deferred<Attributes>();
    let hold = false;
    let renamed = false;
    const d = setup(
      {
        getattr: (path) => (path === '/a/x' && hold ? slow.promise : tree[path!]!),
        rename: () => {
          renamed = true;
        },
      },
      tree,
    );
    const a = (await d.lookup(1, 'a', ctx)).ino;
    const x = (await d.lookup(a, 'x', ctx)).ino;
    hold = true;
    const stat = d.getattr(x, undefined, ctx);
    const controller = new AbortController();
    const interruptible = { ...ctx, signal: controller.signal } as unknown as RequestContext;
    const rename = d.rename(1, 'a', 1, 'b', 0, interruptible);
    await tick();
    controller.abort();
    await expect(rename).rejects.toMatchObject({ name: 'AbortError' });
    expect(renamed).toBe(false);
    slow.resolve(FILE);
    await stat;
    // Nothing stays locked: the same rename goes through now.
    await d.rename(1, 'a', 1, 'b', 0, ctx);
    expect(renamed).toBe(true);
    expect(d.table.path(d.table.get(x)!)).toBe('/b/x');
  });
});
