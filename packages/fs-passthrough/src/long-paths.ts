// Host paths past PATH_MAX. The kernel takes no path of PATH_MAX bytes or more, but a mount may
// hold deeper trees than that, reached by relative paths (as pjdfstest's mkdir/03.t makes): the
// host path of such a node, source + path, is then too long to pass whole. It is reached through
// directories opened on the way instead, as /proc/self/fd/N/rest, N open for the call only.
import * as fs from 'node:fs';
import { FuseError } from '@fusekit/highlevel';
import type { Host } from './host.js';
import { always, andThen, type Result } from '@fusekit/lowlevel';

/** The longest piece passed at once: PATH_MAX (4096) less room for /proc/self/fd/N/ and the NUL. */
const PIECE = 4000;
const O_PATH = 0o10000000;
const OPEN_DIRECTORY = O_PATH | fs.constants.O_DIRECTORY;

/** `rest` below the directory open at `fd`, as a path the kernel resolves through it. */
function below(fd: number, rest: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`/proc/self/fd/${fd}/`), rest]);
}

/** Closes an fd of ours, whose close cannot fail in a way worth reporting. */
function closeQuietly(host: Host, fd: number): unknown {
  try {
    const closing = host.close(fd);
    return closing instanceof Promise ? closing.catch(() => undefined) : undefined;
  } catch {
    return undefined;
  }
}

/** Calls `op` with `path`, or with a path to the same place short enough for the kernel. */
export function withHostPath<R>(host: Host, path: Buffer, op: (path: Buffer) => Result<R>): Result<R> {
  if (path.length <= PIECE) return op(path);
  return andThen(openDirectories(host, path, 0, -1), ({ fd, rest }) =>
    always(
      () => op(below(fd, rest)),
      () => closeQuietly(host, fd),
    ),
  );
}

/**
 * Opens the directories of `path` from byte `start` on (below the directory open at `parent`,
 * which it closes, or from the root at -1) a piece at a time, until what is left is short: answers
 * the last directory's fd, and the rest of the path below it.
 */
function openDirectories(host: Host, path: Buffer, start: number, parent: number): Result<{ fd: number; rest: Buffer }> {
  const cut = path.lastIndexOf(0x2f, start + PIECE);
  const opening = always(
    () => {
      if (cut <= start) throw new FuseError('ENAMETOOLONG'); // a name longer than a piece: no host takes it
      const piece = path.subarray(start, cut);
      return host.open(parent < 0 ? piece : below(parent, piece), OPEN_DIRECTORY, 0, -1, -1);
    },
    () => (parent < 0 ? undefined : closeQuietly(host, parent)),
  );
  return andThen(opening, (fd) => {
    const rest = path.subarray(cut + 1);
    return rest.length <= PIECE ? { fd, rest } : openDirectories(host, path, cut + 1, fd);
  });
}
