// The system calls node:fs does not offer, each run on fs-passthrough's host pool (never libuv's)
// and answered as a Promise, and the same calls under `sync`, run on the calling thread and
// answering -errno on failure; the host calls the pool makes in node:fs's place are in host_calls.
// Paths and names are Buffers (any bytes) or strings. Creating calls take the uid/gid the new
// file must belong to (-1: the server's own) and create it with that fsuid/fsgid, as the kernel
// would for that user (setgid directories, group inheritance); fsuid/fsgid are per thread.
#include <fcntl.h>
#include <cstdio>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cerrno>
#include "args.h"
#include "host_calls.h"
#include "host_pool.h"
#include "job.h"
#include "listing.h"

namespace passthrough {

// Runs `call` (a syscall returning -1 and errno on failure) with the thread's fsuid/fsgid set to
// uid/gid, restoring them after; -errno on failure.
template <typename Call>
static int64_t AsUser(int64_t uid, int64_t gid, Call call) {
  if (uid < 0) {
    int64_t r = call();
    return r < 0 ? -errno : r;
  }
  // Raw syscalls: glibc may broadcast id changes to every thread; these must stay on this one.
  long oldGid = syscall(SYS_setfsgid, static_cast<gid_t>(gid));
  long oldUid = syscall(SYS_setfsuid, static_cast<uid_t>(uid));
  int64_t r = call();
  int err = errno;
  syscall(SYS_setfsuid, static_cast<uid_t>(oldUid));
  syscall(SYS_setfsgid, static_cast<gid_t>(oldGid));
  return r < 0 ? -err : r;
}

static int64_t Check(int64_t r) { return r < 0 ? -errno : r; }

// open(path, flags, mode, uid, gid) → fd
static Napi::Value Open(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 5 && IsBytes(info[0]), "open(path, flags, mode, uid, gid)");
  std::string path = Bytes(info[0]);
  int flags = static_cast<int>(Int(info[1]));
  mode_t mode = static_cast<mode_t>(Int(info[2]));
  int64_t uid = Int(info[3]), gid = Int(info[4]);
  return Job::Run(info, "open", [=](Outcome&) {
    return AsUser(uid, gid, [&] { return open(path.c_str(), flags | O_CLOEXEC, mode); });
  });
}

// mknod(path, mode, rdev, uid, gid)
static Napi::Value Mknod(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 5 && IsBytes(info[0]), "mknod(path, mode, rdev, uid, gid)");
  std::string path = Bytes(info[0]);
  mode_t mode = static_cast<mode_t>(Int(info[1]));
  dev_t rdev = static_cast<dev_t>(Int(info[2]));
  int64_t uid = Int(info[3]), gid = Int(info[4]);
  return Job::Run(info, "mknod",
                  [=](Outcome&) { return AsUser(uid, gid, [&] { return mknod(path.c_str(), mode, rdev); }); });
}

// mkdir(path, mode, uid, gid)
static Napi::Value Mkdir(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 4 && IsBytes(info[0]), "mkdir(path, mode, uid, gid)");
  std::string path = Bytes(info[0]);
  mode_t mode = static_cast<mode_t>(Int(info[1]));
  int64_t uid = Int(info[2]), gid = Int(info[3]);
  return Job::Run(info, "mkdir", [=](Outcome&) { return AsUser(uid, gid, [&] { return mkdir(path.c_str(), mode); }); });
}

// symlink(target, path, uid, gid)
static Napi::Value Symlink(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 4 && IsBytes(info[0]) && IsBytes(info[1]), "symlink(target, path, uid, gid)");
  std::string target = Bytes(info[0]), path = Bytes(info[1]);
  int64_t uid = Int(info[2]), gid = Int(info[3]);
  return Job::Run(info, "symlink",
                  [=](Outcome&) { return AsUser(uid, gid, [&] { return symlink(target.c_str(), path.c_str()); }); });
}

