import { describe, expect, it } from 'vitest';
import { sh } from '@fusekit/test-harness';
import { withMemoryFs } from './helpers.js';

describe('session notify helpers by path', () => {
  it('make the kernel see changes made behind the mount, for names, attributes and deletes', async () => {
    const long = { attrTimeout: 3600, entryTimeout: 3600 };
    await withMemoryFs(
      {},
      long,
      (fs) => {
        fs.dir('/d');
        fs.put('/d/f', 'a');
        fs.put('/d/g', 'gg');
      },
      async (mp, fs, session) => {
        const size = () => sh(`stat -c %s "${mp}/d/f"`).then(Number);
        expect(await size()).toBe(1);
        fs.resolve('/d/f').data = Buffer.from('abc');
        expect(await size()).toBe(1); // cached for an hour
        await session.invalidateAttributes('/d/f');
        expect(await size()).toBe(3);

        // A name replaced behind the mount: the kernel keeps the old binding until told.
        const before = await sh(`stat -c %i "${mp}/d/f"`);
        const d = fs.resolve('/d');
        d.entries.set('f', d.entries.get('g')!);
        expect(await sh(`stat -c %i "${mp}/d/f"`)).toBe(before);
        await session.invalidatePath('/d/f');
        expect(await size()).toBe(2);

        // A delete behind the mount.
        await sh(`stat "${mp}/d/g"`);
        d.entries.delete('g');
        await session.notifyDelete('/d/g');
        await expect(sh(`stat "${mp}/d/g"`)).rejects.toThrow(/No such file/);

        // Paths the kernel never looked up have nothing to invalidate: no error.
        await session.invalidatePath('/nothing/here');
        await session.invalidateData('/d/f');
      },
    );
  });
});
