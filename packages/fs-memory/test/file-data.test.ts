import { describe, expect, it } from 'vitest';
import { FileData, PAGE_SIZE, type PageBudget } from '../src/file-data.js';

function budget(max: number): PageBudget & { used: number } {
  const b = {
    used: 0,
    reserve(n: number) {
      if (b.used + n > max) throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
      b.used += n;
    },
    release(n: number) {
      b.used -= n;
    },
  };
  return b;
}
const text = (parts: Uint8Array[]) => Buffer.concat(parts).toString('latin1');

describe('FileData', () => {
  it('reads holes as zeros and charges only written pages', () => {
    const b = budget(100);
    const f = new FileData(b);
    f.write(Buffer.from('end'), 5 * 2 ** 30);
    expect(f.size).toBe(5 * 2 ** 30 + 3);
    expect(b.used).toBe(1);
    expect(text(f.read(5 * 2 ** 30 - 2, 10))).toBe('\0\0end');
    expect(f.seekData(0)).toBe(5 * 2 ** 30 - ((5 * 2 ** 30) % PAGE_SIZE));
    expect(f.seekHole(0)).toBe(0);
  });

  it('writes across pages and reads them back', () => {
    const f = new FileData(budget(100));
    const data = Buffer.alloc(3 * PAGE_SIZE + 10, 'abc');
    f.write(data, 100);
    expect(Buffer.concat(f.read(100, data.length)).equals(data)).toBe(true);
    expect(f.read(0, 100).every((p) => p.every((x) => x === 0))).toBe(true);
  });

  it('refuses a write that does not fit, without writing any of it', () => {
    const b = budget(2);
    const f = new FileData(b);
    expect(() => f.write(Buffer.alloc(3 * PAGE_SIZE), 0)).toThrow('ENOSPC');
    expect([f.size, b.used]).toEqual([0, 0]);
  });

  it('truncates and punches holes, freeing whole pages', () => {
    const b = budget(100);
    const f = new FileData(b);
    f.write(Buffer.alloc(4 * PAGE_SIZE, 1), 0);
    f.punch(PAGE_SIZE - 1, 3 * PAGE_SIZE);
    expect(b.used).toBe(2);
    expect(f.seekHole(0)).toBe(PAGE_SIZE);
    expect(f.seekData(PAGE_SIZE)).toBe(3 * PAGE_SIZE);
    f.truncate(10);
    expect([f.size, b.used]).toEqual([10, 1]);
    f.clear();
    expect(b.used).toBe(0);
  });
});

describe('FileData.allocate', () => {
  it('charges fallocated pages and reads them as zeros until they are written', () => {
    const b = budget(1000);
    const f = new FileData(b);
    f.allocate(0, 300 * PAGE_SIZE);
    f.size = 300 * PAGE_SIZE;
    expect([b.used, f.pageCount, f.seekData(0), f.seekHole(0)]).toEqual([300, 300, 0, 300 * PAGE_SIZE]);
    expect(f.read(100 * PAGE_SIZE - 3, 6).every((p) => p.every((x) => x === 0))).toBe(true);
    f.write(Buffer.from('abc'), 200 * PAGE_SIZE + 5);
    expect([b.used, text(f.read(200 * PAGE_SIZE, 10))]).toEqual([300, '\0\0\0\0\0abc\0\0']);
    f.punch(0, 150 * PAGE_SIZE);
    expect([b.used, f.seekData(0)]).toEqual([150, 150 * PAGE_SIZE]);
  });
});

describe('FileData.copyFrom', () => {
  it('copies data page by page, holes as zeros', () => {
    const b = budget(100);
    const source = new FileData(b);
    source.write(Buffer.from('head'), 0);
    source.write(Buffer.from('tail'), 10 * PAGE_SIZE);
    const target = new FileData(b);
    target.write(Buffer.alloc(3 * PAGE_SIZE, 7), 0);
    expect(target.copyFrom(source, 0, 0, 1 << 30)).toBe(10 * PAGE_SIZE + 4);
    expect(target.pageCount).toBe(11);
    expect(text(target.read(0, 6))).toBe('head\0\0');
    expect(text(target.read(10 * PAGE_SIZE, 10))).toBe('tail');
    expect(target.copyFrom(source, 20 * PAGE_SIZE, 0, 10)).toBe(0);
  });

  it('copies overlapping ranges of one file as if through a buffer', () => {
    const f = new FileData(budget(100));
    f.write(Buffer.from('abcdefgh'), 0);
    expect(f.copyFrom(f, 0, 2, 6)).toBe(6);
    expect(text(f.read(0, 8))).toBe('ababcdef');
  });
});