// renameat2(from, to, flags): RENAME_NOREPLACE, RENAME_EXCHANGE
static Napi::Value Rename(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 3 && IsBytes(info[0]) && IsBytes(info[1]), "rename(from, to, flags)");
  std::string from = Bytes(info[0]), to = Bytes(info[1]);
  unsigned flags = static_cast<unsigned>(Int(info[2]));
  return Job::Run(info, "renameat2",
                  [=](Outcome&) { return Check(renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags)); });
}

// A utimensat time: bigint nanoseconds, 'now' or 'omit'.
static timespec Time(const Napi::Value& v) {
  if (v.IsString()) return {0, v.As<Napi::String>().Utf8Value() == "now" ? UTIME_NOW : UTIME_OMIT};
  bool lossless = false;
  int64_t ns = v.As<Napi::BigInt>().Int64Value(&lossless);
  int64_t sec = ns / 1'000'000'000, nsec = ns % 1'000'000'000;
  if (nsec < 0) sec -= 1, nsec += 1'000'000'000;
  return {static_cast<time_t>(sec), static_cast<long>(nsec)};
}

// utimens(pathOrFd, atime, mtime): a path is not followed if it is a symlink.
static Napi::Value Utimens(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 3 && (IsBytes(info[0]) || info[0].IsNumber()) &&
               (info[1].IsBigInt() || info[1].IsString()) && (info[2].IsBigInt() || info[2].IsString()),
           "utimens(pathOrFd, atime: bigint | 'now' | 'omit', mtime)");
  bool byFd = info[0].IsNumber();
  int fd = byFd ? static_cast<int>(Int(info[0])) : AT_FDCWD;
  std::string path = byFd ? std::string() : Bytes(info[0]);
  timespec times[2] = {Time(info[1]), Time(info[2])};
  return Job::Run(info, "utimensat", [=](Outcome&) {
    if (byFd) return Check(futimens(fd, times));
    return Check(utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW));
  });
}

// setxattr(path, name, value, flags), on the link itself for a symlink.
static Napi::Value SetXattr(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 4 && IsBytes(info[0]) && IsBytes(info[1]) && info[2].IsBuffer(),
           "setxattr(path, name, value, flags)");
  std::string path = Bytes(info[0]), name = Bytes(info[1]), value = Bytes(info[2]);
  int flags = static_cast<int>(Int(info[3]));
  return Job::Run(info, "lsetxattr", [=](Outcome&) {
    return Check(lsetxattr(path.c_str(), name.c_str(), value.data(), value.size(), flags));
  });
}

// Reads a value whose size may change between the probe and the read: retried until it fits.
template <typename Read>
static int64_t ReadSized(Outcome& out, Read read) {
  for (;;) {
    ssize_t size = read(nullptr, 0);
    if (size < 0) return -errno;
    out.data.resize(static_cast<size_t>(size));
    ssize_t got = size == 0 ? 0 : read(out.data.data(), out.data.size());
    if (got < 0 && errno == ERANGE) continue;
    if (got < 0) return -errno;
    out.data.resize(static_cast<size_t>(got));
    out.answer = Answer::kBuffer;
    return got;
  }
}

// getxattr(path, name) → Buffer
static Napi::Value GetXattr(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 2 && IsBytes(info[0]) && IsBytes(info[1]), "getxattr(path, name)");
  std::string path = Bytes(info[0]), name = Bytes(info[1]);
  return Job::Run(info, "lgetxattr", [=](Outcome& out) {
    return ReadSized(out, [&](char* buf, size_t size) { return lgetxattr(path.c_str(), name.c_str(), buf, size); });
  });
}

// listxattr(path) → Buffer of NUL-terminated names
static Napi::Value ListXattr(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 1 && IsBytes(info[0]), "listxattr(path)");
  std::string path = Bytes(info[0]);
  return Job::Run(info, "llistxattr", [=](Outcome& out) {
    return ReadSized(out, [&](char* buf, size_t size) { return llistxattr(path.c_str(), buf, size); });
  });
}

// removexattr(path, name)
static Napi::Value RemoveXattr(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 2 && IsBytes(info[0]) && IsBytes(info[1]), "removexattr(path, name)");
  std::string path = Bytes(info[0]), name = Bytes(info[1]);
  return Job::Run(info, "lremovexattr", [=](Outcome&) { return Check(lremovexattr(path.c_str(), name.c_str())); });
}

