// Turning what a native callback passes into the values its handler takes, where that is more
// than passing them on: setattr's changes, a lock, and a lent write payload.
import { always } from './maybe.js';
import { native } from './native.js';
import type { RequestLifecycle } from './lifecycle.js';
import type { Lock, SetAttr } from './types.js';

const C = native.constants;

export const lockOf = (type: number, start: number, end: number, pid: number): Lock => ({ type, start, end, pid });

// With lendWriteData, a write's payload is taken back (detached) once its handler is done.
export function lent<T>(rt: RequestLifecycle, buf: Buffer, call: () => T | Promise<T>): () => T | Promise<T> {
  return rt.host.lendWriteData ? () => always(call, () => rt.host.native.takeBack(buf)) : call;
}

export function setattrChanges(
  toSet: number,
  mode: number,
  uid: number,
  gid: number,
  size: number,
  atime: bigint | true,
  mtime: bigint | true,
  ctime: bigint,
): SetAttr {
  const changes: SetAttr = {};
  if (toSet & C.FUSE_SET_ATTR_MODE!) changes.mode = mode;
  if (toSet & C.FUSE_SET_ATTR_UID!) changes.uid = uid;
  if (toSet & C.FUSE_SET_ATTR_GID!) changes.gid = gid;
  if (toSet & C.FUSE_SET_ATTR_SIZE!) changes.size = size;
  if (toSet & (C.FUSE_SET_ATTR_ATIME! | C.FUSE_SET_ATTR_ATIME_NOW!)) changes.atimeNs = atime === true ? 'now' : atime;
  if (toSet & (C.FUSE_SET_ATTR_MTIME! | C.FUSE_SET_ATTR_MTIME_NOW!)) changes.mtimeNs = mtime === true ? 'now' : mtime;
  if (toSet & C.FUSE_SET_ATTR_CTIME!) changes.ctimeNs = ctime;
  return changes;
}
