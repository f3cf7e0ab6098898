// The four filesystems under test, each its own process serving its own mountpoint. This
// process only starts, pins and stops them; it never touches their mounts (drivers do).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findMount, run, runSync, sleep, unmount } from './proc.mjs';

const FILE_SIZE = 2 ** 30;

/**
 * Peer order in tables: the reference first, fusekit last. `baseline` is fusekit as built in
 * another checkout (--baseline), for before/after figures in one run.
 */
export const PEER_NAMES = ['c', 'c-mt', 'fuse-native', 'pyfuse3', 'baseline', 'fusekit', 'fusekit-uring'];

export function peerDefinitions(benchDir, binaries, baselineRoot) {
  const dir = (name) => join(benchDir, 'peers', name);
  return {
    c: {
      label: 'C (libfuse 3 low-level, single-threaded)',
      // -s: one thread, like fusekit's single JS thread (libfuse's example defaults to -mt).
      command: (mnt) => [binaries.c, ['-s', '-o', 'default_permissions,auto_unmount,fsname=c-bench', mnt]],
      cwd: dir('c'),
      version: () => `libfuse ${runSync('pkg-config', ['--modversion', 'fuse3']).stdout?.trim()}`,
    },
    'c-mt': {
      label: 'C (libfuse 3 low-level, multi-threaded)',
      command: (mnt) => [binaries.c, ['-o', 'default_permissions,auto_unmount,fsname=c-bench-mt', mnt]],
      cwd: dir('c'),
      version: () => `libfuse ${runSync('pkg-config', ['--modversion', 'fuse3']).stdout?.trim()}`,
    },
    'fuse-native': {
      label: 'fuse-native (libfuse 2, Node)',
      command: (mnt) => [process.execPath, ['bench-fs.cjs', mnt]],
      cwd: dir('fuse-native'),
      version: () => {
        const p = join(dir('fuse-native'), 'node_modules', 'fuse-native', 'package.json');
        const v = existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')).version : '?';
        // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
        const lib = runSync('dpkg-query', ['-W', '-f', '${Version}', 'libfuse2']).stdout?.trim();
        return `fuse-native ${v}, libfuse2 ${lib || '?'}, node ${process.version}`;
      },
    },
    pyfuse3: {
      label: 'pyfuse3 (trio, /usr/bin/python3)',
      command: (mnt) => ['/usr/bin/python3', [join(dir('pyfuse3'), 'bench_fs.py'), mnt]],
      cwd: dir('pyfuse3'),
      version: () => {
        const r = runSync('/usr/bin/python3', [
          '-c',
          'import sys, pyfuse3, trio; print(f"pyfuse3 {pyfuse3.__version__}, trio {trio.__version__}, python {sys.version.split()[0]}")',
        ]);
        return r.stdout?.trim() || '?';
      },
    },
    baseline: {
      label: `@fusekit/lowlevel in ${baselineRoot ?? '(no --baseline)'}`,
      command: (mnt) => [process.execPath, ['bench-fs.mjs', mnt]],
      cwd: join(baselineRoot ?? benchDir, 'bench', 'lowlevel', 'peers', 'fusekit'),
      version: () =>
        `${runSync('git', ['-C', baselineRoot, 'log', '-1', '--format=%h %s']).stdout?.trim().slice(0, 80)}, node ${process.version}`,
    },
    fusekit: {
      label: '@fusekit/lowlevel',
      command: (mnt) => [process.execPath, ['bench-fs.mjs', mnt]],
      cwd: dir('fusekit'),
      version: () => `node ${process.version}`,
    },
    // The same filesystem over FUSE over io_uring (needs enable_uring on: run.mjs turns it on as root).
    'fusekit-uring': {
      label: '@fusekit/lowlevel, transport io_uring',
      command: (mnt) => [process.execPath, ['bench-fs.mjs', mnt]],
      env: { FUSEKIT_TRANSPORT: 'io_uring' },
      cwd: dir('fusekit'),
      version: () => `node ${process.version}`,
    },
  };
}

