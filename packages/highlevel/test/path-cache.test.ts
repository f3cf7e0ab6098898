import { describe, expect, it } from 'vitest';
import { PathCache } from '../src/path-cache.js';

describe('PathCache', () => {
  it('returns what was set until it is deleted', () => {
    const cache = new PathCache<string>(10);
    cache.set(2, '/a');
    expect(cache.get(2)).toBe('/a');
    cache.delete(2);
    expect(cache.get(2)).toBeUndefined();
  });

  it('drops every entry at once when the tree epoch moves', () => {
    const cache = new PathCache<string>(10);
    cache.set(2, '/a');
    cache.set(3, '/a/b');
    cache.invalidateAll();
    expect(cache.get(2)).toBeUndefined();
    expect(cache.get(3)).toBeUndefined();
    cache.set(3, '/c/b');
    expect(cache.get(3)).toBe('/c/b');
  });

  it('stays within its bound, dropping the least recently used', () => {
    const cache = new PathCache<string>(3);
    for (let i = 0; i < 3; i++) cache.set(i, `/${i}`);
    cache.get(0);
    cache.set(9, '/9');
    expect(cache.size).toBe(3);
    expect(cache.get(1)).toBeUndefined();
    expect(cache.get(0)).toBe('/0');
  });
});
