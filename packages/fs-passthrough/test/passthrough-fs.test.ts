// PassthroughFs's choices, no mount.
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createPassthroughFs } from '../src/index.js';
import { isLocalFilesystem } from '../src/passthrough-fs.js';

describe('PassthroughFs options', () => {
  it('makes host calls on the JS thread by default for a local source only', () => {
    // The test machines keep their temporary directory on tmpfs or a local disk.
    expect(isLocalFilesystem(tmpdir())).toBe(true);
    expect(createPassthroughFs(tmpdir()).syncCalls).toBe(true);
    // procfs (a stand-in for a network or FUSE filesystem), and a source that is not there.
    expect(createPassthroughFs('/proc').syncCalls).toBe(false);
    expect(createPassthroughFs('/nonexistent-source').syncCalls).toBe(false);
    expect(createPassthroughFs(tmpdir(), { syncCalls: false }).syncCalls).toBe(false);
    expect(createPassthroughFs('/proc', { syncCalls: true }).syncCalls).toBe(true);
  });
});

describe('host calls', () => {
  it('throw like node:fs when synchronous helper calls fail, without building an Error each time', async () => {
    const { syncHost } = await import('../src/host.js');
    const missing = () => { try { syncHost.getxattr(Buffer.from(tmpdir()), Buffer.from('user.missing')); } catch (error) { return error; } };
    const error = missing();
    expect(error).toMatchObject({ code: 'ENODATA', errno: -61 });
    expect(missing()).toBe(error);
  });
});
