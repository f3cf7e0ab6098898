#!/usr/bin/env node
// fusekit-memory: mounts an empty in-memory filesystem and serves it in the foreground until
// SIGINT/SIGTERM or an unmount from outside.
import { parseArgs } from 'node:util';
import { runFilesystemCli } from '@fusekit/lowlevel/cli';
import type { MemoryFsOptions } from './memory-fs.js';
import { parseSize } from './size.js';

const USAGE = `Usage: fusekit-memory <mountpoint> [options]

Mounts an empty in-memory filesystem (like tmpfs) at <mountpoint> and serves it in the
foreground. Ctrl-C, SIGTERM or \`fusermount3 -u <mountpoint>\` unmounts it; its contents are gone.

Options:
  -o <opt>[,<opt>...]  mount options: size=, nr_inodes=, uid=, gid=, mode= as tmpfs takes them;
                       writeback: let the kernel cache writes (faster writes, but ENOSPC
                       shows at fsync/close, not at write); anything else goes to libfuse
                       (allow_other, ro, ...)
  --size <bytes>       most file data it holds, e.g. 512M, 2G, 10% (default: 50% of RAM)
  --inodes <count>     most files it holds (default: like tmpfs, one per two pages of RAM)
  --uid <uid>          owner of the root directory (default: yours)
  --gid <gid>          group of the root directory (default: yours)
  --mode <octal>       permissions of the root directory (default: 755)
  --debug              log every request (libfuse -d)
  --trace              one line per request on stderr: operation, inode, name, caller,
                       result, time (also FUSEKIT_TRACE=1)
  -h, --help           show this help
`;

class UsageError extends Error {}

interface Config {
  mountpoint: string;
  fs: MemoryFsOptions;
  fuseOptions: string[];
  writeback: boolean;
  debug: boolean;
  trace: boolean;
}

function integer(value: string, what: string, radix = 10): number {
  const n = Number.parseInt(value, radix);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || (radix === 8 && /[89]/.test(value))) {
    throw new UsageError(`invalid ${what}: ${value}`);
  }
  return n;
}

function size(value: string, what: string): number {
  const n = parseSize(value);
  if (n === undefined) throw new UsageError(`invalid ${what}: ${value}`);
  return n;
}

function parse(argv: string[]): Config | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      o: { type: 'string', short: 'o', multiple: true },
      size: { type: 'string' },
      inodes: { type: 'string' },
      uid: { type: 'string' },
      gid: { type: 'string' },
      mode: { type: 'string' },
      debug: { type: 'boolean' },
      trace: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing mountpoint' : 'one mountpoint only');
  const fs: MemoryFsOptions = {};
  const fuseOptions: string[] = [];
  let writeback = false;
  // The tmpfs-style -o keys first, so explicit --flags win.
  for (const option of (values.o ?? []).flatMap((o) => o.split(','))) {
    const [key = '', value] = option.split('=', 2);
    if (value !== undefined && key === 'size') fs.size = size(value, 'size');
    else if (value !== undefined && key === 'nr_inodes') fs.inodes = size(value, 'nr_inodes');
    else if (value !== undefined && key === 'uid') fs.uid = integer(value, 'uid');
    else if (value !== undefined && key === 'gid') fs.gid = integer(value, 'gid');
    else if (value !== undefined && key === 'mode') fs.mode = integer(value, 'mode', 8);
    else if (option === 'writeback') writeback = true;
    else if (option !== '') fuseOptions.push(option);
  }
  if (values.size !== undefined) fs.size = size(values.size, '--size');
  if (values.inodes !== undefined) fs.inodes = size(values.inodes, '--inodes');
  if (values.uid !== undefined) fs.uid = integer(values.uid, '--uid');
  if (values.gid !== undefined) fs.gid = integer(values.gid, '--gid');
  if (values.mode !== undefined) fs.mode = integer(values.mode, '--mode', 8);
  return { mountpoint: positionals[0]!, fs, fuseOptions, writeback, debug: values.debug ?? false, trace: values.trace ?? false };
}

process.exitCode = await runFilesystemCli({
  name: 'fusekit-memory',
  usage: USAGE,
  parse,
  // Imported only now: --help needs no addon, and one that cannot load is one line.
  load: () => Promise.all([import('@fusekit/lowlevel'), import('./memory-fs.js'), import('./reclaim.js')]),
  check: async (config, [{ checkMountpoint }]) => ({ mountpoint: await checkMountpoint(config.mountpoint) }),
  async mount(config, { mountpoint }, [, { MemoryFs }, { reclaimAfterDeletions }]) {
    const memory = new MemoryFs(config.fs);
    const session = await memory.mount(mountpoint, {
      options: config.fuseOptions,
      autoUnmount: true,
      debug: config.debug,
      ...(config.trace && { trace: true }),
      capabilities: { writebackCache: config.writeback },
    });
    reclaimAfterDeletions(() => memory.usage());
    return session;
  },
});
