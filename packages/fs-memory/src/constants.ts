// File type bits, flags and limits shared by the filesystem's parts (Linux values).
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_IXGRP = 0o0010;

export const O_TRUNC = 0o1000;
export const O_EXCL = 0o200;
export const XATTR_CREATE = 1;
export const XATTR_REPLACE = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;
export const FALLOC_FL_KEEP_SIZE = 1;
export const FALLOC_FL_PUNCH_HOLE = 2;
export const RENAME_NOREPLACE = 1;
export const RENAME_EXCHANGE = 2;

/** Longest entry name in bytes (NAME_MAX). */
export const NAME_MAX = 255;
/** Longest symlink target in bytes (PATH_MAX without its NUL). */
export const SYMLINK_MAX = 4095;
/** Largest xattr value in bytes (XATTR_SIZE_MAX). */
export const XATTR_SIZE_MAX = 65536;
/** tmpfs counts 20 bytes per directory entry in a directory's size; we report the same. */
export const BOGO_DIRENT_SIZE = 20;
