// Questions about the caller of a request that the sample filesystems (and most others that
// check permissions themselves) ask the same way.
import type { RequestContext } from './request.js';

/**
 * Whether the caller is in group `gid`: its own group or one of its supplementary groups (the
 * kernel's in_group_p). Asks for the groups list only when the caller's gid is not `gid`.
 * @internal Shared by the fusekit packages; not part of the API.
 */
export function inGroup(ctx: RequestContext, gid: number): boolean {
  return ctx.gid === gid || ctx.groups().includes(gid);
}
