// The reply encoders: each turns a handler's value into the native reply it stands for (through
// the scratch buffer for structs), after `finish`. A value of the wrong shape throws
// ReplyShapeError before anything is sent, and the request is answered EIO instead.
// A refused reply (the kernel had dropped the request) handed the kernel nothing: what the
// handler did for it is undone, as libfuse's fuse.c does, so lookup counts and open handles stay
// balanced.
import { native } from './native.js';
import type { Operations } from './operations.js';
import type { DirectoryReply } from './directory-reply.js';
import { checkCount, checkName, openBits, ReplyShapeError } from './reply-checks.js';
import type { RequestContext } from './request.js';
import type { Answer, Late, RequestLifecycle } from './lifecycle.js';
import type { Attr, CreateReply, Entry, FdData, IoctlReply, IoctlRetry, Lock, Name, OpenReply, ReadReply, Statfs, Statx } from './types.js';

const C = native.constants;
const ERANGE = 34;
// What libfuse returns when the kernel refused a reply: the request was interrupted and is gone.
const REFUSED = -2;

/** @internal The encoders of one session, made at mount. */
export class Answers {
  readonly #rt: RequestLifecycle;
  readonly #ops: Operations;

  constructor(rt: RequestLifecycle, ops: Operations) {
    this.#rt = rt;
    this.#ops = ops;
  }

  /** Success with nothing to say (fuse_reply_err 0). */
  readonly empty: Answer<unknown> = (ctx) => {
    this.#rt.finish(ctx);
    this.#rt.host.native.replyErr(ctx.slot, 0);
  };

  /** A looked-up (or made) entry; counts one lookup. */
  readonly entry: Answer<Entry> = (ctx, e) => {
    const { host } = this.#rt;
    const nodeid = host.scratch.writeEntry(e, host.attrTimeout, host.entryTimeout);
    this.#rt.finish(ctx);
    if (host.native.replyEntry(ctx.slot) === REFUSED) this.forgetLookup(nodeid);
  };

  /** Undoes the lookup of an entry answered after the binding had answered EINTR. */
  readonly lateEntry: Late<Entry> = (_ctx, e, failed) => {
    const { host } = this.#rt;
    if (!failed) this.forgetLookup(host.scratch.writeEntry(e, host.attrTimeout, host.entryTimeout));
  };

  readonly attr: Answer<Attr> = (ctx, a) => {
    const { host } = this.#rt;
    host.scratch.writeAttr(a, host.attrTimeout);
    this.#rt.finish(ctx);
    host.native.replyAttr(ctx.slot);
  };

  readonly statx: Answer<Statx> = (ctx, sx) => {
    const { host } = this.#rt;
    host.scratch.writeStatx(sx, host.attrTimeout);
    this.#rt.finish(ctx);
    host.native.replyStatx(ctx.slot);
  };

  readonly linkTarget: Answer<Name> = (ctx, target) => {
    checkName(target, 'link target');
    this.#rt.finish(ctx);
    this.#rt.host.native.replyReadlink(ctx.slot, target);
  };

  /** A byte count (write, copy_file_range), as fuse_reply_write. */
  count(what: string): Answer<number> {
    return (ctx, v) => {
      checkCount(v, what);
      this.#rt.finish(ctx);
      this.#rt.host.native.replyWrite(ctx.slot, v);
    };
  }

  readonly offset: Answer<number> = (ctx, v) => {
    checkCount(v, 'offset');
    this.#rt.finish(ctx);
    this.#rt.host.native.replyLseek(ctx.slot, v);
  };

