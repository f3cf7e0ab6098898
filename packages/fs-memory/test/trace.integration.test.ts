// --trace: one line per request on stderr, as a user debugging the CLI sees it.
import { rmdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { makeMountpoint, sh } from '@fusekit/test-harness';
import { startMemoryFs } from './cli-path.js';

describe('fusekit-memory --trace', () => {
  it('prints each request with its operation, inode, name, caller and result', async () => {
    const mp = await makeMountpoint('fusekit-cli-');
    const fs = await startMemoryFs(mp, ['--trace']);
    try {
      await sh(`mkdir ${mp}/d; stat ${mp}/d/missing || true`);
    } finally {
      await fs.stop();
      await rmdir(mp).catch(() => undefined);
    }
    expect(fs.output()).toMatch(/^fusekit trace: op=mkdir ino=1 name="d" uid=0 gid=0 pid=\d+ result=ok ms=\d+\.\d{3}$/m);
    // fusekit-memory answers a missing name with a negative entry (ino 0): a successful lookup.
    expect(fs.output()).toMatch(/^fusekit trace: op=lookup ino=\d+ name="missing" uid=0 gid=0 pid=\d+ result=ok ms=\d+\.\d{3}$/m);
  });
});
