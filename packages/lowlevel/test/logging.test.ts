// The rate-limited default logger and the trace's line format, without a mount.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatTrace, rateLimitedLogger, traceSink, type TraceRecord } from '../src/index.js';

describe('rateLimitedLogger', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const capture = () => {
    const lines: { message: string; error?: unknown }[] = [];
    return {
      lines,
      logger: {
        error: (message: string, error?: unknown) => void lines.push({ message, error }),
        warn: (message: string) => void lines.push({ message }),
      },
    };
  };

  it('passes on the first three of each failure, then counts the rest once per interval', () => {
    const { lines, logger } = capture();
    const log = rateLimitedLogger(logger);
    for (let i = 0; i < 10_000; i++) log.error('getattr: handler failed; answered EIO', new TypeError('x is undefined'));
    expect(lines.filter((l) => l.error !== undefined)).toHaveLength(3);
    expect(lines.at(-1)!.message).toBe(
      'getattr: handler failed; answered EIO: repeats of TypeError: x is undefined are only counted from now on, in one line every 10 s',
    );
    vi.advanceTimersByTime(10_000);
    expect(lines.at(-1)!.message).toBe('getattr: handler failed; answered EIO: 9,997 more (TypeError: x is undefined) in the last 10 s');
    expect(lines).toHaveLength(5);
    // Nothing new: no line. A whole quiet interval: the next one is shown in full again.
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(5);
    vi.advanceTimersByTime(10_000);
    log.error('getattr: handler failed; answered EIO', new TypeError('x is undefined'));
    expect(lines.at(-1)!.error).toBeInstanceOf(TypeError);
  });

  it('keeps operations and errors apart', () => {
    const { lines, logger } = capture();
    const log = rateLimitedLogger(logger, { burst: 1 });
    for (let i = 0; i < 5; i++) {
      log.error('read: handler failed; answered EIO', new Error('a'));
      log.error('read: handler failed; answered EIO', new RangeError('b'));
      log.error('write: handler failed; answered EIO', new Error('a'));
      log.warn('read: no answer 1000 ms after the kernel interrupted it');
    }
    expect(lines.filter((l) => !l.message.includes('counted'))).toHaveLength(4);
    log.flush();
    const counts = lines.filter((l) => /: [\d,]+ more/.test(l.message)).map((l) => l.message.replace(/ in the last .*/, ''));
    expect(counts.sort()).toEqual([
      'read: handler failed; answered EIO: 4 more (Error: a)',
      'read: handler failed; answered EIO: 4 more (RangeError: b)',
      'read: no answer 1000 ms after the kernel interrupted it: 4 more',
      'write: handler failed; answered EIO: 4 more (Error: a)',
    ]);
  });

  it('counts failures past its memory of 256 distinct ones per message', () => {
    const { lines, logger } = capture();
    const log = rateLimitedLogger(logger, { burst: 1 });
    for (let i = 0; i < 1000; i++) log.error('lookup: handler failed; answered EIO', new Error(`bad ${i}`));
    for (let i = 0; i < 1000; i++) log.error('lookup: handler failed; answered EIO', new Error(`bad ${i}`));
    expect(lines.filter((l) => l.error !== undefined).length).toBeLessThanOrEqual(257);
    log.flush();
    expect(lines.some((l) => /: 1,487 more \(other errors\)/.test(l.message))).toBe(true);
  });
});

describe('trace', () => {
  const record: TraceRecord = {
    op: 'lookup',
    ino: 1,
    name: 'notes.txt',
    uid: 1000,
    gid: 1000,
    pid: 4242,
    durationMs: 0.0312,
    errno: 2,
    result: 'ENOENT',
    interrupted: false,
    expired: false,
  };

  it('formats one line per record', () => {
    expect(formatTrace(record)).toBe('fusekit trace: op=lookup ino=1 name="notes.txt" uid=1000 gid=1000 pid=4242 result=ENOENT ms=0.031');
    const { name: _name, ...read } = record;
    expect(
      formatTrace({ ...read, op: 'read', fh: 3, offset: 4096, size: 131072, errno: 4, result: 'EINTR', interrupted: true, expired: true }),
    ).toBe(
      'fusekit trace: op=read ino=1 fh=3 offset=4096 size=131072 uid=1000 gid=1000 pid=4242 result=EINTR ms=0.031 interrupted expired',
    );
  });

  it('chooses the sink from the option, then FUSEKIT_TRACE', () => {
    const fn = () => undefined;
    expect(traceSink(fn, '1')).toBe(fn);
    expect(traceSink(false, '1')).toBeUndefined();
    expect(traceSink(true, undefined)).toBeTypeOf('function');
    expect(traceSink(undefined, undefined)).toBeUndefined();
    expect(traceSink(undefined, '0')).toBeUndefined();
    expect(traceSink(undefined, '')).toBeUndefined();
    expect(traceSink(undefined, '1')).toBeTypeOf('function');
    expect(traceSink(undefined, 'json')).toBeTypeOf('function');
  });
});
