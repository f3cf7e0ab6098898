// Extended attributes, kept per inode as tmpfs keeps them: user.*, trusted.* and security.*.
import { FuseError, type Name, type RequestContext } from '@fusekit/lowlevel';
import { nowNs } from './clock.js';
import { XATTR_CREATE, XATTR_REPLACE, XATTR_SIZE_MAX } from './constants.js';
import type { Inode } from './inode.js';
import { nameOf } from './names.js';

// Thrown on every write to a file without xattrs (the kernel asks for security.capability before
// each write): one shared instance spares building a stack trace per miss.
const NO_XATTR = new FuseError('ENODATA');
// xattr namespaces Linux filesystems store; system.* (ACLs) is not supported, as on a tmpfs without them.
const XATTR_NAMESPACES = ['user.', 'trusted.', 'security.'];

function xattrKey(name: Name): string {
  const key = typeof name === 'string' ? Buffer.from(name).toString('latin1') : name.toString('latin1');
  const prefix = XATTR_NAMESPACES.find((p) => key.startsWith(p));
  if (prefix === undefined) throw new FuseError('EOPNOTSUPP');
  if (key.length === prefix.length) throw new FuseError('EINVAL');
  return key;
}

export function setXattr(inode: Inode, name: Name, value: Buffer, flags: number): void {
  const key = xattrKey(name);
  if (value.length > XATTR_SIZE_MAX) throw new FuseError('E2BIG');
  const exists = inode.xattrs?.has(key) ?? false;
  if (flags & XATTR_CREATE && exists) throw new FuseError('EEXIST');
  if (flags & XATTR_REPLACE && !exists) throw new FuseError('ENODATA');
  (inode.xattrs ??= new Map()).set(key, Buffer.from(value));
  inode.ctimeNs = nowNs();
}

export function getXattr(inode: Inode, name: Name): Buffer {
  const value = inode.xattrs?.get(xattrKey(name));
  if (value === undefined) throw NO_XATTR;
  return value;
}

export function listXattrs(inode: Inode, ctx: RequestContext): Buffer[] {
  // trusted.* is visible to privileged callers only (CAP_SYS_ADMIN: root here).
  const keys = [...(inode.xattrs?.keys() ?? [])];
  return (ctx.uid === 0 ? keys : keys.filter((k) => !k.startsWith('trusted.'))).map(nameOf);
}

export function removeXattr(inode: Inode, name: Name): void {
  if (inode.xattrs?.delete(xattrKey(name)) !== true) throw new FuseError('ENODATA');
  inode.ctimeNs = nowNs();
}
