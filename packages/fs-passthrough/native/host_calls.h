// The host calls the pool flavour makes here instead of through node:fs, whose asynchronous calls
// run on libuv's thread pool: each runs on fs-passthrough's host pool and answers a Promise that
// rejects like node:fs's. The synchronous flavour keeps node:fs's synchronous calls.
#pragma once
#include <napi.h>
#include <sys/stat.h>
#include <cstdint>

namespace passthrough {

// Adds stat, statfs, access, readlink, unlink, rmdir, link, chmod, fchmod, lchown,
// fchown, truncate, ftruncate, close, write and fsync to `exports`.
void AddHostCalls(Napi::Env env, Napi::Object exports);

// dev, ino, mode, nlink, uid, gid, rdev, size, blksize, blocks, then atime, mtime and ctime in
// nanoseconds: the 13 fields both flavours' stat answers.
void StatFields(const struct stat& st, int64_t out[13]);

}  // namespace passthrough
