// What the kernel leaves to the server about setuid and setgid bits: the server makes its host
// calls as root, which would keep bits a local filesystem drops for an unprivileged caller.
import * as fs from 'node:fs';
import type { Attributes, RequestContext, Result } from '@fusekit/highlevel';
import { andThen, inGroup } from '@fusekit/lowlevel';
import type { Host } from './host.js';

const { S_IXGRP } = fs.constants;
const S_ISUID = 0o4000,
  S_ISGID = 0o2000;

/** A host file, by descriptor or path. */
type HostFile = number | Buffer;

function stat(host: Host, file: HostFile): Result<Attributes> {
  return andThen(typeof file === 'number' ? host.fstat(file) : host.lstat(file), (stats) => stats!);
}

function chmod(host: Host, file: HostFile, mode: number): Result<void> {
  return andThen(typeof file === 'number' ? host.fchmod(file, mode) : host.chmod(file, mode), () => undefined);
}

/**
 * What the kernel leaves to us (handleKillprivV2) on a write, truncate or open(O_TRUNC) by a
 * caller without CAP_FSETID (`ctx.killSuidgid`): clear setuid, and setgid when the group may
 * execute or the caller is not in the file's group (the kernel's in_group_or_capable). The
 * server itself writes as root, which would keep them. Without the capability (a kernel
 * before 5.11) the kernel still clears them itself, except on direct I/O: a non-zero uid
 * stands in for the flag there.
 */
export function dropPrivileges(host: Host, file: HostFile, ctx: RequestContext): Result<void> {
  return andThen(stat(host, file), (stats) => {
    const mode = Number(stats.mode);
    const keepsSgid = () => ctx.uid === 0 || inGroup(ctx, Number(stats.gid));
    const kill = (mode & S_ISUID) | ((mode & S_ISGID) !== 0 && ((mode & S_IXGRP) !== 0 || !keepsSgid()) ? S_ISGID : 0);
    if (kill === 0) return;
    return chmod(host, file, mode & 0o7777 & ~kill);
  });
}

/**
 * chown, as a local filesystem does it for the caller. The host chowns as root, which keeps a
 * setgid without group execute; the kernel drops it when the caller is outside the file's group
 * (the group before the chown).
 */
export function chownAs(host: Host, file: HostFile, uid: number, gid: number, ctx: RequestContext): Result<void> {
  const change = () => (typeof file === 'number' ? host.fchown(file, uid, gid) : host.lchown(file, uid, gid));
  // A chown that changes no ids by an unprivileged caller is also how the kernel asks, before a
  // passthrough write it does itself, to clear what that write would: the host writes as root.
  if (uid === -1 && gid === -1 && ctx.uid !== 0) return andThen(change(), () => dropPrivileges(host, file, ctx));
  if (!ctx.killSuidgid || ctx.uid === 0) return change();
  return andThen(stat(host, file), (stats) => {
    const mode = Number(stats.mode) & 0o7777;
    if ((mode & (S_ISGID | S_IXGRP)) !== S_ISGID || inGroup(ctx, Number(stats.gid))) return change();
    return andThen(change(), () => chmod(host, file, mode & ~(S_ISUID | S_ISGID)));
  });
}
