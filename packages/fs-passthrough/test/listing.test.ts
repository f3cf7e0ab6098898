// The helper's native listings on their own, no mount: the kernel's dirent format byte for byte
// (against lowlevel's encoder), batches that follow offsets, seeks back, hidden names, non-UTF-8
// names and readdirplus attributes, against what node:fs sees.
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeDirent } from '@fusekit/lowlevel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIST_PLUS, LIST_USE_INO, native } from '../src/native.js';

interface Listed {
  name: Buffer;
  ino: number;
  type: number;
  next: number;
  bytes: Buffer;
}

/** The struct fuse_dirent records of a plain listing. */
function dirents(out: Buffer): Listed[] {
  const entries: Listed[] = [];
  for (let at = 0; at < out.length; ) {
    const nameLength = out.readUInt32LE(at + 16);
    const size = (24 + nameLength + 7) & ~7;
    entries.push({
      ino: Number(out.readBigUInt64LE(at)),
      next: Number(out.readBigUInt64LE(at + 8)),
      type: out.readUInt32LE(at + 20),
      name: out.subarray(at + 24, at + 24 + nameLength),
      bytes: out.subarray(at, at + size),
    });
    at += size;
  }
  return entries;
}

/** Every entry of the directory open at `fd`, `room` bytes per call, following the offsets as the kernel does. */
async function listFd(fd: number, room: number, flags = LIST_USE_INO): Promise<Listed[]> {
  const all: Listed[] = [];
  for (let offset = 0; ; ) {
    const batch = dirents(await native.list(fd, offset, room, flags));
    if (batch.length === 0) return all;
    all.push(...batch);
    offset = batch.at(-1)!.next;
  }
}

/** Every entry of `path` (see listFd). */
async function listAll(path: string, room: number, flags = LIST_USE_INO): Promise<Listed[]> {
  const fd = await native.dirOpen(path);
  try {
    return await listFd(fd, room, flags);
  } finally {
    await native.dirClose(fd);
  }
}

let dir = '';
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'fusekit-pt-listing-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('native listings', () => {
  it("encodes struct fuse_dirent as lowlevel's encoder does, with d_ino and d_type, non-UTF-8 names untouched", async () => {
    const odd = Buffer.from([0x6e, 0xff, 0x0a]);
    await fs.mkdir(join(dir, 'd'));
    await fs.writeFile(Buffer.concat([Buffer.from(`${dir}/`), odd]), 'x');
    await fs.symlink('d', join(dir, 'l'));
    const entries = await listAll(dir, 4096);
    const byName = new Map(entries.map((e) => [e.name.toString('hex'), e]));
    expect([...byName.keys()].sort()).toEqual(
      ['.', '..', 'd', 'l']
        .map((n) => Buffer.from(n).toString('hex'))
        .concat(odd.toString('hex'))
        .sort(),
    );
    for (const [hex, type] of [
      [odd.toString('hex'), 8],
      [Buffer.from('d').toString('hex'), 4],
      [Buffer.from('l').toString('hex'), 10],
    ] as const) {
      const e = byName.get(hex)!;
      const ino = Number((await fs.lstat(Buffer.concat([Buffer.from(`${dir}/`), e.name]), { bigint: true })).ino);
      expect([e.ino, e.type]).toEqual([ino, type]);
      expect(e.bytes).toEqual(Buffer.from(encodeDirent(e.name, { ino, mode: type << 12 }, e.next)));
    }
    // Without useIno, libfuse's FUSE_UNKNOWN_INO.
    expect(new Set((await listAll(dir, 4096, 0)).map((e) => e.ino))).toEqual(new Set([0xffffffff]));
  });

  it('lists a large directory in many batches, each name once, and a seek back lists the same again', async () => {
    const names = Array.from({ length: 3000 }, (_, i) => `file-${i}-${'x'.repeat(i % 40)}`);
    await Promise.all(names.map((n) => fs.writeFile(join(dir, n), '')));
    const fd = await native.dirOpen(dir);
    try {
      const all = await listFd(fd, 512);
      expect(all.map((e) => e.name.toString()).sort()).toEqual([...names, '.', '..'].sort());
      const middle = all[1500]!.next;
      const first = dirents(await native.list(fd, middle, 512, LIST_USE_INO));
      await native.list(fd, first.at(-1)!.next, 512, LIST_USE_INO); // on, then back
      expect(dirents(await native.list(fd, middle, 512, LIST_USE_INO))).toEqual(first);
      expect(first[0]!.name).toEqual(all[1501]!.name);
      expect(dirents(await native.list(fd, 0, 512, LIST_USE_INO))[0]!.name).toEqual(all[0]!.name);
      await expect(native.list(fd, 2 ** 52 + 1e6, 512, 0)).rejects.toMatchObject({ code: 'EINVAL' });
    } finally {
      await native.dirClose(fd);
    }
  });

  it('leaves hidden names out', async () => {
    for (const n of ['a', '.fuse_hidden0001', 'b']) await fs.writeFile(join(dir, n), '');
    const fd = await native.dirOpen(dir);
    try {
      const hidden = Buffer.from('.fuse_hidden0001\0b\0');
      const names = dirents(await native.list(fd, 0, 4096, 0, hidden)).map((e) => e.name.toString());
      expect(names.sort()).toEqual(['.', '..', 'a']);
    } finally {
      await native.dirClose(fd);
    }
  });

  it('gives readdirplus records with the attributes of fstatat, none for . and ..', async () => {
    const { attributes } = await import('../src/host.js');
    await fs.writeFile(join(dir, 'f'), 'abc');
    await fs.mkdir(join(dir, 'd'));
    const fd = await native.dirOpen(dir);
    try {
      const out = await native.list(fd, 0, 4096, LIST_PLUS | LIST_USE_INO);
      const words = new BigInt64Array(out.buffer, out.byteOffset, out.length / 8);
      const seen: Record<string, unknown> = {};
      for (let at = 0; at < out.length; ) {
        const packed = Number(words[at / 8 + 15]);
        const nameLength = packed % 2 ** 32;
        const name = out.subarray(at + 128, at + 128 + nameLength).toString();
        seen[name] = Math.trunc(packed / 2 ** 32) & 0x100 ? attributes(words, at / 8) : 'name only';
        at += (128 + nameLength + 7) & ~7;
      }
      const expected = async (n: string) => {
        const s = await fs.lstat(join(dir, n), { bigint: true });
        return { dev: s.dev, ino: s.ino, mode: Number(s.mode), size: Number(s.size), mtimeNs: s.mtimeNs };
      };
      expect(seen).toMatchObject({ '.': 'name only', '..': 'name only', f: await expected('f'), d: await expected('d') });
    } finally {
      await native.dirClose(fd);
    }
  });

  it('fails like node:fs', async () => {
    await expect(native.dirOpen(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' });
    await fs.writeFile(join(dir, 'f'), '');
    await expect(native.dirOpen(join(dir, 'f'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(native.list(12345, 0, 4096, 0)).rejects.toMatchObject({ code: 'EBADF' });
    await expect(native.dirClose(12345)).rejects.toMatchObject({ code: 'EBADF' });
  });
});
