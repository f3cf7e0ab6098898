#!/usr/bin/env node
// fusekit-passthrough: shows a host directory at a mountpoint and serves it in the foreground
// until SIGINT/SIGTERM or an unmount from outside.
import { opendir, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { parseArgs } from 'node:util';
import { runFilesystemCli } from '@fusekit/lowlevel/cli';
import type { CacheMode, PassthroughMode, PassthroughOptions } from './options.js';

const USAGE = `Usage: fusekit-passthrough <source> <mountpoint> [options]

Shows the host directory <source> at <mountpoint> and serves it in the foreground: every
operation through the mountpoint is done on the same file in <source>. Ctrl-C, SIGTERM or
\`fusermount3 -u <mountpoint>\` unmounts it.

Options:
  -o <opt>[,<opt>...]   mount options: cache=never|auto|always, passthrough=auto|on|off,
                        writeback and no_xattr as below; anything else goes to libfuse
                        (allow_other, ro, ...)
  --cache=<mode>        what the kernel may cache (default: auto)
                          never   nothing: host-side changes are seen at once (direct I/O)
                          auto    attributes for 1 s, data until the file changes
                          always  everything, for a day: fastest, for a source nothing else changes
  --passthrough=<mode>  kernel passthrough: the kernel reads, writes and maps host files
                        itself, at the host's speed (Linux 6.9+, root; default: auto)
                          auto    where the kernel and privileges allow, and not with --writeback
                          on      required: refuse to mount without it
                          off     every read and write goes through this server
  --writeback           buffer writes in the kernel (faster small writes; the host file lags;
                        excludes kernel passthrough)
  --no-xattr            serve no extended attributes (EOPNOTSUPP; spares the kernel's
                        security.capability lookups before writes and chowns)
  --sync-calls          make host calls on the JS thread, not on a thread pool: twice as
                        fast or more, but a slow call (network, cold disk) stalls every request;
                        the default when <source> is local (tmpfs, ramfs, ext2/3/4, xfs, btrfs, f2fs)
  --pool-calls          make host calls on fs-passthrough's own threads (never libuv's pool;
                        FUSEKIT_HOST_THREADS, default 4): the default for other sources
  --debug               log every request (libfuse -d)
  --trace               one line per request on stderr: operation, path, name, caller,
                        result, time (also FUSEKIT_TRACE=1)
  -h, --help            show this help
`;

class UsageError extends Error {}

function passthroughMode(value: string): PassthroughMode {
  if (value === 'auto' || value === 'on' || value === 'off') return value;
  throw new UsageError(`invalid passthrough mode: ${value} (auto, on or off)`);
}

// What the start line says about kernel passthrough, once the mount has settled it at INIT.
let passthroughNote = '';

interface Config {
  source: string;
  mountpoint: string;
  fs: PassthroughOptions;
  fuseOptions: string[];
  debug: boolean;
  trace: boolean;
}

function cacheMode(value: string): CacheMode {
  if (value === 'never' || value === 'auto' || value === 'always') return value;
  throw new UsageError(`invalid cache mode: ${value} (never, auto or always)`);
}

function parse(argv: string[]): Config | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      o: { type: 'string', short: 'o', multiple: true },
      cache: { type: 'string' },
      passthrough: { type: 'string' },
      writeback: { type: 'boolean' },
      'sync-calls': { type: 'boolean' },
      'pool-calls': { type: 'boolean' },
      'no-xattr': { type: 'boolean' },
      debug: { type: 'boolean' },
      trace: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length < 2) throw new UsageError(positionals.length === 0 ? 'missing source and mountpoint' : 'missing mountpoint');
  if (positionals.length > 2) throw new UsageError('one source and one mountpoint only');
  const fs: PassthroughOptions = {};
  const fuseOptions: string[] = [];
  // passthrough_ll's -o keys first, so explicit --flags win.
  for (const option of (values.o ?? []).flatMap((o) => o.split(','))) {
    if (option.startsWith('cache=')) fs.cache = cacheMode(option.slice('cache='.length));
    else if (option.startsWith('passthrough=')) fs.passthrough = passthroughMode(option.slice('passthrough='.length));
    else if (option === 'writeback') fs.writeback = true;
    else if (option === 'no_writeback') fs.writeback = false;
    else if (option === 'no_xattr') fs.xattrs = false;
    else if (option === 'xattr') fs.xattrs = true;
    else if (option !== '') fuseOptions.push(option);
  }
  if (values.cache !== undefined) fs.cache = cacheMode(values.cache);
  if (values.writeback !== undefined) fs.writeback = values.writeback;
  if (values.passthrough !== undefined) fs.passthrough = passthroughMode(values.passthrough);
  if (fs.passthrough === 'on' && fs.writeback === true)
    throw new UsageError('--passthrough=on and --writeback exclude each other (the kernel refuses the two together)');
  if (values['sync-calls'] === true && values['pool-calls'] === true)
    throw new UsageError('--sync-calls and --pool-calls exclude each other');
  if (values['sync-calls'] === true) fs.syncCalls = true;
  if (values['pool-calls'] === true) fs.syncCalls = false;
  if (values['no-xattr'] === true) fs.xattrs = false;
  return {
    source: positionals[0]!,
    mountpoint: positionals[1]!,
    fs,
    fuseOptions,
    debug: values.debug ?? false,
    trace: values.trace ?? false,
  };
}

