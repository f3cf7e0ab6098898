import { lstatSync, statfsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toAttr, toEntry, toStatfs } from '../src/attributes.js';

describe('attributes', () => {
  it('accepts a node:fs BigIntStats as is, with nanosecond times and the session ino', () => {
    const st = lstatSync('/', { bigint: true });
    const attr = toAttr(st, 42);
    expect(attr).toMatchObject({ ino: 42, mode: Number(st.mode), nlink: Number(st.nlink), size: Number(st.size) });
    expect(attr.mtimeNs).toBe(st.mtimeNs);
    expect(typeof attr.uid).toBe('number');
  });

  it('accepts a plain node:fs Stats, reading times from *Ms', () => {
    const st = lstatSync('/');
    const attr = toAttr(st, 7);
    expect(attr.ino).toBe(7);
    expect(attr.mtimeNs).toBe(BigInt(Math.round(st.mtimeMs * 1e6)));
  });

  it('accepts Dates, and keeps timeouts; entries carry the generation, and a node id only when it is not ino', () => {
    const attr = toAttr({ mode: 0o100644, mtime: new Date(1000), attrTimeout: 5 }, 3);
    expect(attr).toEqual({ ino: 3, mode: 0o100644, mtimeNs: 1_000_000_000n, attrTimeout: 5 });
    expect(toEntry({ mode: 0o40755, entryTimeout: 9 }, 4, 4, 2)).toEqual({ ino: 4, mode: 0o40755, generation: 2, entryTimeout: 9 });
    expect(toEntry({ mode: 0o40755 }, 9000, 4, 0)).toEqual({ ino: 9000, nodeid: 4, mode: 0o40755, generation: 0 });
  });

  it('refuses attributes without a mode', () => {
    expect(() => toAttr({} as never, 1)).toThrow(/mode/);
  });

  it('turns a node:fs StatFs (bigint too) into statvfs fields', () => {
    const s = toStatfs(statfsSync('/', { bigint: true }));
    expect(s.bsize).toBeGreaterThan(0);
    expect(s.frsize).toBe(s.bsize);
    expect(s.favail).toBe(s.ffree);
    expect(s.namemax).toBe(255);
    expect(s).not.toHaveProperty('type');
  });
});
