// fsx-style single-file torture (fsx/fsx.c): compiled with the system's cc once per source
// version, run as a child process (a test must never touch the mount its own process serves).
import { execFile as execFileCb } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { run } from '@fusekit/test-harness';

const execFile = promisify(execFileCb);

export const FSX_SOURCE = fileURLToPath(new URL('../fsx/fsx.c', import.meta.url));

export interface FsxOptions {
  seed: number;
  /** Random operations to apply (a full compare runs every `checkEvery` and at the end). */
  ops: number;
  /** Largest file size, a multiple of 4096 (default 256 KiB). */
  maxLength?: number;
  /** Largest single operation, a multiple of 4096 (default 64 KiB). */
  maxOpLength?: number;
  checkEvery?: number;
  /** Where the modelled file starts, above a hole (a multiple of 4096): 2^32 - 128 KiB crosses 4 GiB. */
  base?: number;
  /** Operations not to do: names from the summary's counts, or `direct`, `fd2`, `child`. */
  exclude?: readonly string[];
  /** The file, inside `dir` (default `fsx-<seed>`). */
  name?: string;
  timeoutMs?: number;
}

/** What fsx prints on success. */
export interface FsxSummary {
  seed: number;
  ops: number;
  base: number;
  size: number;
  /** Operations done, by kind. */
  counts: Record<string, number>;
  /** Reads and writes through the main open, a second open, another process; those done with O_DIRECT. */
  via: { fd: number; fd2: number; child: number; direct: number };
  /** Operations the filesystem refused as unsupported (with the errno), or excluded. */
  disabled: Record<string, string>;
}

let binary: Promise<string> | undefined;

/**
 * Compiles fsx.c (once per process) to a binary in the temporary directory named after the
 * source's hash: test processes share it, and an edited source gets its own.
 */
export function compileFsx(): Promise<string> {
  binary ??= (async () => {
    const hash = createHash('sha256')
      .update(await readFile(FSX_SOURCE))
      .digest('hex')
      .slice(0, 16);
    const out = join(tmpdir(), `fusekit-fsx-${hash}`);
    if (existsSync(out)) return out;
    const partial = `${out}.${process.pid}`;
    await execFile('cc', ['-O2', '-Wall', '-Werror', '-o', partial, FSX_SOURCE]);
    // A rename is atomic: processes compiling at once each put a whole binary in place.
    await rename(partial, out);
    return out;
  })();
  return binary;
}

/**
 * Runs fsx on a file in `dir` and resolves with its summary; rejects with its report (the
 * mismatch, the bytes and the last operations) if the file ever differs from its model.
 */
export async function runFsx(dir: string, options: FsxOptions): Promise<FsxSummary> {
  const fsx = await compileFsx();
  const args = ['-S', String(options.seed), '-N', String(options.ops)];
  if (options.maxLength !== undefined) args.push('-l', String(options.maxLength));
  if (options.maxOpLength !== undefined) args.push('-o', String(options.maxOpLength));
  if (options.checkEvery !== undefined) args.push('-c', String(options.checkEvery));
  if (options.base !== undefined) args.push('-b', String(options.base));
  if (options.exclude !== undefined && options.exclude.length > 0) args.push('-x', options.exclude.join(','));
  args.push(join(dir, options.name ?? `fsx-${options.seed}`));
  const r = await run(fsx, args, { timeoutMs: options.timeoutMs ?? 60_000 });
  if (r.code !== 0) throw new Error(`fsx ${args.join(' ')} failed (${r.code ?? r.signal}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as FsxSummary;
}
