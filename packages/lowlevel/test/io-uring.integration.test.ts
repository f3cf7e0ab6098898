// FUSE over io_uring (MountOptions.transport): the clear errors when the kernel does not allow it,
// 'auto' falling back and saying so, and requests really arriving through the ring. The whole
// behaviour, ops, interrupt and posix suites run over io_uring too: `npm run test:io_uring`
// (FUSEKIT_TRANSPORT=io_uring, which mount() honours when the code does not choose).
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMount, sh, withMount } from '@fusekit/test-harness';
import { mount, type Session } from '../src/index.js';
import { HELLO, helloOps } from './fixtures/hello.js';

const ENABLE_URING = '/sys/module/fuse/parameters/enable_uring';
const skip = !existsSync(ENABLE_URING)
  ? 'this kernel has no FUSE over io_uring (Linux 6.14+ with CONFIG_FUSE_IO_URING)'
  : process.getuid?.() !== 0
    ? `switching ${ENABLE_URING} takes root`
    : undefined;

const setUring = (on: boolean) => writeFileSync(ENABLE_URING, on ? 'Y' : 'N');

/** Completions this process has reaped from its io_uring instances (fdinfo's CqHead). */
function ringCompletions(): number {
  let total = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target = '';
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== 'anon_inode:[io_uring]') continue;
    const head = /^CqHead:\s*(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    total += Number(head?.[1] ?? 0);
  }
  return total;
}

describe.skipIf(skip !== undefined)(`transport io_uring${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let before = '';
  beforeAll(() => {
    before = readFileSync(ENABLE_URING, 'utf8').trim();
  });
  afterAll(() => setUring(before === 'Y'));

  it('refuses io_uring in one line naming enable_uring and its fix; auto falls back and says why', async () => {
    setUring(false);
    await withMount(
      async (mp) => {
        await expect(mount(helloOps, mp, { transport: 'io_uring' })).rejects.toThrow(
          /^FUSE over io_uring is off in this kernel: as root, echo Y > \/sys\/module\/fuse\/parameters\/enable_uring/,
        );
        expect(await findMount(mp)).toBeUndefined();
        return mount(helloOps, mp, { transport: 'auto' });
      },
      async (mp, session: Session) => {
        expect(session.transport).toBe('dev_fuse');
        expect(session.transportNote).toMatch(/enable_uring/);
        expect(await sh(`cat "${mp}/hello"`)).toBe(HELLO);
      },
    );
  });

  it('serves through the ring: requests complete on the session io_uring, the rest of the API unchanged', async () => {
    setUring(true);
    const reaped = ringCompletions();
    await withMount(
      (mp) => mount(helloOps, mp, { transport: 'auto', attrTimeout: 0, entryTimeout: 0 }),
      async (mp, session: Session) => {
        expect(session.transport).toBe('io_uring');
        expect(session.transportNote).toBe('');
        for (let i = 0; i < 20; i++) expect(await sh(`cat "${mp}/hello"`)).toBe(HELLO);
        await expect(sh(`cat "${mp}/missing"`)).rejects.toThrow(/No such file or directory/);
        // Each lookup, getattr, open, read, flush and release above was a ring completion.
        expect(ringCompletions() - reaped).toBeGreaterThan(20 * 4);
      },
    );
  });

  it('rejects an unknown transport before mounting', async () => {
    await expect(mount(helloOps, '/nonexistent', { transport: 'uring' as never })).rejects.toThrow(
      /transport \(or FUSEKIT_TRANSPORT\) must be 'dev_fuse', 'io_uring' or 'auto'/,
    );
  });
});
