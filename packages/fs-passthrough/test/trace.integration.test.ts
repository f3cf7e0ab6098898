// --trace: one line per request on stderr, with the path the request is about.
import { rmdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { makeMountpoint, sh } from '@fusekit/test-harness';
import { startPassthroughFs } from './cli-path.js';

describe('fusekit-passthrough --trace', () => {
  it('prints each request with its operation, path, caller and result', async () => {
    const mp = await makeMountpoint('fusekit-cli-');
    const fs = await startPassthroughFs(mp, ['--trace']);
    try {
      await sh(`mkdir ${mp}/d; stat ${mp}/d/missing || true`);
    } finally {
      await fs.close();
      await rmdir(mp).catch(() => undefined);
    }
    expect(fs.output()).toMatch(/^fusekit trace: op=mkdir ino=1 path="\/d" name="d" uid=0 gid=0 pid=\d+ result=ok ms=\d+\.\d{3}$/m);
    expect(fs.output()).toMatch(
      /^fusekit trace: op=lookup ino=\d+ path="\/d\/missing" name="missing" uid=0 gid=0 pid=\d+ result=ENOENT ms=\d+\.\d{3}$/m,
    );
  });
});
