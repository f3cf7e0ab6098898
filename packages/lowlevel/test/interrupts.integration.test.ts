// Interrupted requests end in bounded time (MountOptions.interruptGraceMs): a client blocked on a
// handler that never settles is freed by SIGINT or SIGKILL within the grace, the handler's late
// answer is dropped (and what it would have handed the kernel undone), and the session goes on.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rmdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { makeMountpoint, withMount } from '@fusekit/test-harness';
import { FuseError, mount, type Attr, type Entry, type MountOptions, type Operations } from '../src/index.js';

const ROOT: Attr = { ino: 1, mode: 0o40755, nlink: 2 };
const SLOW = 2; // a file whose reads wait for the test
const OTHER = 3; // a file answered at once
const fileAttr = (ino: number): Entry => ({ ino, mode: 0o100644, nlink: 1, size: 4, attrTimeout: 0, entryTimeout: 0 });

interface Held<T> {
  ino: number;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A filesystem whose slow requests wait until the test settles them, and that counts lookups, forgets and releases. */
function holdingFs() {
  const waiters: ((held: Held<unknown>) => void)[] = [];
  const queue: Held<unknown>[] = [];
  const hold = <T>(ino: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const held = { ino, resolve, reject } as Held<unknown>;
      const waiter = waiters.shift();
      if (waiter !== undefined) waiter(held);
      else queue.push(held);
    });
  /** The next request that waits (in arrival order). */
  const next = <T>(): Promise<Held<T>> => {
    const held = queue.shift();
    if (held !== undefined) return Promise.resolve(held as Held<T>);
    return new Promise((resolve) => waiters.push(resolve as (held: Held<unknown>) => void));
  };
  const given = new Map<number, number>();
  const forgotten = new Map<number, number>();
  const released: [number, number][] = [];
  const give = (e: Entry): Entry => {
    given.set(e.ino, (given.get(e.ino) ?? 0) + 1);
    return e;
  };
  const ops: Operations = {
    lookup: (parent, name) => {
      if (parent !== 1) throw new FuseError('ENOENT');
      if (name === 'slow') return give(fileAttr(SLOW));
      if (name === 'other') return give(fileAttr(OTHER));
      const late = /^late(\d+)$/.exec(String(name));
      if (late !== null) return hold<Entry>(Number(late[1])).then(give);
      throw new FuseError('ENOENT');
    },
    forget: (ino, n) => {
      forgotten.set(ino, (forgotten.get(ino) ?? 0) + n);
    },
    getattr: (ino) => (ino === 1 ? ROOT : fileAttr(ino)),
    open: (ino) => (ino === OTHER ? { directIo: true, fh: 100 + ino } : hold<{ directIo: boolean; fh: number }>(ino)),
    read: (ino, size, offset) => (ino === OTHER ? Buffer.from('data').subarray(offset, offset + size) : hold<Buffer>(ino)),
    release: (ino, fh) => {
      released.push([ino, fh ?? -1]);
    },
    create: (_parent, name) => {
      const n = Number(/^new(\d+)$/.exec(String(name))?.[1] ?? NaN);
      if (!Number.isInteger(n)) throw new FuseError('EACCES');
      return hold<Entry & { fh: number }>(n).then(give);
    },
  };
  return { ops, next, given, forgotten, released };
}

