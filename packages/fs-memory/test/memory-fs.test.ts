// The handlers called directly, without a mount: lookup counts, forget and limits.
import { describe, expect, it } from 'vitest';
import type { Entry, RequestContext } from '@fusekit/lowlevel';
import { MemoryFs, parseSize } from '../src/index.js';

const ctx = { uid: 0, gid: 0, pid: 1, umask: 0o022, groups: () => [] } as unknown as RequestContext;
const name = (s: string) => Buffer.from(s);

describe('MemoryFs handlers', () => {
  it('keeps an unlinked inode until the kernel forgets it, then frees it', async () => {
    const fs = new MemoryFs({ size: 1 << 20, inodes: 100 });
    const ops = fs.operations;
    const entry = (await ops.create!(1, name('f'), 0o644, 0, ctx)) as Entry;
    await ops.write!(entry.ino, Buffer.from('data'), 0, undefined, 0, false, ctx);
    await ops.lookup!(1, name('f'), ctx); // second reference
    await ops.unlink!(1, name('f'), ctx);
    expect(fs.usage()).toEqual({ bytes: 4096, inodes: 2 });
    expect(Buffer.concat([(await ops.read!(entry.ino, 10, 0, undefined, 0, ctx)) as Uint8Array]).toString()).toBe('data');
    await ops.forget!(entry.ino, 1);
    expect(fs.usage().inodes).toBe(2);
    await ops.forget!(entry.ino, 1);
    expect(fs.usage()).toEqual({ bytes: 0, inodes: 1 });
    await expect(async () => ops.getattr!(entry.ino, undefined, ctx)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('answers ENOSPC when inodes run out', async () => {
    const fs = new MemoryFs({ inodes: 3 });
    await fs.operations.mkdir!(1, name('a'), 0o755, ctx);
    await fs.operations.mkdir!(1, name('b'), 0o755, ctx);
    await expect(async () => fs.operations.mkdir!(1, name('c'), 0o755, ctx)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect((await fs.operations.statfs!(1, ctx)).ffree).toBe(0);
  });

  it('counts extra hard links against the inodes, as tmpfs', async () => {
    const fs = new MemoryFs({ inodes: 3 });
    const ops = fs.operations;
    const file = (await ops.create!(1, name('f'), 0o644, 0, ctx)) as Entry;
    await ops.link!(file.ino, 1, name('g'), ctx);
    expect((await ops.statfs!(1, ctx)).ffree).toBe(0);
    await expect(async () => ops.link!(file.ino, 1, name('h'), ctx)).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(async () => ops.mkdir!(1, name('d'), 0o755, ctx)).rejects.toMatchObject({ code: 'ENOSPC' });
    await ops.unlink!(1, name('g'), ctx);
    expect((await ops.statfs!(1, ctx)).ffree).toBe(1);
    await ops.link!(file.ino, 1, name('h'), ctx);
  });

  it('refuses names longer than 255 bytes', async () => {
    const fs = new MemoryFs();
    await expect(async () => fs.operations.lookup!(1, name('é'.repeat(128)), ctx)).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
  });
});

describe('parseSize', () => {
  it('reads sizes as tmpfs takes them', () => {
    expect(parseSize('4096')).toBe(4096);
    expect(parseSize('512M')).toBe(512 * 2 ** 20);
    expect(parseSize('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseSize('2k')).toBe(2048);
    expect(parseSize('50%')).toBeGreaterThan(0);
    expect(parseSize('lots')).toBeUndefined();
    expect(parseSize('-1')).toBeUndefined();
  });
});
