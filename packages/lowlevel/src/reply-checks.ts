// Validation of handler results: a value of the wrong shape is refused with ReplyShapeError
// before anything is sent, then answered EIO and logged (lifecycle.ts).
import type { Attr, Name, OpenReply } from './types.js';

/** A handler answered with a value the kernel cannot be given. */
export class ReplyShapeError extends TypeError {
  override name = 'ReplyShapeError';
}

export function checkCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ReplyShapeError(`${what} must be a non-negative safe integer, got ${describe(value)}`);
  }
  return value;
}

export function optionalCount(value: unknown, what: string): number {
  return value === undefined ? 0 : checkCount(value, what);
}

export function checkTimeout(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0)) throw new ReplyShapeError(`${what} must be a number >= 0`);
  return value;
}

export function checkName(value: unknown, what: string): Name {
  if (typeof value === 'string') {
    if (value.includes('\0')) throw new ReplyShapeError(`${what} contains a NUL byte`);
    return value;
  }
  if (Buffer.isBuffer(value)) {
    if (value.includes(0)) throw new ReplyShapeError(`${what} contains a NUL byte`);
    return value;
  }
  throw new ReplyShapeError(`${what} must be a string or Buffer, got ${describe(value)}`);
}

export function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (value === null || typeof value !== 'object') return String(value);
  return Object.prototype.toString.call(value);
}

// A time in ns from a bigint field, or from the matching `*Ms` float of a plain node:fs Stats.
export function timeNs(ns: bigint | undefined, ms: unknown, field: string): bigint {
  if (typeof ns === 'bigint') return ns;
  if (ns !== undefined) throw new ReplyShapeError(`${field}Ns must be a bigint`);
  if (typeof ms === 'number' && Number.isFinite(ms)) return BigInt(Math.round(ms * 1e6));
  return 0n;
}

export type MaybeStats = Attr & { atimeMs?: unknown; mtimeMs?: unknown; ctimeMs?: unknown };

/** The `fuse_file_info` bits an open reply may set, packed for the native call. */
export function openBits(reply: OpenReply | void | undefined): [fh: number, bits: number, backingId: number] {
  if (reply === undefined || reply === null) return [0, 0, 0];
  if (typeof reply !== 'object') throw new ReplyShapeError(`open reply must be an object, got ${describe(reply)}`);
  const fh = optionalCount(reply.fh, 'fh');
  const bits =
    (reply.directIo ? 1 : 0) |
    (reply.keepCache ? 2 : 0) |
    (reply.nonseekable ? 4 : 0) |
    (reply.cacheReaddir ? 8 : 0) |
    (reply.noflush ? 16 : 0);
  return [fh, bits, backingIdOf(reply, bits)];
}

// FOPEN_PASSTHROUGH allows only direct_io and noflush beside it (the kernel's FOPEN_PASSTHROUGH_MASK).
function backingIdOf(reply: OpenReply, bits: number): number {
  const id = reply.backingId;
  if (id === undefined) return 0;
  if (!Number.isInteger(id) || id <= 0 || id > 2 ** 31 - 1)
    throw new ReplyShapeError(`backingId must be a backing id (a positive integer), got ${describe(id)}`);
  if ((bits & (2 | 4 | 8)) !== 0)
    throw new ReplyShapeError('backingId cannot be combined with keepCache, nonseekable or cacheReaddir: the kernel refuses such an open');
  return id;
}
