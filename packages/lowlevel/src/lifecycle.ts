// The life of one request on the TS side: its context is made when it reaches its handler
// (`begin`), the handler runs (`run`), its value is answered (`settle`) or its error is (`fail`),
// and `finish` marks it answered, exactly once on every path, interrupts included.
import { errnoOf } from './errors.js';
import { isThenable } from './maybe.js';
import { native, type Slot } from './native.js';
import { RequestContext } from './request.js';
import { Tracer } from './trace.js';
import type { DispatchHost } from './dispatch.js';

const L = native.layout as Record<string, number>;
const I_UID = L.I_UID!,
  I_GID = L.I_GID!,
  I_PID = L.I_PID!,
  I_UMASK = L.I_UMASK!,
  I_KILL_SUIDGID = L.I_KILL_SUIDGID!;
const EIO = 5,
  EINTR = 4;

/** Answers a handler's value: encodes it, calls `finish`, then the native reply. Throws on a value of the wrong shape. */
export type Answer<T> = (ctx: RequestContext, value: T) => void;
/**
 * Undoes what a handler's answer would have handed the kernel (lookups, open handles), for an
 * answer that came after the binding had answered EINTR (`failed`: the handler threw instead).
 */
export type Late<T> = (ctx: RequestContext, value: T, failed: boolean) => void;

/** @internal One per session, made at mount. */
export class RequestLifecycle {
  readonly host: DispatchHost;
  readonly tracer: Tracer | undefined;
  readonly #i32: Int32Array;

  constructor(host: DispatchHost) {
    this.host = host;
    this.#i32 = host.scratch.i32;
    this.tracer = host.trace === undefined ? undefined : new Tracer(host.trace, (message, error) => host.report(message, error));
  }

  /** The request in `slot` reached its handler: its context, from what the native side left in the scratch buffer. */
  begin(slot: Slot, op: string): RequestContext {
    this.host.began();
    const i32 = this.#i32;
    return (this.host.contexts[slot] = new RequestContext(
      slot,
      op,
      i32[I_UID]! >>> 0,
      i32[I_GID]! >>> 0,
      i32[I_PID]!,
      i32[I_UMASK]!,
      i32[I_KILL_SUIDGID] === 1,
      this.host.native,
    ));
  }

  /** Calls the handler and answers what it returns, throws, resolves or rejects. */
  run<T>(ctx: RequestContext, call: () => T | Promise<T>, answer: Answer<T>, late?: Late<T>): void {
    let result: T | Promise<T>;
    try {
      result = call();
    } catch (error) {
      this.fail(ctx, error, late);
      return;
    }
    if (isThenable(result)) {
      (result as Promise<T>).then(
        (value) => this.settle(ctx, value, answer, late),
        (error: unknown) => this.fail(ctx, error, late),
      );
    } else {
      this.settle(ctx, result, answer, late);
    }
  }

  /** Answers the handler's value in a guard: a value of the wrong shape answers EIO. */
  settle<T>(ctx: RequestContext, value: T, answer: Answer<T>, late?: Late<T>): void {
    if (ctx.replied) {
      if (ctx.expired) this.#undo(ctx, late, value, false);
      return;
    }
    try {
      answer(ctx, value);
    } catch (error) {
      this.fail(ctx, error);
    }
  }

  /** Answers the handler's error: its errno, EINTR for an interrupted request, EIO (reported) otherwise. */
  fail(ctx: RequestContext, error: unknown, late?: Late<never>): void {
    const { host } = this;
    if (ctx.replied) {
      if (ctx.expired) this.#undo(ctx, late, undefined as never, true);
      else host.report(`${ctx.op}: handler failed after answering`, error);
      return;
    }
    let errno = errnoOf(error);
    const aborted = (error as { name?: string } | null)?.name === 'AbortError';
    if (ctx.interrupted && (errno === undefined || aborted)) {
      if (errno === undefined && !aborted) host.report(`${ctx.op}: handler failed; answered EINTR`, error);
      errno = EINTR;
    } else if (errno === undefined) {
      host.report(`${ctx.op}: handler failed; answered EIO`, error);
      errno = EIO;
    }
    this.finish(ctx, errno);
    host.native.replyErr(ctx.slot, errno);
  }

  /** Marks the request answered (before the native reply, which frees the slot). */
  finish(ctx: RequestContext, errno = 0): void {
    ctx.done();
    this.host.contexts[ctx.slot] = undefined;
    this.host.answered();
    if (this.tracer !== undefined) this.tracer.end(ctx, errno);
  }

  // The kernel interrupted the request and its handler did not answer within the grace: the
  // caller is stuck in the kernel until someone does, even after SIGKILL.
  readonly expire = (ctx: RequestContext): void => {
    if (ctx.replied) return;
    const { host } = this;
    ctx.expire();
    this.finish(ctx, EINTR);
    host.warn(
      host.interruptGraceMs === 0
        ? `${ctx.op}: interrupted by the kernel; answered EINTR at once (interruptGraceMs 0), a later answer is dropped and undone`
        : `${ctx.op}: no answer ${host.interruptGraceMs} ms after the kernel interrupted it; answered EINTR, a later answer is dropped and undone`,
    );
    host.native.replyErr(ctx.slot, EINTR);
  };

  /** The kernel interrupted the request in `slot` (if it is still waiting). */
  interrupt(slot: Slot): void {
    this.host.contexts[slot]?.interrupt(this.host.interruptGraceMs, this.expire);
  }

  /** Runs a handler whose request is already answered (forget, an undo): its failure is only reported. */
  observe(op: string, call: () => unknown): void {
    try {
      const r = call();
      if (isThenable(r)) (r as Promise<unknown>).then(undefined, (e: unknown) => this.host.report(`${op}: handler failed`, e));
    } catch (error) {
      this.host.report(`${op}: handler failed`, error);
    }
  }

  #undo<T>(ctx: RequestContext, late: Late<T> | undefined, value: T, failed: boolean): void {
    if (late === undefined) return;
    try {
      late(ctx, value, failed);
    } catch {
      // A value of the wrong shape would have answered EIO: the kernel would have had nothing.
    }
  }
}
