// The glue between native requests and user handlers, made once at mount: the op table
// (op-table.ts) binds each handler the user implements, through the request lifecycle
// (lifecycle.ts) and the reply encoders (answers.ts), into the array the addon calls by op code.
import { Answers } from './answers.js';
import { RequestLifecycle } from './lifecycle.js';
import { native, type NativeSession } from './native.js';
import { opTable, type NativeHandler } from './op-table.js';
import type { Operations } from './operations.js';
import type { Scratch } from './scratch.js';
import type { RequestContext } from './request.js';
import type { TraceSink } from './trace.js';
import type { ConnectionInfo } from './types.js';

export interface DispatchHost {
  readonly native: NativeSession;
  readonly scratch: Scratch;
  readonly attrTimeout: number;
  readonly entryTimeout: number;
  /** The context of each request in flight, by slot. */
  readonly contexts: (RequestContext | undefined)[];
  /** How long an interrupted request's handler has before the binding answers EINTR (MountOptions.interruptGraceMs). */
  readonly interruptGraceMs: number;
  /** Where each request's trace record goes (MountOptions.trace), if anywhere. */
  readonly trace: TraceSink | undefined;
  /** Detach write payloads once their handler is done (MountOptions.lendWriteData). */
  readonly lendWriteData: boolean;
  /** Reports handler failures that are not errno answers. */
  report(message: string, error: unknown): void;
  /** Reports what went wrong without an error to show (an interrupted handler that never answered). */
  warn(message: string): void;
  /** Called when a request reaches its handler, and when it was answered (close() waits for all). */
  began(): void;
  answered(): void;
  /** Capabilities chosen by session options, before the user's init. */
  chooseWants(conn: ConnectionInfo): void;
  /** What INIT asks for, after the user's init (the addon reads the answer's `passthroughDepth`). */
  agreed(conn: ConnectionInfo): void;
  /** Settles notifyRetrieve promises. */
  retrieved(cookie: number, offset: number, data: Buffer): void;
}

/** Builds the native handler array (indexed by op code) for the handlers `ops` implements. */
export function bindOps(ops: Operations, host: DispatchHost): (NativeHandler | undefined)[] {
  const rt = new RequestLifecycle(host);
  const answers = new Answers(rt, ops);
  const handlers: Partial<Record<string, NativeHandler>> = {};
  for (const [name, entry] of Object.entries(opTable)) {
    const handler = entry.bind(ops, rt, answers);
    if (handler !== undefined) handlers[name] = handler as NativeHandler;
  }
  if (rt.tracer !== undefined) rt.tracer.wrap(handlers);
  return native.constants.ops.map((name) => handlers[name]);
}
