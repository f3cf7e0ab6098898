import type { NativeSession, Slot } from './native.js';
import type { CapabilityOptions } from './options.js';

/**
 * The context of one request: who asked, and a signal that fires if the kernel interrupts it.
 * Passed as the last argument of every handler.
 */
export class RequestContext {
  /** True once the request was answered. */
  replied = false;
  #controller: AbortController | undefined;

  /** @internal Made by the binding for each request. */
  constructor(
    /** @internal */
    readonly slot: Slot,
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
    /** @internal */
    readonly interrupts: Map<Slot, RequestContext>,
  ) {}

  /**
   * Fires when the kernel interrupts the request (the caller got a signal). A handler that
   * rejects after it fired answers EINTR. Created on first use: requests that never look
   * at it cost nothing.
   */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (!this.replied) {
        this.interrupts.set(this.slot, this);
        if (this.native.watchInterrupt(this.slot)) this.abort();
      }
    }
    return this.#controller.signal;
  }

  /** True if the kernel interrupted this request. */
  get interrupted(): boolean {
    return this.#controller?.signal.aborted ?? false;
  }

  /** The supplementary groups of the caller (read from /proc: call only when needed). */
  groups(): number[] {
    if (this.replied) throw new Error('request already answered');
    return this.native.groups(this.slot);
  }

  /** @internal */
  abort(): void {
    this.#controller?.abort(new DOMException('The kernel interrupted the request', 'AbortError'));
  }

  /** @internal */
  done(): void {
    this.replied = true;
    if (this.#controller !== undefined) this.interrupts.delete(this.slot);
  }
}