function describe(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new Error(`${path} does not exist`);
  if (code === 'ENOTDIR') return new Error(`${path} is not a directory`);
  if (code === 'ENOTCONN') return new Error(`${path} is a FUSE mount whose server is gone (clear it with: fusermount3 -u ${path})`);
  if (code === 'EACCES' || code === 'EPERM') return new Error(`${path}: permission denied`);
  return new Error(`${path}: ${(error as Error).message}`);
}

// The source must be a directory we can list; answers its real path.
async function checkSource(path: string): Promise<string> {
  try {
    const real = await realpath(path);
    if (!(await stat(real)).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    await (await opendir(real)).close();
    return real;
  } catch (error) {
    throw describe(path, error);
  }
}

const within = (inner: string, outer: string) => inner === outer || inner.startsWith(outer === sep ? outer : outer + sep);

// Mounting onto the source or inside it would loop through the mount itself; mounting over
// a directory that holds the source would hide the source from this very server.
function checkOverlap(source: string, mountpoint: string): void {
  if (source === mountpoint) throw new Error(`${mountpoint} is the source itself: a directory cannot be mounted onto itself`);
  if (within(mountpoint, source))
    throw new Error(`${mountpoint} is inside the source ${source}: a directory cannot be mounted inside itself`);
  if (within(source, mountpoint)) throw new Error(`the source ${source} is inside ${mountpoint}: the mount would hide it`);
}

process.exitCode = await runFilesystemCli({
  name: 'fusekit-passthrough',
  usage: USAGE,
  parse,
  // Imported only now: --help needs no addon, and one that cannot load is one line.
  load: () => Promise.all([import('@fusekit/highlevel'), import('./passthrough-fs.js')]),
  async check(config, [{ checkMountpoint }]) {
    const source = await checkSource(config.source);
    const mountpoint = await checkMountpoint(config.mountpoint);
    checkOverlap(source, mountpoint);
    return { source, mountpoint };
  },
  async mount(config, { source, mountpoint }, [, { createPassthroughFs }]) {
    const session = await createPassthroughFs(source, config.fs).mount(mountpoint, {
      options: config.fuseOptions,
      autoUnmount: true,
      debug: config.debug,
      ...(config.trace && { trace: true }),
    });
    const { passthrough, passthroughOffReason } = session.lowlevel;
    passthroughNote = passthrough ? 'kernel passthrough on' : `kernel passthrough off: ${passthroughOffReason ?? ''}`;
    return session;
  },
  serving: ({ source, mountpoint }) => `${source} at ${mountpoint}, ${passthroughNote}`,
});
