// Killing a filesystem's server with SIGKILL at random moments (before, while and after it
// mounts; idle and under load from another process) and counting the mounts left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMount, forceUnmount, forceUnmountSync } from './mounts.js';

export interface SigkillOptions {
  /**
   * Starts the server on `mountpoint` (`scratch` is an empty directory of the trial's own, e.g.
   * a passthrough's source), with `env` as its environment and as `uid`/`gid` if given.
   */
  start(mountpoint: string, scratch: string, spawnOptions: { env: NodeJS.ProcessEnv; uid?: number; gid?: number }): ChildProcess;
  trials: number;
  /** Trials run at once. Default 4. */
  concurrency?: number;
  /** Run the server and the load as this user (the mountpoint and scratch directory are theirs). */
  uid?: number;
  gid?: number;
  /** How long a mount may outlive its server before it counts as stale. Default 5000 ms. */
  settleMs?: number;
}

export interface SigkillReport {
  trials: number;
  /** Trials whose server was killed with its mount up, and of those, with load running. */
  mounted: number;
  underLoad: number;
  /** One line per mount still there `settleMs` after its server died. */
  stale: string[];
  /** How long the slowest mount took to go, in ms. */
  slowestMs: number;
}

// What a trial has running, killed and unmounted should the test process exit mid-trial.
const running = new Map<string, Set<ChildProcess>>();
let hooked = false;

function track(mountpoint: string, child: ChildProcess): void {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const [mp, children] of running) {
        for (const c of children) c.kill('SIGKILL');
        forceUnmountSync(mp);
      }
    });
  }
  let set = running.get(mountpoint);
  if (set === undefined) running.set(mountpoint, (set = new Set()));
  set.add(child);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function isFuseMount(mountpoint: string): Promise<boolean> {
  return (await findMount(mountpoint))?.fstype.startsWith('fuse') ?? false;
}

// fusermount3 (mounting, or waiting to auto-unmount) and fusekit-guard processes working on it.
async function helpersOf(mountpoint: string): Promise<number> {
  let count = 0;
  for (const pid of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (/(^|\/)(fusermount3|fusekit-guard)$/.test(args[0] ?? '') && args.includes(mountpoint)) count++;
  }
  return count;
}

// Writes, reads and lists through the mount from two processes until it fails.
function startLoad(mountpoint: string, uid: number | undefined, gid: number | undefined): ChildProcess {
  const worker =
    'i=0; while :; do i=$((i+1)); f="$1/$2-$((i % 3))"; dd if=/dev/zero of="$f" bs=64k count=16 status=none || exit 0; cat "$f" > /dev/null || exit 0; ls -l "$1" > /dev/null || exit 0; done';
  const script = `cd /; (${worker}) sh "$1" a & (${worker}) sh "$1" b & wait`;
  return spawn('sh', ['-c', script, 'sh', mountpoint], {
    stdio: 'ignore',
    detached: true,
    ...(uid !== undefined && { uid }),
    ...(gid !== undefined && { gid }),
  });
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // gone
  }
}

async function waitMounted(mountpoint: string, child: ChildProcess, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isFuseMount(mountpoint)) return true;
    if (child.exitCode !== null || child.signalCode !== null) return false;
    await sleep(10);
  }
  return false;
}

interface TrialResult {
  mounted: boolean;
  loaded: boolean;
  stale: string | undefined;
  ms: number;
}

