// Refusing a mountpoint that would fail late or confusingly, with the reason in words and the
// command that fixes it. Used by mount() and by the CLIs before they build anything.
import { constants as fsConstants } from 'node:fs';
import { access, readFile, realpath, stat } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { FuseError } from './errors.js';

/** A path as /proc/self/mountinfo shows it, with its octal escapes (space, tab, newline, backslash) undone. */
export const unescapeMountinfo = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

async function isFuseMount(real: string): Promise<boolean> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo.split('\n').some((line) => {
    const type = line.split(' - ')[1]?.split(' ')[0] ?? '';
    return type.startsWith('fuse') && unescapeMountinfo(line.split(' ')[4] ?? '') === real;
  });
}

/**
 * Checks that `path` can be mounted on, and answers its real path. Throws a {@link FuseError}
 * whose message says what is wrong and how to fix it: `ENOENT` (missing), `ENOTDIR`,
 * `ENOTCONN` (a FUSE mount whose server is gone), `EBUSY` (already a FUSE mount), `EACCES`
 * (a non-root user without write access to it).
 */
export async function checkMountpoint(path: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
    if (!(await stat(real)).isDirectory()) throw new FuseError('ENOTDIR');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'EIO';
    const reason =
      code === 'ENOENT'
        ? `${path} does not exist (create it with: mkdir -p ${path})`
        : code === 'ENOTDIR'
          ? `${path} is not a directory`
          : code === 'ENOTCONN'
            ? `${path} is a FUSE mount whose server is gone (clear it with: fusermount3 -u ${path})`
            : code === 'EACCES' || code === 'EPERM'
              ? `${path}: permission denied`
              : `${path}: ${(error as Error).message}`;
    throw new FuseError(code in osConstants.errno ? code : 'EIO', reason, 'stat');
  }
  if (await isFuseMount(real)) {
    throw new FuseError('EBUSY', `${path} is already mounted (unmount it with: fusermount3 -u ${path})`, 'mount');
  }
  if (process.getuid?.() !== 0) {
    try {
      await access(real, fsConstants.W_OK | fsConstants.X_OK);
    } catch {
      throw new FuseError('EACCES', `${path}: permission denied (you need write access to the mountpoint)`, 'access');
    }
  }
  return real;
}
