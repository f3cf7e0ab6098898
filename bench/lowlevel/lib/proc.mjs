// Child processes with timeouts, the kernel's view of mounts, and unmounting however stuck.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** Children that are running now, so that Ctrl-C can kill them before unmounting. */
export const running = new Set();

/**
 * Runs a command to completion with a hard timeout (SIGKILL), collecting its output.
 * Resolves { code, signal, stdout, stderr, timedOut }; never rejects for a non-zero exit.
 */
export function run(cmd, args, { timeoutMs, cwd, env, input } = {}) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(cmd, args, { cwd, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ code: -1, signal: null, stdout: '', stderr: String(error), timedOut: false });
      return;
    }
    running.add(child);
    let stdout = '',
      stderr = '',
      timedOut = false;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs ?? 60_000);
    child.on('error', (error) => {
      stderr += String(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code: code ?? -1, signal, stdout, stderr, timedOut });
    });
  });
}

/** Synchronous variant for set-up steps; returns spawnSync's result with a timeout. */
export function runSync(cmd, args, { timeoutMs = 60_000, cwd, env, stdio = 'pipe' } = {}) {
  return spawnSync(cmd, args, { cwd, env, stdio, timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8' });
}

export const has = (cmd) => runSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

// mountinfo escapes space, tab, newline and backslash as octal.
const unescapeMountinfo = (s) => s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));

/** The FUSE mount at `mountpoint` (topmost), or undefined. Reads /proc only: never touches it. */
export function findMount(mountpoint) {
  const lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean);
  let found;
  for (const line of lines) {
    const [left = '', right = ''] = line.split(' - ');
    const f = left.split(' ');
    const r = right.split(' ');
    if (unescapeMountinfo(f[4] ?? '') === mountpoint && (r[0] ?? '').startsWith('fuse')) {
      found = { mountpoint, fstype: r[0], source: unescapeMountinfo(r[1] ?? ''), minor: Number((f[2] ?? '0:0').split(':')[1]) };
    }
  }
  return found;
}

/**
 * Unmounts a FUSE mount without ever waiting on it: fusermount3 -u, then umount -l, then an
 * abort of the connection (fails whatever is still pending). Synchronous, so that exit paths
 * (Ctrl-C, exceptions) can call it. Returns what it did.
 */
export function unmount(mountpoint) {
  const steps = [];
  for (let i = 0; i < 3; i++) {
    const m = findMount(mountpoint);
    if (m === undefined) return steps;
    if (i === 0) {
      const r = runSync('fusermount3', ['-u', mountpoint], { timeoutMs: 10_000 });
      steps.push(`fusermount3 -u: ${r.status === 0 ? 'ok' : (r.stderr || r.error || 'failed').toString().trim()}`);
    } else if (i === 1) {
      const r = runSync('umount', ['-l', mountpoint], { timeoutMs: 10_000 });
      steps.push(`umount -l: ${r.status === 0 ? 'ok' : (r.stderr || 'failed').toString().trim()}`);
    } else {
      try {
        writeFileSync(`/sys/fs/fuse/connections/${m.minor}/abort`, '1');
        steps.push('connection aborted');
      } catch (error) {
        steps.push(`abort failed: ${error.message}`);
      }
      try {
        execFileSync('umount', ['-l', mountpoint], { stdio: 'ignore', timeout: 10_000 });
      } catch {
        /* gone */
      }
    }
  }
  return steps;
}

const CLK_TCK = Number(runSync('getconf', ['CLK_TCK']).stdout) || 100;

/** Sum of user + system CPU time of a process, all threads, in seconds (from /proc). */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Pins every thread of `pid` to `cpus` (a taskset list such as "0" or "0-1"). */
export function setAffinity(pid, cpus) {
  const r = runSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { timeoutMs: 10_000 });
  if (r.status !== 0) throw new Error(`taskset -a -p -c ${cpus} ${pid} failed: ${(r.stderr || '').trim()}`);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
