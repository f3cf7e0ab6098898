// A kernel tmpfs to compare against: the same workload runs there and on fusekit-memory.
import { execFile as execFileCb } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { makeMountpoint } from '@fusekit/test-harness';

const execFile = promisify(execFileCb);

/** Runs `body` with a fresh tmpfs directory, unmounted afterwards. */
export async function withTmpfs(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await makeMountpoint('fusekit-tmpfs-');
  await execFile('mount', ['-t', 'tmpfs', '-o', 'size=2g', 'fusekit-oracle', dir]);
  try {
    await body(dir);
  } finally {
    await execFile('umount', ['-l', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
