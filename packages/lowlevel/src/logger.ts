// The session's default logger, and the rate limit that keeps it readable when a handler fails
// on every request: a storm of failures is a few full reports and a count, not a stack trace each.
import type { Logger } from './options.js';

/** How {@link rateLimitedLogger} limits repeats. */
export interface RateLimitOptions {
  /** Occurrences of each message and error passed on in full (with the error's stack). Default 3. */
  burst?: number;
  /** Milliseconds between the lines that count what was held back. Default 10,000. */
  intervalMs?: number;
}

/** A {@link Logger} that holds back repeats; `flush()` writes the counts not written yet. */
export interface RateLimitedLogger extends Logger {
  warn(message: string): void;
  flush(): void;
}

/** Where the default logger writes: stderr, each line starting with `fusekit: `. */
export const consoleLogger: Logger = {
  error: (message, error) => {
    if (error === undefined) console.error(`fusekit: ${message}`);
    else console.error(`fusekit: ${message}`, error);
  },
  warn: (message) => console.error(`fusekit: ${message}`),
};

// Distinct (message, error) pairs remembered at once; beyond, new ones share one count per message.
const MAX_KEYS = 256;

interface Seen {
  message: string;
  what: string;
  shown: number;
  held: number;
  active: boolean;
}

/**
 * Wraps `target` so that the same failure repeated does not flood it: the first `burst`
 * occurrences of each message with each error (its name and message: `TypeError: x is
 * undefined`) are passed on in full, then they are counted, and every `intervalMs` one line per
 * message and error says how many were held back:
 * `getattr: handler failed; answered EIO: 9,997 more (TypeError: x is undefined) in the last 10 s`.
 * A message quiet for a whole interval starts again with full reports. The default logger of a
 * session is `rateLimitedLogger(consoleLogger)`; wrap your own logger the same way if it should
 * survive a storm too.
 */
export function rateLimitedLogger(target: Logger, { burst = 3, intervalMs = 10_000 }: RateLimitOptions = {}): RateLimitedLogger {
  const seen = new Map<string, Seen>();
  let timer: NodeJS.Timeout | undefined;
  let since = Date.now();
  const say = (line: string) => (target.warn !== undefined ? target.warn(line) : target.error(line));

  const count = (message: string, what: string, pass: () => void) => {
    let key = `${message}\0${what}`;
    if (!seen.has(key) && seen.size >= MAX_KEYS) {
      key = `${message}\0*`;
      what = 'other errors';
    }
    let s = seen.get(key);
    if (s === undefined) seen.set(key, (s = { message, what, shown: 0, held: 0, active: false }));
    s.active = true;
    if (s.shown < burst) {
      s.shown++;
      pass();
      if (s.shown === burst)
        say(
          `${message}: repeats${what === '' ? '' : ` of ${what}`} are only counted from now on, in one line every ${seconds(intervalMs)} s`,
        );
    } else {
      s.held++;
    }
    if (timer === undefined) {
      since = Date.now();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    }
  };

  const report = (forget: boolean) => {
    const now = Date.now();
    const span = seconds(now - since);
    since = now;
    for (const [key, s] of seen) {
      if (s.held > 0) {
        say(`${s.message}: ${s.held.toLocaleString('en-US')} more${s.what === '' ? '' : ` (${s.what})`} in the last ${span} s`);
        s.held = 0;
      }
      if (forget && !s.active) seen.delete(key);
      s.active = false;
    }
  };

  const tick = () => {
    report(true);
    if (seen.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    error: (message, error) => count(message, describe(error), () => target.error(message, error)),
    warn: (message) => count(message, '', () => say(message)),
    flush: () => report(false),
  };
}

// A span in seconds as a count line says it: `10`, `2.5`.
function seconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 || Number.isInteger(s) ? Math.round(s).toString() : s.toFixed(1);
}

// What identifies an error among repeats: its name and the first line of its message.
function describe(error: unknown): string {
  if (error === undefined) return '';
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n', 1)[0]!.slice(0, 200)}`;
  return String(error).slice(0, 200);
}
