// Values that are there now (a handler that answered synchronously) or later (a promise): chained
// without a promise when they are there, so a request answered at once costs no microtask. One
// copy for every layer: lowlevel's dispatch, highlevel's path locks, fs-passthrough's host calls.
// (No export is named `then`: a module exporting `then` is a thenable, which `await import()`
// of it would call.)
import type { Result } from './operations.js';

/**
 * True if `value` is a promise (or any thenable) rather than the value itself.
 * @internal Shared by the fusekit packages; not part of the API.
 */
export function isThenable<T>(value: Result<T> | PromiseLike<T>): value is Promise<T> | PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/**
 * Calls `next` with the value: at once if it is there, else when the promise fulfils.
 * @internal Shared by the fusekit packages; not part of the API.
 */
export function andThen<T, R>(value: Result<T>, next: (value: T) => Result<R>): Result<R> {
  return isThenable(value) ? Promise.resolve(value).then(next) : next(value);
}

/**
 * Runs `run`, then `after` however it ended: at once when `run` answered (or threw)
 * synchronously, else once its promise settles (waiting for `after` too if that returns a
 * promise). What `run` answered or threw is passed on. For "release when it settles": locks,
 * lent buffers, descriptors.
 * @internal Shared by the fusekit packages; not part of the API.
 */
export function always<R>(run: () => Result<R>, after: () => unknown): Result<R> {
  let result: Result<R>;
  try {
    result = run();
  } catch (error) {
    after();
    throw error;
  }
  if (!isThenable(result)) {
    after();
    return result;
  }
  // Not `finally`: it would settle a few microtasks after the release, and what the release woke
  // (a waiting lock) would run before this result's own continuation.
  return Promise.resolve(result).then(
    (value) => {
      const done = after();
      return isThenable(done) ? Promise.resolve(done).then(() => value) : value;
    },
    (error: unknown) => {
      const done = after();
      if (isThenable(done))
        return Promise.resolve(done).then(() => {
          throw error;
        });
      throw error;
    },
  );
}
