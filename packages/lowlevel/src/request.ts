import type { NativeSession, Slot } from './native.js';
import type { MountOptions } from './options.js';
import { backingClose, backingOpen } from './passthrough.js';

const INTERRUPTED = 1,
  EXPIRED = 2;

/**
 * The context of one request: who asked, and a signal that fires if the kernel interrupts it.
 * Passed as the last argument of every handler.
 */
export class RequestContext {
  /** True once the request was answered. */
  replied = false;
  // Few fields: one of these is made per request. INTERRUPTED, then EXPIRED once the binding
  // answered EINTR itself (the handler's answer is then dropped, and undone).
  #state = 0;
  #controller: AbortController | undefined;

  /** @internal Made by the binding for each request. */
  constructor(
    /** @internal */
    readonly slot: Slot,
    /** @internal libfuse's name of the operation. */
    readonly op: string,
    /** Effective user id of the calling process. */
    readonly uid: number,
    /** Effective group id of the calling process. */
    readonly gid: number,
    /** Thread id of the calling process (0 for requests the kernel makes on its own). */
    readonly pid: number,
    /** The caller's umask (applied already by the kernel unless `dont_mask` was wanted). */
    readonly umask: number,
    /**
     * Only with {@link CapabilityOptions.handleKillprivV2}: the kernel leaves it to the
     * filesystem to clear the setuid bit, and the setgid bit if the group may execute or the
     * caller is not in the file's group (its group before a chown), as part of this request: a
     * write or truncate by a caller without CAP_FSETID, an open with O_TRUNC (open, create), or a
     * chown (setattr with uid or gid). Always false otherwise.
     */
    readonly killSuidgid: boolean,
    /** @internal */
    readonly native: NativeSession,
  ) {}

  /**
   * Fires when the kernel interrupts the request (the caller got a signal). A handler that
   * rejects after it fired answers EINTR. One that does not settle within
   * {@link MountOptions.interruptGraceMs} is answered EINTR by the binding, and its answer is
   * then dropped. Created on first use: requests that never look at it cost nothing.
   */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#state !== 0) this.#abort();
    }
    return this.#controller.signal;
  }

  /** True if the kernel interrupted this request. */
  get interrupted(): boolean {
    return this.#state !== 0;
  }

  /** @internal True once the binding answered EINTR itself, the grace after an interrupt. */
  get expired(): boolean {
    return this.#state === EXPIRED;
  }

  /** Kernel passthrough was agreed at INIT for this session ({@link Session.passthrough}). */
  get passthrough(): boolean {
    return this.native.passthroughDepth() > 0;
  }

  /**
   * Registers `fd` as a backing file for kernel passthrough and answers its backing id, for an
   * open or create reply's `backingId` (libfuse's `fuse_passthrough_open`; the same as
   * {@link Session.backingOpen}). Throws a FuseError that says what is missing (EOPNOTSUPP when
   * passthrough is off for the session, EPERM without CAP_SYS_ADMIN). See {@link PassthroughCapability}.
   */
  backingOpen(fd: number): number {
    return backingOpen(this.native, fd);
  }

  /** Releases a backing id (libfuse's `fuse_passthrough_close`; see {@link Session.backingClose}). */
  backingClose(id: number): void {
    backingClose(this.native, id);
  }

  /** The supplementary groups of the caller (read from /proc: call only when needed). */
  groups(): number[] {
    if (this.replied) throw new Error('request already answered');
    return this.native.groups(this.slot);
  }

  /**
   * @internal The kernel interrupted the request; `expire` answers it after `graceMs` unless it
   * was answered by then (the timer is not kept: it finds the request answered and does nothing).
   */
  interrupt(graceMs: number, expire: (ctx: RequestContext) => void): void {
    if (this.replied || this.#state !== 0) return;
    this.#state = INTERRUPTED;
    this.#abort();
    if (this.replied) return;
    if (graceMs === 0) expire(this);
    else if (graceMs !== Infinity) setTimeout(expire, graceMs, this).unref();
  }

  /** @internal The binding answers EINTR for the handler. */
  expire(): void {
    this.#state = EXPIRED;
  }

  #abort(): void {
    this.#controller?.abort(new DOMException('The kernel interrupted the request', 'AbortError'));
  }

  /** @internal */
  done(): void {
    this.replied = true;
  }
}
