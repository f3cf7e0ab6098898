// The pure parts of the binding: errno mapping, mount arguments, reply validation.
import { describe, expect, it } from 'vitest';
import { errnoOf, FuseError } from '../src/errors.js';
import { toArgs } from '../src/options.js';
import { openBits, ReplyShapeError, Scratch } from '../src/replies.js';
import { native } from '../src/native.js';

describe('FuseError and errno mapping', () => {
  it('accepts codes and errno numbers, and refuses unknown ones', () => {
    expect(new FuseError('ENOENT')).toMatchObject({ code: 'ENOENT', errno: 2, message: 'ENOENT' });
    expect(new FuseError(13)).toMatchObject({ code: 'EACCES', errno: 13 });
    expect(new FuseError(-13).errno).toBe(13);
    expect(() => new FuseError('ENOPE')).toThrow(TypeError);
    expect(() => new FuseError(0)).toThrow(TypeError);
  });

  it('maps Node system errors by code and leaves other errors to EIO', () => {
    expect(errnoOf(Object.assign(new Error('x'), { code: 'ENOTEMPTY' }))).toBe(39);
    expect(errnoOf(new FuseError('EXDEV'))).toBe(18);
    expect(errnoOf(new Error('plain'))).toBeUndefined();
    expect(errnoOf(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBeUndefined();
    expect(errnoOf('string')).toBeUndefined();
  });
});

describe('mount arguments', () => {
  it('starts from defaultOptions, adds the conveniences, escapes commas', () => {
    expect(toArgs({})).toEqual(['fusekit', '-o', 'default_permissions']);
    expect(toArgs({ options: [], fsname: 'a,b', allowOther: true, autoUnmount: true, readOnly: true, debug: true })).toEqual([
      'fusekit',
      '-o',
      'fsname=a\\,b,allow_other,auto_unmount,ro',
      '-d',
    ]);
    expect(toArgs({ options: ['default_permissions'], defaultPermissions: true })).toEqual(['fusekit', '-o', 'default_permissions']);
    expect(toArgs({ options: [] })).toEqual(['fusekit']);
  });

  it('defaultPermissions: false takes default_permissions out, from defaultOptions too', () => {
    expect(toArgs({ defaultPermissions: false })).toEqual(['fusekit']);
    expect(toArgs({ options: ['default_permissions', 'ro'], defaultPermissions: false })).toEqual(['fusekit', '-o', 'ro']);
  });
});

describe('reply validation', () => {
  const scratch = new Scratch(new ArrayBuffer(native.layout.bytes!));
  const L = native.layout;

  it('writes attributes exactly, timestamps as nanoseconds', () => {
    scratch.writeAttr({ ino: 2 ** 53 - 1, mode: 0o100644, size: 5, mtimeNs: -1n, atimeNs: 1_700_000_000_123_456_789n }, 1.5);
    expect(scratch.f64[L.F_INO!]).toBe(2 ** 53 - 1);
    expect(scratch.f64[L.F_ATTR_TIMEOUT!]).toBe(1.5);
    expect(scratch.i64[L.T_ATIME!]).toBe(1_700_000_000_123_456_789n);
    expect(scratch.i64[L.T_MTIME!]).toBe(-1n);
  });

  it('reads a plain node:fs Stats through its millisecond fields', () => {
    scratch.writeAttr({ ino: 3, mode: 0o100644, mtimeMs: 1500.25 } as never, 0);
    expect(scratch.i64[L.T_MTIME!]).toBe(1_500_250_000n);
  });

  it.each([
    ['NaN ino', { ino: Number.NaN, mode: 0 }],
    ['negative size', { ino: 1, mode: 0, size: -1 }],
    ['size past 2^53-1', { ino: 1, mode: 0, size: 2 ** 53 }],
    ['fractional nlink', { ino: 1, mode: 0, nlink: 1.5 }],
    ['numeric time', { ino: 1, mode: 0, mtimeNs: 5 }],
    ['negative timeout', { ino: 1, mode: 0, attrTimeout: -1 }],
    ['not an object', 'nope'],
  ])('refuses %s', (_name, attr) => {
    expect(() => scratch.writeAttr(attr as never, 0)).toThrow(ReplyShapeError);
  });

  it('writes a statx answer: the mask defaults to the basic stats, with STATX_BTIME when a birth time is given', () => {
    const { STATX_BASIC_STATS, STATX_BTIME } = native.constants;
    scratch.writeStatx({ ino: 4, mode: 0o100644, btimeNs: -1_500_000_000n }, 0);
    expect(scratch.f64[L.F_STATX_MASK!]).toBe(STATX_BASIC_STATS! | STATX_BTIME!);
    expect(scratch.i64[L.T_BTIME!]).toBe(-1_500_000_000n);
    scratch.writeStatx({ ino: 4, mode: 0o100644 }, 0);
    expect(scratch.f64[L.F_STATX_MASK!]).toBe(STATX_BASIC_STATS);
    scratch.writeStatx({ ino: 4, mode: 0o100644, mask: 0x7f }, 0);
    expect(scratch.f64[L.F_STATX_MASK!]).toBe(0x7f);
  });

  it.each([
    ['a numeric birth time', { ino: 1, mode: 0, btimeNs: 5 }],
    ['STATX_BTIME without a birth time', { ino: 1, mode: 0, mask: 0xfff }],
    ['a mask past 32 bits', { ino: 1, mode: 0, mask: 2 ** 32 }],
    ['a fractional mask', { ino: 1, mode: 0, mask: 1.5 }],
  ])('refuses a statx answer with %s', (_name, sx) => {
    expect(() => scratch.writeStatx(sx as never, 0)).toThrow(ReplyShapeError);
  });

  it('packs open flags', () => {
    expect(openBits(undefined)).toEqual([0, 0, 0]);
    expect(openBits({ fh: 7, directIo: true, keepCache: true, nonseekable: true, cacheReaddir: true, noflush: true })).toEqual([7, 31, 0]);
    expect(() => openBits({ fh: -1 })).toThrow(ReplyShapeError);
  });

  it('checks a backing id and what the kernel allows beside it (FOPEN_PASSTHROUGH_MASK)', () => {
    expect(openBits({ fh: 3, backingId: 12, directIo: true, noflush: true })).toEqual([3, 17, 12]);
    expect(() => openBits({ backingId: 0 })).toThrow(/backingId must be a backing id/);
    expect(() => openBits({ backingId: 1.5 })).toThrow(ReplyShapeError);
    expect(() => openBits({ backingId: 1, keepCache: true })).toThrow(/cannot be combined with keepCache/);
  });
});
