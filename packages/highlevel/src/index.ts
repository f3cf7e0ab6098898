export { mount, Session } from './mount.js';
export { opened, Opened } from './filesystem.js';
export type {
  Attributes, DirectoryEntry, FileSystem, FileSystemMethod, FilesystemStats, OpenFlags, PathLike, Result, TimeSpec,
} from './filesystem.js';
export type { MountOptions } from './options.js';
export { FuseError, errno, constants, checkMountpoint, RequestContext } from '@fusekit/lowlevel';
export type { FdData } from '@fusekit/lowlevel';
