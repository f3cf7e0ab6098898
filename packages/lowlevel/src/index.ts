export { mount, Session } from './session.js';
export { checkMountpoint } from './mountpoint.js';
export { releaseFreeMemory } from './memory.js';
export { loadAddon } from './load-addon.js';
export { defaultOptions, type MountOptions, type CapabilityOptions, type Logger, type Transport } from './options.js';
export { consoleLogger, rateLimitedLogger, type RateLimitedLogger, type RateLimitOptions } from './logger.js';
export { formatTrace, traceSink, type TraceRecord, type TraceSink } from './trace.js';
export type { Operations, OperationName, Result } from './operations.js';
export { RequestContext } from './request.js';
export { DirectoryReply, encodeDirent, PollHandle, ReplyShapeError, type EncodedDirent } from './replies.js';
export { FuseError, errno } from './errors.js';
// Helpers shared by the fusekit packages, not part of the API.
export { /** @internal */ always, /** @internal */ andThen, /** @internal */ isThenable } from './maybe.js';
export { /** @internal */ inGroup } from './credentials.js';
export type * from './types.js';
import { native } from './native.js';

/**
 * libfuse and kernel constants: `FUSE_CAP_*` capability bits, `FUSE_SET_ATTR_*`,
 * `RENAME_NOREPLACE`/`RENAME_EXCHANGE`, `F_RDLCK`/`F_WRLCK`/`F_UNLCK`, `FUSE_IOCTL_*`, and the
 * libfuse version the addon was built against (`FUSE_MAJOR_VERSION`, `FUSE_MINOR_VERSION`).
 */
export const constants: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(Object.entries(native.constants).filter(([, v]) => typeof v === 'number')) as Record<string, number>,
);
