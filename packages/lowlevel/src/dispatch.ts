// The glue between native requests and user handlers: one function per op that calls the
// handler with typed arguments and answers its result, its error or its rejection exactly once.
import { errnoOf } from './errors.js';
import { always } from './maybe.js';
import { native, type NativeSession, type Slot } from './native.js';
import type { Operations } from './operations.js';
import {
  checkCount, checkName, DirectoryReply, openBits, PollHandle, ReplyShapeError, Scratch,
} from './replies.js';
import { RequestContext } from './request.js';
import { Tracer, type TraceSink } from './trace.js';
import type {
  Attr, ConnectionInfo, CreateReply, Entry, FdData, IoctlReply, IoctlRetry, Lock, Name, ReadReply,
  SetAttr,
} from './types.js';

const C = native.constants;
const L = native.layout as Record<string, number>;
const I_UID = L.I_UID!, I_GID = L.I_GID!, I_PID = L.I_PID!, I_UMASK = L.I_UMASK!, I_KILL_SUIDGID = L.I_KILL_SUIDGID!;
const EIO = 5, EINTR = 4, ERANGE = 34;
// What libfuse returns when the kernel refused a reply: the request was interrupted and is gone.
const REFUSED = -2;

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
  /** Settles notifyRetrieve promises. */
  retrieved(cookie: number, offset: number, data: Buffer): void;
}

