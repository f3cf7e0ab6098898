// The native helper on its own, no mount: each call against what node:fs sees afterwards.
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIST_PLUS, LIST_USE_INO, native } from '../src/native.js';

// The 13 fields the helper's stat fills, in its order, from node:fs's BigIntStats.
const statFields = (s: import('node:fs').BigIntStats) => [
  s.dev,
  s.ino,
  s.mode,
  s.nlink,
  s.uid,
  s.gid,
  s.rdev,
  s.size,
  s.blksize,
  s.blocks,
  s.atimeNs,
  s.mtimeNs,
  s.ctimeNs,
];

let dir = '';
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'fusekit-pt-native-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('native helper', () => {
  it('rejects like node:fs: code, negative errno and syscall', async () => {
    const error = await native.open(join(dir, 'missing'), 0, 0, -1, -1).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'open' });
    await expect(native.lseek(-1, 0, 3)).rejects.toMatchObject({ code: 'EBADF' });
  });

  it('makes the same calls synchronously under sync: returns, or answers -errno', async () => {
    expect(native.sync.open(join(dir, 'missing'), 0, 0, -1, -1)).toBe(-2);
    expect(native.sync.getxattr(dir, 'user.missing')).toBe(-61); // ENODATA
    expect(native.sync.mkdir(join(dir, 'd'), 0o750, -1, -1)).toBe(0);
    expect((await fs.stat(join(dir, 'd'))).mode & 0o7777).toBe(0o750);
    native.sync.setxattr(join(dir, 'd'), 'user.k', Buffer.from('v'), 0);
    expect(native.sync.getxattr(join(dir, 'd'), 'user.k')).toEqual(Buffer.from('v'));
  });

  it('stats a path (not following a symlink) or an fd into a BigInt64Array, exactly as node:fs', async () => {
    const out = new BigInt64Array(13);
    await fs.symlink('d', join(dir, 'l'));
    await fs.writeFile(join(dir, 'f'), 'abc');
    for (const [target, s] of [
      [join(dir, 'l'), await fs.lstat(join(dir, 'l'), { bigint: true })],
      [dir, await fs.lstat(dir, { bigint: true })],
    ] as const) {
      expect(native.sync.stat(target, out)).toBe(0);
      expect([...out]).toEqual(statFields(s));
    }
    const handle = await fs.open(join(dir, 'f'));
    try {
      expect(native.sync.stat(handle.fd, out)).toBe(0);
      expect(out[7]).toBe(3n);
    } finally {
      await handle.close();
    }
    expect(native.sync.stat(join(dir, 'missing'), out)).toBe(-2);
    expect(() => native.sync.stat(dir, new BigInt64Array(12))).toThrow(TypeError);
  });

  it('creates files, directories, nodes and links as the asked user, with its permissions', async () => {
    const { closeSync } = await import('node:fs');
    const { O_CREAT, O_WRONLY, S_IFIFO } = fs.constants;
    // As that user: creating in a directory it may not write to is refused.
    if (process.getuid?.() === 0) {
      await expect(native.mkdir(join(dir, 'nope'), 0o755, 1234, 5678)).rejects.toMatchObject({ code: 'EACCES' });
    }
    await fs.chmod(dir, 0o777);
    closeSync(await native.open(join(dir, 'f'), O_CREAT | O_WRONLY, 0o640, 1234, 5678));
    await native.mkdir(join(dir, 'd'), 0o750, 1234, 5678);
    await native.mknod(join(dir, 'p'), S_IFIFO | 0o600, 0, -1, -1);
    await native.symlink(Buffer.from([0x74, 0xff]), join(dir, 'l'), 1234, 5678);
    const owner = async (name: string) => {
      const s = await fs.lstat(join(dir, name));
      return [s.uid, s.gid];
    };
    if (process.getuid?.() === 0) {
      expect([await owner('f'), await owner('d'), await owner('l')]).toEqual([
        [1234, 5678],
        [1234, 5678],
        [1234, 5678],
      ]);
    }
    expect((await fs.lstat(join(dir, 'p'))).isFIFO()).toBe(true);
    expect(await fs.readlink(join(dir, 'l'), { encoding: 'buffer' })).toEqual(Buffer.from([0x74, 0xff]));
  });

  it('renames with RENAME_NOREPLACE and RENAME_EXCHANGE', async () => {
    await fs.writeFile(join(dir, 'a'), 'A');
    await fs.writeFile(join(dir, 'b'), 'B');
    await expect(native.rename(join(dir, 'a'), join(dir, 'b'), 1)).rejects.toMatchObject({ code: 'EEXIST' });
    await native.rename(join(dir, 'a'), join(dir, 'b'), 2);
    expect([await fs.readFile(join(dir, 'a'), 'utf8'), await fs.readFile(join(dir, 'b'), 'utf8')]).toEqual(['B', 'A']);
  });

  it('sets times to the nanosecond, now, or leaves them', async () => {
    const f = join(dir, 'f');
    await fs.writeFile(f, '');
    await native.utimens(f, 1_000_000_000_123_456_789n, -1n);
    let s = await fs.stat(f, { bigint: true });
    expect([s.atimeNs, s.mtimeNs]).toEqual([1_000_000_000_123_456_789n, -1n]);
    await native.utimens(f, 'omit', 'now');
    s = await fs.stat(f, { bigint: true });
    expect(s.atimeNs).toBe(1_000_000_000_123_456_789n);
    expect(s.mtimeNs).toBeGreaterThan(1_700_000_000n * 10n ** 9n);
  });

  it('sets, gets, lists and removes extended attributes', async () => {
    const f = join(dir, 'f');
    await fs.writeFile(f, '');
    const set = await native.setxattr(f, 'user.a', Buffer.from('1'), 0).then(
      () => true,
      (e: { code: string }) => e.code,
    );
    if (set === 'EOPNOTSUPP') return; // the temporary directory's filesystem has no user xattrs
    await native.setxattr(f, 'user.b', Buffer.alloc(0), 0);
    expect(await native.getxattr(f, 'user.a')).toEqual(Buffer.from('1'));
    expect(await native.getxattr(f, 'user.b')).toEqual(Buffer.alloc(0));
    expect((await native.listxattr(f)).toString().split('\0').filter(Boolean).sort()).toEqual(['user.a', 'user.b']);
    await native.removexattr(f, 'user.a');
    await expect(native.getxattr(f, 'user.a')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('allocates, finds data and holes, and copies ranges', async () => {
    const { openSync, closeSync, readFileSync, writeSync } = await import('node:fs');
    const a = openSync(join(dir, 'a'), 'w+');
    const b = openSync(join(dir, 'b'), 'w+');
    try {
      await native.fallocate(a, 0, 0, 8192);
      expect((await fs.stat(join(dir, 'a'))).size).toBe(8192);
      writeSync(a, Buffer.from('hello'), 0, 5, 1 << 20);
      expect(await native.lseek(a, 0, 3)).toBeGreaterThanOrEqual(0);
      expect(await native.lseek(a, 1 << 20, 3)).toBeLessThanOrEqual(1 << 20);
      expect(await native.copyFileRange(a, 1 << 20, b, 3, 5, 0)).toBe(5);
      expect(readFileSync(join(dir, 'b')).subarray(3).toString()).toBe('hello');
    } finally {
      closeSync(a);
      closeSync(b);
    }
  });
});

describe("the host calls made on the helper's own threads (the pool flavour)", () => {
  it('stats like node:fs: 13 fields, null for a missing path, an Error for a bad fd', async () => {
    await fs.symlink('d', join(dir, 'l'));
    const s = await fs.lstat(join(dir, 'l'), { bigint: true });
    expect([...(await native.stat(join(dir, 'l')))!]).toEqual(statFields(s));
    expect(await native.stat(join(dir, 'missing'))).toBeNull();
    await expect(native.stat(-1)).rejects.toMatchObject({ code: 'EBADF', errno: -9, syscall: 'fstat' });
    await fs.writeFile(join(dir, 'f'), '');
    await expect(native.stat(join(dir, 'f', 'x'))).rejects.toMatchObject({ code: 'ENOTDIR', errno: -20, syscall: 'lstat' });
  });

  it('reads links, writes from the Buffer in place, truncates, syncs, changes modes and owners, links, unlinks', async () => {
    const target = Buffer.from('t'.repeat(3000));
    await fs.symlink(target, join(dir, 'long'));
    expect(await native.readlink(join(dir, 'long'))).toEqual(target);
    const fd = await native.open(join(dir, 'f'), fs.constants.O_CREAT | fs.constants.O_RDWR, 0o644, -1, -1);
    expect(await native.write(fd, Buffer.from('hello world'), 3)).toBe(11);
    await native.fsync(fd, true);
    await native.fsync(fd, false);
    await native.ftruncate(fd, 8);
    await native.fchmod(fd, 0o600);
    await native.fchown(fd, process.getuid!(), process.getgid!());
    await native.close(fd);
    await expect(native.close(fd)).rejects.toMatchObject({ code: 'EBADF', syscall: 'close' });
    expect(await fs.readFile(join(dir, 'f'))).toEqual(Buffer.from('\0\0\0hello'));
    expect((await fs.stat(join(dir, 'f'))).mode & 0o7777).toBe(0o600);
    await native.truncate(join(dir, 'f'), 2);
    await native.chmod(join(dir, 'f'), 0o640);
    await native.lchown(join(dir, 'long'), process.getuid!(), process.getgid!());
    await native.link(join(dir, 'f'), join(dir, 'g'));
    expect(await fs.stat(join(dir, 'g'))).toMatchObject({ size: 2, nlink: 2, mode: fs.constants.S_IFREG | 0o640 });
    await native.access(join(dir, 'g'), fs.constants.R_OK);
    await native.unlink(join(dir, 'g'));
    await expect(native.unlink(join(dir, 'g'))).rejects.toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'unlink' });
    await fs.mkdir(join(dir, 'd'));
    await native.rmdir(join(dir, 'd'));
    await expect(native.rmdir(dir)).rejects.toMatchObject({ code: 'ENOTEMPTY' });
  });

  it("answers statfs with node:fs's fields", async () => {
    const s = await fs.statfs(dir, { bigint: true });
    const [type, bsize, blocks, , , files] = await native.statfs(dir);
    expect([type, bsize, blocks, files]).toEqual([s.type, s.bsize, s.blocks, s.files]);
  });

  it('gives the same answers as the synchronous host', async () => {
    const { poolHost, syncHost } = await import('../src/host.js');
    await fs.mkdir(join(dir, 'd'));
    await fs.writeFile(join(dir, 'f'), 'abc');
    await fs.symlink('f', join(dir, 'l'));
    const d = Buffer.from(dir);
    for (const flags of [0, LIST_PLUS | LIST_USE_INO]) {
      const [poolFd, syncFd] = [await poolHost.dirOpen(d), await syncHost.dirOpen(d)];
      try {
        expect(await poolHost.list(poolFd, 0, 4096, flags)).toEqual(syncHost.list(syncFd, 0, 4096, flags));
      } finally {
        await poolHost.dirClose(poolFd);
        await syncHost.dirClose(syncFd);
      }
    }
    for (const name of ['d', 'f', 'l', 'missing']) {
      const path = Buffer.from(join(dir, name));
      expect(await poolHost.lstat(path)).toEqual(await syncHost.lstat(path));
    }
    expect(await poolHost.readlink(Buffer.from(join(dir, 'l')))).toEqual(await syncHost.readlink(Buffer.from(join(dir, 'l'))));
    const { bfree: _a, bavail: _b, ffree: _c, ...pool } = await poolHost.statfs(d);
    const { bfree: _d, bavail: _e, ffree: _f, ...sync } = await syncHost.statfs(d);
    expect(pool).toEqual({ type: sync.type, bsize: sync.bsize, blocks: sync.blocks, files: sync.files });
    const fd = await poolHost.open(Buffer.from(join(dir, 'f')), 0, 0, -1, -1);
    try {
      expect(await poolHost.fstat(fd)).toEqual(syncHost.fstat(fd));
    } finally {
      await poolHost.close(fd);
    }
  });

  it('takes many calls at once, more than it has threads, and settles each', async () => {
    const names = Array.from({ length: 200 }, (_, i) => join(dir, `n${i}`));
    await Promise.all(names.map((name) => native.mkdir(name, 0o755, -1, -1)));
    const stats = await Promise.all(names.map((name) => native.stat(name)));
    expect(stats.filter((s) => s !== null && (Number(s[2]) & fs.constants.S_IFMT) === fs.constants.S_IFDIR).length).toBe(200);
    const failed = await Promise.allSettled(names.map((name) => native.mkdir(name, 0o755, -1, -1)));
    expect(failed.every((r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'EEXIST')).toBe(true);
  });
});
