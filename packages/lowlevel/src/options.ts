import type { RequestContext } from './request.js';
import type { ConnectionInfo, PassthroughCapability } from './types.js';
import type { Session } from './session.js';
import type { rateLimitedLogger } from './logger.js';
import type { TraceRecord, TraceSink, traceSink } from './trace.js';
/**
 * libfuse mount options every session starts from unless `options` replaces them
 * (pyfuse3's `default_options`): the kernel checks permissions against the attributes you
 * return, so handlers need not.
 */
export const defaultOptions: readonly string[] = Object.freeze(['default_permissions']);

/** The {@link MountOptions.transport} choices. */
export type Transport = 'dev_fuse' | 'io_uring' | 'auto';

/** How a session is mounted and served. */
export interface MountOptions {
  /**
   * Unmounts when this signal aborts, as {@link Session.close} does; a signal already aborted
   * refuses the mount (the signal's reason is thrown). For a mount that lives as long as a
   * scope, see also `await using session = await mount(…)` ({@link Session}'s `Symbol.asyncDispose`).
   */
  signal?: AbortSignal;
  /** libfuse `-o` options, verbatim (e.g. `'max_read=131072'`). Default: {@link defaultOptions}. */
  options?: readonly string[];
  /** Name shown as the source in /proc/mounts (`fsname=`). */
  fsname?: string;
  /** Filesystem subtype shown as `fuse.<subtype>` (`subtype=`). */
  subtype?: string;
  /** Let other users access the mount (`allow_other`; non-root needs `user_allow_other` in /etc/fuse.conf). */
  allowOther?: boolean;
  /**
   * Let the kernel check permissions (`default_permissions`): true adds it, false removes it
   * (also from {@link defaultOptions}), unset leaves `options` as they are.
   */
  defaultPermissions?: boolean;
  /**
   * libfuse's own `auto_unmount`: `fusermount3` mounts (also for root) and stays behind to unmount
   * when the process dies. libfuse 3.14's helper sometimes leaves the mount behind instead (it
   * probes the mountpoint, and gives up when the probe fails with ECONNABORTED rather than
   * ENOTCONN), so fusekit does not rely on it: {@link MountOptions.unmountGuard} covers the same
   * deaths, and both can be on. Default false.
   */
  autoUnmount?: boolean;
  /**
   * Unmount when this process dies without unmounting, however it dies: SIGKILL, a crash, the
   * OOM killer. A small watcher process (`fusekit-guard`, carried inside the addon; no Node) is
   * started with the mount; when this process is gone it aborts the mount's FUSE connection
   * (as root) and detaches the mount (`umount2(MNT_DETACH)` as root, `fusermount3 -u -z`
   * otherwise), but only if the mountpoint still holds this session's mount, never one made
   * there since. It holds neither `/dev/fuse` nor the mountpoint, ignores SIGINT, SIGHUP and
   * SIGTERM, and exits as soon as the session unmounts. Turn it off for a process that hands its
   * `/dev/fuse` descriptor to another to carry on serving. Default true, unless the environment
   * variable `FUSEKIT_UNMOUNT_GUARD` is `0`. When it cannot be started the mount still goes
   * ahead, and the logger's `warn` says why.
   */
  unmountGuard?: boolean;
  /** Mount read-only (`ro`). */
  readOnly?: boolean;
  /** Log every request and reply from libfuse to stderr (`-d`). */
  debug?: boolean;
  /** Seconds the kernel caches attributes when a reply does not say (default 1). */
  attrTimeout?: number;
  /** Seconds the kernel caches names when a reply does not say (default 1). */
  entryTimeout?: number;
  /** Names arrive as Buffers (for names that are not UTF-8). Default false: strings. */
  namesAsBuffers?: boolean;
  /**
   * The most requests handled at once; beyond it the session stops reading from the kernel
   * until some are answered (back-pressure; the kernel queues the rest, INTERRUPTs included).
   * 0: no limit. Default 1024.
   */
  maxInFlight?: number;
  /**
   * After answering, keep reading the kernel's queue for this many microseconds before going
   * back to sleep. A caller that sends its next request as soon as it has an answer (a loop of
   * creates, unlinks, stats) then finds the session awake: no wake-up per request, which on a
   * machine where waking a thread on another CPU is slow made such loops 1.5-2x faster. Costs
   * up to this much CPU after the last request of a burst, and slows a caller that shares the
   * session's CPU by about a tenth. Only for filesystems that answer at once: while it polls,
   * the event loop does not run, so answers that wait on it (timers, libuv's pool) are delayed.
   * Applies to both transports (over io_uring the ring's completion queue is watched).
   * Default 0 (off); fusekit-memory, and fusekit-passthrough with host calls on the JS thread,
   * use 20.
   */
  busyPollMicros?: number;
  /**
   * The `write` (and `writeBuf`) handler's data is lent, not given: once the handler is done
   * (it returned, or its promise settled) the Buffer is detached (its length becomes 0) and its
   * memory is received into again. For filesystems that pass written data on and keep none of
   * it (a passthrough): large writes then land in memory touched before, as C filesystems'
   * do, instead of fresh memory freed only when the garbage collector gets to it. Copy what you
   * keep. Default false: the data is yours (fusekit-memory keeps it as file contents).
   */
  lendWriteData?: boolean;
  /**
   * Milliseconds a handler has to answer once the kernel interrupted its request, before the
   * binding answers EINTR itself. The kernel interrupts a request when its caller gets a signal
   * (Ctrl-C, SIGKILL), and from then on the caller cannot leave its system call, nor even die,
   * until the filesystem answers: a handler that never settles would keep it in `D` state
   * forever. So when the grace runs out the caller gets EINTR, the handler's own answer is
   * dropped whenever it comes, and what that answer would have handed the kernel is undone as
   * for a refused reply: `forget` for the lookups of an entry (lookup, mknod, mkdir, symlink,
   * link, create, readdirplus), `release`/`releasedir` for the handle of an open, opendir or
   * create. The session's logger says so once per request.
   *
   * Handlers that honour {@link RequestContext.signal} are not affected: they answer as soon as
   * it fires. The grace only decides how long one that ignores it may still finish with its real
   * result. Dropping an answer is harmless for requests that change nothing (getattr, read,
   * readdir …); for ones that do (write, create, unlink, rename, setattr, setlk …) the change
   * may still happen after the caller got EINTR, as with any interrupted system call on a
   * remote filesystem. `0` answers EINTR at once; `Infinity` waits for the handler, as libfuse
   * does. Default 1000: well past the time a handler that honours the signal takes, short
   * enough that Ctrl-C on a stuck client works.
   */
  interruptGraceMs?: number;
  /**
   * A record of every request: its operation, inode (and name, handle, offset, size where it
   * has them), caller, duration and result. `true` writes one line per request to stderr
   * (`fusekit trace: op=getattr ino=1 uid=0 gid=0 pid=4242 result=ok ms=0.012`), a function
   * receives each {@link TraceRecord}. Unset: the environment variable `FUSEKIT_TRACE` decides
   * (`1` for lines, `json` for a JSON object per line; see {@link traceSink}), so a running
   * program can be traced without changing it. A session that does not trace pays nothing for
   * the option. Default: off.
   */
  trace?: boolean | TraceSink;
  /**
   * How requests travel between the kernel and this process.
   * - `'dev_fuse'` (default): each request is read from `/dev/fuse` and answered with a write.
   * - `'io_uring'`: FUSE over io_uring (Linux 6.14+, protocol 7.42): the kernel places requests
   *   in buffers the session registered, one queue per CPU, and each reply is committed together
   *   with fetching the next request; the session's completions are reaped in batches. Needs
   *   the `fuse` module's `enable_uring` parameter on (as root:
   *   `echo Y > /sys/module/fuse/parameters/enable_uring`); the mount fails with a one-line
   *   error naming the cause otherwise. INIT, INTERRUPT, FORGET and notifications still travel
   *   over `/dev/fuse` (the kernel's design).
   * - `'auto'`: io_uring when the kernel allows it, `/dev/fuse` otherwise.
   *
   * Unset: `'io_uring'` if {@link MountOptions.options} has `io_uring` (libfuse 3.18's `-o io_uring`,
   * which the CLIs pass on), else the environment variable `FUSEKIT_TRANSPORT` (one of the three),
   * else `'dev_fuse'`.
   *
   * {@link Session.transport} says which one the session uses, {@link Session.transportNote}
   * why `'auto'` fell back. On io_uring, a synchronous call from the serving thread to its own
   * mount hangs instead of failing EDEADLK (see the docs' transport page).
   */
  transport?: Transport;
  /** Capability choices applied before your `init` handler runs. */
  capabilities?: CapabilityOptions;
  /**
   * Where handler failures and libfuse messages go. Default: stderr, rate-limited: the first
   * three of each failure (message and error) with their stack, then one line every 10 s
   * counting the rest (see {@link rateLimitedLogger}). A logger given here gets every report.
   */
  logger?: Logger;
}

