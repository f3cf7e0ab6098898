// Running checks in child processes: the process serving a mount must never touch it itself.
import { spawn, type SpawnOptions } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
  input?: string | Buffer;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user/group (the harness runs as root in CI). */
  uid?: number;
  gid?: number;
}

/** Runs a command to completion; kills it (SIGKILL) and rejects after `timeoutMs`. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { timeoutMs = 30_000 } = options;
  // Children never inherit LD_PRELOAD: the sanitizer run preloads ASan into the test process
  // only. Nor its addon build, which a child could load only with ASan preloaded.
  const { LD_PRELOAD: _preload, FUSEKIT_ADDON: _addon, ...env } = options.env ?? process.env;
  const spawnOptions: SpawnOptions = { stdio: ['pipe', 'pipe', 'pipe'], env };
  if (options.cwd !== undefined) spawnOptions.cwd = options.cwd;
  if (options.uid !== undefined) spawnOptions.uid = options.uid;
  if (options.gid !== undefined) spawnOptions.gid = options.gid;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, spawnOptions);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ').slice(0, 200)} timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(options.input ?? '');
  });
}

/** Runs a bash script; rejects unless it exits 0 (with its output in the message). */
export async function sh(script: string, options: RunOptions = {}): Promise<string> {
  const r = await run('bash', ['-euo', 'pipefail', '-c', script], options);
  if (r.code !== 0)
    throw new Error(`script failed (${r.code ?? r.signal}):\n${script}\n--- stderr:\n${r.stderr}\n--- stdout:\n${r.stdout}`);
  return r.stdout;
}

/**
 * Runs an ES module snippet in a fresh Node process and returns what it printed as JSON
 * (`print(value)` is predefined). Syscall errors surface as `{ error: 'ENOENT' }` via `attempt`.
 */
export async function node<T = unknown>(code: string, options: RunOptions = {}): Promise<T> {
  const prelude = `
    import * as fs from 'node:fs';
    import * as fsp from 'node:fs/promises';
    const print = (v) => process.stdout.write(JSON.stringify(v, (k, x) => typeof x === 'bigint' ? x.toString() : x));
    const attempt = (f) => { try { const r = f(); return r === undefined ? 'ok' : r; } catch (e) { return { error: e.code ?? String(e) }; } };
  `;
  const r = await run(process.execPath, ['--input-type=module', '-e', prelude + code], options);
  if (r.code !== 0) throw new Error(`node snippet failed (${r.code ?? r.signal}):\n${r.stderr}`);
  return (r.stdout === '' ? undefined : JSON.parse(r.stdout)) as T;
}
