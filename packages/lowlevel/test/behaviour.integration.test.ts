// How the binding behaves around the operations: interrupts, concurrency and back-pressure,
// error safety, notifications, sessions ending from outside, several sessions, name modes.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findMount, forceUnmount, makeMountpoint, node, run, sh, waitForMount, withMount } from '@fusekit/test-harness';
import {
  constants,
  encodeDirent,
  FuseError,
  mount,
  ReplyShapeError,
  type ConnectionInfo,
  type EncodedDirent,
  type Operations,
} from '../src/index.js';
import { MemFs } from './fixtures/memfs.js';
import { py, useMount } from './helpers.js';

const quietLogger = (into: unknown[] = []) => ({ error: (message: string, error?: unknown) => void into.push([message, error]) });

/** An object with `base`'s handlers bound, leaving out `without`. */
function handlersOf(base: MemFs, without: string[] = []): Operations {
  const ops: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(MemFs.prototype)) {
    const fn = (base as unknown as Record<string, unknown>)[name];
    if (name !== 'constructor' && typeof fn === 'function' && !without.includes(name) && !['node', 'lookupPath'].includes(name)) {
      ops[name] = fn.bind(base);
    }
  }
  return ops as Operations;
}

const attrOf = (ino: number, mode = 0o100644, size = 10) => ({ ino, mode, nlink: 1, size });

describe('interrupts', () => {
  it.each(['SIGINT', 'SIGKILL'] as const)(
    '[op:interrupt] fires the signal when the caller gets %s, answers EINTR and leaks nothing',
    async (signal) => {
      let entered!: () => void;
      const inHandler = new Promise<void>((r) => {
        entered = r;
      });
      let aborted = false;
      const ops: Operations = {
        lookup: (_p, name) => {
          if (name === 'slow') return attrOf(2);
          throw new FuseError('ENOENT');
        },
        getattr: (ino) => (ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : attrOf(2)),
        open: () => ({ directIo: true }),
        read: (_ino, _size, _off, _fh, _flags, ctx) => {
          entered();
          return new Promise((_resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('never interrupted')), 20_000);
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              clearTimeout(timer);
              reject(ctx.signal.reason);
            });
          });
        },
      };
      await withMount(
        (mp) => mount(ops, mp, { logger: quietLogger() }),
        async (mp, session) => {
          const child = spawn('python3', ['-c', `import os\nfd = os.open("${mp}/slow", os.O_RDONLY)\nos.read(fd, 10)`]);
          const exited = new Promise<NodeJS.Signals | number | null>((r) => child.on('exit', (code, sig) => r(sig ?? code)));
          await inHandler;
          child.kill(signal);
          await exited;
          const deadline = Date.now() + 5000;
          while (session.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          expect(aborted).toBe(true);
          expect(session.inFlight).toBe(0);
        },
      );
    },
  );
});

describe('concurrency', () => {
  const storm = (limit: number) => {
    let pending: (() => void)[] = [];
    let peak = 0;
    let answered = 0;
    const release = () => {
      const all = pending;
      pending = [];
      for (const r of all) r();
    };
    let timer: NodeJS.Timeout | undefined;
    const ops: Operations = {
      lookup: async (_parent, name) => {
        if (typeof name !== 'string' || !name.startsWith('w')) throw new FuseError('ENOENT');
        await new Promise<void>((resolve) => {
          pending.push(resolve);
          peak = Math.max(peak, pending.length);
          clearTimeout(timer);
          // Hold every request until no new one has arrived for 300 ms (or the limit is met).
          if (pending.length >= limit) release();
          else timer = setTimeout(release, 300);
        });
        answered++;
        return { ino: 100 + Number(name.slice(1)), mode: 0o100644, nlink: 1, entryTimeout: 0, attrTimeout: 0 };
      },
      getattr: (ino) => (ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : { ino, mode: 0o100644, nlink: 1 }),
    };
    return { ops, stats: () => ({ peak, answered }) };
  };

  const statAll = (mp: string) =>
    node<number>(
      `
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => fsp.stat('${mp}/w' + i).then((s) => s.ino)));
    print(results.filter((ino, i) => ino === 100 + i).length);`,
      { env: { ...process.env, UV_THREADPOOL_SIZE: '1024' }, timeoutMs: 60_000 },
    );

  it('serves 1,000 concurrent requests against a handler that waits', async () => {
    const { ops, stats } = storm(1000);
    await withMount(
      (mp) => mount(ops, mp, { attrTimeout: 0, entryTimeout: 0 }),
      async (mp) => {
        expect(await statAll(mp)).toBe(1000);
      },
    );
    expect(stats().answered).toBe(1000);
    // Over io_uring the ring's entries (32 per CPU) bound what is in flight; the kernel queues the rest.
    expect(stats().peak).toBeGreaterThan(process.env.FUSEKIT_TRANSPORT === 'io_uring' ? 30 : 200);
  });

  it('honours maxInFlight as back-pressure and still answers everything', async () => {
    const { ops, stats } = storm(50);
    await withMount(
      (mp) => mount(ops, mp, { attrTimeout: 0, entryTimeout: 0, maxInFlight: 50 }),
      async (mp) => {
        expect(await statAll(mp)).toBe(1000);
      },
    );
    expect(stats().answered).toBe(1000);
    expect(stats().peak).toBeLessThanOrEqual(50);
    expect(stats().peak).toBeGreaterThan(10);
  });
});

