// The one list of operations on the TS side, built into handlers once at mount. Each entry names
// the arguments its native callback passes after the slot (`args`, checked against
// native/op_table.h by test/op-table.test.ts) and binds the user's handler: it calls it with typed
// arguments through the request lifecycle (lifecycle.ts) and answers with an encoder (answers.ts).
// Adding an op: one entry here, one line in native/op_table.h with its callback in ops.cc (or ops_files.cc).
import type { Slot } from './native.js';
import type { Operations } from './operations.js';
import type { Answers } from './answers.js';
import type { RequestLifecycle } from './lifecycle.js';
import { ReaddirplusReply, ReaddirReply } from './directory-reply.js';
import { PollHandle } from './poll-handle.js';
import { lent, lockOf, setattrChanges } from './op-args.js';
import type { ConnectionInfo, Name } from './types.js';

/** @internal A native handler, as the addon calls it. */
export type NativeHandler = (...args: never[]) => unknown;

interface OpEntry {
  /** What the native callback passes, in order, after the slot (for a request) or alone. */
  readonly args: readonly string[];
  /** The native handler for `ops`, or undefined when `ops` does not implement the op (ENOSYS). */
  bind(ops: Operations, rt: RequestLifecycle, answer: Answers): NativeHandler | undefined;
}