/** A running peer: its process, its mountpoint, and the tail of what it printed. */
export class Peer {
  constructor(name, def, mountpoint, nice) {
    this.name = name;
    this.nice = nice;
    this.def = def;
    this.mountpoint = mountpoint;
    this.output = '';
    this.exited = undefined;
    this.proc = undefined;
  }

  get pid() {
    return this.proc?.pid;
  }
  get alive() {
    return this.proc !== undefined && this.exited === undefined;
  }

  #record(chunk) {
    this.output = (this.output + chunk).slice(-8000);
  }

  /** Starts the peer and waits until it is mounted and serves the expected data. */
  async start({ statloop, timeoutMs = 30_000 }) {
    let [cmd, args] = this.def.command(this.mountpoint);
    // nice execs the peer, so the pid is the filesystem's own (taskset -p and /proc need it).
    if (this.nice !== undefined) [cmd, args] = ['nice', ['-n', String(this.nice), cmd, ...args]];
    // stdin stays open for the peer's life: its end tells a Node peer that the bench is gone.
    const env = { ...process.env, ...this.def.env };
    this.proc = spawn(cmd, args, { cwd: this.def.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdin.on('error', () => {});
    let ready = false;
    this.proc.stdout.on('data', (d) => {
      this.#record(d);
      if (/^ready$/m.test(this.output)) ready = true;
    });
    this.proc.stderr.on('data', (d) => this.#record(d));
    this.proc.on('error', (error) => {
      this.#record(`\nspawn error: ${error.message}\n`);
      this.exited ??= { code: -1 };
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = { code, signal };
    });
    const deadline = Date.now() + timeoutMs;
    while (!(ready && findMount(this.mountpoint))) {
      if (this.exited)
        throw new Error(`exited (${this.exited.signal ?? this.exited.code}) before mounting: ${this.output.trim().slice(-600)}`);
      if (Date.now() > deadline) throw new Error(`not mounted after ${timeoutMs / 1000} s: ${this.output.trim().slice(-600)}`);
      await sleep(20);
    }
    // A child checks size and content: the first request also waits for INIT to complete.
    const check = await run(statloop, ['check', join(this.mountpoint, 'data'), String(FILE_SIZE)], { timeoutMs: 60_000 });
    if (check.code !== 0) {
      throw new Error(`content check failed${check.timedOut ? ' (timed out)' : ''}: ${(check.stderr || check.stdout).trim()}`);
    }
  }

  /**
   * Unmounts (fusermount3 -u, then umount -l, then abort), lets the peer exit on its own, then
   * SIGTERM, then SIGKILL. Synchronous in the unmount so exit paths can use it.
   */
  async stop() {
    const steps = unmount(this.mountpoint);
    if (this.proc === undefined) return steps;
    for (const [signal, waitMs] of [
      [undefined, 3000],
      ['SIGTERM', 3000],
      ['SIGKILL', 2000],
    ]) {
      if (this.exited) break;
      if (signal) {
        this.proc.kill(signal);
        steps.push(signal);
      }
      const deadline = Date.now() + waitMs;
      while (!this.exited && Date.now() < deadline) await sleep(20);
    }
    return steps;
  }

  /** The last resort of Ctrl-C and exit handlers: unmount and kill, all synchronous. */
  stopSync() {
    unmount(this.mountpoint);
    if (this.alive) {
      try {
        this.proc.kill('SIGTERM');
      } catch {
        /* gone */
      }
      const end = Date.now() + 1000;
      const pause = new Int32Array(new SharedArrayBuffer(4));
      while (Date.now() < end && processAlive(this.pid)) Atomics.wait(pause, 0, 0, 20);
      if (processAlive(this.pid))
        try {
          this.proc.kill('SIGKILL');
        } catch {
          /* gone */
        }
    }
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z';
  } catch {
    return false;
  }
}
