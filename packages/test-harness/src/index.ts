// The shared harness for integration tests: temporary mountpoints, waiting for the kernel,
// checks from child processes, and unmounting on every exit path.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forceUnmount, forceUnmountSync, waitForMount } from './mounts.js';

export * from './mounts.js';
export * from './processes.js';
export * from './sigkill.js';

const live = new Set<string>();
let hooked = false;

// Ctrl-C, a kill or a crash of the test process still unmounts what it mounted.
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const cleanup = () => {
    for (const m of live) forceUnmountSync(m);
    live.clear();
  };
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanup();
      process.kill(process.pid, signal);
    });
  }
}

/** Makes a fresh empty directory to mount on. */
export async function makeMountpoint(prefix = 'fusekit-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface Closable {
  close(): Promise<void>;
}

/**
 * Mounts with `mountFn` on a fresh mountpoint, waits for the kernel to show it, runs `body`,
 * and always unmounts: through `close()`, or by force if that fails or takes over 10 s.
 */
export async function withMount<M extends Closable>(
  mountFn: (mountpoint: string) => Promise<M>,
  body: (mountpoint: string, mounted: M) => Promise<void>,
  { timeoutMs = 60_000 } = {},
): Promise<void> {
  hookExit();
  const mountpoint = await makeMountpoint();
  live.add(mountpoint);
  let mounted: M | undefined;
  try {
    mounted = await mountFn(mountpoint);
    await waitForMount(mountpoint);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`test body timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([body(mountpoint, mounted), timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await closeOrForce(mountpoint, mounted);
    live.delete(mountpoint);
    await rmdir(mountpoint).catch(() => undefined);
  }
}

async function closeOrForce(mountpoint: string, mounted: Closable | undefined): Promise<void> {
  if (mounted !== undefined) {
    let timer: NodeJS.Timeout | undefined;
    const closing = mounted.close().then(
      () => true,
      () => false,
    );
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 10_000);
    });
    const ok = await Promise.race([closing, late]);
    clearTimeout(timer);
    if (ok) return;
    // close() failed or hung: make sure nothing stays mounted, then let it finish.
    await forceUnmount(mountpoint);
    await closing;
    return;
  }
  await forceUnmount(mountpoint);
}

export interface SpawnedFs extends Closable {
  child: ChildProcess;
  output(): string;
  /**
   * Sends `signal` (default SIGTERM) and waits for the process (or its whole group) to exit;
   * returns its exit code.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnFsOptions {
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Start it in a process group of its own and signal the whole group, as a terminal's Ctrl-C
   * does: for a CLI started through a wrapper such as npx, which runs it under `sh -c`.
   */
  processGroup?: boolean;
}

/**
 * Starts a filesystem CLI as a child process and waits until its mount appears. The process
 * is stopped and the mount removed when the result is closed (or the test process exits).
 */
export async function spawnFs(
  command: string,
  args: readonly string[],
  mountpoint: string,
  { readyTimeoutMs = 20_000, env, cwd, processGroup = false }: SpawnFsOptions = {},
): Promise<SpawnedFs> {
  hookExit();
  live.add(mountpoint);
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: processGroup,
    ...(env && { env }),
    ...(cwd !== undefined && { cwd }),
  });
  const signal = (name: NodeJS.Signals) => {
    try {
      if (processGroup) process.kill(-child.pid!, name);
      else child.kill(name);
    } catch {
      // already gone
    }
  };
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  // A process group has ended when the last of its processes lets go of the output pipes.
  const exited = new Promise<number | null>((resolve) => child.on(processGroup ? 'close' : 'exit', (code) => resolve(code)));
  const stop = async (name: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) signal(name);
    const timer = setTimeout(() => signal('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    await forceUnmount(mountpoint);
    live.delete(mountpoint);
    return code;
  };
  try {
    await Promise.race([
      waitForMount(mountpoint, { timeoutMs: readyTimeoutMs }),
      exited.then((code) => {
        throw new Error(`${command} exited (${code}) before mounting:\n${out}`);
      }),
    ]);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  return {
    child,
    output: () => out,
    stop,
    close: async () => {
      await stop();
    },
  };
}
