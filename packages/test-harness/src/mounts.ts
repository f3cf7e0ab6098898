// Reading the kernel's view of mounts, and getting rid of one however stuck it is.
import { execFile as execFileCb, execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);

export interface MountInfo {
  mountpoint: string;
  fstype: string;
  source: string;
  /** Device minor number: the name of the mount's directory in /sys/fs/fuse/connections. */
  minor: number;
}

// mountinfo escapes space, tab, newline and backslash as octal.
const unescapeMountinfo = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export async function mounts(): Promise<MountInfo[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [left = '', right = ''] = line.split(' - ');
      const f = left.split(' ');
      const r = right.split(' ');
      return {
        mountpoint: unescapeMountinfo(f[4] ?? ''),
        fstype: r[0] ?? '',
        source: unescapeMountinfo(r[1] ?? ''),
        minor: Number((f[2] ?? '0:0').split(':')[1]),
      };
    });
}

export async function findMount(mountpoint: string): Promise<MountInfo | undefined> {
  return (await mounts()).reverse().find((m) => m.mountpoint === mountpoint);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `mountpoint` is (or, with `present: false`, is no longer) a FUSE mount. */
export async function waitForMount(mountpoint: string, { timeoutMs = 10_000, present = true } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await findMount(mountpoint);
    const isFuse = m?.fstype.startsWith('fuse') === true;
    if (isFuse === present) return;
    if (Date.now() > deadline) {
      throw new Error(`${mountpoint} was ${present ? 'not mounted' : 'still mounted'} after ${timeoutMs} ms`);
    }
    await sleep(20);
  }
}

/**
 * Unmounts a FUSE mount, however wedged: fusermount3 -u, then a lazy unmount, then an abort
 * of the connection (which fails every pending request with ENOTCONN). Never hangs.
 */
export async function forceUnmount(mountpoint: string): Promise<void> {
  const m = await findMount(mountpoint);
  if (m === undefined || !m.fstype.startsWith('fuse')) return;
  try {
    await execFile('fusermount3', ['-u', '-z', mountpoint], { timeout: 5000 });
  } catch {
    await execFile('umount', ['-l', mountpoint], { timeout: 5000 }).catch(() => undefined);
  }
  await abortConnection(m.minor);
}

const connections = '/sys/fs/fuse/connections';

/**
 * Aborts a FUSE connection (every pending request fails with ENOTCONN), mounting the fuse
 * control filesystem first if this machine has not (a fresh one often has not).
 */
export async function abortConnection(minor: number): Promise<void> {
  const abort = () => writeFile(`${connections}/${minor}/abort`, '1');
  try {
    await abort();
  } catch {
    await execFile('mount', ['-t', 'fusectl', 'fusectl', connections], { timeout: 5000 }).catch(() => undefined);
    await abort().catch(() => undefined);
  }
}

/** Synchronous last resort for exit handlers: a lazy unmount never waits on the filesystem. */
export function forceUnmountSync(mountpoint: string): void {
  try {
    execFileSync('umount', ['-l', mountpoint], { stdio: 'ignore', timeout: 5000 });
  } catch {
    try {
      execFileSync('fusermount3', ['-u', '-z', mountpoint], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // not mounted any more
    }
  }
}
