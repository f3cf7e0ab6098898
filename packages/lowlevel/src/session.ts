import { bindOps, type DispatchHost } from './dispatch.js';
import { FuseError } from './errors.js';
import { consoleLogger, rateLimitedLogger, type RateLimitedLogger } from './logger.js';
import { native, type NativeSession } from './native.js';
import { checkMountpoint } from './mountpoint.js';
import { checkFuseAvailable, fusermountPath } from './prerequisites.js';
import { raiseReadahead } from './readahead.js';
import type { Operations } from './operations.js';
import { IO_URING_OPTION, toArgs, type CapabilityOptions, type Logger, type MountOptions, type Transport } from './options.js';
import { backingClose, backingOpen, notePassthroughOff, passthroughCapability } from './passthrough.js';
import { checkCount, checkName } from './reply-checks.js';
import { Scratch } from './scratch.js';
import type { RequestContext } from './request.js';
import { traceSink } from './trace.js';
import type { ConnectionInfo, Name } from './types.js';

const C = native.constants;

interface Pending {
  resolve(value: Buffer | undefined): void;
  reject(error: Error): void;
  retrieve: boolean;
}

/**
 * A mounted filesystem being served. Requests are read on the JS thread as they arrive and
 * handed to your {@link Operations}; several sessions can be served by one process.
 */
export class Session {
  /** Settles when the filesystem is gone: unmounted from outside, or {@link Session.close}d. */
  readonly closed: Promise<void>;
  readonly mountpoint: string;
  readonly #native: NativeSession;
  readonly #logger: Logger;
  readonly #defaultLogger: RateLimitedLogger | undefined;
  readonly #contexts: (RequestContext | undefined)[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextJob = 1;
  #closing: Promise<void> | undefined;
  #settleClosed!: () => void;
  #settleInitialized!: () => void;
  #passthroughOff: string | undefined = 'INIT has not happened yet';
  #idleWaiters: (() => void)[] = [];
  #inFlight = 0;
  readonly #handlers: (((...args: never[]) => unknown) | undefined)[];

