// Kernel passthrough (FUSE_PASSTHROUGH): open and create replies with a backing id make the
// kernel do the file's I/O on the backing file; the daemon sees no READ or WRITE for it.
import { mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMountpoint, run, sh } from '@fusekit/test-harness';
import { useMount, py } from './helpers.js';
import { BackingFs } from './fixtures/backing-fs.js';
import { FuseError } from '../src/index.js';
import { passthroughCapability } from '../src/passthrough.js';

const root = process.getuid?.() === 0;
const offered = passthroughCapability(true);
// The kernel's offer is only known at INIT; the privilege can be checked up front.
const skip = !root ? 'needs root (CAP_SYS_ADMIN registers backing files)' : !offered.available ? offered.unavailableReason : undefined;
if (skip !== undefined) console.warn(`passthrough tests skipped: ${skip}`);

describe.skipIf(skip !== undefined)('kernel passthrough', () => {
  let dir = '';
  let fs!: BackingFs;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fusekit-backing-'));
    await writeFile(join(dir, 'f'), 'backing file contents\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const m = useMount(() => (fs = new BackingFs(dir)), { capabilities: { passthrough: true } });

  it('is agreed at INIT, with the kernel passthrough capability reported', async () => {
    await m.session.initialized;
    if (!m.session.passthrough) throw new Error(`passthrough off: ${m.session.passthroughOffReason}`);
    expect(m.session.passthroughOffReason).toBeUndefined();
  });

  it('reads see the backing file, and the daemon sees no READ', { timeout: 30_000 }, async () => {
    expect(await sh(`cat ${m.mountpoint}/f`)).toBe('backing file contents\n');
    await writeFile(join(dir, 'f'), 'changed behind the mount\n');
    // Direct and buffered reads both reach the backing file.
    expect(await sh(`cat ${m.mountpoint}/f`)).toBe('changed behind the mount\n');
    expect(await sh(`dd if=${m.mountpoint}/f bs=4096 iflag=direct status=none`)).toBe('changed behind the mount\n');
    expect(fs.reads).toBe(0);
  });

  it('writes land in the backing file (open and create), and the daemon sees no WRITE', { timeout: 30_000 }, async () => {
    await sh(`printf 'written through' > ${m.mountpoint}/new`);
    expect(await readFile(join(dir, 'new'), 'utf8')).toBe('written through');
    await sh(`printf 'XY' | dd of=${m.mountpoint}/f bs=1 seek=2 conv=notrunc status=none`);
    expect(await readFile(join(dir, 'f'), 'utf8')).toBe('chXYged behind the mount\n');
    await sh(`head -c 3145728 /dev/urandom > ${dir}/src.bin && dd if=${dir}/src.bin of=${m.mountpoint}/big bs=1M oflag=direct status=none`);
    expect(Buffer.compare(await readFile(join(dir, 'big')), await readFile(join(dir, 'src.bin')))).toBe(0);
    expect(await sh(`stat -c %s ${m.mountpoint}/big`)).toBe('3145728\n');
    expect(fs.writes).toBe(0);
    expect(fs.reads).toBe(0);
  });

  it('a shared mapping sees and changes the backing file', { timeout: 30_000 }, async () => {
    await writeFile(join(dir, 'm'), Buffer.alloc(8192, 'a'));
    const seen = await py(`
import mmap, os
fd = os.open('${m.mountpoint}/m', os.O_RDWR)
mm = mmap.mmap(fd, 8192, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
mm[4096:4101] = b'HELLO'
mm.flush()
print(mm[0:3].decode())
mm.close(); os.close(fd)`);
    expect(seen).toBe('aaa');
    const host = await readFile(join(dir, 'm'));
    expect(host.subarray(4096, 4101).toString()).toBe('HELLO');
    expect(fs.reads + fs.writes).toBe(0);
  });

  it('releases every backing id: none left after 10,000 opens, and the kernel forgot them', { timeout: 120_000 }, async () => {
    fs.closedIds.length = 0;
    await py(
      `
import os
for i in range(10000):
    os.close(os.open('${m.mountpoint}/f', os.O_RDONLY if i % 2 else os.O_RDWR))`,
      { timeoutMs: 110_000 },
    );
    expect(fs.live).toBe(0);
    expect(fs.closedIds.length).toBe(10_000);
    // Closing an id again fails: the kernel no longer holds it.
    let error: unknown;
    try {
      m.session.backingClose(fs.closedIds.at(-1)!);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FuseError);
    expect((error as FuseError).code).toBe('ENOENT');
  });

  it('refuses a bad fd with a clear error, not EIO', () => {
    let error: unknown;
    try {
      m.session.backingOpen(2 ** 30);
    } catch (e) {
      error = e;
    }
    expect((error as FuseError).code).toBe('EBADF');
    expect((error as Error).message).toMatch(/kernel passthrough: not an open file descriptor/);
  });
});

// A mount without CAP_SYS_ADMIN in the initial user namespace: root of a user namespace of its
// own (unshare), which may mount FUSE but not register backing files. /dev/fuse is often 0600,
// so an ordinary user could not mount at all. The mount lives in the child's mount namespace,
// so the child drives it from a process of its own (cat).
const dist = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;
const unshare = !root
  ? 'needs root to make a user namespace with a FUSE mount'
  : (await run('unshare', ['--user', '--map-root-user', '--mount', 'true'])).code === 0
    ? undefined
    : 'unshare --user --mount is not permitted here';
if (unshare !== undefined) console.warn(`unprivileged passthrough test skipped: ${unshare}`);

describe.skipIf(unshare !== undefined)('kernel passthrough without CAP_SYS_ADMIN', () => {
  it('is reported unavailable, INIT does not ask for it, backingOpen says why, and files are served', { timeout: 60_000 }, async () => {
    const mountpoint = await makeMountpoint();
    const script = `
      import { mount } from ${JSON.stringify(dist)};
      import { spawn } from 'node:child_process';
      let cap;
      const s = await mount({
        init: (conn) => { cap = conn.capabilities.passthrough; },
        lookup: (_p, name) => { if (name !== 'f') { const e = new Error(); e.code = 'ENOENT'; throw e; } return { ino: 2, mode: 0o100644, nlink: 1, size: 6 }; },
        getattr: (ino) => ino === 1 ? { ino: 1, mode: 0o40755, nlink: 2 } : { ino: 2, mode: 0o100644, nlink: 1, size: 6 },
        open: () => ({}),
        read: () => Buffer.from('plain\\n'),
      }, ${JSON.stringify(mountpoint)}, { capabilities: { passthrough: true }, attrTimeout: 0, entryTimeout: 0 });
      await s.initialized;
      let backingError;
      try { s.backingOpen(0); } catch (e) { backingError = e.code + ': ' + e.message; }
      const cat = spawn('cat', [${JSON.stringify(`${mountpoint}/f`)}]);
      let read = '';
      cat.stdout.on('data', (d) => (read += d));
      await new Promise((r) => cat.on('close', r));
      console.log(JSON.stringify({ available: cap.available, reason: cap.unavailableReason, agreed: s.passthrough, why: s.passthroughOffReason, backingError, read }));
      await s.close();
    `;
    try {
      const r = await run('unshare', ['--user', '--map-root-user', '--mount', process.execPath, '--input-type=module', '-e', script], {
        timeoutMs: 50_000,
      });
      expect(r.stderr).toBe('');
      const report = JSON.parse(r.stdout);
      expect(report).toMatchObject({ available: false, agreed: false, read: 'plain\n' });
      expect(report.reason).toMatch(/CAP_SYS_ADMIN in the initial user namespace/);
      expect(report.why).toBe(report.reason);
      expect(report.backingError).toMatch(/^EOPNOTSUPP: kernel passthrough is off for this session: .*CAP_SYS_ADMIN/);
    } finally {
      await rmdir(mountpoint).catch(() => undefined);
    }
  });
});
