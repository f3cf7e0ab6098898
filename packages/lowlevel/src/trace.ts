// The per-request trace (MountOptions.trace, FUSEKIT_TRACE): one record per request, made only
// when tracing is on. The handlers are wrapped at mount time, so a session that does not trace
// runs the very same code as before.
import { errnoName } from './errors.js';
import { opTable } from './op-table.js';
import type { MountOptions } from './options.js';
import type { RequestContext } from './request.js';
import type { Name } from './types.js';

/** One request as the trace shows it: what was asked, by whom, how long it took, and the answer. */
export interface TraceRecord {
  /** libfuse's name of the operation, as the handler is named: `'lookup'`, `'getattr'`, `'read'` … */
  op: string;
  /** The inode the request is about: for a name (lookup, mkdir, unlink, create …), its directory. */
  ino: number;
  /** The name in directory `ino` the request is about (lookup, mknod, mkdir, unlink, rmdir, symlink, rename, create). */
  name?: Name;
  /** The extended attribute's name (setxattr, getxattr, removexattr). */
  attribute?: Name;
  /** rename: the target directory and name; link: the new link's directory and name. */
  newParent?: number;
  newName?: Name;
  /**
   * The path the request is about, when the layer knows it: set by `@fusekit/highlevel` (from the
   * names the kernel has looked up), absent with the lowlevel binding alone.
   */
  path?: string;
  /** The file or directory handle the request carries. */
  fh?: number;
  /** Offset in the file or directory (read, write, readdir, fallocate, lseek …). */
  offset?: number;
  /** Bytes asked for or given (read, write, readdir, xattr sizes, fallocate length …). */
  size?: number;
  /** forget: how many lookups the kernel dropped. */
  nlookup?: number;
  /** The caller (0 for requests the kernel makes on its own, and for forget). */
  uid: number;
  gid: number;
  pid: number;
  /** Milliseconds from the handler's call to the answer. */
  durationMs: number;
  /** 0 for a successful answer (forget: none is sent), else the errno answered. */
  errno: number;
  /** `'ok'`, or the errno's name (`'ENOENT'`). */
  result: string;
  /** The kernel interrupted the request (the caller got a signal). */
  interrupted: boolean;
  /** The handler did not answer within the interrupt grace: the binding answered EINTR. */
  expired: boolean;
}

/** Receives one {@link TraceRecord} per request (see {@link MountOptions.trace}). */
export type TraceSink = (record: TraceRecord) => void;

/**
 * One line for a trace record, as `trace: true` and `FUSEKIT_TRACE=1` print it:
 * `fusekit trace: op=lookup ino=1 name="notes.txt" uid=1000 gid=1000 pid=4242 result=ENOENT ms=0.031`.
 */
export function formatTrace(r: TraceRecord): string {
  let line = `fusekit trace: op=${r.op} ino=${r.ino}`;
  if (r.path !== undefined) line += ` path=${JSON.stringify(r.path)}`;
  if (r.name !== undefined) line += ` name=${quote(r.name)}`;
  if (r.newParent !== undefined) line += ` newParent=${r.newParent}`;
  if (r.newName !== undefined) line += ` newName=${quote(r.newName)}`;
  if (r.attribute !== undefined) line += ` attribute=${quote(r.attribute)}`;
  if (r.fh !== undefined) line += ` fh=${r.fh}`;
  if (r.offset !== undefined) line += ` offset=${r.offset}`;
  if (r.size !== undefined) line += ` size=${r.size}`;
  if (r.nlookup !== undefined) line += ` nlookup=${r.nlookup}`;
  line += ` uid=${r.uid} gid=${r.gid} pid=${r.pid} result=${r.result} ms=${r.durationMs.toFixed(3)}`;
  if (r.interrupted) line += ' interrupted';
  if (r.expired) line += ' expired';
  return line;
}

function quote(name: Name): string {
  return JSON.stringify(typeof name === 'string' ? name : name.toString());
}

const printLine: TraceSink = (r) => {
  process.stderr.write(`${formatTrace(r)}\n`);
};
const printJson: TraceSink = (r) => {
  process.stderr.write(`${JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString() : v))}\n`);
};

/**
 * The sink a session traces to for a {@link MountOptions.trace} value: the function itself;
 * lines on stderr for `true`; nothing for `false`; and when unset, what the environment variable
 * `FUSEKIT_TRACE` says (`1`: lines on stderr, `json`: one JSON object per line on stderr; unset,
 * empty or `0`: nothing).
 */
export function traceSink(option: MountOptions['trace'], env: string | undefined = process.env.FUSEKIT_TRACE): TraceSink | undefined {
  if (typeof option === 'function') return option;
  if (option !== undefined) return option ? printLine : undefined;
  if (env === undefined || env === '' || env === '0' || env === 'false') return undefined;
  return env === 'json' ? printJson : printLine;
}