/** @internal Every op the binding knows, by libfuse's name in camelCase. */
export const opTable = {
  // Always bound: session options choose capabilities, then the user's init refines them.
  init: {
    args: ['conn'],
    bind: (ops, rt) => (conn: ConnectionInfo) => {
      rt.host.chooseWants(conn);
      try {
        ops.init?.(conn);
      } catch (error) {
        rt.host.report('init: handler failed', error);
      }
      rt.host.agreed(conn);
      return conn;
    },
  },
  destroy: {
    args: [],
    bind: (ops, rt) =>
      ops.destroy &&
      (() => {
        try {
          ops.destroy!();
        } catch (error) {
          rt.host.report('destroy: handler failed', error);
        }
      }),
  },
  lookup: {
    args: ['parent', 'name'],
    bind: (ops, rt, a) =>
      ops.lookup &&
      ((slot: Slot, parent: number, name: Name) => {
        const ctx = rt.begin(slot, 'lookup');
        rt.run(ctx, () => ops.lookup!(parent, name, ctx), a.entry, a.lateEntry);
      }),
  },
  // Answered natively (no reply): the handler only observes.
  forget: {
    args: ['ino', 'nlookup'],
    bind: (ops, rt) => ops.forget && ((ino: number, nlookup: number) => rt.observe('forget', () => ops.forget!(ino, nlookup))),
  },
  getattr: {
    args: ['ino', 'fh'],
    bind: (ops, rt, a) =>
      ops.getattr &&
      ((slot: Slot, ino: number, fh?: number) => {
        const ctx = rt.begin(slot, 'getattr');
        rt.run(ctx, () => ops.getattr!(ino, fh, ctx), a.attr);
      }),
  },
  setattr: {
    args: ['ino', 'toSet', 'mode', 'uid', 'gid', 'size', 'atime', 'mtime', 'ctime', 'fh'],
    bind: (ops, rt, a) =>
      ops.setattr &&
      ((
        slot: Slot,
        ino: number,
        toSet: number,
        mode: number,
        uid: number,
        gid: number,
        size: number,
        atime: bigint | true,
        mtime: bigint | true,
        ctime: bigint,
        fh?: number,
      ) => {
        const ctx = rt.begin(slot, 'setattr');
        const changes = setattrChanges(toSet, mode, uid, gid, size, atime, mtime, ctime);
        rt.run(ctx, () => ops.setattr!(ino, changes, fh, ctx), a.attr);
      }),
  },
  readlink: {
    args: ['ino'],
    bind: (ops, rt, a) =>
      ops.readlink &&
      ((slot: Slot, ino: number) => {
        const ctx = rt.begin(slot, 'readlink');
        rt.run(ctx, () => ops.readlink!(ino, ctx), a.linkTarget);
      }),
  },
  mknod: {
    args: ['parent', 'name', 'mode', 'rdev'],
    bind: (ops, rt, a) =>
      ops.mknod &&
      ((slot: Slot, parent: number, name: Name, mode: number, rdev: number) => {
        const ctx = rt.begin(slot, 'mknod');
        rt.run(ctx, () => ops.mknod!(parent, name, mode, rdev, ctx), a.entry, a.lateEntry);
      }),
  },
  mkdir: {
    args: ['parent', 'name', 'mode'],
    bind: (ops, rt, a) =>
      ops.mkdir &&
      ((slot: Slot, parent: number, name: Name, mode: number) => {
        const ctx = rt.begin(slot, 'mkdir');
        rt.run(ctx, () => ops.mkdir!(parent, name, mode, ctx), a.entry, a.lateEntry);
      }),
  },
  unlink: {
    args: ['parent', 'name'],
    bind: (ops, rt, a) =>
      ops.unlink &&
      ((slot: Slot, parent: number, name: Name) => {
        const ctx = rt.begin(slot, 'unlink');
        rt.run(ctx, () => ops.unlink!(parent, name, ctx), a.empty);
      }),
  },
  rmdir: {
    args: ['parent', 'name'],
    bind: (ops, rt, a) =>
      ops.rmdir &&
      ((slot: Slot, parent: number, name: Name) => {
        const ctx = rt.begin(slot, 'rmdir');
        rt.run(ctx, () => ops.rmdir!(parent, name, ctx), a.empty);
      }),
  },
  symlink: {
    args: ['target', 'parent', 'name'],
    bind: (ops, rt, a) =>
      ops.symlink &&
      ((slot: Slot, target: Name, parent: number, name: Name) => {
        const ctx = rt.begin(slot, 'symlink');
        rt.run(ctx, () => ops.symlink!(target, parent, name, ctx), a.entry, a.lateEntry);
      }),
  },
  rename: {
    args: ['parent', 'name', 'newParent', 'newName', 'flags'],
    bind: (ops, rt, a) =>
      ops.rename &&
      ((slot: Slot, parent: number, name: Name, newParent: number, newName: Name, flags: number) => {
        const ctx = rt.begin(slot, 'rename');
        rt.run(ctx, () => ops.rename!(parent, name, newParent, newName, flags, ctx), a.empty);
      }),
  },
  link: {
    args: ['ino', 'newParent', 'newName'],
    bind: (ops, rt, a) =>
      ops.link &&
      ((slot: Slot, ino: number, newParent: number, newName: Name) => {
        const ctx = rt.begin(slot, 'link');
        rt.run(ctx, () => ops.link!(ino, newParent, newName, ctx), a.entry, a.lateEntry);
      }),
  },
  open: {
    args: ['ino', 'flags'],
    bind: (ops, rt, a) =>
      ops.open &&
      ((slot: Slot, ino: number, flags: number) => {
        const ctx = rt.begin(slot, 'open');
        rt.run(ctx, () => ops.open!(ino, flags, ctx), a.opened(ino, flags, a.releaseFile), a.lateOpened(ino, flags, a.releaseFile));
      }),
  },
  read: {
    args: ['ino', 'size', 'off', 'fh', 'flags'],
    bind: (ops, rt, a) =>
      ops.read &&
      ((slot: Slot, ino: number, size: number, off: number, fh: number | undefined, flags: number) => {
        const ctx = rt.begin(slot, 'read');
        rt.run(ctx, () => ops.read!(ino, size, off, fh, flags, ctx), a.readData);
      }),
  },
  write: {
    args: ['ino', 'buf', 'off', 'fh', 'flags', 'writepage'],
    bind: (ops, rt, a) => {
      if (!ops.write) return undefined;
      const written = a.count('write count');
      return (slot: Slot, ino: number, buf: Buffer, off: number, fh: number | undefined, flags: number, writepage: boolean) => {
        const ctx = rt.begin(slot, 'write');
        rt.run(
          ctx,
          lent(rt, buf, () => ops.write!(ino, buf, off, fh, flags, writepage, ctx)),
          written,
        );
      };
    },
  },
  flush: {
    args: ['ino', 'fh', 'owner'],
    bind: (ops, rt, a) =>
      ops.flush &&
      ((slot: Slot, ino: number, fh: number | undefined, owner: bigint) => {
        const ctx = rt.begin(slot, 'flush');
        rt.run(ctx, () => ops.flush!(ino, fh, owner, ctx), a.empty);
      }),
  },
  release: {
    args: ['ino', 'fh', 'flags', 'flush', 'flockOwner'],
    bind: (ops, rt, a) =>
      ops.release &&
      ((slot: Slot, ino: number, fh: number | undefined, flags: number, _flush: boolean, flockOwner?: bigint) => {
        const ctx = rt.begin(slot, 'release');
        rt.run(ctx, () => ops.release!(ino, fh, flags, flockOwner, ctx), a.empty);
      }),
  },
  fsync: {
    args: ['ino', 'datasync', 'fh'],
    bind: (ops, rt, a) =>
      ops.fsync &&
      ((slot: Slot, ino: number, datasync: boolean, fh?: number) => {
        const ctx = rt.begin(slot, 'fsync');
        rt.run(ctx, () => ops.fsync!(ino, datasync, fh, ctx), a.empty);
      }),
  },
  opendir: {
    args: ['ino', 'flags'],
    bind: (ops, rt, a) =>
      ops.opendir &&
      ((slot: Slot, ino: number, flags: number) => {
        const ctx = rt.begin(slot, 'opendir');
        rt.run(
          ctx,
          () => ops.opendir!(ino, flags, ctx),
          a.opened(ino, flags, a.releaseDirectory),
          a.lateOpened(ino, flags, a.releaseDirectory),
        );
      }),
  },
  readdir: {
    args: ['ino', 'size', 'off', 'fh'],
    bind: (ops, rt, a) =>
      ops.readdir &&
      ((slot: Slot, ino: number, size: number, off: number, fh?: number) => {
        const ctx = rt.begin(slot, 'readdir');
        const dir = new ReaddirReply(size, () => ctx.replied);
        rt.run(ctx, () => ops.readdir!(ino, off, fh, dir, ctx), a.listing(dir));
      }),
  },
  releasedir: {
    args: ['ino', 'fh'],
    bind: (ops, rt, a) =>
      ops.releasedir &&
      ((slot: Slot, ino: number, fh?: number) => {
        const ctx = rt.begin(slot, 'releasedir');
        rt.run(ctx, () => ops.releasedir!(ino, fh, ctx), a.empty);
      }),
  },
  fsyncdir: {
    args: ['ino', 'datasync', 'fh'],
    bind: (ops, rt, a) =>
      ops.fsyncdir &&
      ((slot: Slot, ino: number, datasync: boolean, fh?: number) => {
        const ctx = rt.begin(slot, 'fsyncdir');
        rt.run(ctx, () => ops.fsyncdir!(ino, datasync, fh, ctx), a.empty);
      }),
  },
  statfs: {
    args: ['ino'],
    bind: (ops, rt, a) =>
      ops.statfs &&
      ((slot: Slot, ino: number) => {
        const ctx = rt.begin(slot, 'statfs');
        rt.run(ctx, () => ops.statfs!(ino, ctx), a.statfs);
      }),
  },
  setxattr: {
    args: ['ino', 'name', 'value', 'flags'],
    bind: (ops, rt, a) =>
      ops.setxattr &&
      ((slot: Slot, ino: number, name: Name, value: Buffer, flags: number) => {
        const ctx = rt.begin(slot, 'setxattr');
        rt.run(ctx, () => ops.setxattr!(ino, name, value, flags, ctx), a.empty);
      }),
  },
  getxattr: {
    args: ['ino', 'name', 'size'],
    bind: (ops, rt, a) =>
      ops.getxattr &&
      ((slot: Slot, ino: number, name: Name, size: number) => {
        const ctx = rt.begin(slot, 'getxattr');
        rt.run(ctx, () => ops.getxattr!(ino, name, ctx), a.xattrValue(size));
      }),
  },
  listxattr: {
    args: ['ino', 'size'],
    bind: (ops, rt, a) =>
      ops.listxattr &&
      ((slot: Slot, ino: number, size: number) => {
        const ctx = rt.begin(slot, 'listxattr');
        rt.run(ctx, () => ops.listxattr!(ino, ctx), a.xattrNames(size));
      }),
  },
  removexattr: {
    args: ['ino', 'name'],
    bind: (ops, rt, a) =>
      ops.removexattr &&
      ((slot: Slot, ino: number, name: Name) => {
        const ctx = rt.begin(slot, 'removexattr');
        rt.run(ctx, () => ops.removexattr!(ino, name, ctx), a.empty);
      }),
  },
  access: {
    args: ['ino', 'mask'],
    bind: (ops, rt, a) =>
      ops.access &&
      ((slot: Slot, ino: number, mask: number) => {
        const ctx = rt.begin(slot, 'access');
        rt.run(ctx, () => ops.access!(ino, mask, ctx), a.empty);
      }),
  },
  create: {
    args: ['parent', 'name', 'mode', 'flags'],
    bind: (ops, rt, a) =>
      ops.create &&
      ((slot: Slot, parent: number, name: Name, mode: number, flags: number) => {
        const ctx = rt.begin(slot, 'create');
        rt.run(ctx, () => ops.create!(parent, name, mode, flags, ctx), a.created(flags), a.lateCreated(flags));
      }),
  },
  getlk: {
    args: ['ino', 'fh', 'owner', 'type', 'start', 'end', 'pid'],
    bind: (ops, rt, a) =>
      ops.getlk &&
      ((slot: Slot, ino: number, fh: number | undefined, owner: bigint, type: number, start: number, end: number, pid: number) => {
        const ctx = rt.begin(slot, 'getlk');
        rt.run(ctx, () => ops.getlk!(ino, fh, owner, lockOf(type, start, end, pid), ctx), a.conflictingLock);
      }),
  },
  setlk: {
    args: ['ino', 'fh', 'owner', 'type', 'start', 'end', 'pid', 'sleep'],
    bind: (ops, rt, a) =>
      ops.setlk &&
      ((
        slot: Slot,
        ino: number,
        fh: number | undefined,
        owner: bigint,
        type: number,
        start: number,
        end: number,
        pid: number,
        sleep: boolean,
      ) => {
        const ctx = rt.begin(slot, 'setlk');
        rt.run(ctx, () => ops.setlk!(ino, fh, owner, lockOf(type, start, end, pid), sleep, ctx), a.empty);
      }),
  },
  bmap: {
    args: ['ino', 'blocksize', 'idx'],
    bind: (ops, rt, a) =>
      ops.bmap &&
      ((slot: Slot, ino: number, blocksize: number, idx: number) => {
        const ctx = rt.begin(slot, 'bmap');
        rt.run(ctx, () => ops.bmap!(ino, blocksize, idx, ctx), a.blockIndex);
      }),
  },
  ioctl: {
    args: ['ino', 'cmd', 'arg', 'fh', 'flags', 'inBuf', 'outBufsz'],
    bind: (ops, rt, a) =>
      ops.ioctl &&
      ((slot: Slot, ino: number, cmd: number, arg: bigint, fh: number | undefined, flags: number, inBuf: Buffer, outBufsz: number) => {
        const ctx = rt.begin(slot, 'ioctl');
        rt.run(ctx, () => ops.ioctl!({ ino, fh, cmd, arg, flags, inBuf, outBufsz }, ctx), a.ioctlResult);
      }),
  },
  poll: {
    args: ['ino', 'fh', 'events', 'handle'],
    bind: (ops, rt, a) =>
      ops.poll &&
      ((slot: Slot, ino: number, fh: number | undefined, events: number, handle?: number) => {
        const ctx = rt.begin(slot, 'poll');
        const ph = handle === undefined ? undefined : new PollHandle(rt.host.native, handle);
        rt.run(ctx, () => ops.poll!(ino, fh, events, ph, ctx), a.pollEvents);
      }),
  },
  writeBuf: {
    args: ['ino', 'buf', 'off', 'fh', 'flags', 'writepage'],
    bind: (ops, rt, a) => {
      if (!ops.writeBuf) return undefined;
      const written = a.count('write count');
      return (slot: Slot, ino: number, buf: Buffer, off: number, fh: number | undefined, flags: number, writepage: boolean) => {
        const ctx = rt.begin(slot, 'writeBuf');
        rt.run(
          ctx,
          lent(rt, buf, () => ops.writeBuf!(ino, buf, off, fh, flags, writepage, ctx)),
          written,
        );
      };
    },
  },
  // Always bound: settles the session's notifyRetrieve promises.
  retrieveReply: {
    args: ['cookie', 'ino', 'off', 'buf'],
    bind: (_ops, rt) => (cookie: number, _ino: number, off: number, buf: Buffer) => rt.host.retrieved(cookie, off, buf),
  },
  flock: {
    args: ['ino', 'fh', 'owner', 'op'],
    bind: (ops, rt, a) =>
      ops.flock &&
      ((slot: Slot, ino: number, fh: number | undefined, owner: bigint, op: number) => {
        const ctx = rt.begin(slot, 'flock');
        rt.run(ctx, () => ops.flock!(ino, fh, owner, op, ctx), a.empty);
      }),
  },
  fallocate: {
    args: ['ino', 'mode', 'off', 'len', 'fh'],
    bind: (ops, rt, a) =>
      ops.fallocate &&
      ((slot: Slot, ino: number, mode: number, off: number, len: number, fh?: number) => {
        const ctx = rt.begin(slot, 'fallocate');
        rt.run(ctx, () => ops.fallocate!(ino, mode, off, len, fh, ctx), a.empty);
      }),
  },
  readdirplus: {
    args: ['ino', 'size', 'off', 'fh'],
    bind: (ops, rt, a) =>
      ops.readdirplus &&
      ((slot: Slot, ino: number, size: number, off: number, fh?: number) => {
        const ctx = rt.begin(slot, 'readdirplus');
        const dir = new ReaddirplusReply(size, rt.host.attrTimeout, rt.host.entryTimeout, () => ctx.replied);
        rt.run(
          ctx,
          () => ops.readdirplus!(ino, off, fh, dir, ctx),
          a.listing(dir),
          () => {
            for (const i of dir.lookups) a.forgetLookup(i);
          },
        );
      }),
  },
  copyFileRange: {
    args: ['inoIn', 'offIn', 'fhIn', 'inoOut', 'offOut', 'fhOut', 'len', 'flags'],
    bind: (ops, rt, a) => {
      if (!ops.copyFileRange) return undefined;
      const copied = a.count('copied count');
      return (
        slot: Slot,
        inoIn: number,
        offIn: number,
        fhIn: number | undefined,
        inoOut: number,
        offOut: number,
        fhOut: number | undefined,
        len: number,
        flags: number,
      ) => {
        const ctx = rt.begin(slot, 'copyFileRange');
        rt.run(ctx, () => ops.copyFileRange!({ inoIn, offIn, fhIn, inoOut, offOut, fhOut, len, flags }, ctx), copied);
      };
    },
  },
  lseek: {
    args: ['ino', 'off', 'whence', 'fh'],
    bind: (ops, rt, a) =>
      ops.lseek &&
      ((slot: Slot, ino: number, off: number, whence: number, fh?: number) => {
        const ctx = rt.begin(slot, 'lseek');
        rt.run(ctx, () => ops.lseek!(ino, off, whence, fh, ctx), a.offset);
      }),
  },
  // Arrives as a create (native io.cc PrepareRawRequest): libfuse 3.14 does not know it.
  tmpfile: {
    args: ['parent', 'mode', 'flags'],
    bind: (ops, rt, a) =>
      ops.tmpfile &&
      ((slot: Slot, parent: number, mode: number, flags: number) => {
        const ctx = rt.begin(slot, 'tmpfile');
        rt.run(ctx, () => ops.tmpfile!(parent, mode, flags, ctx), a.created(flags), a.lateCreated(flags));
      }),
  },
  // Arrives as a getattr (native io.cc PrepareRawRequest): libfuse 3.14 does not know it.
  statx: {
    args: ['ino', 'flags', 'mask', 'fh'],
    bind: (ops, rt, a) =>
      ops.statx &&
      ((slot: Slot, ino: number, flags: number, mask: number, fh?: number) => {
        const ctx = rt.begin(slot, 'statx');
        rt.run(ctx, () => ops.statx!(ino, flags, mask, fh, ctx), a.statx);
      }),
  },
  // Always bound: the native side tells which slot's request the kernel interrupted.
  interrupt: {
    args: ['slot'],
    bind: (_ops, rt) => (slot: Slot) => rt.interrupt(slot),
  },
} satisfies Record<string, OpEntry>;