// fallocate(fd, mode, offset, length)
static Napi::Value Fallocate(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 4 && info[0].IsNumber(), "fallocate(fd, mode, offset, length)");
  int fd = static_cast<int>(Int(info[0])), mode = static_cast<int>(Int(info[1]));
  off_t offset = Int(info[2]), length = Int(info[3]);
  return Job::Run(info, "fallocate", [=](Outcome&) { return Check(fallocate(fd, mode, offset, length)); });
}

// lseek(fd, offset, whence) → offset (for SEEK_DATA / SEEK_HOLE)
static Napi::Value Lseek(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 3 && info[0].IsNumber(), "lseek(fd, offset, whence)");
  int fd = static_cast<int>(Int(info[0])), whence = static_cast<int>(Int(info[2]));
  off_t offset = Int(info[1]);
  return Job::Run(info, "lseek", [=](Outcome&) { return Check(lseek(fd, offset, whence)); });
}

// copyFileRange(fdIn, offsetIn, fdOut, offsetOut, length, flags) → bytes copied
static Napi::Value CopyFileRange(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 6 && info[0].IsNumber() && info[2].IsNumber(),
           "copyFileRange(fdIn, offsetIn, fdOut, offsetOut, length, flags)");
  int fdIn = static_cast<int>(Int(info[0])), fdOut = static_cast<int>(Int(info[2]));
  off_t offIn = Int(info[1]), offOut = Int(info[3]);
  size_t length = static_cast<size_t>(Int(info[4]));
  unsigned flags = static_cast<unsigned>(Int(info[5]));
  return Job::Run(info, "copy_file_range", [=](Outcome&) mutable {
    return Check(copy_file_range(fdIn, &offIn, fdOut, &offOut, length, flags));
  });
}

// stat(pathOrFd, out: BigInt64Array(13)), synchronous only: lstat(2) of a path or fstat(2) of an
// fd into `out` (dev, ino, mode, nlink, uid, gid, rdev, size, blksize, blocks, then atime, mtime
// and ctime in ns), answering 0 or -errno. No object per call: the JS thread stats on every
// lookup, and node:fs's BigIntStats (BigInts, Dates) cost more than the system call.
static Napi::Value Stat(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 2 && (IsBytes(info[0]) || info[0].IsNumber()) && info[1].IsTypedArray() &&
               info[1].As<Napi::TypedArray>().TypedArrayType() == napi_bigint64_array &&
               info[1].As<Napi::TypedArray>().ElementLength() >= 13,
           "stat(pathOrFd, out: BigInt64Array(13))");
  struct stat st;
  int r = info[0].IsNumber() ? fstat(static_cast<int>(Int(info[0])), &st) : lstat(Bytes(info[0]).c_str(), &st);
  if (r < 0) return Napi::Number::New(info.Env(), -errno);
  StatFields(st, info[1].As<Napi::TypedArrayOf<int64_t>>().Data());
  return Napi::Number::New(info.Env(), 0);
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Object sync = Napi::Object::New(env);
  auto add = [&](const char* name, Napi::Function::Callback call) {
    exports.Set(name, Napi::Function::New(env, call, name));
    sync.Set(name, Napi::Function::New(env, call, name, &Job::sync));
  };
  add("open", Open);
  add("mknod", Mknod);
  add("mkdir", Mkdir);
  add("symlink", Symlink);
  add("rename", Rename);
  add("utimens", Utimens);
  add("setxattr", SetXattr);
  add("getxattr", GetXattr);
  add("listxattr", ListXattr);
  add("removexattr", RemoveXattr);
  add("fallocate", Fallocate);
  add("lseek", Lseek);
  add("copyFileRange", CopyFileRange);
  sync.Set("stat", Napi::Function::New(env, Stat, "stat"));
  AddListing(env, exports, sync);
  exports.Set("sync", sync);
  AddHostCalls(env, exports);
  HostPool::Create(env);
  return exports;
}

}  // namespace passthrough

using passthrough::Init;
NODE_API_MODULE(passthrough_addon, Init)