// Where each operation's handler arguments (after the slot) carry the traced fields, found by
// name in the op table: [ino, name, fh, offset, size], -1 for none. A size argument that is a
// Buffer counts its bytes (setattr's size is a change, not a transfer: not traced). xattr
// operations' name is the attribute's (see XATTR). init, destroy, retrieveReply and interrupt
// are not requests a handler answers; forget is traced on its own.
const UNTRACED = new Set(['init', 'destroy', 'forget', 'retrieveReply', 'interrupt']);
const indexOf = (args: readonly string[], ...names: string[]): number => {
  for (const name of names) {
    const i = args.indexOf(name);
    if (i >= 0) return i;
  }
  return -1;
};
const FIELDS: Readonly<Record<string, readonly number[]>> = Object.fromEntries(
  Object.entries(opTable)
    .filter(([op]) => !UNTRACED.has(op))
    .map(([op, { args }]) => [
      op,
      [
        indexOf(args, 'ino', 'parent', 'inoIn'),
        indexOf(args, 'name'),
        indexOf(args, 'fh', 'fhIn'),
        indexOf(args, 'off', 'offIn'),
        op === 'setattr' ? -1 : indexOf(args, 'size', 'buf', 'value', 'len'),
      ],
    ]),
);
// rename's and link's new parent and name: [newParent, newName].
const RENAMED: Readonly<Record<string, readonly number[]>> = {
  rename: [indexOf(opTable.rename.args, 'newParent'), indexOf(opTable.rename.args, 'newName')],
  link: [indexOf(opTable.link.args, 'newParent'), indexOf(opTable.link.args, 'newName')],
};

const XATTR = new Set(['setxattr', 'getxattr', 'removexattr']);

interface Pending {
  op: string;
  args: unknown[];
  start: number;
}

type Handler = (...args: never[]) => unknown;

/** @internal Records requests from the handler's call to the answer (see dispatch.ts). */
export class Tracer {
  readonly #sink: TraceSink;
  readonly #report: (message: string, error: unknown) => void;
  readonly #pending: (Pending | undefined)[] = [];

  constructor(sink: TraceSink, report: (message: string, error: unknown) => void) {
    this.#sink = sink;
    this.#report = report;
  }

  /** Wraps the request handlers in `h` (by op name) so that each call is recorded. */
  wrap(h: Partial<Record<string, Handler>>): void {
    for (const [op, handler] of Object.entries(h)) {
      if (handler === undefined) continue;
      const call = handler as (...args: unknown[]) => unknown;
      if (op === 'forget') {
        h[op] = ((ino: number, nlookup: number) => {
          const start = performance.now();
          call(ino, nlookup);
          this.#emit({
            op,
            ino,
            nlookup,
            uid: 0,
            gid: 0,
            pid: 0,
            durationMs: performance.now() - start,
            errno: 0,
            result: 'ok',
            interrupted: false,
            expired: false,
          });
        }) as Handler;
      } else if (FIELDS[op] !== undefined) {
        h[op] = ((slot: number, ...args: unknown[]) => {
          this.#pending[slot] = { op, args, start: performance.now() };
          return call(slot, ...args);
        }) as Handler;
      }
    }
  }

  /** The request of `ctx` was answered with `errno` (0: success). */
  end(ctx: RequestContext, errno: number): void {
    const p = this.#pending[ctx.slot];
    if (p === undefined) return;
    this.#pending[ctx.slot] = undefined;
    const [ino, name, fh, offset, size] = FIELDS[p.op]!;
    const a = p.args;
    const r: TraceRecord = {
      op: p.op,
      ino: a[ino!] as number,
      uid: ctx.uid,
      gid: ctx.gid,
      pid: ctx.pid,
      durationMs: performance.now() - p.start,
      errno,
      result: errno === 0 ? 'ok' : errnoName(errno),
      interrupted: ctx.interrupted,
      expired: ctx.expired,
    };
    if (name! >= 0) r[XATTR.has(p.op) ? 'attribute' : 'name'] = a[name!] as Name;
    if (fh! >= 0 && a[fh!] !== undefined) r.fh = a[fh!] as number;
    if (offset! >= 0) r.offset = a[offset!] as number;
    if (size! >= 0) {
      const s = a[size!];
      r.size = s instanceof Uint8Array ? s.byteLength : (s as number);
    }
    const renamed = RENAMED[p.op];
    if (renamed !== undefined) {
      r.newParent = a[renamed[0]!] as number;
      r.newName = a[renamed[1]!] as Name;
    }
    this.#emit(r);
  }

  #emit(r: TraceRecord): void {
    try {
      this.#sink(r);
    } catch (error) {
      this.#report('trace: the trace function failed', error);
    }
  }
}
