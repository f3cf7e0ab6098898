export { mount, Session } from './mount.js';
export { opened, Opened } from './filesystem.js';
export type {
  Attributes,
  DirectoryEntry,
  EncodedListing,
  FileSystem,
  FileSystemMethod,
  FilesystemStats,
  OpenFlags,
  PathCopyFileRangeRequest,
  PathIoctlRequest,
  PathLike,
  Result,
  TimeSpec,
} from './filesystem.js';
export type { MountOptions } from './options.js';
export { FuseError, errno, constants, checkMountpoint, RequestContext, PollHandle } from '@fusekit/lowlevel';
// The types FileSystem's methods take and answer, so that a filesystem needs no second import.
export type { ConnectionInfo, CopyRange, FdData, IoctlArgs, IoctlReply, IoctlRetry, Lock, Statfs, Logger } from '@fusekit/lowlevel';
