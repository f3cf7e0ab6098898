// The raw addon, typed in one place. Nothing here validates: callers in this package do.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeFuseError } from './errors.js';
import { loadAddon } from './load-addon.js';

/** A slot index: the native side's handle for one request the kernel is waiting on. */
export type Slot = number;
type Name = string | Buffer;

export interface NativeSession {
  readonly scratch: ArrayBuffer;
  /** Set by mount(): the transport in use, and why 'auto' chose /dev/fuse ('' otherwise). */
  readonly transport?: 'dev_fuse' | 'io_uring';
  readonly transportNote?: string;
  /** Mounts and starts serving; answers a warning when the unmount guard could not be started. */
  mount(mountpoint: string, handlers: (((...args: never[]) => unknown) | undefined)[]): string | undefined;
  pause(): void;
  resume(): void;
  unmount(): void;
  destroy(): void;
  drainLog(): string[];
  groups(slot: Slot): number[];
  notify(id: number, kind: number, a: number, b: number, c: number, nameOrData: Name | Uint8Array | undefined): void;
  notifyPoll(handle: number): void;
  dropPollHandle(handle: number): void;
  replyErr(slot: Slot, errno: number): void;
  replyEntry(slot: Slot): number;
  replyCreate(slot: Slot, fh: number, openBits: number, backingId: number): number;
  replyAttr(slot: Slot): void;
  replyStatx(slot: Slot): void;
  replyReadlink(slot: Slot, target: Name): void;
  replyOpen(slot: Slot, fh: number, openBits: number, backingId: number): number;
  replyWrite(slot: Slot, count: number): void;
  /** Detaches a write's payload (lendWriteData), so its memory is received into again. */
  takeBack(data: Buffer): void;
  replyBuf(slot: Slot, data: Uint8Array): number;
  replyIov(slot: Slot, parts: Uint8Array[]): void;
  replyData(slot: Slot, fd: number, position: number, size: number, inMemory: boolean): void;
  replyStatfs(slot: Slot): void;
  replyXattr(slot: Slot, size: number): void;
  replyLock(slot: Slot, type: number, start: number, end: number, pid: number): void;
  replyBmap(slot: Slot, idx: number): void;
  replyIoctl(slot: Slot, result: number, data: Uint8Array | undefined): void;
  replyIoctlRetry(slot: Slot, input: [bigint, number][], output: [bigint, number][]): void;
  replyPoll(slot: Slot, revents: number): void;
  replyLseek(slot: Slot, offset: number): void;
  /** FUSE_DEV_IOC_BACKING_OPEN: registers a backing file, answers its id. */
  backingOpen(fd: number): number;
  /** FUSE_DEV_IOC_BACKING_CLOSE. */
  backingClose(id: number): void;
  /** The max_stack_depth agreed with FUSE_PASSTHROUGH at INIT; 0: no passthrough. */
  passthroughDepth(): number;
}

interface NativeSessionOptions {
  namesAsBuffers: boolean;
  maxInFlight: number;
  handleKillprivV2: boolean;
  directIoAllowMmap: boolean;
  busyPollMicros: number;
  transport: 'dev_fuse' | 'io_uring' | 'auto';
  /** Start an unmount guard with the mount (MountOptions.unmountGuard). */
  unmountGuard: boolean;
  /** fusermount3's path ('' when there is none): the guard of a normal user's mount runs it. */
  fusermount: string;
  /** Told when requests the process made on its own mount, which it could not serve, were answered EDEADLK. */
  warn: (message: string) => void;
}

interface NativeAddon {
  Session: new (
    args: string[],
    options: NativeSessionOptions,
    onEnded: (reason: string) => void,
    onJobDone: (id: number, errno: number) => void,
  ) => NativeSession;
  setErrorClass(cls: new (message: string, errno: number, syscall: string) => Error): void;
  trimHeap(): void;
  layout: Record<string, number>;
  // ops and opArgs by op code, from native/op_table.h.
  constants: Record<string, number> & { ops: string[]; opArgs: string[][] };
}

// src/ and dist/ are both one level below the package root. FUSEKIT_ADDON names another build
// (the sanitizer run's).
const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));
export const native =
  process.env.FUSEKIT_ADDON === undefined
    ? loadAddon<NativeAddon>(packageRoot, '@fusekit/lowlevel')
    : (createRequire(import.meta.url)(process.env.FUSEKIT_ADDON) as NativeAddon);
native.setErrorClass(NativeFuseError as unknown as Parameters<NativeAddon['setErrorClass']>[0]);