/** Capability choices; each is only asked for when the kernel offers it. */
export interface CapabilityOptions {
  /** Buffer writes in the kernel's page cache (FUSE_CAP_WRITEBACK_CACHE). Default false. */
  writebackCache?: boolean;
  /**
   * Let the kernel send lookups and readdirs of one directory concurrently
   * (FUSE_CAP_PARALLEL_DIROPS; the binding passes it to the kernel even on libfuse < 3.16,
   * which drops it). Default true: handlers run concurrently anyway.
   */
  parallelDirops?: boolean;
  /** Reply to reads from file descriptors with splice (SPLICE_WRITE + SPLICE_MOVE). Default true. */
  spliceWrite?: boolean;
  /** Receive write data through a pipe (SPLICE_READ; only with a `writeBuf` handler). Default false. */
  spliceRead?: boolean;
  /** Use readdirplus only when the kernel thinks it helps (READDIRPLUS_AUTO). Default true. */
  readdirplusAuto?: boolean;
  /**
   * Take over clearing setuid/setgid on write, truncate and chown (FUSE_HANDLE_KILLPRIV_V2; the
   * binding passes it to the kernel, which libfuse 3.14 does not). The kernel then no longer
   * asks for `security.capability` before every write (a GETXATTR round trip each, which stalls
   * buffered writers), and marks each request where the filesystem must clear the bits with
   * {@link RequestContext.killSuidgid}. Default false: only for filesystems that honour it.
   */
  handleKillprivV2?: boolean;
  /**
   * Let files opened with `directIo` be mapped shared (FUSE_DIRECT_IO_ALLOW_MMAP, kernel 6.6
   * and later; the binding passes it to the kernel, which libfuse 3.14 cannot). Without it such
   * an `mmap(MAP_SHARED)` fails with ENODEV; with it the kernel maps the page cache and keeps it
   * coherent with the direct reads and writes. Default false.
   */
  directIoAllowMmap?: boolean;
  /**
   * Ask for kernel passthrough (FUSE_PASSTHROUGH), where the kernel offers it and the process
   * holds CAP_SYS_ADMIN ({@link ConnectionInfo.capabilities}); never with `writebackCache`, which
   * the kernel refuses alongside it. Open and create replies may then carry a `backingId`
   * (see {@link PassthroughCapability}); {@link Session.passthrough} says whether it was agreed.
   * Default false.
   */
  passthrough?: boolean;
  /** INIT's `max_stack_depth` with passthrough (see {@link ConnectionInfo.maxStackDepth}). Default 1. */
  maxStackDepth?: number;
  /** Largest write request in bytes. Default: the most libfuse allows (1 MiB). */
  maxWrite?: number;
  /**
   * Largest readahead in bytes. Default: what the kernel offers at INIT (128 KiB). A larger
   * value is set on the mount's backing device after INIT (`/sys/class/bdi/…/read_ahead_kb`),
   * which takes root; otherwise the kernel's offer stays, and the logger's `warn` says so.
   */
  maxReadahead?: number;
  /** Most background requests (readahead, writeback) in flight. Default 64. */
  maxBackground?: number;
  /** Background requests at which the kernel considers us congested. Default 48. */
  congestionThreshold?: number;
  /** Timestamp granularity in ns (1 = full precision). Default 1. */
  timeGran?: number;
}