  /** A read's data: one buffer, an array of them (iov), or a range of a file descriptor. */
  readonly readData: Answer<ReadReply> = (ctx, r) => {
    const n = this.#rt.host.native;
    if (r instanceof Uint8Array) {
      this.#rt.finish(ctx);
      n.replyBuf(ctx.slot, r);
      return;
    }
    if (Array.isArray(r)) {
      for (const part of r) if (!(part instanceof Uint8Array)) throw new ReplyShapeError('read: every part must be a Uint8Array');
      this.#rt.finish(ctx);
      n.replyIov(ctx.slot, r);
      return;
    }
    if (typeof r === 'object' && r !== null && 'fd' in r) {
      const d = r as FdData;
      if (!Number.isInteger(d.fd) || d.fd < 0) throw new ReplyShapeError('read: fd must be a file descriptor');
      checkCount(d.position, 'position');
      checkCount(d.size, 'size');
      this.#rt.finish(ctx);
      n.replyData(ctx.slot, d.fd, d.position, d.size, d.inMemory === true);
      return;
    }
    throw new ReplyShapeError('read must answer a Uint8Array, an array of them, or { fd, position, size }');
  };

  /** An open (or opendir) reply; a refused one is released again. */
  opened(
    ino: number,
    flags: number,
    release: (ctx: RequestContext, ino: number, fh: number, flags: number) => void,
  ): Answer<OpenReply | void> {
    return (ctx, r) => {
      const [fh, bits, backingId] = openBits(r);
      this.#rt.finish(ctx);
      if (this.#rt.host.native.replyOpen(ctx.slot, fh, bits, backingId) === REFUSED) release(ctx, ino, fh, flags);
    };
  }

  /** Releases the handle of an open (or opendir) answered after the binding had answered EINTR. */
  lateOpened(
    ino: number,
    flags: number,
    release: (ctx: RequestContext, ino: number, fh: number, flags: number) => void,
  ): Late<OpenReply | void> {
    return (ctx, r, failed) => {
      if (!failed) release(ctx, ino, openBits(r)[0], flags);
    };
  }

  /** A created file: an entry and an open file at once; a refused one is forgotten and released. */
  created(flags: number): Answer<CreateReply> {
    return (ctx, r) => {
      const { host } = this.#rt;
      const nodeid = host.scratch.writeEntry(r, host.attrTimeout, host.entryTimeout);
      const [fh, bits, backingId] = openBits(r);
      this.#rt.finish(ctx);
      if (host.native.replyCreate(ctx.slot, fh, bits, backingId) === REFUSED) {
        this.forgetLookup(nodeid);
        this.releaseFile(ctx, nodeid, fh, flags);
      }
    };
  }

  lateCreated(flags: number): Late<CreateReply> {
    return (ctx, r, failed) => {
      if (failed) return;
      const { host } = this.#rt;
      const nodeid = host.scratch.writeEntry(r, host.attrTimeout, host.entryTimeout);
      const [fh] = openBits(r);
      this.forgetLookup(nodeid);
      this.releaseFile(ctx, nodeid, fh, flags);
    };
  }

  /** A filled directory listing; a refused readdirplus listing forgets its entries' lookups. */
  listing(dir: DirectoryReply<unknown>): Answer<void> {
    return (ctx) => {
      this.#rt.finish(ctx);
      if (this.#rt.host.native.replyBuf(ctx.slot, dir.bytes) === REFUSED) for (const ino of dir.lookups) this.forgetLookup(ino);
    };
  }

  readonly statfs: Answer<Statfs> = (ctx, st) => {
    this.#rt.host.scratch.writeStatfs(st);
    this.#rt.finish(ctx);
    this.#rt.host.native.replyStatfs(ctx.slot);
  };

  /** An xattr's value, or its size when the caller probes with size 0; ERANGE when it does not fit. */
  xattrValue(size: number): Answer<Uint8Array> {
    return (ctx, v) => {
      if (!(v instanceof Uint8Array)) throw new ReplyShapeError('getxattr must answer a Uint8Array');
      this.#xattr(ctx, v, size);
    };
  }

  /** The xattr names, NUL-terminated, or their size when the caller probes with size 0; ERANGE when they do not fit. */
  xattrNames(size: number): Answer<Name[]> {
    return (ctx, names) => {
      if (!Array.isArray(names)) throw new ReplyShapeError('listxattr must answer an array of names');
      const parts: Buffer[] = [];
      for (const name of names) {
        const checked = checkName(name, 'xattr name');
        parts.push(typeof checked === 'string' ? Buffer.from(checked) : checked, Buffer.alloc(1));
      }
      this.#xattr(ctx, Buffer.concat(parts), size);
    };
  }

  #xattr(ctx: RequestContext, v: Uint8Array, size: number): void {
    const n = this.#rt.host.native;
    if (size !== 0 && v.byteLength > size) {
      this.#rt.finish(ctx, ERANGE);
      n.replyErr(ctx.slot, ERANGE);
      return;
    }
    this.#rt.finish(ctx);
    if (size === 0) n.replyXattr(ctx.slot, v.byteLength);
    else n.replyBuf(ctx.slot, v);
  }

  /** The lock that would conflict (getlk), or F_UNLCK. */
  readonly conflictingLock: Answer<Lock> = (ctx, l) => {
    if (typeof l !== 'object' || l === null) throw new ReplyShapeError('getlk must answer a lock');
    if (![C.F_RDLCK, C.F_WRLCK, C.F_UNLCK].includes(l.type)) throw new ReplyShapeError('lock type must be F_RDLCK, F_WRLCK or F_UNLCK');
    checkCount(l.start, 'lock start');
    if (l.end !== -1) checkCount(l.end, 'lock end');
    this.#rt.finish(ctx);
    this.#rt.host.native.replyLock(ctx.slot, l.type, l.start, l.end, l.pid | 0);
  };

  readonly blockIndex: Answer<number> = (ctx, v) => {
    checkCount(v, 'block index');
    this.#rt.finish(ctx);
    this.#rt.host.native.replyBmap(ctx.slot, v);
  };

  /** An ioctl's result and output, or a request to retry with other buffers (unrestricted ioctls). */
  readonly ioctlResult: Answer<IoctlReply | IoctlRetry> = (ctx, r) => {
    const n = this.#rt.host.native;
    if (typeof r !== 'object' || r === null) throw new ReplyShapeError('ioctl must answer { result, data } or { retry }');
    if ('retry' in r) {
      this.#rt.finish(ctx);
      n.replyIoctlRetry(ctx.slot, r.retry.input, r.retry.output);
      return;
    }
    if (!Number.isInteger(r.result)) throw new ReplyShapeError('ioctl result must be an integer');
    if (r.data !== undefined && !(r.data instanceof Uint8Array)) throw new ReplyShapeError('ioctl data must be a Uint8Array');
    this.#rt.finish(ctx);
    n.replyIoctl(ctx.slot, r.result, r.data);
  };

  readonly pollEvents: Answer<number> = (ctx, revents) => {
    checkCount(revents, 'revents');
    this.#rt.finish(ctx);
    this.#rt.host.native.replyPoll(ctx.slot, revents);
  };

  /** Gives back one lookup the kernel never got (a refused or late entry). */
  forgetLookup(ino: number): void {
    const ops = this.#ops;
    if (ino !== 0 && ops.forget) this.#rt.observe('forget', () => ops.forget!(ino, 1));
  }

  /** Closes a file handle the kernel never got. */
  readonly releaseFile = (ctx: RequestContext, ino: number, fh: number, flags: number): void => {
    const ops = this.#ops;
    if (ops.release) this.#rt.observe('release', () => ops.release!(ino, fh, flags, undefined, ctx));
  };

  /** Closes a directory handle the kernel never got. */
  readonly releaseDirectory = (ctx: RequestContext, ino: number, fh: number): void => {
    const ops = this.#ops;
    if (ops.releasedir) this.#rt.observe('releasedir', () => ops.releasedir!(ino, fh, ctx));
  };
}