  /** @internal Use {@link mount}; `realPath` is the mountpoint's, resolved before mounting. */
  constructor(ops: Operations, mountpoint: string, options: MountOptions, realPath = mountpoint) {
    this.mountpoint = mountpoint;
    const grace = options.interruptGraceMs ?? 1000;
    if (!(grace >= 0 && (grace === Infinity || grace <= 2 ** 31 - 1))) {
      throw new RangeError(`interruptGraceMs must be 0 to 2147483647 or Infinity, got ${String(grace)}`);
    }
    this.#defaultLogger = options.logger === undefined ? rateLimitedLogger(consoleLogger) : undefined;
    this.#logger = options.logger ?? this.#defaultLogger!;
    this.closed = new Promise((resolve) => {
      this.#settleClosed = resolve;
    });
    this.initialized = new Promise((resolve) => {
      this.#settleInitialized = resolve;
    });
    const caps = options.capabilities ?? {};
    this.#native = new native.Session(
      toArgs(options),
      {
        namesAsBuffers: options.namesAsBuffers ?? false,
        maxInFlight: options.maxInFlight ?? 1024,
        handleKillprivV2: caps.handleKillprivV2 ?? false,
        directIoAllowMmap: caps.directIoAllowMmap ?? false,
        busyPollMicros: options.busyPollMicros ?? 0,
        transport: transportOf(options),
        unmountGuard: options.unmountGuard ?? process.env.FUSEKIT_UNMOUNT_GUARD !== '0',
        fusermount: fusermountPath() ?? '',
        warn: (message) => this.#warn(message),
      },
      () => void this.#end(false),
      (id, errno) => this.#settle(id, errno, undefined),
    );
    const host: DispatchHost = {
      native: this.#native,
      scratch: new Scratch(this.#native.scratch),
      attrTimeout: options.attrTimeout ?? 1,
      entryTimeout: options.entryTimeout ?? 1,
      contexts: this.#contexts,
      interruptGraceMs: grace,
      trace: traceSink(options.trace),
      lendWriteData: options.lendWriteData ?? false,
      report: (message, error) => this.#logger.error(message, error),
      warn: (message) => this.#warn(message),
      began: () => {
        this.#inFlight++;
      },
      answered: () => this.#answered(),
      chooseWants: (conn) => {
        const offered = conn.maxReadahead;
        chooseWants(conn, caps, ops);
        const wanted = caps.maxReadahead ?? 0;
        // After this batch, when the kernel has taken the INIT answer.
        if (wanted > offered) setImmediate(() => this.#raiseReadahead(realPath, wanted));
      },
      agreed: (conn) => {
        this.#passthroughOff = agreePassthrough(conn);
        notePassthroughOff(this.#native, this.#passthroughOff ?? '');
        this.#settleInitialized();
      },
      retrieved: (cookie, _offset, data) => this.#settle(cookie, 0, data),
    };
    this.#handlers = bindOps(ops, host);
  }

  #raiseReadahead(realPath: string, bytes: number): void {
    try {
      raiseReadahead(realPath, bytes);
    } catch (error) {
      this.#logger.warn?.(`maxReadahead stays at the kernel's offer: ${(error as Error).message}`);
    }
  }

  #answered(): void {
    if (--this.#inFlight === 0 && this.#idleWaiters.length > 0) {
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  /** @internal */
  start(): void {
    try {
      const warning = this.#native.mount(this.mountpoint, this.#handlers);
      if (warning !== undefined) this.#warn(warning);
    } finally {
      this.#drainLog();
    }
  }

  /**
   * Settles once the kernel's INIT was answered (what {@link ConnectionInfo} decided is then
   * known: {@link Session.passthrough}), or when the session ends before that.
   */
  readonly initialized: Promise<void>;

  /** Kernel passthrough was agreed at INIT: open and create replies may carry a `backingId`. */
  get passthrough(): boolean {
    return this.#native.passthroughDepth() > 0;
  }

  /** Why {@link Session.passthrough} is false, in one line (undefined when it is true). */
  get passthroughOffReason(): string | undefined {
    return this.passthrough ? undefined : this.#passthroughOff;
  }

  /**
   * Registers `fd` as a backing file for kernel passthrough (FUSE_DEV_IOC_BACKING_OPEN on the
   * session fd; libfuse's `fuse_passthrough_open`) and answers its backing id, for the
   * `backingId` of open and create replies. The kernel keeps its own reference on the file: `fd`
   * may be closed afterwards. Throws a FuseError that says what is missing: EOPNOTSUPP when
   * passthrough is off for the session, EPERM without CAP_SYS_ADMIN, ELOOP for a backing file
   * stacked too deep. See {@link PassthroughCapability} for the contract.
   */
  backingOpen(fd: number): number {
    return backingOpen(this.#native, fd);
  }

  /** Releases a backing id (FUSE_DEV_IOC_BACKING_CLOSE; libfuse's `fuse_passthrough_close`). */
  backingClose(id: number): void {
    backingClose(this.#native, id);
  }

  /** How requests reach this session: `'io_uring'` or `'dev_fuse'` (see {@link MountOptions.transport}). */
  get transport(): 'dev_fuse' | 'io_uring' {
    return this.#native.transport ?? 'dev_fuse';
  }

  /** Why a session mounted with `transport: 'auto'` uses /dev/fuse; `''` when it did not fall back. */
  get transportNote(): string {
    return this.#native.transportNote ?? '';
  }

  /** Requests currently being handled. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Stops serving and ends the session: unmounts (unless `unmount: false`, which leaves the
   * mount disconnected), lets in-flight handlers finish for up to `graceMs`, answers what is
   * left with EIO, calls `destroy` and settles {@link Session.closed}.
   */
  close(options: { unmount?: boolean; graceMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#end(options.unmount ?? true, options.graceMs ?? 5000);
    return this.#closing;
  }

  /** Ends serving from anywhere, even inside a handler (pyfuse3's `terminate`). */
  terminate(): void {
    this.close().catch((error: unknown) => this.#logger.error('close failed', error));
  }

  /** `await using session = await mount(…)`: closes (and unmounts) at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #end(unmount: boolean, graceMs = 5000): Promise<void> {
    this.#closing ??= (async () => {
      // Stop reading first: requests already taken get up to graceMs to be answered while new
      // ones wait in the kernel; unmounting then fails those with ENOTCONN.
      this.#native.pause();
      if (this.#inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs);
          this.#idleWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      if (unmount) this.#native.unmount();
      this.#native.destroy();
      // destroy() answered what was left: a handler settling later has nothing to answer.
      for (const ctx of this.#contexts) ctx?.done();
      this.#contexts.length = 0;
      this.#drainLog();
      this.#defaultLogger?.flush();
      for (const [id] of this.#pending) this.#settle(id, C.ENOTCONN ?? 107, undefined);
      this.#settleInitialized();
      this.#settleClosed();
    })();
    return this.#closing;
  }

  #drainLog(): void {
    for (const line of this.#native.drainLog()) this.#warn(`libfuse: ${line}`);
  }

  #warn(message: string): void {
    if (this.#logger.warn !== undefined) this.#logger.warn(message);
    else this.#logger.error(message);
  }

  #job(
    kind: number,
    a: number,
    b: number,
    c: number,
    payload: Name | Uint8Array | undefined,
    retrieve = false,
  ): Promise<Buffer | undefined> {
    if (this.#closing !== undefined) return Promise.reject(new FuseError('ENOTCONN', 'session is closed'));
    const id = this.#nextJob++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, retrieve });
      try {
        this.#native.notify(id, kind, a, b, c, payload);
      } catch (error) {
        this.#pending.delete(id);
        reject(error as Error);
      }
    });
  }

  #settle(id: number, errno: number, data: Buffer | undefined): void {
    const p = this.#pending.get(id);
    if (p === undefined) return;
    if (errno !== 0) {
      this.#pending.delete(id);
      p.reject(new FuseError(errno, undefined, 'fuse_lowlevel_notify'));
    } else if (!p.retrieve || data !== undefined) {
      this.#pending.delete(id);
      p.resolve(data);
    }
    // A retrieve's send succeeded: it settles when retrieve_reply brings the data.
  }

  /**
   * Drops cached data of an inode from `offset` for `length` bytes (0: to the end; a negative
   * offset drops only the attributes). Safe to call from a handler: runs off the JS thread.
   * Rejects with ENOENT when the kernel has nothing cached.
   */
  async invalidateInode(ino: number, offset = 0, length = 0): Promise<void> {
    checkCount(ino, 'ino');
    await this.#job(C.N_INVAL_INODE!, ino, offset, length, undefined);
  }

  /** Drops a cached name → inode binding (and the negative entry). Safe from a handler. */
  async invalidateEntry(parent: number, name: Name): Promise<void> {
    checkCount(parent, 'parent');
    checkName(name, 'name');
    await this.#job(C.N_INVAL_ENTRY!, parent, 0, 0, name);
  }

  /** Marks a cached entry as expired without dropping it (kernel needs FUSE_CAP_EXPIRE_ONLY). */
  async expireEntry(parent: number, name: Name): Promise<void> {
    checkCount(parent, 'parent');
    checkName(name, 'name');
    await this.#job(C.N_EXPIRE_ENTRY!, parent, 0, 0, name);
  }

  /** Tells the kernel that `name` in `parent` (inode `child`) was deleted. Safe from a handler. */
  async notifyDelete(parent: number, child: number, name: Name): Promise<void> {
    checkCount(parent, 'parent');
    checkCount(child, 'child');
    checkName(name, 'name');
    await this.#job(C.N_DELETE!, parent, child, 0, name);
  }

  /** Pushes data into the kernel's page cache for an inode. Safe from a handler. */
  async notifyStore(ino: number, offset: number, data: Uint8Array): Promise<void> {
    checkCount(ino, 'ino');
    checkCount(offset, 'offset');
    await this.#job(C.N_STORE!, ino, offset, 0, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  /** Reads back what the kernel has cached for an inode (notify_retrieve + retrieve_reply). */
  async notifyRetrieve(ino: number, offset: number, size: number): Promise<Buffer> {
    checkCount(ino, 'ino');
    checkCount(offset, 'offset');
    checkCount(size, 'size');
    const data = await this.#job(C.N_RETRIEVE!, ino, size, offset, undefined, true);
    return data ?? Buffer.alloc(0);
  }
}

function chooseWants(conn: ConnectionInfo, caps: CapabilityOptions, ops: Operations): void {
  const want = (bit: number | undefined, on: boolean) => {
    if (bit === undefined) return;
    if (on && conn.capable & bit) conn.want |= bit;
    else if (!on) conn.want &= ~bit;
  };
  want(C.FUSE_CAP_WRITEBACK_CACHE, caps.writebackCache ?? false);
  want(C.FUSE_CAP_PARALLEL_DIROPS, caps.parallelDirops ?? true);
  const splice = caps.spliceWrite ?? true;
  want(C.FUSE_CAP_SPLICE_WRITE, splice);
  want(C.FUSE_CAP_SPLICE_MOVE, splice);
  want(C.FUSE_CAP_SPLICE_READ, (caps.spliceRead ?? false) && ops.writeBuf !== undefined);
  want(C.FUSE_CAP_READDIRPLUS_AUTO, (caps.readdirplusAuto ?? true) && ops.readdirplus !== undefined && ops.readdir !== undefined);
  if (caps.maxWrite !== undefined) conn.maxWrite = caps.maxWrite;
  if (caps.maxReadahead !== undefined) conn.maxReadahead = caps.maxReadahead;
  conn.maxBackground = caps.maxBackground ?? 64;
  conn.congestionThreshold = caps.congestionThreshold ?? 48;
  conn.timeGran = caps.timeGran ?? 1;
  const capability = passthroughCapability((conn as { passthroughOffered?: boolean }).passthroughOffered === true);
  Object.assign(conn, { capabilities: { passthrough: capability } });
  conn.passthrough = (caps.passthrough ?? false) && capability.available;
  conn.maxStackDepth = caps.maxStackDepth ?? 1;
}

// After the filesystem's init: what INIT asks the kernel for (passthroughDepth, read by the
// addon), and why passthrough is off, if it is.
function agreePassthrough(conn: ConnectionInfo): string | undefined {
  const depth = conn.maxStackDepth;
  const capability = conn.capabilities.passthrough;
  let off: string | undefined;
  if (!conn.passthrough) off = capability.available ? 'not asked for (capabilities.passthrough)' : capability.unavailableReason;
  else if (!capability.available) off = capability.unavailableReason;
  else if ((conn.want & (C.FUSE_CAP_WRITEBACK_CACHE ?? 0)) !== 0)
    off = 'the writeback cache is on, and the kernel refuses passthrough with it';
  else if (!(Number.isInteger(depth) && depth >= 1 && depth <= capability.maxStackDepth))
    off = `maxStackDepth must be 1 to ${capability.maxStackDepth}, got ${String(depth)}`;
  Object.assign(conn, { passthroughDepth: off === undefined ? depth : 0 });
  return off;
}

function transportOf(options: MountOptions): Transport {
  // The environment decides when the code does not, so that a program can try io_uring unchanged.
  const transport =
    options.transport ??
    (options.options?.includes(IO_URING_OPTION) ? 'io_uring' : undefined) ??
    (process.env.FUSEKIT_TRANSPORT as Transport | undefined) ??
    'dev_fuse';
  if (transport !== 'dev_fuse' && transport !== 'io_uring' && transport !== 'auto') {
    throw new TypeError(`transport (or FUSEKIT_TRANSPORT) must be 'dev_fuse', 'io_uring' or 'auto', got ${String(transport)}`);
  }
  return transport;
}

/**
 * Mounts `ops` at `mountpoint` and starts serving. Throws a {@link FuseError} with a clear
 * message when the mountpoint is unusable (see {@link checkMountpoint}), the system lacks what
 * a mount needs (`ENODEV`: no /dev/fuse; `EACCES`/`EPERM`: /dev/fuse not permitted; `ENOENT`:
 * no `fusermount3` where libfuse needs it, as a normal user or with `autoUnmount`) or the mount
 * is refused. With `options.signal`, an abort unmounts (see {@link MountOptions.signal}).
 */
export async function mount(ops: Operations, mountpoint: string, options: MountOptions = {}): Promise<Session> {
  options.signal?.throwIfAborted();
  transportOf(options);
  const realPath = await checkMountpoint(mountpoint);
  await checkFuseAvailable(process.getuid?.() !== 0 || /\bauto_unmount\b/.test(toArgs(options).join(' ')));
  options.signal?.throwIfAborted();
  const session = new Session(ops, mountpoint, options, realPath);
  session.start();
  const { signal } = options;
  if (signal !== undefined) {
    const close = () => session.terminate();
    signal.addEventListener('abort', close, { once: true });
    void session.closed.then(() => signal.removeEventListener('abort', close));
  }
  return session;
}