async function trial(index: number, options: SigkillOptions): Promise<TrialResult> {
  const { uid, gid } = options;
  const settleMs = options.settleMs ?? 5000;
  const mountpoint = await mkdtemp(join(tmpdir(), 'fusekit-kill-'));
  const scratch = `${mountpoint}.scratch`;
  await mkdir(scratch);
  if (uid !== undefined) {
    await chown(mountpoint, uid, gid ?? uid);
    await chown(scratch, uid, gid ?? uid);
  }
  const { LD_PRELOAD: _preload, FUSEKIT_ADDON: _addon, ...env } = process.env;
  // A third each: killed at any moment of its start, soon after mounting, under load.
  const moment = index % 3;
  let load: ChildProcess | undefined;
  const child = options.start(mountpoint, scratch, { env, ...(uid !== undefined && { uid }), ...(gid !== undefined && { gid }) });
  track(mountpoint, child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    if (moment === 0) {
      await sleep(Math.random() * 400);
    } else {
      if (!(await waitMounted(mountpoint, child))) throw new Error(`trial ${index}: the server did not mount ${mountpoint}:\n${output}`);
      if (moment === 2) {
        load = startLoad(mountpoint, uid, gid);
        track(mountpoint, load);
        await sleep(20 + Math.random() * 180);
      } else {
        await sleep(Math.random() * 100);
      }
    }
    const mounted = await isFuseMount(mountpoint);
    child.kill('SIGKILL');
    await exited;
    const died = Date.now();
    // Settled: no mount, and nothing left that could still make one (a fusermount3 that was
    // mounting when its parent died) or remove one.
    let ms = 0;
    for (;;) {
      ms = Date.now() - died;
      if (!(await isFuseMount(mountpoint)) && (await helpersOf(mountpoint)) === 0) break;
      if (ms > settleMs) break;
      await sleep(25);
    }
    const stale = (await isFuseMount(mountpoint))
      ? `trial ${index} (${['at a random moment', 'mounted', 'under load'][moment]}): ${mountpoint} still mounted ${ms} ms after SIGKILL`
      : undefined;
    return { mounted, loaded: load !== undefined, stale, ms };
  } finally {
    child.kill('SIGKILL');
    if (load !== undefined) killGroup(load);
    await forceUnmount(mountpoint);
    running.delete(mountpoint);
    await rm(scratch, { recursive: true, force: true });
    await rm(mountpoint, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Runs `trials` SIGKILL trials, `concurrency` at a time, and reports the mounts left behind.
 * Throws, once every trial has ended and cleaned up, if a server failed to mount.
 */
export async function sigkillTrials(options: SigkillOptions): Promise<SigkillReport> {
  const report: SigkillReport = { trials: options.trials, mounted: 0, underLoad: 0, stale: [], slowestMs: 0 };
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < options.trials; i = next++) {
      try {
        const r = await trial(i, options);
        if (r.mounted) report.mounted++;
        if (r.mounted && r.loaded) report.underLoad++;
        if (r.stale !== undefined) report.stale.push(r.stale);
        else report.slowestMs = Math.max(report.slowestMs, r.ms);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  if (failures.length > 0) throw new Error(`${failures.length} of ${options.trials} trials failed:\n${failures.join('\n')}`);
  return report;
}

/** One line for the test's output: the stale count and how the trials went. */
export function describeReport(r: SigkillReport): string {
  return (
    `${r.stale.length} stale of ${r.trials} SIGKILLs (${r.mounted} with the mount up, ${r.underLoad} of them under load); ` +
    `the slowest mount went ${r.slowestMs} ms after its server`
  );
}

/**
 * Whether `uid` may mount FUSE filesystems here (/dev/fuse open to it, fusermount3 installed)
 * and read `files` (the command it is to run).
 */
export async function userCanMount(uid: number, gid = uid, files: readonly string[] = []): Promise<boolean> {
  const script = 'test -r /dev/fuse && test -w /dev/fuse && command -v fusermount3 >/dev/null && for f; do test -r "$f" || exit 1; done';
  const check = spawn('sh', ['-c', script, 'sh', ...files], { stdio: 'ignore', uid, gid });
  return new Promise((resolve) => {
    check.on('error', () => resolve(false));
    check.on('exit', (code) => resolve(code === 0));
  });
}

/** How many trials a test runs: `FUSEKIT_SIGKILL_TRIALS` if set, else `fallback`. */
export function sigkillTrialCount(fallback: number): number {
  const n = Number(process.env.FUSEKIT_SIGKILL_TRIALS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