type Answer<T> = (ctx: RequestContext, value: T) => void;
// Undoes what a handler's answer would have handed the kernel (lookups, open handles), for an
// answer that came after the binding had answered EINTR (`failed`: the handler threw instead).
type Late<T> = (ctx: RequestContext, value: T, failed: boolean) => void;
type AnyFn = (...args: never[]) => unknown;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Builds the native handler array (indexed by op code) for the handlers `ops` implements. */
export function buildHandlers(ops: Operations, host: DispatchHost): (AnyFn | undefined)[] {
  const { native: n, scratch, contexts, interruptGraceMs } = host;
  const i32 = scratch.i32;
  const tracer = host.trace === undefined ? undefined : new Tracer(host.trace, (message, error) => host.report(message, error));

  const context = (slot: Slot, op: string): RequestContext => {
    host.began();
    return (contexts[slot] = new RequestContext(
      slot, op, i32[I_UID]! >>> 0, i32[I_GID]! >>> 0, i32[I_PID]!, i32[I_UMASK]!, i32[I_KILL_SUIDGID] === 1, n,
    ));
  };

  const fail = (ctx: RequestContext, op: string, error: unknown, late?: Late<never>): void => {
    if (ctx.replied) {
      if (ctx.expired) undo(ctx, late, undefined as never, true);
      else host.report(`${op}: handler failed after answering`, error);
      return;
    }
    let errno = errnoOf(error);
    const aborted = (error as { name?: string } | null)?.name === 'AbortError';
    if (ctx.interrupted && (errno === undefined || aborted)) {
      if (errno === undefined && !aborted) host.report(`${op}: handler failed; answered EINTR`, error);
      errno = EINTR;
    } else if (errno === undefined) {
      host.report(`${op}: handler failed; answered EIO`, error);
      errno = EIO;
    }
    finish(ctx, errno);
    n.replyErr(ctx.slot, errno);
  };

  const finish = (ctx: RequestContext, errno = 0): void => {
    ctx.done();
    contexts[ctx.slot] = undefined;
    host.answered();
    if (tracer !== undefined) tracer.end(ctx, errno);
  };

  // The kernel interrupted the request and its handler did not answer within the grace: the
  // caller is stuck in the kernel until someone does, even after SIGKILL.
  const expire = (ctx: RequestContext): void => {
    if (ctx.replied) return;
    ctx.expire();
    finish(ctx, EINTR);
    host.warn(interruptGraceMs === 0
      ? `${ctx.op}: interrupted by the kernel; answered EINTR at once (interruptGraceMs 0), a later answer is dropped and undone`
      : `${ctx.op}: no answer ${interruptGraceMs} ms after the kernel interrupted it; answered EINTR, a later answer is dropped and undone`);
    n.replyErr(ctx.slot, EINTR);
  };

  const undo = <T>(ctx: RequestContext, late: Late<T> | undefined, value: T, failed: boolean): void => {
    if (late === undefined) return;
    try {
      late(ctx, value, failed);
    } catch {
      // A value of the wrong shape would have answered EIO: the kernel would have had nothing.
    }
  };

  // Runs the answer in a guard: a reply value of the wrong shape answers EIO.
  const settle = <T>(ctx: RequestContext, op: string, value: T, answer: Answer<T>, late?: Late<T>): void => {
    if (ctx.replied) {
      if (ctx.expired) undo(ctx, late, value, false);
      return;
    }
    try {
      answer(ctx, value);
    } catch (error) {
      fail(ctx, op, error);
    }
  };

  const run = <T>(ctx: RequestContext, op: string, call: () => T | Promise<T>, answer: Answer<T>, late?: Late<T>): void => {
    let result: T | Promise<T>;
    try {
      result = call();
    } catch (error) {
      fail(ctx, op, error, late);
      return;
    }
    if (isThenable(result)) {
      (result as Promise<T>).then(
        (value) => settle(ctx, op, value, answer, late),
        (error: unknown) => fail(ctx, op, error, late),
      );
    } else {
      settle(ctx, op, result, answer, late);
    }
  };

  const { attrTimeout, entryTimeout } = host;
  const ok: Answer<unknown> = (ctx) => { finish(ctx); n.replyErr(ctx.slot, 0); };
  const entry: Answer<Entry> = (ctx, e) => {
    const nodeid = scratch.writeEntry(e, attrTimeout, entryTimeout);
    finish(ctx);
    if (n.replyEntry(ctx.slot) === REFUSED) undoLookup(nodeid);
  };
  const attr: Answer<Attr> = (ctx, a) => { scratch.writeAttr(a, attrTimeout); finish(ctx); n.replyAttr(ctx.slot); };
  const count = (what: string): Answer<number> => (ctx, v) => { checkCount(v, what); finish(ctx); n.replyWrite(ctx.slot, v); };
  const offset: Answer<number> = (ctx, v) => { checkCount(v, 'offset'); finish(ctx); n.replyLseek(ctx.slot, v); };
  const data: Answer<ReadReply> = (ctx, r) => {
    if (r instanceof Uint8Array) { finish(ctx); n.replyBuf(ctx.slot, r); return; }
    if (Array.isArray(r)) {
      for (const part of r) if (!(part instanceof Uint8Array)) throw new ReplyShapeError('read: every part must be a Uint8Array');
      finish(ctx); n.replyIov(ctx.slot, r); return;
    }
    if (typeof r === 'object' && r !== null && 'fd' in r) {
      const d = r as FdData;
      if (!Number.isInteger(d.fd) || d.fd < 0) throw new ReplyShapeError('read: fd must be a file descriptor');
      checkCount(d.position, 'position'); checkCount(d.size, 'size');
      finish(ctx); n.replyData(ctx.slot, d.fd, d.position, d.size, d.inMemory === true); return;
    }
    throw new ReplyShapeError('read must answer a Uint8Array, an array of them, or { fd, position, size }');
  };
  const xattrValue = (size: number): Answer<Uint8Array> => (ctx, v) => {
    if (!(v instanceof Uint8Array)) throw new ReplyShapeError('getxattr must answer a Uint8Array');
    if (size !== 0 && v.byteLength > size) { finish(ctx, ERANGE); n.replyErr(ctx.slot, ERANGE); return; }
    finish(ctx);
    if (size === 0) n.replyXattr(ctx.slot, v.byteLength);
    else n.replyBuf(ctx.slot, v);
  };
  const xattrList = (size: number): Answer<Name[]> => (ctx, names) => {
    if (!Array.isArray(names)) throw new ReplyShapeError('listxattr must answer an array of names');
    const parts: Buffer[] = [];
    for (const name of names) {
      const checked = checkName(name, 'xattr name');
      parts.push(typeof checked === 'string' ? Buffer.from(checked) : checked, Buffer.alloc(1));
    }
    const list = Buffer.concat(parts);
    if (size !== 0 && list.byteLength > size) { finish(ctx, ERANGE); n.replyErr(ctx.slot, ERANGE); return; }
    finish(ctx);
    if (size === 0) n.replyXattr(ctx.slot, list.byteLength);
    else n.replyBuf(ctx.slot, list);
  };
  const lock: Answer<Lock> = (ctx, l) => {
    if (typeof l !== 'object' || l === null) throw new ReplyShapeError('getlk must answer a lock');
    if (![C.F_RDLCK, C.F_WRLCK, C.F_UNLCK].includes(l.type)) throw new ReplyShapeError('lock type must be F_RDLCK, F_WRLCK or F_UNLCK');
    checkCount(l.start, 'lock start');
    if (l.end !== -1) checkCount(l.end, 'lock end');
    finish(ctx); n.replyLock(ctx.slot, l.type, l.start, l.end, l.pid | 0);
  };

  const lockArg = (type: number, start: number, end: number, pid: number): Lock => ({ type, start, end, pid });

  // A refused reply handed the kernel nothing: undo what the handler did for it, as libfuse's
  // fuse.c does, so lookup counts and open handles stay balanced.
  const guard = (op: string, call: () => unknown): void => {
    try {
      const r = call();
      if (isThenable(r)) (r as Promise<unknown>).then(undefined, (e: unknown) => host.report(`${op}: handler failed`, e));
    } catch (error) {
      host.report(`${op}: handler failed`, error);
    }
  };
  const undoLookup = (ino: number): void => {
    if (ino !== 0 && ops.forget) guard('forget', () => ops.forget!(ino, 1));
  };
  const undoOpen = (ctx: RequestContext, ino: number, fh: number, flags: number): void => {
    if (ops.release) guard('release', () => ops.release!(ino, fh, flags, undefined, ctx));
  };
  const lateEntry: Late<Entry> = (_ctx, e, failed) => {
    if (!failed) undoLookup(scratch.writeEntry(e, attrTimeout, entryTimeout));
  };
  const h: Partial<Record<string, AnyFn>> = {};

  if (ops.lookup) h.lookup = (s: Slot, parent: number, name: Name) => {
    const ctx = context(s, 'lookup'); run(ctx, 'lookup', () => ops.lookup!(parent, name, ctx), entry, lateEntry);
  };
  if (ops.forget) h.forget = (ino: number, nlookup: number) => guard('forget', () => ops.forget!(ino, nlookup));
  if (ops.getattr) h.getattr = (s: Slot, ino: number, fh?: number) => {
    const ctx = context(s, 'getattr'); run(ctx, 'getattr', () => ops.getattr!(ino, fh, ctx), attr);
  };
  if (ops.setattr) h.setattr = (s: Slot, ino: number, toSet: number, mode: number, uid: number, gid: number, size: number,
    atime: bigint | true, mtime: bigint | true, ctime: bigint, fh?: number) => {
    const ctx = context(s, 'setattr');
    const changes: SetAttr = {};
    if (toSet & C.FUSE_SET_ATTR_MODE!) changes.mode = mode;
    if (toSet & C.FUSE_SET_ATTR_UID!) changes.uid = uid;
    if (toSet & C.FUSE_SET_ATTR_GID!) changes.gid = gid;
    if (toSet & C.FUSE_SET_ATTR_SIZE!) changes.size = size;
    if (toSet & (C.FUSE_SET_ATTR_ATIME! | C.FUSE_SET_ATTR_ATIME_NOW!)) changes.atimeNs = atime === true ? 'now' : atime;
    if (toSet & (C.FUSE_SET_ATTR_MTIME! | C.FUSE_SET_ATTR_MTIME_NOW!)) changes.mtimeNs = mtime === true ? 'now' : mtime;
    if (toSet & C.FUSE_SET_ATTR_CTIME!) changes.ctimeNs = ctime;
    run(ctx, 'setattr', () => ops.setattr!(ino, changes, fh, ctx), attr);
  };
  if (ops.readlink) h.readlink = (s: Slot, ino: number) => {
    const ctx = context(s, 'readlink');
    run(ctx, 'readlink', () => ops.readlink!(ino, ctx), (c, target) => { checkName(target, 'link target'); finish(c); n.replyReadlink(c.slot, target); });
  };
  if (ops.mknod) h.mknod = (s: Slot, parent: number, name: Name, mode: number, rdev: number) => {
    const ctx = context(s, 'mknod'); run(ctx, 'mknod', () => ops.mknod!(parent, name, mode, rdev, ctx), entry, lateEntry);
  };
  if (ops.mkdir) h.mkdir = (s: Slot, parent: number, name: Name, mode: number) => {
    const ctx = context(s, 'mkdir'); run(ctx, 'mkdir', () => ops.mkdir!(parent, name, mode, ctx), entry, lateEntry);
  };
  if (ops.unlink) h.unlink = (s: Slot, parent: number, name: Name) => {
    const ctx = context(s, 'unlink'); run(ctx, 'unlink', () => ops.unlink!(parent, name, ctx), ok);
  };
  if (ops.rmdir) h.rmdir = (s: Slot, parent: number, name: Name) => {
    const ctx = context(s, 'rmdir'); run(ctx, 'rmdir', () => ops.rmdir!(parent, name, ctx), ok);
  };
  if (ops.symlink) h.symlink = (s: Slot, target: Name, parent: number, name: Name) => {
    const ctx = context(s, 'symlink'); run(ctx, 'symlink', () => ops.symlink!(target, parent, name, ctx), entry, lateEntry);
  };
  if (ops.rename) h.rename = (s: Slot, parent: number, name: Name, newParent: number, newName: Name, flags: number) => {
    const ctx = context(s, 'rename'); run(ctx, 'rename', () => ops.rename!(parent, name, newParent, newName, flags, ctx), ok);
  };
  if (ops.link) h.link = (s: Slot, ino: number, newParent: number, newName: Name) => {
    const ctx = context(s, 'link'); run(ctx, 'link', () => ops.link!(ino, newParent, newName, ctx), entry, lateEntry);
  };
  if (ops.open) h.open = (s: Slot, ino: number, flags: number) => {
    const ctx = context(s, 'open');
    run(ctx, 'open', () => ops.open!(ino, flags, ctx), (c, r) => {
      const [fh, bits] = openBits(r);
      finish(c);
      if (n.replyOpen(c.slot, fh, bits) === REFUSED) undoOpen(c, ino, fh, flags);
    }, (c, r, failed) => { if (!failed) undoOpen(c, ino, openBits(r)[0], flags); });
  };
  if (ops.read) h.read = (s: Slot, ino: number, size: number, off: number, fh: number | undefined, flags: number) => {
    const ctx = context(s, 'read'); run(ctx, 'read', () => ops.read!(ino, size, off, fh, flags, ctx), data);
  };
  const written = count('write count');
  // With lendWriteData, a write's payload is taken back (detached) once its handler is done.
  const lent = <T>(buf: Buffer, call: () => T | Promise<T>): (() => T | Promise<T>) =>
    host.lendWriteData ? () => always(call, () => n.takeBack(buf)) : call;
  if (ops.write) h.write = (s: Slot, ino: number, buf: Buffer, off: number, fh: number | undefined, flags: number, writepage: boolean) => {
    const ctx = context(s, 'write'); run(ctx, 'write', lent(buf, () => ops.write!(ino, buf, off, fh, flags, writepage, ctx)), written);
  };
  if (ops.writeBuf) h.writeBuf = (s: Slot, ino: number, buf: Buffer, off: number, fh: number | undefined, flags: number, writepage: boolean) => {
    const ctx = context(s, 'writeBuf'); run(ctx, 'writeBuf', lent(buf, () => ops.writeBuf!(ino, buf, off, fh, flags, writepage, ctx)), written);
  };
  if (ops.flush) h.flush = (s: Slot, ino: number, fh: number | undefined, owner: bigint) => {
    const ctx = context(s, 'flush'); run(ctx, 'flush', () => ops.flush!(ino, fh, owner, ctx), ok);
  };
  if (ops.release) h.release = (s: Slot, ino: number, fh: number | undefined, flags: number, _flush: boolean, flockOwner?: bigint) => {
    const ctx = context(s, 'release'); run(ctx, 'release', () => ops.release!(ino, fh, flags, flockOwner, ctx), ok);
  };
  if (ops.fsync) h.fsync = (s: Slot, ino: number, datasync: boolean, fh?: number) => {
    const ctx = context(s, 'fsync'); run(ctx, 'fsync', () => ops.fsync!(ino, datasync, fh, ctx), ok);
  };
  if (ops.opendir) h.opendir = (s: Slot, ino: number, flags: number) => {
    const ctx = context(s, 'opendir');
    run(ctx, 'opendir', () => ops.opendir!(ino, flags, ctx), (c, r) => {
      const [fh, bits] = openBits(r);
      finish(c);
      if (n.replyOpen(c.slot, fh, bits) === REFUSED && ops.releasedir) guard('releasedir', () => ops.releasedir!(ino, fh, c));
    }, (c, r, failed) => {
      const [fh] = openBits(r);
      if (!failed && ops.releasedir) guard('releasedir', () => ops.releasedir!(ino, fh, c));
    });
  };
  const dirDone = (dir: DirectoryReply<unknown>): Answer<void> => (ctx) => {
    finish(ctx);
    if (n.replyBuf(ctx.slot, dir.bytes) === REFUSED) for (const ino of dir.lookups) undoLookup(ino);
  };
  if (ops.readdir) h.readdir = (s: Slot, ino: number, size: number, off: number, fh?: number) => {
    const ctx = context(s, 'readdir');
    const dir = new DirectoryReply<Pick<Attr, 'ino' | 'mode'>>(size, false, attrTimeout, entryTimeout, () => ctx.replied);
    run(ctx, 'readdir', () => ops.readdir!(ino, off, fh, dir, ctx), dirDone(dir));
  };
  if (ops.readdirplus) h.readdirplus = (s: Slot, ino: number, size: number, off: number, fh?: number) => {
    const ctx = context(s, 'readdirplus');
    const dir = new DirectoryReply<Entry>(size, true, attrTimeout, entryTimeout, () => ctx.replied);
    run(ctx, 'readdirplus', () => ops.readdirplus!(ino, off, fh, dir, ctx), dirDone(dir), () => { for (const i of dir.lookups) undoLookup(i); });
  };
  if (ops.releasedir) h.releasedir = (s: Slot, ino: number, fh?: number) => {
    const ctx = context(s, 'releasedir'); run(ctx, 'releasedir', () => ops.releasedir!(ino, fh, ctx), ok);
  };
  if (ops.fsyncdir) h.fsyncdir = (s: Slot, ino: number, datasync: boolean, fh?: number) => {
    const ctx = context(s, 'fsyncdir'); run(ctx, 'fsyncdir', () => ops.fsyncdir!(ino, datasync, fh, ctx), ok);
  };
  if (ops.statfs) h.statfs = (s: Slot, ino: number) => {
    const ctx = context(s, 'statfs');
    run(ctx, 'statfs', () => ops.statfs!(ino, ctx), (c, st) => { scratch.writeStatfs(st); finish(c); n.replyStatfs(c.slot); });
  };
  if (ops.setxattr) h.setxattr = (s: Slot, ino: number, name: Name, value: Buffer, flags: number) => {
    const ctx = context(s, 'setxattr'); run(ctx, 'setxattr', () => ops.setxattr!(ino, name, value, flags, ctx), ok);
  };
  if (ops.getxattr) h.getxattr = (s: Slot, ino: number, name: Name, size: number) => {
    const ctx = context(s, 'getxattr'); run(ctx, 'getxattr', () => ops.getxattr!(ino, name, ctx), xattrValue(size));
  };
  if (ops.listxattr) h.listxattr = (s: Slot, ino: number, size: number) => {
    const ctx = context(s, 'listxattr'); run(ctx, 'listxattr', () => ops.listxattr!(ino, ctx), xattrList(size));
  };
  if (ops.removexattr) h.removexattr = (s: Slot, ino: number, name: Name) => {
    const ctx = context(s, 'removexattr'); run(ctx, 'removexattr', () => ops.removexattr!(ino, name, ctx), ok);
  };
  if (ops.access) h.access = (s: Slot, ino: number, mask: number) => {
    const ctx = context(s, 'access'); run(ctx, 'access', () => ops.access!(ino, mask, ctx), ok);
  };
  if (ops.create) h.create = (s: Slot, parent: number, name: Name, mode: number, flags: number) => {
    const ctx = context(s, 'create');
    run(ctx, 'create', () => ops.create!(parent, name, mode, flags, ctx), (c, r: CreateReply) => {
      const nodeid = scratch.writeEntry(r, attrTimeout, entryTimeout);
      const [fh, bits] = openBits(r);
      finish(c);
      if (n.replyCreate(c.slot, fh, bits) === REFUSED) {
        undoLookup(nodeid);
        undoOpen(c, nodeid, fh, flags);
      }
    }, (c, r, failed) => {
      if (failed) return;
      const nodeid = scratch.writeEntry(r, attrTimeout, entryTimeout);
      const [fh] = openBits(r);
      undoLookup(nodeid);
      undoOpen(c, nodeid, fh, flags);
    });
  };
  if (ops.getlk) h.getlk = (s: Slot, ino: number, fh: number | undefined, owner: bigint, type: number, start: number, end: number, pid: number) => {
    const ctx = context(s, 'getlk'); run(ctx, 'getlk', () => ops.getlk!(ino, fh, owner, lockArg(type, start, end, pid), ctx), lock);
  };
  if (ops.setlk) h.setlk = (s: Slot, ino: number, fh: number | undefined, owner: bigint, type: number, start: number, end: number, pid: number, sleep: boolean) => {
    const ctx = context(s, 'setlk'); run(ctx, 'setlk', () => ops.setlk!(ino, fh, owner, lockArg(type, start, end, pid), sleep, ctx), ok);
  };
  if (ops.flock) h.flock = (s: Slot, ino: number, fh: number | undefined, owner: bigint, op: number) => {
    const ctx = context(s, 'flock'); run(ctx, 'flock', () => ops.flock!(ino, fh, owner, op, ctx), ok);
  };
  if (ops.bmap) h.bmap = (s: Slot, ino: number, blocksize: number, idx: number) => {
    const ctx = context(s, 'bmap');
    run(ctx, 'bmap', () => ops.bmap!(ino, blocksize, idx, ctx), (c, v) => { checkCount(v, 'block index'); finish(c); n.replyBmap(c.slot, v); });
  };
  if (ops.ioctl) h.ioctl = (s: Slot, ino: number, cmd: number, arg: bigint, fh: number | undefined, flags: number, input: Buffer, outSize: number) => {
    const ctx = context(s, 'ioctl');
    run(ctx, 'ioctl', () => ops.ioctl!(ino, cmd, arg, fh, flags, input, outSize, ctx), (c, r: IoctlReply | IoctlRetry) => {
      if (typeof r !== 'object' || r === null) throw new ReplyShapeError('ioctl must answer { result, data } or { retry }');
      if ('retry' in r) { finish(c); n.replyIoctlRetry(c.slot, r.retry.input, r.retry.output); return; }
      if (!Number.isInteger(r.result)) throw new ReplyShapeError('ioctl result must be an integer');
      if (r.data !== undefined && !(r.data instanceof Uint8Array)) throw new ReplyShapeError('ioctl data must be a Uint8Array');
      finish(c); n.replyIoctl(c.slot, r.result, r.data);
    });
  };
  if (ops.poll) h.poll = (s: Slot, ino: number, fh: number | undefined, events: number, handle?: number) => {
    const ctx = context(s, 'poll');
    const ph = handle === undefined ? undefined : new PollHandle(n, handle);
    run(ctx, 'poll', () => ops.poll!(ino, fh, events, ph, ctx), (c, revents) => { checkCount(revents, 'revents'); finish(c); n.replyPoll(c.slot, revents); });
  };
  if (ops.fallocate) h.fallocate = (s: Slot, ino: number, mode: number, off: number, len: number, fh?: number) => {
    const ctx = context(s, 'fallocate'); run(ctx, 'fallocate', () => ops.fallocate!(ino, mode, off, len, fh, ctx), ok);
  };
  if (ops.copyFileRange) h.copyFileRange = (s: Slot, inoIn: number, offIn: number, fhIn: number | undefined, inoOut: number, offOut: number, fhOut: number | undefined, len: number, flags: number) => {
    const ctx = context(s, 'copyFileRange'); run(ctx, 'copyFileRange', () => ops.copyFileRange!(inoIn, offIn, fhIn, inoOut, offOut, fhOut, len, flags, ctx), count('copied count'));
  };
  if (ops.lseek) h.lseek = (s: Slot, ino: number, off: number, whence: number, fh?: number) => {
    const ctx = context(s, 'lseek'); run(ctx, 'lseek', () => ops.lseek!(ino, off, whence, fh, ctx), offset);
  };

  // Always registered: session options choose capabilities, then the user's init refines them.
  h.init = (conn: ConnectionInfo) => {
    host.chooseWants(conn);
    try {
      ops.init?.(conn);
    } catch (error) {
      host.report('init: handler failed', error);
    }
    return conn;
  };
  if (ops.destroy) h.destroy = () => {
    try {
      ops.destroy!();
    } catch (error) {
      host.report('destroy: handler failed', error);
    }
  };
  h.retrieveReply = (cookie: number, _ino: number, off: number, buf: Buffer) => host.retrieved(cookie, off, buf);
  h.interrupt = (s: Slot) => contexts[s]?.interrupt(interruptGraceMs, expire);

  if (tracer !== undefined) tracer.wrap(h);
  return C.ops.map((name) => h[name]);
}