/** Receives what the session cannot answer to anyone else. */
export interface Logger {
  /** A handler failed in a way no errno says (answered EIO), with what it threw. */
  error(message: string, error?: unknown): void;
  /** Something the session did on its own: libfuse's messages, an interrupted request answered EINTR. */
  warn?(message: string): void;
}

/** The `-o` word libfuse 3.18 takes for FUSE over io_uring; here it sets {@link MountOptions.transport}. */
export const IO_URING_OPTION = 'io_uring';

/** Builds libfuse's argv from the options. */
export function toArgs(o: MountOptions): string[] {
  const list = (o.options ?? defaultOptions).filter(
    (x) => (o.defaultPermissions !== false || x !== 'default_permissions') && x !== IO_URING_OPTION,
  );
  if (o.fsname !== undefined) list.push(`fsname=${escapeOption(o.fsname)}`);
  if (o.subtype !== undefined) list.push(`subtype=${escapeOption(o.subtype)}`);
  if (o.allowOther) list.push('allow_other');
  if (o.defaultPermissions) list.push('default_permissions');
  if (o.autoUnmount) list.push('auto_unmount');
  if (o.readOnly) list.push('ro');
  const args = ['fusekit'];
  const unique = [...new Set(list.filter((x) => x.length > 0))];
  if (unique.length > 0) args.push('-o', unique.join(','));
  if (o.debug) args.push('-d');
  return args;
}

// libfuse's option parser splits on commas; a backslash escapes one.
function escapeOption(value: string): string {
  return value.replace(/[\\,]/g, (c) => `\\${c}`);
}
