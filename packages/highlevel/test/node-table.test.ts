import { describe, expect, it } from 'vitest';
import { bufferNames, stringNames } from '../src/names.js';
import { NodeTable } from '../src/node-table.js';

const table = () => new NodeTable(stringNames);

describe('NodeTable', () => {
  it('gives each new name a new id, and the same node to a repeated lookup', () => {
    const t = table();
    const a = t.remember(t.root, 'a');
    const b = t.remember(t.root, 'b');
    expect(a.id).not.toBe(b.id);
    expect(t.remember(t.root, 'a')).toBe(a);
    expect(a.lookups).toBe(2);
    expect(t.path(a)).toBe('/a');
  });

  it('frees a node when its lookup count reaches zero, and only then', () => {
    const t = table();
    const a = t.remember(t.root, 'a');
    t.remember(t.root, 'a');
    t.forget(a.id, 1);
    expect(t.get(a.id)).toBe(a);
    t.forget(a.id, 1);
    expect(t.get(a.id)).toBeUndefined();
    expect(t.child(t.root, 'a')).toBeUndefined();
    // A new lookup of the same name gets a new id: ids are never reused.
    expect(t.remember(t.root, 'a').id).toBeGreaterThan(a.id);
  });

  it('keeps a forgotten directory while a known child needs it for its path', () => {
    const t = table();
    const d = t.remember(t.root, 'd');
    const f = t.remember(d, 'f');
    t.forget(d.id, 1);
    expect(t.get(d.id)).toBe(d);
    expect(t.path(f)).toBe('/d/f');
    t.forget(f.id, 1);
    expect(t.get(f.id)).toBeUndefined();
    expect(t.get(d.id)).toBeUndefined();
    expect(t.size).toBe(1);
  });

  it('keeps an open node after forget until it is closed', () => {
    const t = table();
    const a = t.remember(t.root, 'a');
    t.opened(a);
    t.forget(a.id, 1);
    expect(t.get(a.id)).toBe(a);
    t.closed(a);
    expect(t.get(a.id)).toBeUndefined();
  });

  it('recognises hard links by backend identity, across directories', () => {
    const t = table();
    const d1 = t.remember(t.root, 'd1');
    const d2 = t.remember(t.root, 'd2');
    const f = t.remember(d1, 'f', 'dev:7');
    const g = t.remember(d2, 'g', 'dev:7');
    expect(g).toBe(f);
    expect(f.links.map((l) => l.name)).toEqual(['f', 'g']);
    t.unlink(d1, 'f');
    expect(t.path(f)).toBe('/d2/g');
    expect(t.get(f.id)).toBe(f);
  });

  it('gives a reused backend inode of an unlinked file a node of its own', () => {
    const t = table();
    const f = t.remember(t.root, 'f', ':9');
    t.unlink(t.root, 'f');
    const g = t.remember(t.root, 'g', ':9');
    expect(g).not.toBe(f);
  });

  it('treats a name whose backend identity changed as a new file', () => {
    const t = table();
    const f = t.remember(t.root, 'f', ':1');
    const f2 = t.remember(t.root, 'f', ':2');
    expect(f2).not.toBe(f);
    expect(t.path(f)).toBeNull();
    expect(t.path(f2)).toBe('/f');
  });

  it('ignores identity when hard links are off', () => {
    const t = new NodeTable(stringNames, { hardLinks: false });
    expect(t.identity({ ino: 5, mode: 0o100644 }, false)).toBeUndefined();
    expect(table().identity({ ino: 5, mode: 0o100644 }, false)).toBe(':5');
    expect(table().identity({ ino: 5, mode: 0o40755 }, true)).toBeUndefined();
  });

  it('keeps paths right after a rename of any ancestor', () => {
    const t = table();
    const a = t.remember(t.root, 'a');
    const b = t.remember(a, 'b');
    const c = t.remember(b, 'c');
    const f = t.remember(c, 'f');
    expect(t.path(f)).toBe('/a/b/c/f');
    t.rename(a, 'b', t.root, 'x', false);
    expect(t.path(f)).toBe('/x/c/f');
    expect(t.path(c)).toBe('/x/c');
    expect(t.path(a)).toBe('/a');
    t.rename(t.root, 'a', t.root, 'z', false);
    expect(t.path(f)).toBe('/x/c/f');
    t.rename(t.root, 'x', t.root, 'y', false);
    expect(t.path(f)).toBe('/y/c/f');
  });

  it('swaps names with RENAME_EXCHANGE', () => {
    const t = table();
    const a = t.remember(t.root, 'a');
    const fa = t.remember(a, 'f');
    const b = t.remember(t.root, 'b');
    const fb = t.remember(b, 'f');
    expect(t.path(fa)).toBe('/a/f');
    t.rename(t.root, 'a', t.root, 'b', true);
    expect(t.path(fa)).toBe('/b/f');
    expect(t.path(fb)).toBe('/a/f');
    expect(t.child(t.root, 'a')).toBe(b);
    expect(t.child(t.root, 'b')).toBe(a);
  });

  it('exchanges with a name the table does not know', () => {
    const t = table();
    const a = t.remember(t.root, 'a');
    t.rename(t.root, 'a', t.root, 'b', true);
    expect(t.path(a)).toBe('/b');
    expect(t.child(t.root, 'a')).toBeUndefined();
  });

  it('unlinks a renamed-over target, which lives on while referenced', () => {
    const t = table();
    const a = t.remember(t.root, 'a');
    const b = t.remember(t.root, 'b');
    t.rename(t.root, 'a', t.root, 'b', false);
    expect(t.child(t.root, 'b')).toBe(a);
    expect(t.get(b.id)).toBe(b);
    expect(t.path(b)).toBeNull();
    t.forget(b.id, 1);
    expect(t.get(b.id)).toBeUndefined();
  });

  it('does nothing when renaming one name of a file onto another of its names', () => {
    const t = table();
    const f = t.remember(t.root, 'a', ':1');
    t.remember(t.root, 'b', ':1');
    t.rename(t.root, 'a', t.root, 'b', false);
    expect(f.links.map((l) => l.name)).toEqual(['a', 'b']);
  });

  it('hides a name and makes the path follow it', () => {
    const t = table();
    const d = t.remember(t.root, 'd');
    const f = t.remember(d, 'f');
    t.hide(d, 'f', '.fuse_hidden1');
    expect(t.path(f)).toBe('/d/.fuse_hidden1');
    expect(t.link(d, '.fuse_hidden1')?.hidden).toBe(true);
  });

  it('adds an explicit hard link to a known node', () => {
    const t = table();
    const f = t.remember(t.root, 'f');
    expect(t.rememberLink(f, t.root, 'g')).toBe(f);
    expect(f.lookups).toBe(2);
    expect(t.child(t.root, 'g')).toBe(f);
  });

  it('handles Buffer names that are not UTF-8', () => {
    const t = new NodeTable(bufferNames);
    const name = Buffer.from([0xff, 0xfe, 0x41]);
    const d = t.remember(t.root, Buffer.from('d'));
    const f = t.remember(d, name);
    expect(t.path(f)).toEqual(Buffer.concat([Buffer.from('/d/'), name]));
    expect(t.child(d, Buffer.from([0xff, 0xfe, 0x41]))).toBe(f);
  });

  it('never frees the root', () => {
    const t = table();
    t.forget(1, 1000);
    expect(t.get(1)).toBe(t.root);
    expect(t.path(t.root)).toBe('/');
  });
});
