import { describe, expect, it } from 'vitest';
import { findMount, sh, withMount } from '@fusekit/test-harness';
import { mount } from '../src/index.js';
import { HELLO, helloOps } from './fixtures/hello.js';

describe('a minimal read-only filesystem through the kernel', () => {
  it('lists, stats and reads the file, then unmounts', async () => {
    let mountpoint = '';
    await withMount(
      (mp) => mount(helloOps, mp, { fsname: 'hello', subtype: 'fusekit-hello' }),
      async (mp) => {
        mountpoint = mp;
        expect((await findMount(mp))?.fstype).toBe('fuse.fusekit-hello');
        expect(await sh(`ls -a "${mp}"`)).toBe('.\n..\nhello\n');
        expect(await sh(`cat "${mp}/hello"`)).toBe(HELLO);
        expect(await sh(`stat -c '%s %a %F %y' "${mp}/hello"`)).toBe(
          `${HELLO.length} 444 regular file 2023-11-14 22:13:20.987654321 +0000\n`,
        );
        await expect(sh(`cat "${mp}/missing"`)).rejects.toThrow(/No such file or directory/);
        await expect(sh(`echo x > "${mp}/hello"`)).rejects.toThrow(/Permission denied/);
      },
    );
    expect(await findMount(mountpoint)).toBeUndefined();
  });
});
