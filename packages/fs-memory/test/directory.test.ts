import { describe, expect, it } from 'vitest';
import { Directory, FIRST_COOKIE, type DirEntry } from '../src/directory.js';

function entries(d: Directory<number>, after = 0): DirEntry<number>[] {
  const list: DirEntry<number>[] = [];
  d.forEachAfter(after, (e) => list.push(e) > 0);
  return list;
}
const names = (d: Directory<number>, after = 0) => entries(d, after).map((e) => e.key);

describe('Directory', () => {
  it('resumes after a cookie without skipping or repeating entries that stayed', () => {
    const d = new Directory<number>();
    for (let i = 0; i < 10; i++) d.add(`e${i}`, i);
    const first = entries(d).slice(0, 4);
    const resume = first.at(-1)!.cookie;
    d.remove('e1');
    d.remove('e6');
    d.add('late', 99);
    expect(names(d, resume)).toEqual(['e4', 'e5', 'e7', 'e8', 'e9', 'late']);
    expect(first[0]!.cookie).toBe(FIRST_COOKIE);
  });

  it('keeps cookies stable across sweeps of removed entries', () => {
    const d = new Directory<number>();
    for (let i = 0; i < 500; i++) d.add(`e${i}`, i);
    const cookieOf400 = entries(d).find((e) => e.key === 'e400')!.cookie;
    for (let i = 0; i < 400; i++) d.remove(`e${i}`);
    expect(d.size).toBe(100);
    expect(names(d, cookieOf400)).toEqual(Array.from({ length: 99 }, (_, i) => `e${401 + i}`));
  });

  it('stops when the visitor says the reply is full', () => {
    const d = new Directory<number>();
    for (let i = 0; i < 5; i++) d.add(`e${i}`, i);
    const seen: string[] = [];
    d.forEachAfter(0, (e) => {
      seen.push(e.key);
      return seen.length < 2;
    });
    expect(seen).toEqual(['e0', 'e1']);
  });

  it('replaces an entry in place', () => {
    const d = new Directory<number>();
    d.add('a', 1);
    d.add('b', 2);
    d.replace('a', 3);
    expect(entries(d).map((e) => [e.key, e.value])).toEqual([
      ['a', 3],
      ['b', 2],
    ]);
  });
});

describe('Directory.encodedAfter', () => {
  // Entries of varying length, each its key's bytes: slices must hold whole entries only.
  const encode = (key: string) => Buffer.from(key);
  const keys = (bytes: Uint8Array) => Buffer.from(bytes).toString();

  it('slices whole entries after a cookie, as many as fit, and follows additions and removals', () => {
    const d = new Directory<number>(encode);
    for (const key of ['aa', 'bbbb', 'c', 'dddddd']) d.add(key, 0);
    expect(keys(d.encodedAfter(0, 100))).toBe('aabbbbcdddddd');
    expect(keys(d.encodedAfter(FIRST_COOKIE, 5))).toBe('bbbbc'); // after 'aa'
    expect(keys(d.encodedAfter(FIRST_COOKIE, 3))).toBe(''); // 'bbbb' does not fit
    d.add('ee', 0);
    expect(keys(d.encodedAfter(FIRST_COOKIE + 2, 100))).toBe('ddddddee');
    d.remove('dddddd');
    expect(keys(d.encodedAfter(FIRST_COOKIE + 1, 100))).toBe('cee');
    d.replace('c', 1);
    expect(keys(d.encodedAfter(0, 100))).toBe('aabbbbcee');
    expect(keys(d.encodedAfter(FIRST_COOKIE + 10, 100))).toBe('');
  });
});
