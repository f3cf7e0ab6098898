// rename(2) within the tree, with RENAME_NOREPLACE and RENAME_EXCHANGE, as tmpfs does it: the
// kernel has checked permissions, sticky directories and EXDEV; what depends on the stored
// state (a directory moved into itself, replacing a non-empty one) is checked here.
import { FuseError } from '@fusekit/lowlevel';
import { nowNs } from './clock.js';
import { RENAME_EXCHANGE, RENAME_NOREPLACE } from './constants.js';
import type { Entries, Inode } from './inode.js';

type Dir = Inode & { entries: Entries };
/** Takes a name out of a directory, dropping a link of its inode (MemoryFs's own bookkeeping). */
type Detach = (dir: Dir, key: string, inode: Inode, now: bigint) => void;

export function rename(from: Dir, key: string, to: Dir, newKey: string, flags: number, detach: Detach): void {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE) || flags === (RENAME_NOREPLACE | RENAME_EXCHANGE)) {
    throw new FuseError('EINVAL');
  }
  const source = from.entries.get(key);
  if (source === undefined) throw new FuseError('ENOENT');
  const target = to.entries.get(newKey);
  const now = nowNs();

  if (flags & RENAME_EXCHANGE) {
    if (target === undefined) throw new FuseError('ENOENT');
    if (source.isDirectory && isAncestor(source, to)) throw new FuseError('EINVAL');
    if (target.isDirectory && isAncestor(target, from)) throw new FuseError('EINVAL');
    from.entries.replace(key, target);
    to.entries.replace(newKey, source);
    if (from !== to) {
      moveDirectory(source, from, to);
      moveDirectory(target, to, from);
    }
    source.ctimeNs = now;
    target.ctimeNs = now;
    from.modified(now);
    to.modified(now);
    return;
  }

  if (target !== undefined && flags & RENAME_NOREPLACE) throw new FuseError('EEXIST');
  if (source === target) return;
  if (source.isDirectory && isAncestor(source, to)) throw new FuseError('EINVAL');
  if (target !== undefined) {
    if (source.isDirectory && !target.isDirectory) throw new FuseError('ENOTDIR');
    if (!source.isDirectory && target.isDirectory) throw new FuseError('EISDIR');
    if (target.entries !== undefined && target.entries.size > 0) throw new FuseError('ENOTEMPTY');
    detach(to, newKey, target, now);
  }
  from.entries.remove(key);
  to.entries.add(newKey, source);
  moveDirectory(source, from, to);
  source.ctimeNs = now;
  from.modified(now);
  to.modified(now);
}

// True if `dir` is `ancestor` or inside it: a directory cannot move into itself.
function isAncestor(ancestor: Inode, dir: Inode): boolean {
  for (let d: Inode | undefined = dir; d !== undefined; d = d.parent === d ? undefined : d.parent) {
    if (d === ancestor) return true;
  }
  return false;
}

// A directory moved to another parent changes its `..` and both parents' link counts.
function moveDirectory(inode: Inode, from: Inode, to: Inode): void {
  if (!inode.isDirectory || from === to) return;
  inode.parent = to;
  from.nlink--;
  to.nlink++;
}