interface Client {
  child: ChildProcess;
  output(): string;
  /** Resolves at the client's exit with how it ended and when (performance.now()). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** A Python client: `SIG_DFL` for SIGINT, as a shell command run by `timeout -s INT` has it. */
function client(code: string): Client {
  // Not under the sanitizer run's preload, as the harness's run() does.
  const { LD_PRELOAD: _preload, FUSEKIT_ADDON: _addon, ...env } = process.env;
  const child = spawn('python3', ['-c', `import os, signal, sys\nsignal.signal(signal.SIGINT, signal.SIG_DFL)\n${code}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.on('exit', (c, s) => resolve({ code: c, signal: s, at: performance.now() }));
  });
  return { child, output: () => out, exited };
}

/** Kills what is still running (a client still blocked in the kernel is freed when the mount goes). */
function reap(clients: Client[]): void {
  for (const c of clients) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
}

/** The scheduler state of a process ('S', 'D' …), or undefined once it is gone. */
async function state(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.[0];
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

function mountHolding(extra: MountOptions = {}) {
  const fs = holdingFs();
  const warnings: string[] = [];
  const errors: [string, unknown][] = [];
  const options: MountOptions = {
    attrTimeout: 0,
    entryTimeout: 0,
    logger: { error: (m, e) => void errors.push([m, e]), warn: (m) => void warnings.push(m) },
    ...extra,
  };
  return { fs, warnings, errors, mountFn: (mp: string) => mount(fs.ops, mp, options) };
}

const readSlow = (mp: string) => `fd = os.open(${JSON.stringify(`${mp}/slow`)}, os.O_RDONLY)\nos.read(fd, 4)\nprint('read returned')`;

describe('interrupted requests end in bounded time', () => {
  it.each(['SIGINT', 'SIGKILL'] as const)(
    '%s frees a client blocked on a read that never settles, within the default grace',
    async (signal) => {
      const { fs, warnings, mountFn } = mountHolding();
      const clients: Client[] = [];
      await withMount(
        mountFn,
        async (mp, session) => {
          const c = client(readSlow(mp));
          clients.push(c);
          const open = await fs.next<{ directIo: boolean; fh: number }>();
          open.resolve({ directIo: true, fh: 7 });
          await fs.next<Buffer>(); // the read: never settled
          const sent = performance.now();
          c.child.kill(signal);
          const end = await c.exited;
          const waited = end.at - sent;
          expect(end.signal).toBe(signal);
          // The default grace is 1000 ms; the rest is the event loop and the scheduler.
          expect(waited).toBeGreaterThanOrEqual(900);
          expect(waited).toBeLessThan(1000 + 1500);
          expect(warnings.filter((w) => /^read: no answer 1000 ms after the kernel interrupted it; answered EINTR/.test(w))).toHaveLength(
            1,
          );
          // The session goes on: other requests are served, and nothing is counted in flight.
          const after = client(`print(open(${JSON.stringify(`${mp}/other`)}).read())`);
          clients.push(after);
          expect((await after.exited).code).toBe(0);
          expect(after.output().trim()).toBe('data');
          await until(() => session.inFlight === 0);
        },
        { timeoutMs: 30_000 },
      ).finally(() => reap(clients));
    },
  );

  it('a caller that catches the signal gets EINTR from its read', async () => {
    const { fs, mountFn } = mountHolding({ interruptGraceMs: 300 });
    const clients: Client[] = [];
    await withMount(
      mountFn,
      async (mp) => {
        const c = client(`
import ctypes
signal.signal(signal.SIGINT, lambda *a: None)
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(${JSON.stringify(`${mp}/slow`)}, os.O_RDONLY)
buf = ctypes.create_string_buffer(4)
r = libc.read(fd, buf, 4)
print(r, ctypes.get_errno())`);
        clients.push(c);
        (await fs.next<{ directIo: boolean; fh: number }>()).resolve({ directIo: true, fh: 7 });
        await fs.next<Buffer>();
        c.child.kill('SIGINT');
        const end = await c.exited;
        expect([end.code, c.output().trim()]).toEqual([0, '-1 4']);
      },
      { timeoutMs: 30_000 },
    ).finally(() => reap(clients));
  });

  it('interruptGraceMs: 0 answers EINTR as soon as the kernel interrupts', async () => {
    const { fs, mountFn } = mountHolding({ interruptGraceMs: 0 });
    const clients: Client[] = [];
    await withMount(
      mountFn,
      async (mp) => {
        const c = client(readSlow(mp));
        clients.push(c);
        (await fs.next<{ directIo: boolean; fh: number }>()).resolve({ directIo: true, fh: 7 });
        await fs.next<Buffer>();
        const sent = performance.now();
        c.child.kill('SIGKILL');
        const end = await c.exited;
        expect(end.at - sent).toBeLessThan(700);
      },
      { timeoutMs: 30_000 },
    ).finally(() => reap(clients));
  });

  it('interruptGraceMs: Infinity waits for the handler, as libfuse does', async () => {
    const { fs, mountFn } = mountHolding({ interruptGraceMs: Infinity });
    const clients: Client[] = [];
    await withMount(
      mountFn,
      async (mp) => {
        const c = client(readSlow(mp));
        clients.push(c);
        (await fs.next<{ directIo: boolean; fh: number }>()).resolve({ directIo: true, fh: 7 });
        const read = await fs.next<Buffer>();
        c.child.kill('SIGKILL');
        await sleep(1500);
        expect(await state(c.child.pid!)).toBe('D');
        read.resolve(Buffer.from('late'));
        expect((await c.exited).signal).toBe('SIGKILL');
      },
      { timeoutMs: 30_000 },
    ).finally(() => reap(clients));
  });

  it('rejects a grace that is not 0 to 2^31-1 or Infinity', async () => {
    const mp = await makeMountpoint();
    try {
      for (const bad of [-1, Number.NaN, 2 ** 31]) {
        await expect(mount({}, mp, { interruptGraceMs: bad })).rejects.toThrow(RangeError);
      }
    } finally {
      await rmdir(mp);
    }
    await withMount(
      (dir) => mount({}, dir, { interruptGraceMs: 2 ** 31 - 1 }),
      async () => undefined,
    );
  });

  it('drops a late answer: the request that reuses the slot gets its own answer, exactly once', async () => {
    const { fs, warnings, errors, mountFn } = mountHolding({ interruptGraceMs: 200 });
    const clients: Client[] = [];
    await withMount(
      mountFn,
      async (mp) => {
        const first = client(readSlow(mp));
        clients.push(first);
        (await fs.next<{ directIo: boolean; fh: number }>()).resolve({ directIo: true, fh: 7 });
        const lateRead = await fs.next<Buffer>();
        first.child.kill('SIGKILL');
        await first.exited;
        // A second reader takes the freed slot while the first handler still holds its answer.
        const second = client(`fd = os.open(${JSON.stringify(`${mp}/slow`)}, os.O_RDONLY)\nprint(os.read(fd, 4).decode())`);
        clients.push(second);
        (await fs.next<{ directIo: boolean; fh: number }>()).resolve({ directIo: true, fh: 8 });
        const read = await fs.next<Buffer>();
        lateRead.resolve(Buffer.from('AAAA'));
        await sleep(100);
        read.resolve(Buffer.from('BBBB'));
        expect((await second.exited).code).toBe(0);
        expect(second.output().trim()).toBe('BBBB');
        expect(warnings).toHaveLength(1);
        expect(errors).toEqual([]);
      },
      { timeoutMs: 30_000 },
    ).finally(() => reap(clients));
  });

  it('undoes the lookups and handles of late answers: lookup counts and opens stay balanced', async () => {
    const { fs, mountFn } = mountHolding({ interruptGraceMs: 200 });
    const clients: Client[] = [];
    await withMount(
      mountFn,
      async (mp, session) => {
        // lookup: the client is killed, the entry comes after the binding answered EINTR.
        const stat = client(`os.stat(${JSON.stringify(`${mp}/late10`)})`);
        clients.push(stat);
        const lookup = await fs.next<Entry>();
        stat.child.kill('SIGKILL');
        await stat.exited;
        lookup.resolve(fileAttr(10));
        await until(() => fs.forgotten.get(10) === 1);
        expect(fs.given.get(10)).toBe(1);

        // create: both the lookup and the open handle are undone.
        const create = client(`os.open(${JSON.stringify(`${mp}/new11`)}, os.O_CREAT | os.O_WRONLY, 0o644)`);
        clients.push(create);
        const created = await fs.next<Entry & { fh: number }>();
        create.child.kill('SIGKILL');
        await create.exited;
        created.resolve({ ...fileAttr(11), fh: 111 });
        await until(() => fs.forgotten.get(11) === 1 && fs.released.some(([ino, fh]) => ino === 11 && fh === 111));

        // open: the handle is released.
        const open = client(readSlow(mp));
        clients.push(open);
        const opened = await fs.next<{ directIo: boolean; fh: number }>();
        open.child.kill('SIGKILL');
        await open.exited;
        opened.resolve({ directIo: true, fh: 222 });
        await until(() => fs.released.some(([ino, fh]) => ino === SLOW && fh === 222));

        // A late failure undoes nothing and is not reported as a handler failure.
        const failing = client(`os.stat(${JSON.stringify(`${mp}/late12`)})`);
        clients.push(failing);
        const failed = await fs.next<Entry>();
        failing.child.kill('SIGKILL');
        await failing.exited;
        failed.reject(new Error('too late'));

        // The same names served normally afterwards.
        const again = client(`os.stat(${JSON.stringify(`${mp}/late10`)})\nprint('ok')`);
        clients.push(again);
        (await fs.next<Entry>()).resolve(fileAttr(10));
        expect((await again.exited).code).toBe(0);
        expect(fs.given.get(10)).toBe(2);
        // One lookup of 10 is the kernel's now; the late one was given back.
        expect(fs.forgotten.get(10)).toBe(1);
        expect(fs.forgotten.has(12)).toBe(false);
        await until(() => session.inFlight === 0);
      },
      { timeoutMs: 30_000 },
    ).finally(() => reap(clients));
  });
});
