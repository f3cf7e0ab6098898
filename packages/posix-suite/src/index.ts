// The shared POSIX conformance suite: each case runs the same syscalls on the filesystem under
// test and on a kernel tmpfs (the oracle) in the same test, as root and as unprivileged users,
// and expects the same results and errnos.
import { execFile as execFileCb } from 'node:child_process';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forceUnmount, makeMountpoint, run, waitForMount, type Closable } from '@fusekit/test-harness';
import { cases, type Runner } from './cases.js';
import { PRELUDE, PYTHON } from './probe.js';

export { cases, type PosixCase, type Runner } from './cases.js';
export { EXERCISER, runExerciser, type ExerciserResult } from './exerciser.js';
export { compileFsx, FSX_SOURCE, runFsx, type FsxOptions, type FsxSummary } from './fsx.js';
export { describeSelfAccess, type SelfAccessOptions } from './self-access.js';
export { describeSigkill, type SigkillSuiteOptions } from './sigkill.js';

const execFile = promisify(execFileCb);

/** The unprivileged users cases run as (no supplementary groups). */
export const USER = { uid: 1000, gid: 1000 } as const;
export const OTHER = { uid: 1001, gid: 1001 } as const;

export interface PosixSuiteOptions {
  /** Names the describe block. */
  name: string;
  /**
   * Mounts the filesystem under test at `mountpoint` (an empty directory) and resolves once it
   * serves. It must allow other users in (`allow_other`): cases drop privileges.
   */
  start(mountpoint: string): Promise<Closable>;
  /** Titles of cases this filesystem is known not to support, with the reason. */
  skip?: Record<string, string>;
}

// A tmpfs of our own when we may mount one (root), else a directory in /dev/shm.
async function startOracle(): Promise<{ dir: string; close(): Promise<void> }> {
  const dir = await makeMountpoint('fusekit-oracle-');
  try {
    await execFile('mount', ['-t', 'tmpfs', '-o', 'size=1g,mode=0755', 'fusekit-oracle', dir]);
    return {
      dir,
      close: async () => {
        await execFile('umount', ['-l', dir]).catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch {
    const shm = `/dev/shm/${dir.split('/').pop()!}`;
    await mkdir(shm);
    await rm(dir, { recursive: true, force: true });
    return { dir: shm, close: () => rm(shm, { recursive: true, force: true }) };
  }
}

/** Runs a Python case body with the probe helpers in `cwd`; returns what it recorded. */
export async function probe(cwd: string, body: string, as?: { uid: number; gid: number }): Promise<unknown[]> {
  const options = { cwd, timeoutMs: 30_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' }, ...as };
  const r = await run(PYTHON, ['-c', `${PRELUDE}\n${dedent(body)}`], options);
  if (r.code !== 0) throw new Error(`probe failed in ${cwd} (${r.code ?? r.signal}):\n${r.stderr}\n--- body:\n${body}`);
  return JSON.parse(r.stdout) as unknown[];
}

function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Registers the suite's cases (vitest `describe`/`it`) for one filesystem. */
export function definePosixSuite(options: PosixSuiteOptions): void {
  describe(`POSIX conformance: ${options.name} vs tmpfs`, () => {
    let oracle: { dir: string; close(): Promise<void> } | undefined;
    let mountpoint = '';
    let mounted: Closable | undefined;
    let counter = 0;

    beforeAll(async () => {
      oracle = await startOracle();
      mountpoint = await makeMountpoint();
      mounted = await options.start(mountpoint);
      await waitForMount(mountpoint);
    });

    afterAll(async () => {
      await mounted?.close().catch(() => undefined);
      if (mountpoint !== '') {
        await forceUnmount(mountpoint);
        await rmdir(mountpoint).catch(() => undefined);
      }
      await oracle?.close();
    });

    for (const c of cases) {
      const reason = options.skip?.[c.title];
      const test = reason === undefined ? it : it.skip;
      test(c.title, async () => {
        const name = `case-${++counter}`;
        // Each case gets a fresh world-writable directory in both roots, made by root.
        const runner =
          (root: string): Runner =>
          async (body, as) => {
            const cwd = `${root}/${name}`;
            await probe(root, `os.mkdir('${name}'); os.chmod('${name}', 0o777)`).catch(() => undefined);
            return probe(cwd, body, as);
          };
        const [actual, expected] = await Promise.all([c.run(runner(mountpoint)), c.run(runner(oracle!.dir))]);
        expect(actual).toEqual(expected);
        for (const code of c.errors ?? []) expect(JSON.stringify(expected)).toContain(`"${code}"`);
      });
    }
  });
}
