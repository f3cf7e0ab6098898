// What a mount needs from the system besides its mountpoint, checked before libfuse tries, so a
// missing piece is one line that names the fix instead of libfuse's log and a bare errno.
import { accessSync, constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { FuseError } from './errors.js';

const installFuse3 = 'install it with "sudo apt-get install fuse3" (Debian/Ubuntu) or "sudo dnf install fuse3" (Fedora)';

/**
 * Checks that the FUSE device can be opened and, when libfuse will run it (mounting as a user
 * other than root, or `auto_unmount`), that `fusermount3` is installed. Throws a
 * {@link FuseError}: `ENODEV` (no /dev/fuse), `EACCES`/`EPERM` (not permitted), `ENOENT` (no
 * fusermount3), each with the fix in its message.
 */
export async function checkFuseAvailable(needsFusermount: boolean): Promise<void> {
  try {
    await (await open('/dev/fuse', fsConstants.O_RDWR)).close();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENXIO' || code === 'ENODEV') {
      throw new FuseError(
        'ENODEV',
        '/dev/fuse is missing: load the FUSE module with "sudo modprobe fuse" (in a container, pass the device: --device /dev/fuse)',
        'open',
      );
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new FuseError(
        code,
        "/dev/fuse: permission denied (it must be readable and writable by you, as Debian's fuse3 sets it: crw-rw-rw-; in a container, allow the device: --device /dev/fuse)",
        'open',
      );
    }
    throw error;
  }
  if (needsFusermount && fusermountPath() === undefined) {
    throw new FuseError(
      'ENOENT',
      `fusermount3 is missing (libfuse runs it to mount as a normal user and to unmount a dead server's mount): ${installFuse3}`,
      'execvp',
    );
  }
}

/** Where fusermount3 is, looking where libfuse 3 does: its own install directory first, then PATH. */
export function fusermountPath(): string | undefined {
  const dirs = ['/usr/bin', '/bin', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const dir of dirs) {
    try {
      accessSync(join(dir, 'fusermount3'), fsConstants.X_OK);
      return join(dir, 'fusermount3');
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
