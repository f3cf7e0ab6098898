// Kernel passthrough (protocol 7.40): whether a session can have it, and the backing-file calls
// with errors that say what is missing instead of an errno alone.
import { readFileSync } from 'node:fs';
import { FuseError } from './errors.js';
import type { NativeSession } from './native.js';
import type { PassthroughCapability } from './types.js';

const CAP_SYS_ADMIN = 21;
/** The kernel's FILESYSTEM_MAX_STACK_DEPTH. */
const KERNEL_MAX_STACK_DEPTH = 2;

/** Why passthrough is off for a session, once INIT has decided (by native session). */
const offReasons = new WeakMap<NativeSession, string>();

/** What this process and a kernel that does (or does not) offer FUSE_PASSTHROUGH allow. */
export function passthroughCapability(offered: boolean): PassthroughCapability {
  const reason = offered ? privilegeMissing() : 'the kernel does not offer it (Linux 6.9+ with CONFIG_FUSE_PASSTHROUGH)';
  return reason === undefined
    ? { available: true, maxStackDepth: KERNEL_MAX_STACK_DEPTH }
    : { available: false, unavailableReason: reason, maxStackDepth: KERNEL_MAX_STACK_DEPTH };
}

// The kernel checks capable(CAP_SYS_ADMIN): the effective set, in the initial user namespace.
function privilegeMissing(): string | undefined {
  try {
    const status = readFileSync('/proc/self/status', 'latin1');
    const capEff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`);
    if ((capEff & (1n << BigInt(CAP_SYS_ADMIN))) === 0n) return 'registering backing files needs CAP_SYS_ADMIN';
    const uidMap = readFileSync('/proc/self/uid_map', 'latin1').trim().split(/\s+/);
    if (uidMap[0] !== '0' || uidMap[1] !== '0' || uidMap[2] !== '4294967295') {
      return 'registering backing files needs CAP_SYS_ADMIN in the initial user namespace';
    }
    return undefined;
  } catch {
    return 'cannot read /proc/self/status to check for CAP_SYS_ADMIN';
  }
}

/** @internal Records INIT's outcome for the error messages below. */
export function notePassthroughOff(native: NativeSession, reason: string): void {
  offReasons.set(native, reason);
}

/** @internal FUSE_DEV_IOC_BACKING_OPEN on the session fd, with a clear error. */
export function backingOpen(native: NativeSession, fd: number): number {
  if (!Number.isInteger(fd) || fd < 0 || fd > 2 ** 31 - 1)
    throw new RangeError(`backingOpen: fd must be a file descriptor, got ${String(fd)}`);
  if (native.passthroughDepth() === 0) {
    throw new FuseError(
      'EOPNOTSUPP',
      `kernel passthrough is off for this session: ${offReasons.get(native) ?? 'INIT has not happened yet'}`,
      'backingOpen',
    );
  }
  try {
    return native.backingOpen(fd);
  } catch (error) {
    throw explain(error, 'backingOpen');
  }
}

/** @internal FUSE_DEV_IOC_BACKING_CLOSE on the session fd, with a clear error. */
export function backingClose(native: NativeSession, id: number): void {
  if (!Number.isInteger(id) || id <= 0 || id > 2 ** 31 - 1)
    throw new RangeError(`backingClose: id must be a backing id, got ${String(id)}`);
  try {
    native.backingClose(id);
  } catch (error) {
    throw explain(error, 'backingClose');
  }
}

const explanations: Record<string, string> = {
  EPERM: 'kernel passthrough: registering a backing file needs CAP_SYS_ADMIN in the initial user namespace',
  ELOOP: 'kernel passthrough: the backing file is on a filesystem stacked as deep as maxStackDepth allows',
  EBADF: 'kernel passthrough: not an open file descriptor',
  EOPNOTSUPP: 'kernel passthrough: this kind of file cannot back a passthrough open',
  ENOTTY: 'kernel passthrough: the kernel does not support backing files (Linux 6.9+ with CONFIG_FUSE_PASSTHROUGH)',
  ENOENT: 'kernel passthrough: no backing file has this id',
};

function explain(error: unknown, call: string): unknown {
  if (!(error instanceof FuseError)) return error;
  const message = explanations[error.code];
  return message === undefined ? error : new FuseError(error.errno, message, call);
}
