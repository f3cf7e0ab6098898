// A poll request's handle, kept by the filesystem to wake the poller later.
import type { NativeSession } from './native.js';

/** Kept from a poll request: tell the kernel when readiness changes, then release it. */
export class PollHandle {
  #released = false;
  /** @internal */
  constructor(
    private readonly native: NativeSession,
    private readonly id: number,
  ) {}

  /** Wakes up the poller (fuse_lowlevel_notify_poll); non-blocking. */
  notify(): void {
    if (this.#released) throw new Error('poll handle released');
    this.native.notifyPoll(this.id);
  }

  /** Frees the handle (fuse_pollhandle_destroy). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.native.dropPollHandle(this.id);
  }
}
