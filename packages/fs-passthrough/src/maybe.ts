// Values that are there now (synchronous host calls) or later (the pool): chained without a
// promise when they are there, so an operation answers without a microtask. (Not named `then`:
// a module exporting `then` is a thenable, which `await import()` of it would call.)

export type MaybePromise<T> = T | Promise<T>;

/** Calls `next` with the value: at once if it is there, else when the promise fulfils. */
export function andThen<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** Runs `run`, then `after` however it ended (waiting for `after` too when `run` was asynchronous). */
export function always<R>(run: () => MaybePromise<R>, after: () => unknown): MaybePromise<R> {
  let result: MaybePromise<R>;
  try {
    result = run();
  } catch (error) {
    after();
    throw error;
  }
  if (result instanceof Promise) return result.finally(after);
  after();
  return result;
}
