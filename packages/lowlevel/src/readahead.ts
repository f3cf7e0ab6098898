// The kernel offers at most its default readahead (128 KiB) at INIT, and a mount never reads
// ahead more than INIT answered; a larger readahead is set afterwards on the mount's backing
// device, as root may (/sys/class/bdi/<device>/read_ahead_kb). Only procfs and sysfs are read
// and written here, never the mount itself, which the calling thread serves.
import { readFileSync, writeFileSync } from 'node:fs';
import { unescapeMountinfo } from './mountpoint.js';

/** Sets the readahead of the FUSE mount at `mountpoint` (a real path) to `bytes`; throws on failure. */
export function raiseReadahead(mountpoint: string, bytes: number): void {
  const fields = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f[4] !== undefined && unescapeMountinfo(f[4]) === mountpoint)
    .at(-1);
  if (fields === undefined) throw new Error(`${mountpoint} is not mounted`);
  const kb = String(Math.ceil(bytes / 1024));
  try {
    writeFileSync(`/sys/class/bdi/${fields[2]}/read_ahead_kb`, kb);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    writeFileSync(`/sys/class/bdi/${fields[2]}-fuseblk/read_ahead_kb`, kb);
  }
}