describe('error safety', () => {
  const logged: unknown[] = [];
  const cases: Record<string, () => unknown> = {
    throws: () => {
      throw new Error('boom');
    },
    rejects: () => Promise.reject(new Error('async boom')),
    nan: () => ({ ino: Number.NaN, mode: 0o100644 }),
    negative: () => ({ ino: 5, mode: 0o100644, size: -1 }),
    huge: () => ({ ino: 5, mode: 0o100644, size: 2 ** 60 }),
    unsafe: () => ({ ino: 2 ** 53 + 2, mode: 0o100644 }),
    string: () => 'not an entry',
    nothing: () => undefined,
    time: () => ({ ino: 5, mode: 0o100644, mtimeNs: 12 }),
    nodecode: () => {
      throw Object.assign(new Error('denied'), { code: 'EACCES' });
    },
    fuseerrno: () => {
      throw new FuseError(36);
    },
    fusecode: () => Promise.reject(new FuseError('EROFS')),
    badlink: () => ({ ino: 6, mode: 0o120777, nlink: 1 }),
  };
  const ops: Operations = {
    lookup: (_p, name) => {
      const f = cases[name as string];
      if (f === undefined) throw new FuseError('ENOENT');
      return f() as never;
    },
    getattr: (ino) => (ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : { ino, mode: 0o120777, nlink: 1 }),
    readlink: () => 'bad\0target',
  };
  const m = useMount(() => ops, { logger: quietLogger(logged) });

  it('answers EIO for throws, rejections and replies of the wrong shape, maps codes, and keeps serving', async () => {
    const out = await py(`
import os
res = {}
for name in ${JSON.stringify(Object.keys(cases))}:
    try:
        os.lstat("${m.mountpoint}/" + name); res[name] = "ok"
    except OSError as e:
        res[name] = os.strerror(e.errno)
try: os.readlink("${m.mountpoint}/badlink"); res["readlink"] = "ok"
except OSError as e: res["readlink"] = os.strerror(e.errno)
print(sorted(res.items()))`);
    const results = Object.fromEntries(JSON.parse(out.replace(/\(/g, '[').replace(/\)/g, ']').replace(/'/g, '"')) as [string, string][]);
    for (const name of ['throws', 'rejects', 'nan', 'negative', 'huge', 'unsafe', 'string', 'nothing', 'time', 'readlink']) {
      expect([name, results[name]]).toEqual([name, 'Input/output error']);
    }
    expect(results.nodecode).toBe('Permission denied');
    expect(results.fuseerrno).toBe('File name too long');
    expect(results.fusecode).toBe('Read-only file system');
    expect(results.badlink).toBe('ok');
    expect(logged.length).toBe(10);
    expect(m.session.inFlight).toBe(0);
    expect(await sh(`ls -ld ${m.mountpoint} | cut -c1`)).toBe('d\n');
  });

  it('refuses kernel values a JS number cannot hold without calling the handler: EOVERFLOW, EFBIG to grow a file', async () => {
    const fs = new MemFs();
    await withMount(
      (mp) => mount(fs, mp, { attrTimeout: 0, entryTimeout: 0 }),
      async (mp) => {
        const out = await py(`
import os
f = "${mp}/f"
open(f, "w").write("x")
os.setxattr(f, "user.direct_io", b"1")
fd = os.open(f, os.O_RDWR)
for name, call in [("pread", lambda: os.pread(fd, 10, 2**60)), ("truncate", lambda: os.truncate(f, 2**60)),
                   ("ftruncate", lambda: os.ftruncate(fd, 2**53)), ("pwrite", lambda: os.pwrite(fd, b"y", 2**53 - 1)),
                   ("posix_fallocate", lambda: os.posix_fallocate(fd, 2**53 - 5, 10))]:
    try: call(); print(name, "ok")
    except OSError as e: print(name, os.strerror(e.errno))`);
        expect(out.split('\n')).toEqual([
          'pread Value too large for defined data type',
          'truncate File too large',
          'ftruncate File too large',
          'pwrite File too large',
          'posix_fallocate File too large',
        ]);
        expect(fs.calls.filter((c) => /^(read|fallocate) /.test(c) || /^setattr .*size/.test(c))).toEqual([]);
      },
    );
  });
});

describe('lendWriteData', () => {
  /** A MemFs that records each write's Buffer, its length then, and its length when its (async) answer came. */
  class RecordingFs extends MemFs {
    readonly writes: { data: Buffer; atCall: number; atAnswer?: number }[] = [];
    constructor(private readonly later: boolean) {
      super();
    }
    override write(ino: number, data: Buffer, offset: number): number {
      const record: { data: Buffer; atCall: number; atAnswer?: number } = { data, atCall: data.length };
      this.writes.push(record);
      if (!this.later) return super.write(ino, data, offset);
      return new Promise<number>((resolve) =>
        setTimeout(() => {
          record.atAnswer = data.length;
          resolve(super.write(ino, data, offset));
        }, 5),
      ) as unknown as number;
    }
  }
  const writeAndRead = (mp: string) =>
    py(`
import os
f = "${mp}/f"
open(f, "w").close()
os.setxattr(f, "user.direct_io", b"1")
fd = os.open(f, os.O_RDWR)
data = bytes(range(256)) * 4096
os.pwrite(fd, data, 0); os.pwrite(fd, b"small", 10)
back = os.pread(fd, len(data), 0)
print(back == data[:10] + b"small" + data[15:])`);

  for (const later of [false, true]) {
    it(`takes a write's data back once the ${later ? 'asynchronous' : 'synchronous'} handler is done`, async () => {
      const fs = new RecordingFs(later);
      await withMount(
        (mp) => mount(fs, mp, { lendWriteData: true }),
        async (mp) => {
          expect(await writeAndRead(mp)).toBe('True');
        },
      );
      // Whole until the handler was done (a large one received in place, a small one copied), detached after.
      expect(fs.writes.reduce((sum, w) => sum + w.atCall, 0)).toBe((1 << 20) + 5);
      expect(Math.max(...fs.writes.map((w) => w.atCall))).toBeGreaterThan(1 << 19);
      for (const w of fs.writes) expect([w.atAnswer ?? w.atCall, w.data.length]).toEqual([w.atCall, 0]);
    });
  }

  it('leaves the data to the handler by default', async () => {
    const fs = new RecordingFs(false);
    await withMount(
      (mp) => mount(fs, mp),
      async (mp) => {
        expect(await writeAndRead(mp)).toBe('True');
      },
    );
    expect(fs.writes.map((w) => w.data.length)).toEqual(fs.writes.map((w) => w.atCall));
    expect(fs.writes.reduce((sum, w) => sum + w.data.length, 0)).toBe((1 << 20) + 5);
  });
});

describe('notifications', () => {
  it('invalidates cached entries and attributes, and never blocks the serving thread', async () => {
    let exists = false;
    let size = 1;
    const fileAttr = () => ({ ino: 2, mode: 0o100644, nlink: 1, size, attrTimeout: 3600 });
    const ops: Operations = {
      lookup: (_p, name) => {
        if (name !== 'x') throw new FuseError('ENOENT');
        // Negative entries and attributes are cached for an hour: only notify can refresh them.
        return exists ? { ...fileAttr(), entryTimeout: 3600 } : { ino: 0, mode: 0, entryTimeout: 3600 };
      },
      getattr: (ino) => (ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : fileAttr()),
    };
    await withMount(
      (mp) => mount(ops, mp),
      async (mp, session) => {
        await expect(sh(`stat ${mp}/x`)).rejects.toThrow(/No such file/);
        exists = true;
        await expect(sh(`stat ${mp}/x`)).rejects.toThrow(/No such file/);
        await session.invalidateEntry(1, 'x');
        expect(await sh(`stat -c %s ${mp}/x`)).toBe('1\n');
        size = 7;
        expect(await sh(`stat -c %s ${mp}/x`)).toBe('1\n');
        await session.invalidateInode(2, -1, 0);
        expect(await sh(`stat -c %s ${mp}/x`)).toBe('7\n');
        exists = false;
        await session.notifyDelete(1, 2, 'x');
        await expect(sh(`stat ${mp}/x`)).rejects.toThrow(/No such file/);
        // expire_entry needs a 6.2+ kernel: either it works or it fails with a clean errno.
        await session.expireEntry(1, 'x').catch((e: unknown) => expect(e).toBeInstanceOf(FuseError));
        await expect(session.invalidateEntry(1, 'never-cached')).rejects.toMatchObject({ code: 'ENOENT' });
      },
    );
  });

  it('a notify started inside a handler for the same directory completes after the handler answers', async () => {
    let session!: Awaited<ReturnType<typeof mount>>;
    let notified: Promise<void> | undefined;
    const ops: Operations = {
      lookup: (_p, name) => {
        if (name === 'trigger') {
          // The kernel holds the directory while this lookup is pending; the notify waits for it.
          notified = session.invalidateEntry(1, 'other').catch(() => undefined);
          return { ino: 2, mode: 0o100644, nlink: 1 };
        }
        throw new FuseError('ENOENT');
      },
      getattr: (ino) => (ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : { ino: 2, mode: 0o100644, nlink: 1 }),
    };
    await withMount(
      async (mp) => (session = await mount(ops, mp, { attrTimeout: 0, entryTimeout: 0 })),
      async (mp) => {
        await sh(`stat ${mp}/trigger > /dev/null`);
        expect(notified).toBeDefined();
        await notified;
        expect(await sh(`stat -c %i ${mp}/trigger`)).toBe('2\n');
      },
    );
  });
});

describe('session lifecycle', () => {
  it('[op:init] [op:destroy] lets init choose capabilities and calls destroy at the end', async () => {
    let conn: ConnectionInfo | undefined;
    let destroyed = 0;
    const fs = new MemFs();
    const ops: Operations = {
      ...handlersOf(fs),
      init(c) {
        conn = { ...c };
        c.want &= ~constants.FUSE_CAP_READDIRPLUS!;
      },
      destroy() {
        destroyed++;
      },
    };
    await withMount(
      (mp) => mount(ops, mp, { attrTimeout: 0, entryTimeout: 0 }),
      async (mp) => {
        await sh(`touch ${mp}/a && ls -l ${mp} > /dev/null`);
      },
    );
    expect(conn?.protoMajor).toBe(7);
    expect(conn!.capable & constants.FUSE_CAP_READDIRPLUS!).not.toBe(0);
    expect(fs.calls.some((c) => c.startsWith('readdirplus'))).toBe(false);
    expect(fs.calls.some((c) => c.startsWith('readdir '))).toBe(true);
    expect(destroyed).toBe(1);
  });

  it('[op:readdir] [op:access] [op:write_buf] works without readdirplus, with access checks and write_buf', async () => {
    const fs = new MemFs();
    const ops = handlersOf(fs, ['readdirplus', 'write']);
    ops.writeBuf = (ino, data, offset) => fs.write(ino, data, offset);
    await withMount(
      (mp) => mount(ops, mp, { options: [], attrTimeout: 0, entryTimeout: 0 }),
      async (mp) => {
        await sh(`printf data > ${mp}/w && chmod 444 ${mp}/w`);
        expect(await sh(`cat ${mp}/w; ls ${mp}`)).toBe('dataw\n');
        await expect(sh(`test -w ${mp}/w`)).rejects.toThrow();
        expect(fs.calls.some((c) => c.startsWith('access'))).toBe(true);
      },
    );
  });

  it('[op:readdirplus] lists names without entries through addName: no dentry, no lookup count', async () => {
    const lookups: string[] = [];
    const child = { ino: 5, mode: 0o100644, nlink: 1, entryTimeout: 60, attrTimeout: 60 };
    const dir = (plain: boolean): Operations => ({
      lookup: (_p, name) => {
        lookups.push(name as string);
        if (name === 'x') return child;
        throw new FuseError('ENOENT');
      },
      getattr: (ino) => (ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : child),
      readdirplus: (_ino, offset, _fh, reply) => {
        if (offset === 0) {
          if (plain) reply.addName('x', child, 1);
          else reply.add('x', child, 1);
        }
      },
    });
    for (const plain of [true, false]) {
      lookups.length = 0;
      await withMount(
        (mp) => mount(dir(plain), mp),
        async (mp) => {
          expect(await sh(`ls -i ${mp}`)).toBe('5 x\n');
          await sh(`stat ${mp}/x > /dev/null`);
        },
      );
      // With an entry the kernel cached the dentry: stat needed no lookup.
      expect([plain, lookups.filter((n) => n === 'x').length]).toEqual([plain, plain ? 1 : 0]);
    }
  });

  it('[op:readdir] lists entries encoded beforehand (encodeDirent, addEncoded) exactly as add() does', async () => {
    const names = Array.from({ length: 3000 }, (_, i) =>
      i % 3 ? `file-${i}` : Buffer.from([0x66, 0xff, 0x30 + (i % 10), 0x40 | (i & 0x3f)]),
    );
    const encoded = names.map((name, i) => encodeDirent(name, { ino: 100 + i, mode: i % 2 ? 0o100644 : 0o40755 }, i + 1));
    const listing = async (encodedReplies: boolean): Promise<string> => {
      const ops: Operations = {
        getattr: () => ({ ino: 1, mode: 0o40755, nlink: 2 }),
        readdir: (_ino, offset, _fh, dir) => {
          for (let i = offset; i < names.length; i++) {
            const added = encodedReplies
              ? dir.addEncoded(encoded[i]!)
              : dir.add(names[i]!, { ino: 100 + i, mode: i % 2 ? 0o100644 : 0o40755 }, i + 1);
            if (!added) break;
          }
        },
      };
      let out = '';
      await withMount(
        (mp) => mount(ops, mp, { namesAsBuffers: true }),
        async (mp) => {
          out = await py(`import os\nfor e in os.scandir(os.fsencode('${mp}')): print(e.name.hex(), e.inode(), e.is_dir())`);
        },
      );
      return out;
    };
    const plain = await listing(false);
    expect(plain.split('\n')).toHaveLength(3000);
    expect(await listing(true)).toBe(plain);
    expect(() => encodeDirent('a/b'.replace('/', '\0'), { ino: 1, mode: 0o100644 }, 1)).toThrow(ReplyShapeError);
  });

  it('[op:readdirplus] addEncoded lists one encoded entry as a name only, and refuses several', async () => {
    const logged: unknown[] = [];
    const lookups: string[] = [];
    const one = encodeDirent('x', { ino: 5, mode: 0o100644 }, 1);
    const two = Buffer.concat([one, encodeDirent('y', { ino: 6, mode: 0o100644 }, 2)]) as unknown as EncodedDirent;
    let entries = one;
    const ops: Operations = {
      getattr: (ino) => (ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : { ino, mode: 0o100644, nlink: 1 }),
      lookup: (_p, name) => {
        lookups.push(String(name));
        return { ino: 5, mode: 0o100644, nlink: 1 };
      },
      readdir: () => undefined,
      readdirplus: (_ino, offset, _fh, dir) => void (offset === 0 && dir.addEncoded(entries)),
    };
    await withMount(
      (mp) => mount(ops, mp, { logger: quietLogger(logged), capabilities: { readdirplusAuto: false } }),
      async (mp) => {
        expect(await sh(`ls -i ${mp}`)).toBe('5 x\n');
        await sh(`stat ${mp}/x > /dev/null`);
        expect(lookups).toEqual(['x']); // no entry came with the listing
        entries = two;
        await sh('echo 2 > /proc/sys/vm/drop_caches');
        await expect(sh(`ls ${mp}`)).rejects.toThrow(/Input\/output error/);
      },
    );
    expect(String(logged[0])).toMatch(/takes one entry/);
  });

  it('[op:readdirplus] encodes full attributes the kernel caches: stat after ls needs no getattr', async () => {
    let getattrs = 0;
    const entries = Array.from({ length: 300 }, (_, i) => ({
      ino: 10 + i,
      mode: i % 2 ? 0o100640 : 0o40751,
      nlink: 3,
      uid: 1000 + i,
      gid: 2000 + i,
      size: 2 ** 40 + i,
      blocks: 8,
      mtimeNs: 1_234_567_890_123_456_789n + BigInt(i),
      atimeNs: -1_500_000_000n,
      ctimeNs: 0n,
      entryTimeout: 60,
      attrTimeout: 60,
    }));
    const ops: Operations = {
      lookup: () => {
        throw new FuseError('ENOENT');
      },
      getattr: (ino) => {
        if (ino !== 1) getattrs++;
        return ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : entries[ino - 10]!;
      },
      readdirplus: (_ino, offset, _fh, dir) => {
        for (let i = offset; i < entries.length; i++) if (!dir.add(`ent-${i}-é`, entries[i]!, i + 1)) break;
      },
    };
    await withMount(
      (mp) => mount(ops, mp),
      async (mp) => {
        expect((await sh(`ls -f ${mp} | wc -l`)).trim()).toBe('300');
        const out = await sh(`stat -c '%i %f %h %u %g %s %Y.%y %X' ${mp}/ent-7-é ${mp}/ent-8-é`);
        expect(out).toBe(
          `17 81a0 3 1007 2007 ${2 ** 40 + 7} 1234567890.2009-02-13 23:31:30.123456796 +0000 -2\n` +
            `18 41e9 3 1008 2008 ${2 ** 40 + 8} 1234567890.2009-02-13 23:31:30.123456797 +0000 -2\n`,
        );
      },
    );
    expect(getattrs).toBe(0);
  });

  it('[op:lookup] [op:readdirplus] [op:forget] entries with a node id apart from st_ino: requests and forgets name the node id, stat shows ino', async () => {
    const stIno = (nodeid: number) => (nodeid === 1 ? 1 : 900_000 + nodeid);
    const asked: number[] = [];
    const forgotten: number[] = [];
    const file = (nodeid: number) => ({ ino: stIno(nodeid), nodeid, mode: 0o100644, nlink: 1, attrTimeout: 0, entryTimeout: 60 });
    const ops: Operations = {
      lookup: (_p, name) => {
        if (name === 'a') return file(7);
        throw new FuseError('ENOENT');
      },
      getattr: (ino) => {
        asked.push(ino);
        return ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : { ...file(ino), nodeid: undefined };
      },
      readdirplus: (_ino, offset, _fh, dir) => void (offset === 0 && dir.add('b', file(8), 1)),
      forget: (ino, n) => void forgotten.push(ino, n),
    };
    await withMount(
      (mp) => mount(ops, mp),
      async (mp) => {
        expect(await sh(`ls -i ${mp}`)).toBe('900008 b\n');
        expect(await sh(`stat -c %i ${mp}/a ${mp}/b`)).toBe('900007\n900008\n');
        expect([...new Set(asked.filter((n) => n !== 1))].sort()).toEqual([7, 8]);
        await sh('echo 2 > /proc/sys/vm/drop_caches');
        for (const deadline = Date.now() + 5000; forgotten.length < 4 && Date.now() < deadline; )
          await new Promise((r) => setTimeout(r, 50));
        expect(forgotten).toEqual(expect.arrayContaining([7, 1, 8, 1]));
      },
    );
  });

  it('handleKillprivV2 flags the requests that must clear setuid/setgid; writes skip the capability probe', async () => {
    const fs = new MemFs();
    const ops = handlersOf(fs);
    const seen: string[] = [];
    let probes = 0;
    const { write, setattr, open } = ops;
    ops.write = (ino, data, offset, fh, flags, writepage, ctx) => {
      seen.push(`write ${ctx.uid} ${ctx.killSuidgid}`);
      return write!(ino, data, offset, fh, flags, writepage, ctx);
    };
    ops.setattr = (ino, changes, fh, ctx) => {
      seen.push(`setattr ${Object.keys(changes).join(',') || 'nothing'} ${ctx.uid} ${ctx.killSuidgid}`);
      return setattr!(ino, changes, fh, ctx);
    };
    ops.open = (ino, flags, ctx) => {
      if (flags & 0o1000) seen.push(`open O_TRUNC ${ctx.uid} ${ctx.killSuidgid}`);
      return open!(ino, flags, ctx);
    };
    ops.getxattr = () => {
      probes++;
      throw new FuseError('ENODATA');
    };
    const options = { capabilities: { handleKillprivV2: true }, allowOther: true, attrTimeout: 60, entryTimeout: 60 };
    await withMount(
      (mp) => mount(ops, mp, options),
      async (mp) => {
        await sh(`touch ${mp}/plain ${mp}/suid && chmod 666 ${mp}/plain && chmod 6777 ${mp}/suid`);
        await py(`
import os
fd = os.open('${mp}/plain', os.O_WRONLY)
for _ in range(5): os.write(fd, b'x')
`);
        // Once, then the kernel marks the inode S_NOSEC (until its attributes are next refreshed).
        expect(probes).toBeLessThanOrEqual(1);
        seen.length = 0;
        const user = `
import os
with open('${mp}/suid', 'ab') as f: f.write(b'x')
os.truncate('${mp}/suid', 0)
os.close(os.open('${mp}/suid', os.O_WRONLY | os.O_TRUNC))
`;
        await py(user, { uid: 1000, gid: 1000 });
        await py(`${user}\nos.chown('${mp}/suid', 0, 0)`);
        // Before the user's write the kernel still sends its own (now empty) setattr to kill the bits.
        expect(seen).toEqual([
          'setattr nothing 1000 false',
          'write 1000 true',
          'setattr size 1000 true',
          'open O_TRUNC 1000 true',
          'write 0 false',
          'setattr size 0 false',
          'open O_TRUNC 0 false',
          'setattr uid,gid 0 true',
        ]);
      },
    );
  });

  it('directIoAllowMmap lets files opened with directIo be mapped shared; without it mmap fails with ENODEV', async () => {
    const mapped = `
import mmap, os
fd = os.open('MP/f', os.O_RDWR)
try:
    m = mmap.mmap(fd, 4096, mmap.MAP_SHARED)
except OSError as e:
    print(e.errno == 19 and 'ENODEV'); raise SystemExit
m[10:15] = b'hello'; m.flush(); m.close()
print(os.pread(fd, 5, 10).decode())
`;
    for (const allow of [false, true]) {
      const fs = new MemFs();
      const ops = handlersOf(fs);
      ops.open = (ino, flags) => ({ ...fs.open(ino, flags), directIo: true });
      await withMount(
        (mp) => mount(ops, mp, { capabilities: { directIoAllowMmap: allow } }),
        async (mp) => {
          await sh(`head -c 4096 /dev/zero > ${mp}/f`);
          expect(await py(mapped.replace('MP', mp))).toBe(allow ? 'hello' : 'ENODEV');
        },
      );
    }
  });

  it('busyPollMicros keeps answering: sync handlers, promises, and replies that wait on a timer', async () => {
    let calls = 0;
    const ops: Operations = {
      getattr: (ino) => (ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : { ino, mode: 0o100644, nlink: 1, size: ino - 10 }),
      lookup: async (_p, name) => {
        calls++;
        const n = Number(String(name).slice(1));
        if (n % 3 === 1) await Promise.resolve();
        if (n % 3 === 2) await new Promise((r) => setTimeout(r, 2));
        return { ino: 10 + n, mode: 0o100644, nlink: 1, size: n };
      },
    };
    await withMount(
      (mp) => mount(ops, mp, { busyPollMicros: 50, attrTimeout: 0, entryTimeout: 0 }),
      async (mp) => {
        const sizes = await py(`import os\nprint(' '.join(str(os.stat('${mp}/f%d' % i).st_size) for i in range(300)))`);
        expect(sizes).toBe(Array.from({ length: 300 }, (_, i) => i).join(' '));
        // A caller that never pauses does not starve a reply that waits on a timer.
        const busy = py(`import os, time\nend = time.time() + 3\nwhile time.time() < end: os.stat('${mp}')`);
        const waited = await py(`import os, time\nt = time.time()\nos.stat('${mp}/f2')\nprint(time.time() - t)`);
        await busy;
        expect(Number(waited)).toBeLessThan(1);
      },
    );
    expect(calls).toBeGreaterThanOrEqual(300);
  });

  it("raises the readahead past the kernel's offer at INIT when maxReadahead asks for more", async () => {
    const readahead = async (mp: string) => {
      const m = await findMount(mp);
      return (await readFile(`/sys/class/bdi/0:${m!.minor}/read_ahead_kb`, 'utf8')).trim();
    };
    const ops: Operations = { getattr: () => ({ ino: 1, mode: 0o40755, nlink: 2 }) };
    for (const [maxReadahead, expected] of [
      [undefined, '128'],
      [1 << 20, '1024'],
    ] as const) {
      const options = maxReadahead === undefined ? {} : { capabilities: { maxReadahead } };
      await withMount(
        (mp) => mount(ops, mp, options),
        async (mp) => {
          await sh(`stat ${mp} > /dev/null`); // INIT is answered by now
          await new Promise((r) => setTimeout(r, 50));
          expect(await readahead(mp)).toBe(expected);
        },
      );
    }
  });

  it('hands large writes to the handler without a copy, and what it keeps stays intact', async () => {
    const kept = new Map<number, Buffer>();
    const ops: Operations = {
      lookup: (_p, name) => (String(name) === 'f' ? attrOf(2, 0o100644, 0) : { ino: 0, mode: 0 }),
      getattr: (ino) => (ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : attrOf(2, 0o100644, 0)),
      setattr: (ino) => attrOf(ino, 0o100644, 0),
      open: () => ({ directIo: true }),
      write: (_ino, data, offset) => {
        kept.set(offset, data);
        return data.length;
      },
    };
    const dir = await mkdtemp(join(tmpdir(), 'fusekit-adopt-'));
    try {
      const source = join(dir, 'source');
      await sh(`head -c ${48 << 20} /dev/urandom > ${source}`);
      await withMount(
        (mp) => mount(ops, mp),
        async (mp) => {
          // 1 MiB requests (adopted), 100 KiB ones (adopted) and 4 KiB ones (copied), interleaved
          // with other requests that reuse the receive buffer.
          await sh(`dd if=${source} of=${mp}/f bs=1M count=32 oflag=direct status=none`);
          await sh(`dd if=${source} of=${mp}/f bs=100K skip=328 seek=328 count=80 oflag=direct status=none && stat ${mp}/f > /dev/null`);
          await sh(`dd if=${source} of=${mp}/f bs=4K skip=10240 seek=10240 count=256 oflag=direct status=none`);
        },
      );
      const expected = await readFile(source);
      let checked = 0;
      for (const [offset, data] of kept) {
        expect(data.equals(expected.subarray(offset, offset + data.length)), `data written at ${offset}`).toBe(true);
        checked += data.length;
      }
      expect(checked).toBe(32 * (1 << 20) + 80 * 100 * 1024 + 256 * 4096);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('honours the open reply flags noflush and cacheReaddir', async () => {
    const fs = new MemFs();
    const ops = handlersOf(fs);
    const open = ops.open!;
    ops.open = (ino, flags, ctx) => ({ ...(open(ino, flags, ctx) as object), noflush: true, keepCache: true });
    ops.opendir = () => ({ fh: 7, cacheReaddir: true, keepCache: true });
    await withMount(
      (mp) => mount(ops, mp, { attrTimeout: 60, entryTimeout: 60 }),
      async (mp) => {
        await sh(`echo x > ${mp}/f`);
        fs.calls.length = 0;
        await sh(`cat ${mp}/f > /dev/null`);
        expect(fs.calls.filter((c) => c.startsWith('open'))).toHaveLength(1);
        expect(fs.calls.filter((c) => c.startsWith('flush'))).toEqual([]);
        await sh(`ls ${mp} > /dev/null; ls ${mp} > /dev/null; ls ${mp} > /dev/null`);
        expect(fs.calls.filter((c) => c.startsWith('readdir')).length).toBeLessThanOrEqual(2);
      },
    );
  });

  it('settles closed when the connection is ended from outside while a request is in flight', async () => {
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => {
      entered = r;
    });
    const logged: unknown[] = [];
    const mp = await makeMountpoint();
    const session = await mount(
      {
        // Answers long after the connection is gone: the late reply must be dropped quietly.
        lookup: () => {
          entered();
          return new Promise((resolve) => setTimeout(() => resolve({ ino: 2, mode: 0o100644 }), 1500));
        },
        getattr: () => ({ ino: 1, mode: 0o40755, nlink: 2 }),
      },
      mp,
      { logger: quietLogger(logged) },
    );
    try {
      await waitForMount(mp);
      const child = spawn('stat', [`${mp}/hang`], { stdio: 'ignore' });
      const exited = new Promise((r) => child.on('exit', r));
      await inHandler;
      // A lazy unmount ends the superblock, and with it the connection, once the caller is gone.
      await sh(`umount -l ${mp}`);
      await exited;
      const result = await Promise.race([session.closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
      expect(result).toBe('closed');
      await new Promise((r) => setTimeout(r, 2000));
      expect(logged).toEqual([]);
    } finally {
      await session.close().catch(() => undefined);
      await forceUnmount(mp);
      await rm(mp, { recursive: true, force: true });
    }
  });

  it('serves several sessions in one process', async () => {
    const a = new MemFs(),
      b = new MemFs();
    await withMount(
      (mp) => mount(a, mp),
      async (mpA) => {
        await withMount(
          (mp) => mount(b, mp),
          async (mpB) => {
            await sh(`echo A > ${mpA}/f && echo B > ${mpB}/f`);
            expect(await sh(`cat ${mpA}/f ${mpB}/f`)).toBe('A\nB\n');
          },
        );
      },
    );
  });

  it('round-trips names that are not UTF-8 in Buffer mode', async () => {
    const fs = new MemFs(true);
    await withMount(
      (mp) => mount(fs, mp, { namesAsBuffers: true }),
      async (mp) => {
        const out = await py(`
import os
d = b"${mp}"
name = b"caf\\xe9-\\xff.bin"
open(os.path.join(d, name), "wb").write(b"x")
print(os.listdir(d) == [name], os.path.exists(os.path.join(d, name)))`);
        expect(out).toBe('True True');
      },
    );
  });

  it('rejects bad mountpoints and bad options with clear errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fusekit-bad-'));
    try {
      await expect(mount({}, join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
      await writeFile(join(dir, 'file'), '');
      await expect(mount({}, join(dir, 'file'))).rejects.toMatchObject({ code: 'ENOTDIR' });
      await expect(mount({}, dir, { options: ['no_such_option'] })).rejects.toMatchObject({
        code: 'EINVAL',
        syscall: 'fuse_session_new',
        message: 'unknown mount option: no_such_option',
      });
      await expect(mount({}, dir, { options: ['ro', 'x=1,y', 'max_read=4096'] })).rejects.toMatchObject({
        code: 'EINVAL',
        message: 'unknown mount options: x=1, y',
      });
      await expect(mount({}, dir, { options: ['max_read=lots'] })).rejects.toMatchObject({
        code: 'EINVAL',
        message: 'invalid value in mount option: max_read=lots',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives the caller's supplementary groups on request", async () => {
    let groups: number[] = [];
    await withMount(
      (mp) =>
        mount(
          {
            lookup: (_p, _n, ctx) => {
              groups = ctx.groups();
              throw new FuseError('ENOENT');
            },
            getattr: () => ({ ino: 1, mode: 0o40755, nlink: 2 }),
          },
          mp,
          { allowOther: true },
        ),
      async (mp) => {
        await sh(`setpriv --reuid=1000 --regid=1000 --groups=44,55 stat ${mp}/x || true`);
      },
    );
    expect(groups.sort()).toEqual([44, 55]);
  });
});

describe('no stale mounts', () => {
  const dist = new URL('../dist/index.js', import.meta.url).pathname;
  const serve = (mp: string, exit: string, options = '{}') => `
    import { mount } from '${dist}';
    const s = await mount({ getattr: () => ({ ino: 1, mode: 0o40755, nlink: 2 }) }, '${mp}', ${options});
    process.stdout.write('mounted\\n');
    ${exit}`;

  it('unmounts what is still mounted when the process exits without closing', async () => {
    const mp = await makeMountpoint();
    try {
      const r = await run(process.execPath, ['--input-type=module', '-e', serve(mp, 'process.exit(0);')]);
      expect([r.code, r.stdout]).toEqual([0, 'mounted\n']);
      expect(await findMount(mp)).toBeUndefined();
    } finally {
      await forceUnmount(mp);
      await rm(mp, { recursive: true, force: true });
    }
  });

  it('auto_unmount removes the mount when the serving process is killed', async () => {
    const mp = await makeMountpoint();
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', serve(mp, 'setInterval(() => {}, 1000);', '{ autoUnmount: true }')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
      await waitForMount(mp);
      child.kill('SIGKILL');
      await waitForMount(mp, { present: false, timeoutMs: 5000 });
    } finally {
      child.kill('SIGKILL');
      await forceUnmount(mp);
      await rm(mp, { recursive: true, force: true });
    }
  });
});
