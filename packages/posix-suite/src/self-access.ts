// What happens when the process serving a mount uses that mount itself, as users do by accident:
// each scenario runs in a fresh server process (with a timeout, unmounted in finally) and must
// end within seconds with the documented outcome, never hang.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findMount, forceUnmount, node } from '@fusekit/test-harness';

export interface SelfAccessOptions {
  /** Names the describe block. */
  name: string;
  /**
   * ES module code run by the server process before each scenario: it must define
   * `async function serve(mountpoint)` that mounts the filesystem there, serves it from this
   * process and resolves to a session with `close()`. The mount's root holds nothing.
   */
  serve: string;
}

const EDEADLK = 35;

// The server process: mounts, makes `hello`, runs the scenario, prints its outcome, unmounts.
const scenario = (serve: string, mountpoint: string, body: string) => `
  import { spawn, execFile } from 'node:child_process';
  ${serve}
  const mountpoint = ${JSON.stringify(mountpoint)};
  const session = await serve(mountpoint);
  const outcome = {};
  try {
    await new Promise((resolve, reject) => execFile('sh', ['-c', 'echo hello > "$0"/hello', mountpoint], (e) => (e ? reject(e) : resolve())));
    const started = Date.now();
    ${body}
    outcome.ms = Date.now() - started;
    // Still serving others afterwards.
    outcome.after = await new Promise((resolve) => execFile('cat', [mountpoint + '/hello'], (e, out) => resolve(e ? e.message : out)));
  } finally {
    await session.close();
  }
  print(outcome);
`;

export function describeSelfAccess({ name, serve }: SelfAccessOptions): void {
  describe(`${name}: using its own mount from the serving process`, () => {
    async function run(body: string): Promise<Record<string, unknown>> {
      const dir = await mkdtemp(join(tmpdir(), 'fusekit-self-'));
      const mountpoint = join(dir, 'mnt');
      try {
        return await node(`await fs.promises.mkdir(${JSON.stringify(mountpoint)});${scenario(serve, mountpoint, body)}`, {
          timeoutMs: 30_000,
        });
      } finally {
        // A server killed at the timeout may leave the mount to a child it forked.
        if (await findMount(mountpoint)) await forceUnmount(mountpoint);
        await rm(dir, { recursive: true, force: true });
      }
    }

    it('spawn with a cwd in the mount fails fast with EDEADLK instead of hanging', async () => {
      const outcome = await run(`
        outcome.spawn = await new Promise((resolve) => {
          try {
            const child = spawn('ls', { cwd: mountpoint });
            child.on('error', (e) => resolve(e.errno));
            child.on('exit', (code) => resolve('exit ' + code));
          } catch (e) {
            resolve(e.errno);
          }
        });
      `);
      expect(outcome.spawn).toBe(-EDEADLK);
      expect(outcome.ms).toBeLessThan(5000);
      expect(outcome.after).toBe('hello\n');
    });

    it('a synchronous read of its own mount throws EDEADLK instead of hanging', async () => {
      const outcome = await run(`
        try { outcome.read = fs.readFileSync(mountpoint + '/hello', 'utf8'); } catch (e) { outcome.read = e.errno; }
        try { fs.writeFileSync(mountpoint + '/new', 'x'); outcome.write = 'ok'; } catch (e) { outcome.write = e.errno; }
      `);
      expect(outcome.read).toBe(-EDEADLK);
      expect(outcome.write).toBe(-EDEADLK);
      expect(outcome.ms).toBeLessThan(5000);
      expect(outcome.after).toBe('hello\n');
    });

    it('requests from other processes while its JS thread is blocked are served when it is back', async () => {
      const outcome = await run(`
        const reader = new Promise((resolve) => execFile('cat', [mountpoint + '/hello'], (e, out) => resolve(e ? e.message : out)));
        await new Promise((resolve) => setTimeout(resolve, 50));
        // Blocked well past the point where the watcher reads for it.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
        outcome.read = await reader;
      `);
      expect(outcome.read).toBe('hello\n');
      expect(outcome.after).toBe('hello\n');
    });
  });
}
