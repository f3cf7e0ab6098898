// Wall-clock time in nanoseconds: Date.now() gives milliseconds only, so the sub-millisecond
// part comes from the monotonic clock, anchored once.
const anchor = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** The current time in nanoseconds since the epoch. */
export function nowNs(): bigint {
  return anchor + process.hrtime.bigint();
}
